#!/usr/bin/env bash
# Integration test: the points `dial-analytics replay` writes for the bundled sample stream are
# accepted by a real InfluxDB 1.x (Debian's influxdb package), with the expected field types.
# The fixture starts influxd on free loopback ports in a temporary folder and stops it after.
# Usage: replay_into_influxdb.sh DIAL_ANALYTICS_EXE SAMPLE_BATCH
set -euo pipefail
exe=$1
sample=$2
command -v influxd >/dev/null || { echo "influxd not installed (Debian package influxdb)"; exit 1; }

work=$(mktemp -d)
influxd_pid=""
cleanup() {
  if [[ -n $influxd_pid ]]; then kill "$influxd_pid" 2>/dev/null || true; wait "$influxd_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 12000))  # below the ephemeral range (32768+)
    if port_is_free "$p"; then echo "$p"; return; fi
  done
  echo "no free port" >&2; exit 1
}
http_port=$(pick_port)
rpc_port=$(pick_port)
cat >"$work/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$rpc_port"
[meta]
  dir = "$work/meta"
[data]
  dir = "$work/data"
  wal-dir = "$work/wal"
[http]
  bind-address = "127.0.0.1:$http_port"
  log-enabled = false
CONF
influxd -config "$work/influxdb.conf" >"$work/influxd.log" 2>&1 &
influxd_pid=$!
url="http://127.0.0.1:$http_port"
for _ in $(seq 200); do
  curl -sf "$url/ping" >/dev/null && break
  kill -0 "$influxd_pid" 2>/dev/null || { cat "$work/influxd.log"; exit 1; }
  sleep 0.1
done
curl -sf "$url/ping" >/dev/null || { echo "influxd did not start"; cat "$work/influxd.log"; exit 1; }
curl -sf -XPOST "$url/query" --data-urlencode 'q=CREATE DATABASE dial' >/dev/null

"$exe" replay --input "$sample" --topic-model echo >"$work/points.lp" 2>/dev/null
status=$(curl -s -o "$work/write.out" -w '%{http_code}' -XPOST "$url/write?db=dial&precision=ns" \
  --data-binary @"$work/points.lp")
[[ $status == 204 ]] || { echo "write answered $status: $(cat "$work/write.out")"; exit 1; }

query() { curl -sf -G "$url/query" --data-urlencode "db=dial" --data-urlencode "q=$1"; }
fail=0
expect() {  # expect MEASUREMENT FIELD COUNT
  local got
  got=$(query "SELECT count($2) FROM $1" | grep -o '"values":\[\[[^]]*\]\]' | grep -o '[0-9]*\]\]$' | tr -d ']')
  if [[ $got != "$3" ]]; then echo "FAIL: $1 count($2) = '$got', expected $3"; fail=1; else echo "ok: $1 has $3 points"; fi
}
expect analytics prompt_tokens 7
expect rate_analytics like_count 2
expect mcp_analytics chat_id 2
expect routes_analytics chat_id 1
expect responses_analytics response_id 1
expect anthropic_messages_analytics response_id 1

types=$(query 'SHOW FIELD KEYS FROM analytics')
for pair in '"price","float"' '"deployment_price","float"' '"prompt_tokens","integer"' \
            '"number_request_messages","integer"' '"chat_id","string"'; do
  if [[ $types != *"[$pair]"* ]]; then echo "FAIL: field type $pair not in $types"; fail=1; fi
done
topic=$(query "SELECT count(price) FROM analytics WHERE topic = 'Sorry, could you repeat?'")
[[ $topic == *'"values":[['*',1]]'* ]] || { echo "FAIL: escaped topic tag not found: $topic"; fail=1; }
exit $fail
