#!/usr/bin/env python3
"""Builds an out-of-domain language evaluation set from translated manual pages.

The message-catalogue set (extract_language_eval.py) is short UI text, the same kind of text the
built-in language model is trained on. This set is prose: paragraphs of the translated manual
pages Debian's manpages-l10n packages (and packages with their own translations) install under
/usr/share/man/<lang>/. A translated page may keep a paragraph in English where the translation
is incomplete, or an old translation keeps newer English text: paragraphs that also occur in the
English page of the same name are skipped, and so are paragraphs of which half the words or more
are among the 3,000 most frequent words of the English pages.
Development tool: the output, tests/data/language/prose.tsv (`<iso code>\t<text>`), is committed.

  apt-get install manpages-de manpages-fr …   # the languages below
  python3 scripts/extract_language_prose.py [--per-language 200]
"""
import argparse
import collections
import glob
import gzip
import os
import pathlib
import random
import re

LOCALES = {
    "cs": "cs", "da": "da", "de": "de", "es": "es", "fi": "fi", "fr": "fr", "hu": "hu", "id": "id",
    "it": "it", "ja": "ja", "ko": "ko", "nl": "nl", "pl": "pl", "pt": "pt", "pt_BR": "pt", "ro": "ro",
    "ru": "ru", "sv": "sv", "tr": "tr", "uk": "uk", "vi": "vi", "zh_CN": "zh", "zh_TW": "zh",
}

ESCAPES = re.compile(r"\\f(?:\[[^\]]*\]|\(..|.)|\\\(..|\\\[[^\]]*\]|\\\*(?:\(..|\[[^\]]*\]|.)|\\[-&e|^/,~ 0:%c]|\\s[-+]?\d")


def paragraphs(path):
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError, EOFError):
        return []
    out, cur = [], []
    for line in lines:
        if line.startswith((".", "'")) or re.search(r"\\[(\[*]", line):
            # a macro line ends the paragraph; so does a named character (\(:a, \[u00E4]),
            # which this simple reader would corrupt: the paragraph is dropped
            if cur and not line.startswith((".", "'")):
                cur = []
                continue
            if cur:
                out.append(" ".join(cur))
                cur = []
            continue
        text = ESCAPES.sub(lambda m: "-" if m.group(0) == "\\-" else "", line)
        text = text.replace("\\", "").strip()
        if text:
            cur.append(text)
    if cur:
        out.append(" ".join(cur))
    return [re.sub(r"\s+", " ", p).strip() for p in out]


def prose(p):
    """40..600 bytes, mostly letters, at least four words (not an option list or a URL)."""
    words = [w for w in p.split() if sum(c.isalpha() for c in w) >= 3 and not w.startswith("-")]
    return 40 <= len(p.encode()) <= 600 and sum(c.isalpha() for c in p) >= 0.7 * len(p) and len(words) >= 4


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-language", type=int, default=200)
    ap.add_argument("--out", default=str(pathlib.Path(__file__).resolve().parent.parent / "tests/data/language/prose.tsv"))
    args = ap.parse_args()
    english = {}
    texts = {}
    frequency = collections.Counter()
    for path in sorted(glob.glob("/usr/share/man/man[1-8]/*.gz")):
        english[os.path.basename(path)] = set(paragraphs(path))
        for p in english[os.path.basename(path)]:
            frequency.update(w.lower() for w in re.findall(r"[A-Za-z]{2,}", p))
    common = {w for w, _ in frequency.most_common(3000)}

    def mostly_english(p):
        words = [w.lower() for w in re.findall(r"\w{2,}", p)]
        return sum(w in common for w in words) >= 0.5 * max(1, len(words))

    for locale, code in LOCALES.items():
        for path in sorted(glob.glob(f"/usr/share/man/{locale}/man[1-8]/*.gz")):
            skip = english.get(os.path.basename(path), set())
            for p in paragraphs(path):
                if p not in skip and prose(p) and not mostly_english(p):
                    texts.setdefault(code, set()).add(p)
    en = set().union(*english.values())
    texts["en"] = {p for p in en if prose(p)}
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
