#!/usr/bin/env python3
"""Builds the multilingual language-detection evaluation set from Debian's message catalogues.

Real text nobody on the team wrote: the translated messages (msgstr) of the .mo files installed
under /usr/share/locale/<lang>/LC_MESSAGES/, and their English originals (msgid) for `en`.
`msgunfmt` (gettext) turns each .mo into text. Development tool: its output,
tests/data/language/eval.tsv (`<iso code>\t<text>`), is committed; tests never run this.

  python3 scripts/extract_language_eval.py [--per-language 300]
"""
import argparse
import glob
import pathlib
import random
import re
import subprocess

# locale directory → ISO 639-1 code as langid.py / our detector write it
LOCALES = {
    "de": "de", "fr": "fr", "es": "es", "it": "it", "pt_BR": "pt", "pt": "pt", "ru": "ru", "uk": "uk",
    "ja": "ja", "zh_CN": "zh", "zh_TW": "zh", "ko": "ko", "el": "el", "cs": "cs", "tr": "tr", "pl": "pl",
    "da": "da", "vi": "vi", "nl": "nl", "fi": "fi", "ro": "ro", "id": "id", "hu": "hu", "ca": "ca",
    "sv": "sv", "bg": "bg", "hr": "hr", "sk": "sk", "sl": "sl", "et": "et", "lt": "lt", "he": "he",
}

# Close relatives of the languages above that CLD2 confuses them with, in a separate file
# (tests/data/language/siblings.tsv): measures what a tie-break between close languages costs
# the speakers of the smaller one.
SIBLINGS = {"nb": "no", "bs": "bs", "ms": "ms", "gl": "gl", "sr": "sr", "sr@latin": "sr", "mk": "mk"}

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-language", type=int, default=300)
    ap.add_argument("--siblings", action="store_true", help="write the close-relatives set instead")
    ap.add_argument("--out", default=str(pathlib.Path(__file__).resolve().parent.parent / "tests/data/language/eval.tsv"))
    args = ap.parse_args()
    if args.siblings and args.out.endswith("eval.tsv"):
        args.out = args.out[: -len("eval.tsv")] + "siblings.tsv"
    texts = {}
    for locale, code in (SIBLINGS if args.siblings else LOCALES).items():
        for mo in sorted(glob.glob(f"/usr/share/locale/{locale}/LC_MESSAGES/*.mo")):
            po = subprocess.run(["msgunfmt", mo], capture_output=True, text=True, errors="replace").stdout
            for m in ENTRY.finditer(po):
                if not m.group(1) and not m.group(2).strip():
                    continue  # the catalogue header (msgid ""), metadata, not text
                src, dst = clean(unquote(m.group(1), m.group(2))), clean(unquote(m.group(3), m.group(4)))
                if letters(dst) >= 3 and dst != src and "\ufffd" not in dst:
                    texts.setdefault(code, set()).add(dst)
                if letters(src) >= 3 and "\ufffd" not in src and not args.siblings:
                    texts.setdefault("en", set()).add(src)
    rng = random.Random(42)
    lines = []
    for code in sorted(texts):
        pool = sorted(texts[code])
        rng.shuffle(pool)
        for t in pool[: args.per_language]:
            lines.append(f"{code}\t{t}")
    pathlib.Path(args.out).write_text("\n".join(lines) + "\n")
    print(f"{len(lines)} texts in {len(texts)} languages → {args.out}")


if __name__ == "__main__":
    main()
