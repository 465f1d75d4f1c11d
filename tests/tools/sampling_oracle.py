#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the golden data for tests/unit/flywheel/test_sampling.cpp.

The expectations come from the real libraries the blueprint's dataset code runs: CPython's
`random`, numpy's legacy `RandomState` and scikit-learn's `train_test_split`. Run it with the
system interpreter, which has numpy and scikit-learn (it was last run with CPython 3.11.2,
numpy 1.24.2, scikit-learn 1.2.1):

    /usr/bin/python3 tests/tools/sampling_oracle.py [output-dir]

The output directory defaults to tests/data/flywheel/sampling next to this script. Every file
is plain text, one case per line; lines starting with '#' describe the format.
"""

import math
import pathlib
import random
import sys

import numpy as np
import sklearn
from sklearn.model_selection import train_test_split

REQUIRED = {"numpy": "1.24.2", "sklearn": "1.2.1"}
PYTHON_SEEDS = [0, 1, 42, 7, 2**32 - 1, 2**32, 2**32 + 5, 123456789, 2**63 - 1]
NUMPY_SEEDS = [0, 1, 42, 12345, 2**31, 2**32 - 1]


def joined(values):
    return " ".join(str(int(v)) for v in values)


def header(*lines):
    return "".join(f"# {line}\n" for line in lines)


# ---------------------------------------------------------------------------------------------
# Raw Mersenne Twister outputs, to localise a failure to seeding or to the algorithms above it.


def mt_words():
    out = header(
        "raw MT19937 outputs: <python|numpy> <seed> <first index> | <8 consecutive 32-bit words>",
        "python: random.seed(seed) then getrandbits(32); numpy: RandomState(seed) raw draws",
    )
    offsets = [0, 620, 1245]
    for seed in PYTHON_SEEDS:
        random.seed(seed)
        words = [random.getrandbits(32) for _ in range(offsets[-1] + 8)]
        for first in offsets:
            out += f"python {seed} {first} | {joined(words[first:first + 8])}\n"
    for seed in NUMPY_SEEDS:
        raw = np.random.RandomState(seed)._bit_generator.random_raw(offsets[-1] + 8)
        for first in offsets:
            out += f"numpy {seed} {first} | {joined(raw[first:first + 8])}\n"
    return out


# ---------------------------------------------------------------------------------------------
# random.seed(seed); random.sample(range(n), k)


def sample_setsize(k):
    """The pool/set switch point of random.sample, to label which path a case takes."""
    return 21 + (4 ** math.ceil(math.log(k * 3, 4)) if k > 5 else 0)


def python_sample():
    shapes = [
        (0, 0), (1, 0), (1, 1), (2, 2), (5, 5), (10, 3), (10, 10), (21, 5), (22, 5),  # k <= 5
        (85, 6), (86, 6),  # the switch point for k = 6 is 85
        (100, 10), (1000, 10), (1000, 100), (2000, 100), (1000, 500), (1000, 1000),
        (5000, 40), (5000, 3000), (100000, 7),
        (2**32 - 1, 5), (2**32, 5), (2**32 + 7, 5), (2**40, 10), (2**53, 20), (2**53 + 1, 3),
        (2**62 + 3, 4), (2**63 - 1, 4),  # several 32-bit words per draw; len() caps n at 2**63-1
    ]
    out = header(
        "random.seed(seed); random.sample(range(n), k)",
        "<n> <k> <seed> <pool|set> | <indices in sample order>",
    )
    for n, k in shapes:
        path = "pool" if n <= sample_setsize(k) else "set"
        for seed in PYTHON_SEEDS:
            random.seed(seed)
            out += f"{n} {k} {seed} {path} | {joined(random.sample(range(n), k))}\n"
    return out


# ---------------------------------------------------------------------------------------------
# numpy RandomState(seed).permutation(n), several calls on one generator


def numpy_permutation():
    sequences = [[0], [1], [2], [10], [1000], [3, 10, 0, 1, 1000, 5], [2, 2, 2, 2]]
    out = header(
        "rng = numpy.random.RandomState(seed); then rng.permutation(n) for each n in order",
        "<seed> <n...> | <first permutation> | <second permutation> ...",
    )
    for seed in NUMPY_SEEDS:
        for sizes in sequences:
            rng = np.random.RandomState(seed)
            perms = [joined(rng.permutation(n)) for n in sizes]
            out += f"{seed} {joined(sizes)} | " + " | ".join(perms) + "\n"
    return out


# ---------------------------------------------------------------------------------------------
# train_test_split(np.arange(n), test_size=..., stratify=..., random_state=seed)


def encode_label(label):
    """':' then the UTF-8 bytes, percent-encoded outside [A-Za-z0-9._-] (so '' is ':')."""
    safe = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
    return ":" + "".join(chr(b) if b in safe else f"%{b:02X}" for b in label.encode())


def split_case(n, test_size, seed, labels=None):
    """One tab-separated line (format in the file header)."""
    kind = "fraction" if isinstance(test_size, float) else "count"
    if labels is None:
        names, codes = "-", "-"
        stratify = None
    else:
        vocabulary = list(dict.fromkeys(labels))  # first-seen order, not sorted: C++ must sort
        names = " ".join(encode_label(v) for v in vocabulary)
        codes = joined(vocabulary.index(v) for v in labels)
        stratify = labels
    fields = [kind, str(n), repr(test_size), str(seed), names, codes]
    try:
        train, test = train_test_split(
            np.arange(n), test_size=test_size, stratify=stratify, random_state=seed
        )
        fields += ["ok", joined(train), joined(test)]
    except ValueError as error:
        fields += ["error", str(error), ""]
    return "\t".join(fields) + "\n"


def labels_from_counts(counts, names, seed):
    """Labels with the given class sizes, interleaved in a fixed pseudo-random order."""
    labels = [name for name, count in zip(names, counts) for _ in range(count)]
    random.Random(seed).shuffle(labels)
    return labels


def sklearn_split():
    out = header(
        "train, test = train_test_split(np.arange(n), test_size=t, stratify=y, random_state=seed)",
        "tab-separated: <count|fraction> <n> <repr(t)> <seed> <label vocabulary|-> "
        "<y as vocabulary positions|-> <ok|error> <train|message> <test>",
        "vocabulary: space-separated labels, each ':' + percent-encoded UTF-8 (first-seen order)",
    )
    seeds = [0, 1, 42, 2**32 - 1]
    fractions = [0.1, 0.15, 0.2, 0.25, 0.33, 1 / 3, 0.5, 0.9]

    # Plain ShuffleSplit.
    for n, test in [(2, 1), (3, 1), (3, 2), (10, 1), (10, 3), (100, 25), (1000, 100),
                    (1000, 999), (5000, 1234)]:
        for seed in seeds:
            out += split_case(n, test, seed)
    for n in [1, 2, 7, 10, 99, 100, 999, 1000, 3001]:
        for fraction in fractions:
            out += split_case(n, fraction, 42)
    for seed in seeds:
        out += split_case(4000, 0.2, seed)

    # StratifiedShuffleSplit: (class sizes, test sizes); the label names deliberately sort in a
    # different order from their first appearance.
    names = ["zeta", "alpha", "Mid", "beta", "_x"]
    stratified = [
        ([10, 10, 10], [4, 3, 5, 6, 9, 0.1, 0.2]),  # equal remainders: rng.choice breaks ties
        ([30, 20, 10], [6, 7, 11, 0.1, 0.25]),  # 30/20/10 with 6 -> 3/2/1
        ([50, 50], [10, 11, 0.15, 0.5]),
        ([90, 10], [5, 10, 0.2, 0.33]),
        ([3, 2], [2, 3]),
        ([4, 4, 4, 4], [4, 5, 6, 7, 10, 0.5]),
        ([7, 13, 2, 40, 38], [5, 9, 17, 0.1, 0.15, 0.2, 0.25, 0.33, 1 / 3]),
        ([2, 2, 2, 2, 2], [5, 0.5]),
        ([400, 300, 200, 100], [100, 333, 0.1, 0.15, 0.2, 0.25, 0.33, 1 / 3]),
        ([1500, 1000, 499, 1], []),  # singleton class: refused
        ([1200, 900, 600, 300], [0.1, 0.2, 1 / 3, 750]),
        ([2500, 1700, 800], [0.15, 0.25]),
        # Where float rounding matters: 20 / 46 * 23 is 9.999999999999998, so numpy floors it to
        # 9 (exact arithmetic, or 20 * 23 / 46, would give 10); and remainders that are equal
        # as fractions but not as doubles (7 / 22 * 11 and 15 / 22 * 11 are both x.5 exactly,
        # yet numpy's quotas are 4/7 where 7 * 11 / 22 would tie and could give 3/8).
        ([20, 26], [23, 0.5]),
        ([7, 15], [11]),
        ([11, 15], [13]),
        ([21, 29], [25]),
        ([10, 18], [7]),
        ([2, 2, 5], [3, 6]),
        ([2, 2, 8], [4, 8]),
    ]
    for case, (counts, tests) in enumerate(stratified):
        labels = labels_from_counts(counts, names, case)
        for test in tests or [0.2]:
            for seed in seeds if len(labels) < 1000 else seeds[1:3]:  # keeps the file small
                out += split_case(len(labels), test, seed, labels)
    # Labels in class-sorted blocks rather than interleaved.
    blocks = [name for name, count in zip(names, [6, 4, 3]) for _ in range(count)]
    for seed in seeds:
        out += split_case(len(blocks), 4, seed, blocks)
    # Unicode, an empty label, labels that differ by case or only by trailing NULs (numpy keeps
    # str arrays NUL-padded, so "b\0" is "b").
    odd = ["é", "z", "日本", "Z", "a b", "", "b", "b\0", "é", "z", "日本", "Z", "a b", "", "b",
           "z", "é", "Z"]
    for seed in seeds:
        out += split_case(len(odd), 7, seed, odd)  # seven classes: "b" and "b\0" are one
        out += split_case(len(odd), 0.4, seed, odd)
    out += split_case(len(odd), 6, 0, odd)  # so six is too few

    # Refusals, each with its exact message.
    three = labels_from_counts([4, 3, 3], names, 99)
    refusals = [
        (10, 0, None), (10, 10, None), (10, 11, None), (0, 5, None), (1, 1, None),
        (10, 0.0, None), (10, 1.0, None), (10, 1.5, None), (10, -0.1, None), (10, -0.0, None),
        (10, math.inf, None), (10, -math.inf, None), (10, math.nan, None),
        (1, 0.5, None), (0, 0.25, None), (3, 0.9, None), (10, 0.9999999999999999, None),
        (100, 1e-20, None), (100, 1e+20, None),
        (10, 2, three),  # test smaller than the number of classes
        (10, 8, three),  # train smaller than the number of classes
        (10, 0.15, three), (10, 0.8, three),
        (10, 3, ["a"] * 9 + ["b"]),  # a class of one
        (10, 0, ["a"] * 9 + ["b"]),  # the test_size check comes first
        (10, 3, ["a"] * 9),  # labels shorter than the data
    ]
    for n, test, labels in refusals:
        out += split_case(n, test, 0, labels)
    return out


def main():
    for module, version in (("numpy", np.__version__), ("sklearn", sklearn.__version__)):
        if version != REQUIRED[module]:
            sys.exit(f"{module} {version} found, the golden data is for {REQUIRED[module]}")
    if sys.version_info[:2] != (3, 11):
        sys.exit("the golden data is for CPython 3.11")
    here = pathlib.Path(__file__).resolve().parent
    target = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else (
        here.parent / "data" / "flywheel" / "sampling")
    target.mkdir(parents=True, exist_ok=True)
    for name, produce in (("mt_words.txt", mt_words), ("python_sample.txt", python_sample),
                          ("numpy_permutation.txt", numpy_permutation),
                          ("sklearn_split.txt", sklearn_split)):
        text = produce()
        (target / name).write_text(text, encoding="utf-8")
        cases = sum(1 for line in text.splitlines() if not line.startswith("#"))
        print(f"{target / name}: {cases} cases")


if __name__ == "__main__":
    main()
