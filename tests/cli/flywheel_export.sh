#!/usr/bin/env bash
# `dial-analytics flywheel export` from a data directory (against a Python model of the
# blueprint's exporter), from the Elasticsearch test double after `flywheel load`, piped into
# `flywheel validate`, and its usage and source errors.
# Usage: flywheel_export.sh DIAL_ANALYTICS_EXE REPO_ROOT CASE
exe=$1
root=$2
source "$(dirname "$0")/common.sh"
data=$root/tests/data/flywheel
unset ELASTICSEARCH_URL ES_COLLECTION_NAME

# expected_export DIR CLIENT WORKLOAD LIMIT: what the exporter should print for the files of DIR,
# computed in Python: the matching JSON objects of DIR/flywheel/flywheel-*.jsonl (bare or
# `<id>` TAB `<document>` lines), newest first (later written first among equal timestamps), at
# most 2 x LIMIT, each as json.dumps prints it.
expected_export() {
  /usr/bin/python3 - "$@" <<'PY'
import datetime, glob, json, os, sys
directory, client, workload, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
found = []
for path in sorted(glob.glob(os.path.join(directory, "flywheel", "flywheel-*.jsonl"))):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            text = line.split("\t", 1)[-1]  # a spool line: <id> TAB <document>
            try:
                doc = json.loads(text)
            except ValueError:
                continue
            if not isinstance(doc, dict):
                continue
            if doc.get("client_id") != client or doc.get("workload_id") != workload:
                continue
            ts = doc.get("timestamp")
            if isinstance(ts, str):
                ts = datetime.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()
            found.append((ts, len(found), doc))
found.sort(key=lambda c: (c[0], c[1]), reverse=True)
for _, _, doc in found[:2 * limit]:
    print(json.dumps(doc))
PY
}

case $3 in
data_dir_golden)
  # The sample records (bare lines), then more of team-alpha/gpt-4o as spool lines in a second
  # segment: int and ISO timestamps, a tie with a record of the first segment, a non-JSON line.
  mkdir -p "$work/data/flywheel"
  cp "$data/prompts.expected.jsonl" "$work/data/flywheel/flywheel-000001.jsonl"
  /usr/bin/python3 - "$data/prompts.expected.jsonl" >"$work/data/flywheel/flywheel-000002.jsonl" <<'PY'
import json, sys
first = json.loads(open(sys.argv[1], encoding="utf-8").readline())
for n, ts in enumerate([1732266950, "2024-11-22T09:15:30Z", 1732266902, "2024-11-22T11:14:00+02:00"]):
    doc = dict(first, timestamp=ts)
    doc["request"] = dict(first["request"], messages=first["request"]["messages"][:1] +
                          [{"role": "user", "content": f"Question {n}: ça va?"}])
    print(f"{n:032x}-{n:016x}\t" + json.dumps(doc, separators=(",", ":"), ensure_ascii=False))
