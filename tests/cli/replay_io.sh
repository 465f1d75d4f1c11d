#!/usr/bin/env bash
# What `dial-analytics replay` does with inputs and outputs it cannot use, and with big inputs.
# Usage: replay_io.sh DIAL_ANALYTICS_EXE REPO_ROOT CASE
exe=$1
root=$2
source "$(dirname "$0")/common.sh"

case $3 in
missing_file)
  run replay --input /nonexistent/file.ndjson
  expect_status 1
  expect_err "dial-analytics: cannot open '/nonexistent/file.ndjson': No such file or directory"
  [[ ! -s $work/out ]] || fail "wrote points for a missing file"
  ;;
not_json)
  run replay "$replay_data/not_json.txt"
  expect_status 1
  expect_err "dial-analytics: unreadable input: neither a JSON array ('[') nor NDJSON ('{'), it starts with"
  ;;
missing_model)
  run replay --topic-model /nonexistent/model.bin "$replay_data/vector_batch.input"
  expect_status 1
  expect_err "/nonexistent/model.bin"
  ;;
full_disk)
  # The points cannot be written: say so and fail, whatever the size of the output.
  for input in "$replay_data/vector_batch.input" "$replay_data/prompts_log.input"; do
    status=0
    "$exe" replay --deterministic-ids "$input" >/dev/full 2>"$work/err" || status=$?
    expect_status 1
    expect_err "dial-analytics: cannot write the output: No space left on device"
  done
  status=0
  "$exe" replay --help >/dev/full 2>"$work/err" || status=$?
  expect_status 1
  expect_err "dial-analytics: cannot write the output: No space left on device"
  ;;
large_ndjson)
  # 24 MB of NDJSON spans several 8 MB blocks: every record comes out exactly once, in order.
  f=$(<"$replay_data/prompts_log.input")
  for ((i = 0; i < 1500; i++)); do printf '%s\n' "$f"; done >"$work/big.ndjson"
  "$exe" replay --deterministic-ids "$replay_data/prompts_log.input" >"$work/one.lp" 2>/dev/null
  lines=$(wc -l <"$work/one.lp")
  (( lines > 0 )) || fail "no points for prompts_log.input"
  "$exe" replay "$work/big.ndjson" >"$work/out" 2>"$work/err" || fail "exit status $?: $(cat "$work/err")"
  total=$(wc -l <"$work/out")
  (( total == 1500 * lines )) || fail "$total points, expected $((1500 * lines))"
  ;;
*)
  fail "unknown case $3"
  ;;
esac
