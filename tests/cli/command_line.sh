#!/usr/bin/env bash
# The command line of dial-analytics: argument forms, help, version and usage errors.
# Usage: command_line.sh DIAL_ANALYTICS_EXE REPO_ROOT CASE
exe=$1
root=$2
source "$(dirname "$0")/common.sh"
input=$replay_data/vector_batch.input

case $3 in
positional_input)
  # `replay FILE` and `replay -` read what `--input` reads.
  run replay --deterministic-ids --topic-model echo --input "$input"
  expect_status 0
  cp "$work/out" "$work/expected"
  run replay --deterministic-ids --topic-model echo "$input"
  expect_status 0
  same_output "$work/expected"
  status=0
  "$exe" replay --deterministic-ids --topic-model echo - <"$input" >"$work/out" 2>/dev/null || status=$?
  expect_status 0
  same_output "$work/expected"
  ;;
equals_form)
  # `--opt=value` and `--opt value` mean the same.
  run replay --deterministic-ids --topic-model echo --language none --topic-min-confidence 0.3 \
    --log-level off --input "$input"
  expect_status 0
  cp "$work/out" "$work/expected"
  run replay --deterministic-ids --topic-model=echo --language=none --topic-min-confidence=0.3 \
    --log-level=off --input="$input"
  expect_status 0
  same_output "$work/expected"
  ;;
unknown_flag)
  run replay --bogus "$input"
  expect_status 2
  expect_err "dial-analytics replay: unknown option '--bogus' (see dial-analytics replay --help)"
  run topics train --input x --output y --epochs 3
  expect_status 2
  expect_err "unknown option '--epochs' (see dial-analytics topics train --help)"
  run --bogus
  expect_status 2
  expect_err "dial-analytics: unknown option '--bogus' (see dial-analytics --help)"
  ;;
bad_value)
  run replay --topic-min-confidence x "$input"
  expect_status 2
  expect_err "dial-analytics replay: --topic-min-confidence: must be a number from 0 to 1, not 'x' (see dial-analytics replay --help)"
  run replay --language=klingon "$input"
  expect_status 2
  expect_err "--language: must be cld2, cld2-only or none, not 'klingon'"
  run replay --log-level loud "$input"
  expect_status 2
  expect_err "--log-level: must be debug, info, warning, error or off, not 'loud'"
  run replay --topic-model '' "$input"
  expect_status 2
  expect_err "--topic-model: must be a path, echo or none, not ''"
  run replay --deterministic-ids=maybe "$input"
  expect_status 2
  expect_err "--deterministic-ids: cannot take 'maybe'"
  run topics predict --model m.bin --k 0
  expect_status 2
  expect_err "--k: must be a whole number of at least 1, not '0' (see dial-analytics topics predict --help)"
  run topics train --input x --output y --lr -1
  expect_status 2
  expect_err "--lr: must be a number above 0, not '-1'"
  run topics train --input x --output y --minn 5 --maxn 4
  expect_status 2
  expect_err "--maxn must not be smaller than --minn (see dial-analytics topics train --help)"
  ;;
missing_value)
  run replay "$input" --input
  expect_status 2
  expect_err "dial-analytics replay: --input needs a value (see dial-analytics replay --help)"
  run topics predict --input -
  expect_status 2
  expect_err "--model is required (see dial-analytics topics predict --help)"
  ;;
both_inputs)
  run replay "$input" --input "$input"
  expect_status 2
  expect_err "give the input as FILE or as --input, not both"
  run replay "$input" "$input"
  expect_status 2
  expect_err "unexpected argument '$input' (see dial-analytics replay --help)"
  ;;
commands)
  run
  expect_status 2
  expect_err "dial-analytics: a command is required: replay, topics, flywheel, report, rollup or help (see dial-analytics --help)"
  run frobnicate
  expect_status 2
  expect_err "dial-analytics: unknown command 'frobnicate' (see dial-analytics --help)"
  run topics
  expect_status 2
  expect_err "dial-analytics topics: a command is required: train, predict or test (see dial-analytics topics --help)"
  run help frobnicate
  expect_status 2
  expect_err "dial-analytics help: unknown command 'frobnicate' (see dial-analytics help --help)"
  ;;
help)
  # `help`, `help COMMAND` and `COMMAND --help` print the same texts, to stdout.
  run --help
  expect_status 0
  expect_out "Usage: dial-analytics [OPTIONS] COMMAND"
  cp "$work/out" "$work/tool-help"
  run help
  expect_status 0
  same_output "$work/tool-help"
  run replay --help
  expect_status 0
  expect_out "Usage: dial-analytics replay [OPTIONS] [FILE]"
  cp "$work/out" "$work/replay-help"
  run help replay
  expect_status 0
  same_output "$work/replay-help"
  run topics train -h
  expect_status 0
  cp "$work/out" "$work/train-help"
  run help topics train
  expect_status 0
  same_output "$work/train-help"
  ;;
train_defaults)
  # The help shows the defaults the trainer really uses.
  run topics train --help
  expect_status 0
  expect_out "--dim N"
  grep -qE -- '--dim N +size of the word vectors \(default: 20\)' "$work/out" || fail "dim default: $(cat "$work/out")"
  grep -qE -- '--maxn N +longest character n-gram \(0: none\) \(default: 4\)' "$work/out" || fail "maxn default"
  grep -qE -- '--epoch N .*\(default: 50\)' "$work/out" || fail "epoch default"
  grep -qE -- '--lr X .*\(default: 0.5\)' "$work/out" || fail "lr default"
  ;;
version)
  # MAJOR.MINOR.PATCH from the #defines of version.hpp.
  version=$(awk '/#define DIAL_ANALYTICS_VERSION_(MAJOR|MINOR|PATCH) / { v = v (v == "" ? "" : ".") $3 }
                 END { print v }' "$root/include/dial_analytics/version.hpp")
  [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "no version in version.hpp: '$version'"
  run --version
  expect_status 0
  [[ $(cat "$work/out") == "dial-analytics $version" ]] || fail "--version printed '$(cat "$work/out")'"
  run replay --version
  expect_status 0
  [[ $(cat "$work/out") == "dial-analytics $version" ]] || fail "replay --version printed '$(cat "$work/out")'"
  ;;
*)
  fail "unknown case $3"
  ;;
esac
