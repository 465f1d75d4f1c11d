#!/usr/bin/env bash
# Rebuilds the built-in language model (lib/models/language.bin) and the evaluation sets from
# the message catalogues installed on this machine (docs/language.md). Development tool: the
# outputs are committed; a different set of installed packages gives a different model.
#   scripts/train_language_model.sh [BUILD_DIR]     (default build; needs gettext's msgunfmt)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
cli=$build/apps/cli/dial-analytics
[[ -x $cli ]] || { echo "build the project first (no $cli)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$root/scripts/extract_language_eval.py" --train "$work/train.txt"
# Character n-grams of 2-4 characters carry most of the signal; words seen 50 times or more
# add theirs. One thread and a fixed seed: the same input gives the same model.
"$cli" topics train --input "$work/train.txt" --output "$root/lib/models/language.bin" \
  --dim 16 --minn 2 --maxn 4 --bucket 40000 --min-count 50 --epoch 10 --lr 0.5 \
  --word-ngrams 1 --threads 1 --seed 0
python3 "$root/scripts/extract_language_prose.py"
