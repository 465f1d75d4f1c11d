#!/usr/bin/env bash
# Integration test: Vector-style batches → dial-analytics-server → a real InfluxDB 1.6.7.
# Checks every measurement's points, tags and field types; an outage; a SIGKILL restart with
# pending points; a full spool; HEAD/health/413; a clean SIGTERM.
# Usage: server_with_influxdb.sh SERVER_EXE SAMPLE_BATCH SAMPLE_LOG
server_exe=$1
sample=$2
sample_log=$3
source "$(dirname "$0")/fixture.sh"

start_influxd
create_db
start_server

echo "== protocol basics"
[[ $(curl -s -o /dev/null -w '%{http_code}' -I "$server_url/data") == 200 ]] || fail "HEAD /data"
[[ $(curl -s "$server_url/health") == '{"status":"ok"}' ]] || fail "/health"

echo "== a JSON-array batch, an NDJSON batch and a gzip batch"
batch 10 >"$work/b10.json"
[[ $(post "$work/b10.json") == 200 ]] || fail "POST json: $(cat "$work/reply.json")"
grep -q '"reason":"invalid request message"' "$work/reply.json" || fail "per-event statuses missing"
# NDJSON: the raw prompt log of the same records (one DIAL record per line).
sed "s/2024-11-22T09:/2024-11-22T11:/g" "$sample_log" >"$work/b11.ndjson"
[[ $(post "$work/b11.ndjson" application/x-ndjson) == 200 ]] || fail "POST ndjson: $(cat "$work/reply.json")"
[[ $(grep -o success "$work/reply.json" | wc -l) == 16 ]] || fail "NDJSON statuses: $(cat "$work/reply.json")"
batch 12 | gzip -c >"$work/b12.json.gz"
[[ $(post "$work/b12.json.gz" application/json -H 'Content-Encoding: gzip') == 200 ]] || fail "POST gzip"
wait_for spool_empty || fail "spool not drained"

expect_count analytics prompt_tokens 21
expect_count rate_analytics like_count 6
expect_count mcp_analytics chat_id 6
expect_count routes_analytics chat_id 3
expect_count responses_analytics response_id 3
expect_count anthropic_messages_analytics response_id 3

expect_schema() {  # SHOW ... FROM MEASUREMENT must contain each expected value
  local out
  out=$(query "$1 FROM $2")
  shift 2
  for want in "$@"; do [[ $out == *"$want"* ]] || fail "$2: missing $want in $out"; done
}
expect_schema "SHOW FIELD KEYS" analytics '["cache_write_prompt_tokens","integer"]' \
  '["cached_prompt_tokens","integer"]' '["chat_id","string"]' '["completion_tokens","integer"]' \
  '["deployment_price","float"]' '["number_request_messages","integer"]' '["price","float"]' \
  '["prompt_tokens","integer"]' '["reasoning_completion_tokens","integer"]' '["user_hash","string"]'
expect_schema "SHOW TAG KEYS" analytics '"core_parent_span_id"' '"core_span_id"' '"deployment"' \
  '"execution_path"' '"language"' '"model"' '"parent_deployment"' '"project_id"' '"response_id"' \
  '"title"' '"trace_id"' '"upstream"'
expect_schema "SHOW FIELD KEYS" rate_analytics '["dislike_count","integer"]' '["like_count","integer"]'
expect_schema "SHOW TAG KEYS" rate_analytics '"chat_id"' '"response_id"' '"user_hash"'
expect_schema "SHOW FIELD KEYS" mcp_analytics '["mcp_tool_call_name","string"]' '["execution_path","string"]'
expect_schema "SHOW TAG KEYS" mcp_analytics '"mcp_method"'
expect_schema "SHOW TAG KEYS" routes_analytics '"route_path"' '"http_method"'
for m in responses_analytics anthropic_messages_analytics; do
  expect_schema "SHOW FIELD KEYS" "$m" '["response_id","string"]' '["prompt_tokens","integer"]' \
    '["price","float"]' '["trace_id","string"]'
  expect_schema "SHOW TAG KEYS" "$m" '"language"' '"topic"' '"model"'
done
point=$(query "SELECT price, prompt_tokens, user_hash FROM analytics WHERE response_id = 'chatcmpl-AQ1' AND time = '2024-11-22T10:15:02.114Z'")
[[ $point == *'"2024-11-22T10:15:02.114Z",0.00018,24,"u-5d41402a"'* ]] || fail "point values: $point"
echo "ok: tags, field types and values"

echo "== outage: InfluxDB stops while batches keep arriving"
stop_influxd
batch 13 >"$work/b13.json"
batch 14 >"$work/b14.json"
[[ $(post "$work/b13.json") == 200 ]] || fail "POST during outage"
[[ $(post "$work/b14.json") == 200 ]] || fail "POST during outage"
influx_unhealthy() { [[ $(metric dial_analytics_influx_healthy) == 0 ]]; }
wait_for influx_unhealthy || fail "outage not noticed"
[[ $(metric dial_analytics_spool_bytes) -gt 0 ]] || fail "nothing pending during the outage"
start_influxd
wait_for spool_empty || fail "spool not drained after the outage"
expect_count analytics prompt_tokens 35
expect_count rate_analytics like_count 10
[[ $(metric dial_analytics_points_retried_total) -gt 0 ]] || fail "no retries counted"
[[ $(metric dial_analytics_points_dropped_total) == 0 ]] || fail "points dropped"
[[ $(metric dial_analytics_points_rejected_total) == 0 ]] || fail "points rejected"

echo "== restart: SIGKILL with acknowledged points not yet sent"
stop_influxd
batch 15 >"$work/b15.json"
[[ $(post "$work/b15.json") == 200 ]] || fail "POST before kill"
kill -9 "$server_pid"
wait "$server_pid" 2>/dev/null || true
start_influxd
start_server
wait_for spool_empty || fail "spool not drained after the restart"
expect_count analytics prompt_tokens 42
expect_count anthropic_messages_analytics response_id 6

echo "== a full spool answers 503 with Retry-After"
kill -TERM "$server_pid"
wait "$server_pid" || fail "SIGTERM exit code $?"
server_pid=""
stop_influxd
start_server SPOOL_MAX_BYTES=9000 MAX_BODY_BYTES=100000
batch 16 >"$work/b16.json"
[[ $(post "$work/b16.json") == 200 ]] || fail "first POST into a small spool"
[[ $(post "$work/b16.json") == 503 ]] || fail "second POST should be 503"
curl -s -D - -o /dev/null -XPOST "$server_url/data" -H 'Content-Type: application/json' \
  --data-binary @"$work/b16.json" | grep -qi '^Retry-After: 5' || fail "no Retry-After"
[[ $(metric dial_analytics_spool_full_total) -ge 2 ]] || fail "spool_full not counted"
head -c 200000 /dev/zero | tr '\0' ' ' >"$work/big.json"
[[ $(post "$work/big.json") == 413 ]] || fail "413 expected past MAX_BODY_BYTES"
start_influxd
wait_for spool_empty || fail "small spool not drained"
[[ $(post "$work/b16.json") == 200 ]] || fail "POST after draining"

echo "== SIGTERM stops cleanly"
kill -TERM "$server_pid"
wait "$server_pid" || fail "SIGTERM exit code $?"
server_pid=""
grep -q "stopped" "$work/server.log" || fail "no clean stop in the log"
echo "all server integration checks passed"
