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
parallel_blocks)
  # 30 MB of NDJSON (several 8 MB blocks, analysed on 4 threads at once): stdout and the error
  # stream are byte for byte those of one thread, failed events keep their index in the input.
  /usr/bin/python3 - "$examples/vector-batch.json" >"$work/many.ndjson" <<'PY' || fail "making the input"
import json, sys
events = json.load(open(sys.argv[1]))
size, i = 0, 0
while size < 30_000_000:
    for ev in events:
        ev = dict(ev) if isinstance(ev, dict) else ev
        try:
            m = json.loads(ev["message"])
            if isinstance(m, dict) and isinstance(m.get("trace"), dict):
                m["trace"]["trace_id"] = f"{i:032x}"
                ev["message"] = json.dumps(m)
        except (TypeError, ValueError):
            pass
        line = json.dumps(ev)
        print(line)
        size += len(line) + 1
    i += 1
PY
  "$exe" replay --threads 1 "$work/many.ndjson" >"$work/one.lp" 2>"$work/one.err" || fail "one thread: $(tail -3 "$work/one.err")"
  run replay --threads 4 "$work/many.ndjson"
  expect_status 0
  same_output "$work/one.lp"
  cmp -s "$work/one.err" "$work/err" || fail "the error streams differ: $(diff "$work/one.err" "$work/err" | head -4)"
  [[ $(wc -l <"$work/one.lp") -gt 10000 ]] || fail "too few points: $(wc -l <"$work/one.lp")"
  last=$(tail -1 "$work/err" | sed -n 's/^{"index":\([0-9]*\),.*/\1/p')
  (( last > $(wc -l <"$work/many.ndjson") - 100 )) || fail "the last error's index $last is not near the end"
  ;;
gzip_input)
  # A gzip file (two members, as `cat a.gz b.gz` makes) replays as its text does.
  for input in "$replay_data/vector_batch.input" "$replay_data/prompts_log.input"; do
    "$exe" replay --deterministic-ids "$input" >"$work/plain.lp" 2>/dev/null
    head -c 300 "$input" | gzip -c >"$work/in.gz"
    tail -c +301 "$input" | gzip -c >>"$work/in.gz"
    run replay --deterministic-ids "$work/in.gz"
    expect_status 0
    same_output "$work/plain.lp"
    status=0
    "$exe" replay --deterministic-ids - <"$work/in.gz" >"$work/out" 2>"$work/err" || status=$?
    expect_status 0
    same_output "$work/plain.lp"
  done
  # Truncated or followed by garbage: an error, never a partial success.
  gzip -c "$replay_data/prompts_log.input" | head -c 200 >"$work/cut.gz"
  run replay "$work/cut.gz"
  expect_status 1
  expect_err "is not valid gzip data"
  { gzip -c "$replay_data/prompts_log.input"; echo garbage; } >"$work/tail.gz"
  run replay "$work/tail.gz"
  expect_status 1
  expect_err "is not valid gzip data"
  ;;
*)
  fail "unknown case $3"
  ;;
esac
