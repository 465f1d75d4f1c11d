#!/usr/bin/env bash
# `dial-analytics flywheel records|load` on golden files, flags, bad lines, and the Elasticsearch
# test double (strict-mapping refusals, idempotent reloads).
# Usage: flywheel.sh DIAL_ANALYTICS_EXE REPO_ROOT CASE
exe=$1
root=$2
source "$(dirname "$0")/common.sh"
data=$root/tests/data/flywheel

# A chat record of the sample log whose user message is TEXT, as one NDJSON line.
chat_with() {
  /usr/bin/python3 - "$examples/prompts.log" "$1" <<'PY'
import json, sys
record = json.loads(open(sys.argv[1]).readline())
body = json.loads(record["request"]["body"])
body["messages"][-1]["content"] = sys.argv[2]
record["request"]["body"] = json.dumps(body)
print(json.dumps(record))
PY
}

case $3 in
records_golden)
  run flywheel records "$examples/prompts.log"
  expect_status 0
  same_output "$data/prompts.expected.jsonl"
  expect_err "dial-analytics: 5 flywheel record(s); skipped: not_chat_completion 9, not_successful 1, request_not_json 1; redacted: nothing"
  # The same stream as a Vector batch, gzipped, from stdin: the same records.
  gzip -c "$examples/prompts.log" >"$work/prompts.log.gz"
  status=0
  "$exe" flywheel records - <"$work/prompts.log.gz" >"$work/out" 2>"$work/err" || status=$?
  expect_status 0
  same_output "$data/prompts.expected.jsonl"
  ;;
records_flags)
  chat_with "Write to jane.doe@example.com, my key is ghp_4fT9kLm2QzX8vB7nR1sW3yH6jD0pE5aC9uKq" >"$work/pii.ndjson"
  run flywheel records "$work/pii.ndjson"
  expect_status 0
  expect_out '"content":"Write to <EMAIL>, my key is <CREDENTIAL>"'
  expect_err "redacted: email 1, credential 1"
  run flywheel records --redact-types=email "$work/pii.ndjson"
  expect_out '"content":"Write to <EMAIL>, my key is ghp_4fT9kLm2QzX8vB7nR1sW3yH6jD0pE5aC9uKq"'
  run flywheel records --no-redact --client-id=x --workload-id-from=deployment --with-ids "$work/pii.ndjson"
  expect_out 'jane.doe@example.com'
  grep -qP '^5dca3d6ed5d22b6ab574f27a6ab5ec14-9ade2b6fef0a716d\t\{"request"' "$work/out" ||
    fail "no id column: $(head -c 200 "$work/out")"
  run flywheel records --exclude-deployments=gpt-4o "$work/pii.ndjson"
  expect_err "0 flywheel record(s); skipped: excluded_deployment 1"
  run flywheel records --redact-types=passport "$work/pii.ndjson"
  expect_status 2
  expect_err "passport"
  ;;
load_data_dir)
  run flywheel load --input "$data/conversations.jsonl" --workload-id faq --client-id dev \
    --data-dir "$work/fw"
  expect_status 1  # two lines could not be loaded
  expect_err "conversations.jsonl:4: a conversation needs a \"messages\" array of at least two messages"
  expect_err "conversations.jsonl:5: not JSON"
  expect_out "Data loaded successfully: 2 document(s) written to $work/fw/flywheel-*.jsonl, 2 line(s) skipped"
  lines=$(cat "$work"/fw/flywheel-*.jsonl | wc -l)
  [[ $lines == 2 ]] || fail "expected 2 documents, found $lines"
  grep -q '"choices":\[{"index":0,"message":{"role":"assistant","content":"Your manager'"'"'s."},"finish_reason":"stop"}\]' "$work"/fw/flywheel-*.jsonl ||
    fail "the last message is not the answer"
  grep -q '"workload_id":"faq","client_id":"dev"}$' "$work"/fw/flywheel-*.jsonl || fail "ids missing"
  run flywheel load --input "$data/conversations.jsonl"
  expect_status 2
  expect_err "--elasticsearch-url"
  ;;
load_elasticsearch)
  source "$root/tests/support/fake_es/start.sh"
  start_fake_es "$work/es" || fail "the Elasticsearch double did not start"
  trap 'stop_fake_es || true; rm -rf "$work"' EXIT
  run flywheel load --input "$data/prompts.expected.jsonl" --elasticsearch-url "$FAKE_ES_URL"
  expect_status 0
  expect_out "Data loaded successfully: 5 document(s) stored in Elasticsearch at $FAKE_ES_URL"
  # Again, with the client id replaced: the same documents would be stored twice under other ids,
  # so load the same file unchanged instead: nothing new.
  run flywheel load --input "$data/prompts.expected.jsonl" --elasticsearch-url "$FAKE_ES_URL"
  expect_status 0
  count=$(curl -sf "$FAKE_ES_URL/_double/docs/flywheel" | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["docs"]))')
  [[ $count == 5 ]] || fail "a reload duplicated documents: $count"
  mapping=$(curl -sf "$FAKE_ES_URL/flywheel/_mapping")
  [[ $mapping == *'"dynamic":"strict"'* || $mapping == *'"dynamic": "strict"'* ]] ||
    fail "the index was not created strict: $mapping"
  # A document with a key the strict mapping does not know is refused and kept with the reason.
  head -1 "$data/prompts.expected.jsonl" | sed 's/}$/,"metadata":{"team":"x"}}/' >"$work/extra.jsonl"
  run flywheel load --input "$work/extra.jsonl" --elasticsearch-url "$FAKE_ES_URL"
  expect_status 1
  expect_err "Elasticsearch refused 1 document(s)"
  dead=$(sed -n 's/.*they and the reasons are in \(.*\)$/\1/p' "$work/err")
  grep -rq "strict_dynamic_mapping_exception" "$dead" || fail "no reason in $dead"
  rm -rf "$(dirname "$dead")"
  ;;
*)
  fail "unknown case $3"
  ;;
esac