print("this line is not JSON")
PY
  expected_export "$work/data" team-alpha gpt-4o 10 >"$work/expected"
  [[ $(wc -l <"$work/expected") == 5 ]] || fail "the model found $(wc -l <"$work/expected") records"
  run flywheel export --client-id team-alpha --workload-id gpt-4o --data-dir "$work/data"
  expect_status 0
  same_output "$work/expected"
  expect_out '"content": "Question 0: \u00e7a va?"'
  expect_err "dial-analytics: Found 5 records for client_id team-alpha and workload_id gpt-4o in $work/data (1 line(s) that are not JSON objects skipped)"
  # At most 2 x --limit: the newest.
  expected_export "$work/data" team-alpha gpt-4o 1 >"$work/expected"
  run flywheel export --client-id team-alpha --workload-id gpt-4o --limit 1 --data-dir "$work/data"
  expect_status 0
  same_output "$work/expected"
  [[ $(wc -l <"$work/out") == 2 ]] || fail "--limit 1 gave $(wc -l <"$work/out") records"
  # Non-ASCII ids match exactly and come out escaped.
  expected_export "$work/data" "équipe-paris" o3-mini 10 >"$work/expected"
  run flywheel export --client-id "équipe-paris" --workload-id o3-mini --data-dir "$work/data"
  expect_status 0
  same_output "$work/expected"
  expect_out '"client_id": "\u00e9quipe-paris"'
  # Nothing of that workload: no records, not an error (as the blueprint).
  run flywheel export --client-id team-alpha --workload-id nobody --data-dir "$work/data"
  expect_status 0
  [[ ! -s $work/out ]] || fail "records for an unknown workload: $(head -c 300 "$work/out")"
  expect_err "Found 0 records for client_id team-alpha and workload_id nobody"
  # --data-dir wins over ELASTICSEARCH_URL from the environment.
  status=0
  ELASTICSEARCH_URL=http://127.0.0.1:1 "$exe" flywheel export --client-id team-alpha \
    --workload-id gpt-4o-mini --data-dir "$work/data" >"$work/out" 2>"$work/err" || status=$?
  expect_status 0
  expect_err "Found 1 records for client_id team-alpha and workload_id gpt-4o-mini in $work/data"
  # A data directory as `flywheel load --data-dir` writes it (DIR/flywheel-*.jsonl).
  run flywheel load --input "$data/conversations.jsonl" --workload-id faq --client-id dev \
    --data-dir "$work/loaded"
  run flywheel export --client-id dev --workload-id faq --data-dir "$work/loaded"
  expect_status 0
  [[ $(wc -l <"$work/out") == 2 ]] || fail "expected the 2 loaded conversations: $(cat "$work/out")"
  expect_out '"workload_id": "faq", "client_id": "dev"}'
  ;;
elasticsearch_then_validate)
  source "$root/tests/support/fake_es/start.sh"
  start_fake_es "$work/es" || fail "the Elasticsearch double did not start"
  trap 'stop_fake_es || true; rm -rf "$work"' EXIT
  # 12 chat records of dev/faq (two repeat a question), one of another workload; compact JSON
  # with raw UTF-8, as a producer may write them.
  /usr/bin/python3 - >"$work/docs.jsonl" <<'PY'
import json
for i in range(13):
    doc = {"request": {"model": "m", "messages": [{"role": "system", "content": "Be brief."},
                                                  {"role": "user", "content": f"Question {i % 10}?"}]},
           "response": {"choices": [{"index": 0, "finish_reason": "stop",
                                     "message": {"role": "assistant", "content": f"Réponse {i}"}}]},
           "timestamp": 1732266900 + i, "workload_id": "faq" if i < 12 else "other",
           "client_id": "dev"}
    print(json.dumps(doc, separators=(",", ":"), ensure_ascii=False))
PY
  run flywheel load --input "$work/docs.jsonl" --elasticsearch-url "$FAKE_ES_URL"
  expect_status 0
  expect_out "Data loaded successfully: 13 document(s) stored in Elasticsearch at $FAKE_ES_URL"
  run flywheel export --client-id dev --workload-id faq --elasticsearch-url "$FAKE_ES_URL"
  expect_status 0
  expect_err "dial-analytics: Found 12 records for client_id dev and workload_id faq in Elasticsearch at $FAKE_ES_URL (index flywheel)"
  cp "$work/out" "$work/from_es.jsonl"
  # The same as the model's answer for the same documents in local files, and as the export of
  # `flywheel load --data-dir`'s files.
  mkdir -p "$work/model/flywheel"
  cp "$work/docs.jsonl" "$work/model/flywheel/flywheel-000001.jsonl"
  expected_export "$work/model" dev faq 1000 >"$work/expected"
  same_output "$work/expected"
  expect_out '"content": "R\u00e9ponse 11"'
  run flywheel load --input "$work/docs.jsonl" --data-dir "$work/loaded"
  run flywheel export --client-id dev --workload-id faq --data-dir "$work/loaded"
  expect_status 0
  same_output "$work/from_es.jsonl"
  # The scroll was used and cleared.
  grep -q "^POST /flywheel/_search?scroll=2m 200$" "$work/es/fake_es.log" || fail "no scroll search"
  grep -q "^DELETE /_search/scroll 200$" "$work/es/fake_es.log" || fail "the scroll was not cleared"
  # --limit 2: the 4 newest.
  run flywheel export --client-id dev --workload-id faq --limit 2 --elasticsearch-url "$FAKE_ES_URL"
  expect_status 0
  head -4 "$work/from_es.jsonl" >"$work/expected"
  same_output "$work/expected"
  # ELASTICSEARCH_URL and ES_COLLECTION_NAME from the environment.
  status=0
  ELASTICSEARCH_URL=$FAKE_ES_URL ES_COLLECTION_NAME=flywheel "$exe" flywheel export \
    --client-id dev --workload-id faq >"$work/out" 2>"$work/err" || status=$?
  expect_status 0
  same_output "$work/from_es.jsonl"
  # Piped into validate: the whole way from Elasticsearch to selected records.
  status=0
  set -o pipefail
  "$exe" flywheel export --client-id dev --workload-id faq --elasticsearch-url "$FAKE_ES_URL" \
    2>"$work/export.err" |
    "$exe" flywheel validate --input - --min-total-records 1 --eval-size 1 --random-seed 1 \
      >"$work/out" 2>"$work/err" || status=$?
  set +o pipefail
  expect_status 0
  expect_err "12 record(s): 12 in OpenAI format, 0 invalid, 0 removed by quality filters, 2 duplicate queries; 10 selected"
  [[ $(wc -l <"$work/out") == 10 ]] || fail "validate selected $(wc -l <"$work/out") records"
  # Every selected record is one of the exported ones.
  /usr/bin/python3 - "$work/from_es.jsonl" "$work/out" <<'PY' || fail "validate selected a record that was not exported"
