#!/usr/bin/env python3
"""Builds the language-detection data from Debian's message catalogues.

Real text nobody on the team wrote: the translated messages (msgstr) of the .mo files installed
under /usr/share/locale/<lang>/LC_MESSAGES/, and their English originals (msgid) for `en`.
`msgunfmt` (gettext) turns each .mo into text.

Catalogues are split by name (CRC-32 of the file name): one in four (apt.mo, bash.mo, … in every
language alike) is held out for evaluation, the others train the built-in language model. A
text that occurs in a training catalogue too (shared library messages) is dropped from the
evaluation side, so no evaluated text was seen in training.

Writes (development tool; tests never run it, the outputs are committed):
  tests/data/language/eval.tsv      31 languages × 300 held-out texts (`<iso code>\\t<text>`)
  tests/data/language/siblings.tsv  close relatives of those (bs, gl, mk, ms, no, sr) × 300
  tests/data/language/unknown.tsv   languages the model does not know (ar, hi, th, …) × 100:
                                    every answer given for these is wrong
  --train FILE                      the model's training text, `__label__<code> <text>`
                                    (up to 20,000 lines a language; not committed)

  python3 scripts/extract_language_eval.py --train build/language-train.txt
"""
import argparse
import glob
import pathlib
import random
import re
import subprocess
import zlib

# locale directory → ISO 639-1 code as langid.py / our detector write it
LOCALES = {
    "de": "de", "fr": "fr", "es": "es", "it": "it", "pt_BR": "pt", "pt": "pt", "ru": "ru", "uk": "uk",
    "ja": "ja", "zh_CN": "zh", "zh_TW": "zh", "ko": "ko", "el": "el", "cs": "cs", "tr": "tr", "pl": "pl",
    "da": "da", "vi": "vi", "nl": "nl", "fi": "fi", "ro": "ro", "id": "id", "hu": "hu", "ca": "ca",
    "sv": "sv", "bg": "bg", "hr": "hr", "sk": "sk", "sl": "sl", "et": "et", "lt": "lt", "he": "he",
}

# Close relatives of the languages above, evaluated apart (siblings.tsv): what telling close
# languages apart costs the speakers of the smaller one. The model is trained on them too.
SIBLINGS = {"nb": "no", "bs": "bs", "ms": "ms", "gl": "gl", "sr": "sr", "sr@latin": "sr", "mk": "mk"}

# Languages the model is not trained on (unknown.tsv): the detector must give no answer or,
# where CLD2 knows the language, CLD2's answer — never one of the model's languages.
UNKNOWN = {
    "ar": "ar", "hi": "hi", "fa": "fa", "th": "th", "ta": "ta", "bn": "bn", "eu": "eu", "af": "af",
    "sq": "sq", "ka": "ka", "be": "be", "kk": "kk", "lv": "lv", "is": "is", "ga": "ga", "cy": "cy",
    "eo": "eo", "az": "az", "mr": "mr", "gu": "gu", "pa": "pa", "ne": "ne", "ml": "ml", "te": "te",
}

ENTRY = re.compile(r'^msgid "(.*)"\n((?:".*"\n)*)msgstr "(.*)"\n((?:".*"\n)*)', re.M)


def unquote(first, rest):
    parts = [first] + re.findall(r'^"(.*)"$', rest, re.M)
    text = "".join(parts)
    return re.sub(r'\\(.)', lambda m: {"n": " ", "t": " ", "r": " "}.get(m.group(1), m.group(1)), text)


def clean(text):
    text = re.sub(r"%[-+ #0-9.*]*(?:l|ll|h|z|j|t|L)?[diouxXeEfgGcsp%]", " ", text)  # printf formats
    text = re.sub(r"\{[^}]*\}|\$\{?\w+\}?|<[^>]+>", " ", text)  # placeholders, markup
    text = text.replace("_", "").replace("&", "")  # keyboard accelerators
    text = re.sub(r"\s+", " ", text).strip()
    return text


def letters(text):
    return sum(1 for c in text if c.isalpha())


def held_out(mo):
    return zlib.crc32(pathlib.Path(mo).name.encode()) % 4 == 0


def collect(locales, with_english):
    """{(code, "eval"|"train"): set of texts}"""
    texts = {}
    for locale, code in locales.items():
        for mo in sorted(glob.glob(f"/usr/share/locale/{locale}/LC_MESSAGES/*.mo")):
            split = "eval" if held_out(mo) else "train"
            po = subprocess.run(["msgunfmt", mo], capture_output=True, text=True, errors="replace").stdout
            for m in ENTRY.finditer(po):
                if not m.group(1) and not m.group(2).strip():
                    continue  # the catalogue header (msgid ""), metadata, not text
                src, dst = clean(unquote(m.group(1), m.group(2))), clean(unquote(m.group(3), m.group(4)))
                if letters(dst) >= 3 and dst != src and "\ufffd" not in dst:
                    texts.setdefault((code, split), set()).add(dst)
                if with_english and letters(src) >= 3 and "\ufffd" not in src:
                    texts.setdefault(("en", split), set()).add(src)
    return texts


def sample(texts, per_language, exclude, rng):
    lines = []
    for code in sorted({c for c, _ in texts}):
        pool = sorted(texts.get((code, "eval"), set()) - exclude)
        rng.shuffle(pool)
        lines += [f"{code}\t{t}" for t in pool[:per_language]]
    return lines


def main():
    root = pathlib.Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-language", type=int, default=300)
    ap.add_argument("--train-per-language", type=int, default=20000)
    ap.add_argument("--data", default=str(root / "tests/data/language"))
    ap.add_argument("--train", help="also write the model's training text here")
    args = ap.parse_args()
    main_texts = collect(LOCALES, True)
    sibling_texts = collect(SIBLINGS, False)
    unknown_texts = collect(UNKNOWN, False)
    known = {**main_texts, **sibling_texts}
    seen_in_training = set().union(*(v for (c, s), v in known.items() if s == "train"))
    rng = random.Random(42)
    data = pathlib.Path(args.data)
    for name, texts, n in (("eval.tsv", main_texts, args.per_language),
                           ("siblings.tsv", sibling_texts, args.per_language),
                           ("unknown.tsv", unknown_texts, 100)):
        lines = sample(texts, n, seen_in_training, rng)
        (data / name).write_text("\n".join(lines) + "\n")
        print(f"{len(lines)} held-out texts → {data / name}")
    if args.train:
        lines = []
        for code in sorted({c for c, _ in known}):
            pool = sorted(known.get((code, "train"), set()))
            rng.shuffle(pool)
            lines += [f"__label__{code} {t}" for t in pool[: args.train_per_language]]
        rng.shuffle(lines)
        pathlib.Path(args.train).write_text("\n".join(lines) + "\n")
        print(f"{len(lines)} training lines → {args.train}")


if __name__ == "__main__":
    main()
