#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The server's Data Flywheel output against the Elasticsearch test double: the index is created
# with the blueprint's strict mapping, every acknowledged chat lands exactly once through an
# outage, a storm of 429s, per-document refusals (dead-lettered with their reason), redelivery of
# the same batch, and a kill -9 with records still pending.
#
# Usage: server_with_elasticsearch.sh SERVER_BINARY TEMPLATE_BATCH
set -euo pipefail
server_bin=$1
template=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../support/fake_es/start.sh
source "$here/../support/fake_es/start.sh"

work=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill -9 "$server_pid" 2>/dev/null || true
  stop_fake_es || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  [[ -f $work/server.log ]] && tail -30 "$work/server.log"
  exit 1
}

start_fake_es "$work/es" || fail "the Elasticsearch double did not start"
port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=""
for _ in $(seq 100); do
  p=$((20000 + RANDOM % 12000))
  if port_is_free "$p"; then port=$p; break; fi
done
[[ -n $port ]] || fail "no free port"
url="http://127.0.0.1:$port"

start_server() {
  PORT=$port HOST=127.0.0.1 DATA_DIR="$work/data" LOG_LEVEL=INFO ELASTICSEARCH_URL="$FAKE_ES_URL" \
    ELASTICSEARCH_BATCH_DOCUMENTS=50 SHUTDOWN_DRAIN_S=1 INFLUX_LINGER_MS=0 \
    "$server_bin" >>"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    curl -sf "$url/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "the server did not start"
}

control() { curl -sf -X POST -H 'Content-Type: application/json' -d "$2" "$FAKE_ES_URL$1" >/dev/null; }
stored() {
  curl -sf "$FAKE_ES_URL/_double/docs/flywheel" |
    /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["docs"]))' 2>/dev/null || echo 0
}
distinct_ids() {
  curl -sf "$FAKE_ES_URL/_double/docs/flywheel" |
    /usr/bin/python3 -c 'import json,sys; print(len({d["_id"] for d in json.load(sys.stdin)["docs"]}))'
}
wait_stored() {  # N [seconds]
  for _ in $(seq $((${2:-30} * 10))); do
    [[ $(stored) -ge $1 ]] && return 0
    sleep 0.1
  done
  fail "expected $1 records in Elasticsearch, found $(stored)"
}
post() {  # FILE → the HTTP status
  curl -s -o "$work/reply.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary "@$1" "$url/data"
}

python3 "$here/make_load.py" "$template" "$work/load" 12 20 1 >/dev/null
batches=("$work"/load/batch-*.json)

start_server
grep -q "DATA FLYWHEEL CAPTURE IS ON" "$work/server.log" || fail "no loud start-up warning"
# The index is created at start, before any record arrives.
for _ in $(seq 100); do
  curl -sf -o /dev/null -I "$FAKE_ES_URL/flywheel" && break
  sleep 0.1
done
curl -sf -o /dev/null -I "$FAKE_ES_URL/flywheel" || fail "the index was not created at start"

# 1. Normal delivery; the index gets the blueprint's strict mapping.
[[ $(post "${batches[0]}") == 200 ]] || fail "first batch not acknowledged"
[[ $(post "${batches[1]}") == 200 ]] || fail "second batch not acknowledged"
wait_stored 40
curl -sf "$FAKE_ES_URL/_double/state" | /usr/bin/python3 -c '
import json, sys
m = json.load(sys.stdin)["indices"]["flywheel"]["mappings"]
assert m["dynamic"] == "strict", m
assert set(m["properties"]) == {"workload_id", "client_id", "timestamp", "request", "response"}, m
' || fail "the index was not created with the strict mapping"
echo "ok: 40 records stored, strict index created"

# 2. The same batch again (a Vector retry): stored once.
[[ $(post "${batches[0]}") == 200 ]] || fail "resent batch not acknowledged"
sleep 1.5
[[ $(stored) == 40 ]] || fail "a resent batch was stored twice ($(stored) records)"
echo "ok: a resent batch is not duplicated"

# 3. An outage: every write answered 503. Acknowledged anyway; stored once it ends.
control /_double/faults '{"write_status": 503}'
[[ $(post "${batches[2]}") == 200 ]] || fail "batch during the outage not acknowledged"
[[ $(post "${batches[3]}") == 200 ]] || fail "batch during the outage not acknowledged"
sleep 2
[[ $(stored) == 40 ]] || fail "records stored during the outage?"
curl -sf "$url/metrics" | grep -q '^dial_analytics_flywheel_up 0' || fail "flywheel_up not 0 in an outage"
control /_double/faults '{"write_status": null}'
wait_stored 80 60
echo "ok: an outage delays records, loses none"

# 4. A storm of 429s on single documents: resent until stored, each once.
control /_double/faults '{"bulk_item_statuses": [429,429,429,429,429,429,429,429,429,429,429,429,429,429,429,429,429,429,429,429,429,429,429,429,429,429,429,429,429,429]}'
[[ $(post "${batches[4]}") == 200 ]] || fail "batch in the 429 storm not acknowledged"
wait_stored 100 60
echo "ok: 429 items are resent"

# 5. Refused documents (400 per item): dead-lettered with the reason; the rest stored.
control /_double/faults '{"bulk_item_statuses": [400, 0, 0, 400]}'
[[ $(post "${batches[5]}") == 200 ]] || fail "batch with refused documents not acknowledged"
wait_stored 118 30
sleep 1
dead="$work/data/flywheel/dead-letter"
refused=$(cat "$dead"/* 2>/dev/null | grep -vc '^#' || true)
[[ $refused == 2 ]] || fail "expected 2 dead-lettered records, found $refused"
grep -q 'mapper_parsing_exception' "$dead"/* || fail "the dead letters lack the reason"
curl -sf "$url/metrics" | grep -q '^dial_analytics_flywheel_dead_lettered_total 2' ||
  fail "dead letters not counted"
echo "ok: refused records are dead-lettered with their reason"

# 6. kill -9 with records pending: after a restart they are stored, none twice.
control /_double/faults '{"write_status": 503}'
for b in 6 7 8; do
  [[ $(post "${batches[$b]}") == 200 ]] || fail "batch $b not acknowledged"
done
kill -9 "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=""
control /_double/faults '{"write_status": null}'
start_server
wait_stored 178 60
for b in 9 10 11; do
  [[ $(post "${batches[$b]}") == 200 ]] || fail "batch $b not acknowledged"
done
wait_stored 238 60
sleep 1
[[ $(stored) == 238 ]] || fail "expected 238 records, found $(stored)"
[[ $(distinct_ids) == 238 ]] || fail "duplicate document ids"

# 7. The dead letters go back once the cause is fixed (RESEND_DEAD_LETTERS).
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=""
RESEND_DEAD_LETTERS=true start_server
wait_stored 240 30
[[ $(distinct_ids) == 240 ]] || fail "resent dead letters duplicated records"
echo "ok: kill -9 and restarts lose nothing, duplicate nothing; dead letters resent (240 records)"
