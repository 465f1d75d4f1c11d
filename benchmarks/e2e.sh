#!/usr/bin/env bash
# End-to-end benchmark: dial-analytics-server with a real InfluxDB 1.6.7 on loopback, a loader
# sending the generated stream in Vector-sized batches (1 MB) over 4 concurrent keep-alive
# connections (benchmarks/load.cpp, a lean stand-in for Vector).
#
# For each schema (reference, then compact), on a fresh InfluxDB each time:
#   1. baseline: InfluxDB's own ingest rate for the same line protocol posted directly in
#      5,000-line batches over 4 connections;
#   2. server: a new InfluxDB (not the one that already holds the baseline's series) and a new
#      server; the loader posts every batch; the clock stops when every point is answered for.
#   benchmarks/e2e.sh [RECORDS]   (default 200000; build with -DDIAL_ANALYTICS_BUILD_BENCHMARKS=ON)
#   SCHEMAS="compact" benchmarks/e2e.sh 100000   (one schema only)
# Prints per schema: points_per_s, influx_raw_points_per_s, ratio, server_cpu_s, influx_cpu_s,
# server_max_rss_mib; then compact/reference and the server's CPU per point against InfluxDB's.
# The server runs with its default writer settings (INFLUX_CONNECTIONS, INFLUX_LINGER_MS,
# INFLUX_BATCH_LINES) unless those variables are set.
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-200000}
schemas=${SCHEMAS:-reference compact}
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

now_ms() { date +%s%3N; }
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' /proc/"$1"/stat; }
fresh_influxd() {
  stop_influxd
  rm -rf "$work/influx"
  start_influxd
}

echo "== generating $records records"
"$gen_exe" --records "$records" --out "$work/batches"
echo "load: $(uptime)"

declare -A result
for schema in $schemas; do
  expected_lp="$work/expected-$schema.lp"
  for f in "$work"/batches/*.json; do
    "$replay_exe" replay --input "$f" --deterministic-ids --schema "$schema" 2>/dev/null
  done >"$expected_lp"
  points=$(wc -l <"$expected_lp")
  echo "== $schema schema: $points points"

  echo "-- baseline: the same line protocol straight into a fresh InfluxDB, 5,000-line batches, 4 connections"
  fresh_influxd
  curl -sf -XPOST "$influx_url/query" --data-urlencode 'q=CREATE DATABASE raw' >/dev/null
  rm -f "$work"/raw.*
  split -l 5000 -d -a 5 "$expected_lp" "$work/raw."
  "$load_exe" --url "$influx_url/write?db=raw&precision=ns" --concurrency "${RAW_CONCURRENCY:-4}" --content-type text/plain "$work"/raw.* >"$work/raw.out"
  t0=$(sed -n 's/^start_ms=//p' "$work/raw.out")
  t1=$(now_ms)
  raw_rate=$(awk -v p="$points" -v ms=$((t1 - t0)) 'BEGIN { printf "%.0f", p * 1000 / ms }')
  raw_influx_cpu=$(cpu_s "$influxd_pid")
  echo "influx_raw_points_per_s=$raw_rate ($((t1 - t0)) ms, InfluxDB CPU ${raw_influx_cpu} s)"

  echo "-- server: a fresh InfluxDB, 1 MB Vector batches, 4 connections, until every point is in InfluxDB"
  fresh_influxd
  create_db
  rm -rf "$work/spool"
  server_env=(SPOOL_FSYNC=true LOG_LEVEL=WARNING THREADS=2 SCHEMA="$schema")
  for v in INFLUX_CONNECTIONS INFLUX_BATCH_LINES; do
    [[ -n ${!v:-} ]] && server_env+=("$v=${!v}")
  done
  # start_server sets INFLUX_LINGER_MS from LINGER_MS; unset, the server's default applies.
  LINGER_MS=${INFLUX_LINGER_MS:-$("$server_exe" --help | tr -s ' \n' ' ' | grep -o 'INFLUX_LINGER_MS (default: [0-9]*' | grep -o '[0-9]*$')}
  LINGER_MS=${LINGER_MS:-1000} start_server "${server_env[@]}"
  "$load_exe" --url "$server_url/data" --concurrency 4 "$work"/batches/*.json >"$work/load.out"
  t_sent=$(now_ms)
  t0=$(sed -n 's/^start_ms=//p' "$work/load.out")
  deadline=$(($(now_ms) + 600000))
  until [[ $(($(metric dial_analytics_points_written_total) + $(metric dial_analytics_points_rejected_total))) -ge $points ]]; do
    [[ $(now_ms) -lt $deadline ]] || { echo "FAIL: not all points answered for within 10 minutes"; exit 1; }
    sleep 0.05
  done
  t1=$(now_ms)
  rss_kib=$(awk '/VmHWM/ {print $2}' /proc/"$server_pid"/status)
  server_cpu=$(cpu_s "$server_pid")
  influx_cpu=$(cpu_s "$influxd_pid")
  written=$(metric dial_analytics_points_written_total)
  stored=$(count_of analytics prompt_tokens)
  series=$(query 'SHOW SERIES CARDINALITY' | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["series"][0]["values"][0][-1])')
  kill -TERM "$server_pid" && wait "$server_pid" || true
  server_pid=""
  elapsed=$((t1 - t0))
  line=$(awk -v r="$records" -v p="$points" -v ms="$elapsed" -v raw="$raw_rate" -v rss="$rss_kib" \
    -v scpu="$server_cpu" -v icpu="$influx_cpu" -v s="$schema" -v sent=$((t_sent - t0)) -v series="$series" -v linger="$LINGER_MS" 'BEGIN {
    printf "%s: accepted_all_ms=%d written_all_ms=%d records_per_s=%.0f points_per_s=%.0f influx_raw_points_per_s=%.0f ratio=%.2f server_cpu_s=%.2f influx_cpu_s=%.2f server_max_rss_mib=%.1f series=%d linger_ms=%s",
           s, sent, ms, r * 1000 / ms, p * 1000 / ms, raw, (p * 1000 / ms) / raw, scpu, icpu, rss / 1024, series, linger }')
  echo "$line"
  echo "check: points_written_total=$written (expected $points), analytics rows=$stored"
  [[ $written -eq $points ]] || { echo "FAIL: written points differ"; exit 1; }
  result[$schema]="$points $elapsed $server_cpu $influx_cpu"
done

if [[ -n ${result[reference]:-} && -n ${result[compact]:-} ]]; then
  read -r rp rms rscpu ricpu <<<"${result[reference]}"
  read -r cp cms cscpu cicpu <<<"${result[compact]}"
  awk -v rp="$rp" -v rms="$rms" -v cp="$cp" -v cms="$cms" -v rs="$rscpu" -v ri="$ricpu" 'BEGIN {
    printf "compact_over_reference=%.2f (end-to-end points/s)\n", (cp / cms) / (rp / rms)
    printf "server_cpu_per_point_over_influx_cpu_per_point_reference=%.2f\n", rs / ri }'
fi
echo "load: $(uptime)"
