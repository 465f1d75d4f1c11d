#!/usr/bin/env bash
# Fault injection against a real InfluxDB 1.x: load with unique ids through kill -9 cycles, an
# InfluxDB outage, poison records, a full data directory and InfluxDB's tag-value limit; then every
# acknowledged record is looked up: stored in InfluxDB, or dead-lettered with its reason. Lost
# must be 0. Finally the dead letters are resent once the limit is raised, and must be stored.
#
# Usage: fault_injection.sh SERVER_EXE TEMPLATE_BATCH [BATCHES_PER_PHASE]
# (docs/reliability.md shows a run and its figures.)
server_exe=$1
template=$2
per_phase=${3:-20}
per_batch=50
source "$(dirname "$0")/fixture.sh"
here=$(cd "$(dirname "$0")" && pwd)
acked="$work/acked.ids"
: >"$acked"
next_id=0

# make_phase NAME BATCHES [POISON]: writes the phase's batches, returns their folder.
make_phase() {
  python3 "$here/make_load.py" "$template" "$work/load/$1" "$2" "$per_batch" "$next_id" "${3:-0}"
  next_id=$((next_id + $2 * per_batch))
}

# post_until_ok FILE: as Vector does, resend until 200; then record the ids the reply
# acknowledged (a success status). A batch cut by kill -9 is simply resent.
post_until_ok() {
  local f=$1 reply="$work/reply.$BASHPID" code
  for _ in $(seq 900); do
    code=$(curl -s -o "$reply" -w '%{http_code}' --max-time 20 -XPOST "$server_url/data" \
      -H 'Content-Type: application/json' --data-binary @"$f" 2>/dev/null || true)
    if [[ $code == 200 ]]; then
      python3 -c '
import json, sys
statuses = json.load(open(sys.argv[1]))
ids = open(sys.argv[2]).read().split()
assert len(statuses) == len(ids), (len(statuses), len(ids))
for s, i in zip(statuses, ids):
    if s["status"] == "success":
        print(i)
' "$reply" "${f%.json}.ids" >>"$acked"
      return 0
    fi
    sleep 0.2
  done
  fail "batch $f was never acknowledged (last HTTP $code)"
}
post_phase() { for f in "$work/load/$1"/batch-*.json; do post_until_ok "$f"; done; }
restart_server() {
  kill -9 "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  start_server "$@"
}

start_influxd
create_db
start_server

echo "== 1. kill -9 cycles while batches arrive"
make_phase kill "$per_phase"
post_phase kill &
poster=$!
for cycle in 1 2 3 4; do
  sleep "0.$((3 + RANDOM % 7))"
  restart_server
  echo "   kill -9 cycle $cycle done"
done
wait "$poster" || fail "the poster failed"

echo "== 2. InfluxDB outage"
make_phase outage "$((per_phase / 2))"
stop_influxd
post_phase outage
start_influxd

echo "== 3. poison records (a float token count) between normal ones"
make_phase poison "$((per_phase / 2))" 7
post_phase poison
poisoned=$(grep -c poison "$work"/load/poison/*.ids | awk -F: '{s += $2} END {print s}')
grep -q poison "$acked" && fail "a poison record was acknowledged as a point"

echo "== 4. a full data directory"
small="$work/small"
mkdir -p "$small"
if mount -t tmpfs -o size=4m tmpfs "$small" 2>/dev/null; then
  trap 'umount "$small" 2>/dev/null || true; cleanup' EXIT
  restart_server DATA_DIR="$small/spool"
  head -c 3900000 /dev/zero >"$small/filler" 2>/dev/null || true
  make_phase full "$((per_phase / 2))"
  post_phase full &
  poster=$!
  sleep 2
  full_metric=$(metric dial_analytics_spool_full_total)
  echo "   503 answers while full: ${full_metric:-0}"
  rm -f "$small/filler"
  wait "$poster" || fail "the poster failed after space came back"
  wait_for spool_empty || fail "the spool on the small disk did not drain"
  restart_server
else
  echo "   skipped: cannot mount a small tmpfs here (needs root and mount rights)"
fi

# Every record carries unique tag values (response_id, trace ids): with the limit set halfway
# into the next phase, InfluxDB refuses the second half of it, as it refuses every new chat after
# 100,000 ids with its default limit.
wait_for spool_empty || fail "the spool did not drain"
stored_now=$(query 'SHOW TAG VALUES CARDINALITY FROM analytics WITH KEY = "response_id"' |
  grep -o '\[\[[0-9]*\]\]' | tr -d '[]')
tag_limit=$((stored_now + per_phase * per_batch / 2))
stop_influxd
sed -i "s/max-values-per-tag = .*/max-values-per-tag = $tag_limit/" "$work/influxdb.conf"
start_influxd
echo "== 5. InfluxDB's tag-value limit ($tag_limit values per tag, $stored_now stored)"
make_phase limit "$per_phase"
post_phase limit
wait_for spool_empty || fail "the spool did not drain"

count_result() {  # prints: acknowledged stored dead lost
  query 'SHOW TAG VALUES FROM analytics WITH KEY = "response_id"' >"$work/stored.json"
  cat "$work"/spool/dead-letter/* 2>/dev/null | grep -o 'response_id=load-[0-9]*' |
    cut -d= -f2 | sort -u >"$work/dead.ids" || true
  python3 -c '
import json, sys
stored = set()
for result in json.load(open(sys.argv[1]))["results"]:
    for series in result.get("series", []):
        stored.update(v[1] for v in series["values"])
acked = set(open(sys.argv[2]).read().split())
dead = set(open(sys.argv[3]).read().split())
lost = acked - stored - dead
print(len(acked), len(acked & stored), len(acked & dead - stored), len(lost))
' "$work/stored.json" "$acked" "$work/dead.ids"
}
read -r n_acked n_stored n_dead n_lost < <(count_result)
echo "acknowledged=$n_acked stored=$n_stored dead_lettered=$n_dead lost=$n_lost poison_refused=$poisoned"
[[ $n_lost == 0 ]] || fail "$n_lost acknowledged records are neither stored nor dead-lettered"
[[ $n_dead -gt 0 ]] || fail "the tag limit was not reached: nothing dead-lettered"
grep -q 'max-values-per-tag' "$work/server.log" || fail "no log line names the tag limit"

echo "== 6. the cause fixed (limit raised), the dead letters resent"
stop_influxd
sed -i "s/max-values-per-tag = .*/max-values-per-tag = 0/" "$work/influxdb.conf"
start_influxd
restart_server RESEND_DEAD_LETTERS=true
wait_for spool_empty || fail "the resent dead letters did not drain"
read -r n_acked n_stored n_dead n_lost < <(count_result)
echo "after resend: acknowledged=$n_acked stored=$n_stored dead_lettered=$n_dead lost=$n_lost"
[[ $n_lost == 0 && $n_stored == "$n_acked" ]] || fail "not every acknowledged record is stored"
echo "fault injection: 0 acknowledged records lost"
