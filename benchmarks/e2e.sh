#!/usr/bin/env bash
# End-to-end benchmark: dial-analytics-server with a real InfluxDB 1.6.7 on loopback, a loader
# sending the generated stream in Vector-sized batches (1 MB) over 4 concurrent keep-alive
# connections (benchmarks/load.cpp, a lean stand-in for Vector).
# Baseline in the same run: InfluxDB's own ingest rate for the same line protocol posted directly
# in 5,000-line batches (4 concurrent connections too).
#   benchmarks/e2e.sh [RECORDS]   (default 200000; build with -DDIAL_ANALYTICS_BUILD_BENCHMARKS=ON)
# Prints: records_per_s=… points_per_s=… influx_raw_points_per_s=… ratio=… server_max_rss_mib=…
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-200000}
build=${DIAL_ANALYTICS_BUILD_DIR:-build/bench}
server_exe=$build/apps/server/dial-analytics-server
replay_exe=$build/apps/cli/dial-analytics
gen_exe=$build/benchmarks/dial_analytics_gen_batches
load_exe=$build/benchmarks/dial_analytics_load
for exe in "$server_exe" "$replay_exe" "$gen_exe" "$load_exe"; do
  [[ -x $exe ]] || { echo "missing $exe: cmake -S . -B $build -DCMAKE_BUILD_TYPE=Release -DDIAL_ANALYTICS_BUILD_BENCHMARKS=ON && cmake --build $build"; exit 1; }
done
sample=/dev/null
# The reference's schema keeps response_id and trace ids as tags: past InfluxDB 1.x's default
# max-values-per-tag (100,000) it refuses points. Lift the limit so both runs store everything.
export INFLUX_MAX_VALUES_PER_TAG=0
server_exe=$(realpath "$server_exe")
source tests/integration/fixture.sh

echo "== generating $records records"
"$gen_exe" --records "$records" --out "$work/batches"
expected_lp="$work/expected.lp"
for f in "$work"/batches/*.json; do "$replay_exe" replay --input "$f" --deterministic-ids 2>/dev/null; done >"$expected_lp"
points=$(wc -l <"$expected_lp")
echo "points=$points"

start_influxd
now_ms() { date +%s%3N; }

echo "== baseline: the same line protocol straight into InfluxDB, 5,000-line batches, 4 connections"
curl -sf -XPOST "$influx_url/query" --data-urlencode 'q=CREATE DATABASE raw' >/dev/null
split -l 5000 -d -a 5 "$expected_lp" "$work/raw."
"$load_exe" --url "$influx_url/write?db=raw&precision=ns" --concurrency "${RAW_CONCURRENCY:-4}" --content-type text/plain "$work"/raw.* | tee "$work/raw.out"
t0=$(sed -n 's/^start_ms=//p' "$work/raw.out")
t1=$(now_ms)
raw_rate=$(awk -v p="$points" -v ms=$((t1 - t0)) 'BEGIN { printf "%.0f", p * 1000 / ms }')
echo "influx_raw_points_per_s=$raw_rate ($((t1 - t0)) ms)"

echo "== server: 1 MB Vector batches, 4 connections, until every point is in InfluxDB"
create_db
LINGER_MS=1000 start_server SPOOL_FSYNC=true LOG_LEVEL=WARNING THREADS=2 INFLUX_CONNECTIONS="${INFLUX_CONNECTIONS:-2}" \
  INFLUX_BATCH_LINES="${INFLUX_BATCH_LINES:-5000}"
"$load_exe" --url "$server_url/data" --concurrency 4 "$work"/batches/*.json | tee "$work/load.out"
t_sent=$(now_ms)
t0=$(sed -n 's/^start_ms=//p' "$work/load.out")
deadline=$(($(now_ms) + 600000))
until [[ $(($(metric dial_analytics_points_written_total) + $(metric dial_analytics_points_rejected_total))) -ge $points ]]; do
  [[ $(now_ms) -lt $deadline ]] || { echo "FAIL: not all points answered for within 10 minutes"; exit 1; }
  sleep 0.05
done
t1=$(now_ms)
rss_kib=$(awk '/VmHWM/ {print $2}' /proc/"$server_pid"/status)
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' /proc/"$1"/stat; }
echo "cpu: server ${cpu_s_server:-$(cpu_s "$server_pid")} s, influxd $(cpu_s "$influxd_pid") s (both runs)"
written=$(metric dial_analytics_points_written_total)
stored=$(count_of analytics prompt_tokens)
elapsed=$((t1 - t0))
awk -v r="$records" -v p="$points" -v ms="$elapsed" -v raw="$raw_rate" -v rss="$rss_kib" -v sent=$((t_sent - t0)) 'BEGIN {
  printf "accepted_all_ms=%d written_all_ms=%d\n", sent, ms
  printf "records_per_s=%.0f points_per_s=%.0f influx_raw_points_per_s=%.0f ratio=%.2f server_max_rss_mib=%.1f\n",
         r * 1000 / ms, p * 1000 / ms, raw, (p * 1000 / ms) / raw, rss / 1024 }'
echo "check: points_written_total=$written (expected $points), analytics rows=$stored"
[[ $written -eq $points ]] || { echo "FAIL: written points differ"; exit 1; }