import json, sys
exported = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
for line in open(sys.argv[2], encoding="utf-8"):
    if json.loads(line) not in exported:
        sys.exit(1)
PY
  ;;
source_errors)
  # A missing index: Elasticsearch's reason, naming the index.
  source "$root/tests/support/fake_es/start.sh"
  start_fake_es "$work/es" || fail "the Elasticsearch double did not start"
  trap 'stop_fake_es || true; rm -rf "$work"' EXIT
  url=$FAKE_ES_URL
  run flywheel export --client-id dev --workload-id faq --elasticsearch-url "$url" --index no-such-index
  expect_status 1
  expect_err "dial-analytics: Elasticsearch search failed with HTTP 404: index_not_found_exception: no such index [no-such-index]"
  [[ ! -s $work/out ]] || fail "output on error: $(head -c 300 "$work/out")"
  # Nothing listening any more.
  stop_fake_es
  run flywheel export --client-id dev --workload-id faq --elasticsearch-url "$url"
  expect_status 1
  expect_err "dial-analytics: Elasticsearch search failed"
  # A data directory without Flywheel files, or none at all.
  mkdir -p "$work/empty"
  run flywheel export --client-id dev --workload-id faq --data-dir "$work/empty"
  expect_status 1
  expect_err "dial-analytics: no Flywheel files (flywheel-*.jsonl) in $work/empty or $work/empty/flywheel"
  run flywheel export --client-id dev --workload-id faq --data-dir "$work/missing"
  expect_status 1
  expect_err "no Flywheel files (flywheel-*.jsonl) in $work/missing"
  ;;
usage_errors)
  run flywheel export --client-id dev --workload-id faq
  expect_status 2
  expect_err "dial-analytics flywheel export: give --data-dir DIR or --elasticsearch-url URL (or set ELASTICSEARCH_URL) (see dial-analytics flywheel export --help)"
  run flywheel export --client-id dev --workload-id faq --data-dir "$work" --elasticsearch-url http://127.0.0.1:1
  expect_status 2
  expect_err "dial-analytics flywheel export: give --data-dir or --elasticsearch-url, not both"
  run flywheel export --workload-id faq --data-dir "$work"
  expect_status 2
  expect_err "--client-id is required"
  run flywheel export --client-id dev --data-dir "$work"
  expect_status 2
  expect_err "--workload-id is required"
  run flywheel export --client-id dev --workload-id faq --limit 0 --data-dir "$work"
  expect_status 2
  expect_err "--limit: must be a whole number of at least 1, not '0'"
  [[ ! -s $work/out ]] || fail "output on a usage error: $(head -c 300 "$work/out")"
  ;;
*)
  fail "unknown case $3"
  ;;
esac
