# Shared by the integration scripts (sourced): a real InfluxDB 1.x (Debian's influxdb) and the
# server on free loopback ports in a temporary folder, stopped on exit.
set -euo pipefail
command -v influxd >/dev/null || { echo "influxd not installed (Debian package influxdb)"; exit 1; }
command -v curl >/dev/null || { echo "curl not installed"; exit 1; }

work=$(mktemp -d)
influxd_pid=""
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill -9 "$server_pid" 2>/dev/null || true
  [[ -n $influxd_pid ]] && kill -9 "$influxd_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; [[ -f $work/server.log ]] && tail -20 "$work/server.log"; exit 1; }

port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 12000))  # below the ephemeral range (32768+)
    if port_is_free "$p"; then echo "$p"; return; fi
  done
  echo "no free port" >&2
  exit 1
}

# wait_for CMD... : retries a command for up to 20 s.
wait_for() {
  for _ in $(seq 200); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  return 1
}

influx_http_port=$(pick_port)
influx_rpc_port=$(pick_port)
influx_url="http://127.0.0.1:$influx_http_port"
cat >"$work/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$influx_rpc_port"
[meta]
  dir = "$work/influx/meta"
[data]
  dir = "$work/influx/data"
  wal-dir = "$work/influx/wal"
  max-values-per-tag = ${INFLUX_MAX_VALUES_PER_TAG:-100000}
[http]
  bind-address = "127.0.0.1:$influx_http_port"
  log-enabled = false
CONF

start_influxd() {
  influxd -config "$work/influxdb.conf" >>"$work/influxd.log" 2>&1 &
  influxd_pid=$!
  wait_for curl -sf "$influx_url/ping" || { cat "$work/influxd.log"; fail "influxd did not start"; }
}
stop_influxd() {
  kill "$influxd_pid" 2>/dev/null || true
  wait "$influxd_pid" 2>/dev/null || true
  influxd_pid=""
}

query() { curl -sf -G "$influx_url/query" --data-urlencode "db=dial" --data-urlencode "q=$1"; }
create_db() { curl -sf -XPOST "$influx_url/query" --data-urlencode 'q=CREATE DATABASE dial' >/dev/null; }
count_of() {  # count_of MEASUREMENT FIELD → number (0 when none)
  local got
  got=$(query "SELECT count($2) FROM $1" | grep -o '[0-9]*\]\]' | tr -d ']' || true)
  echo "${got:-0}"
}

expect_count() {  # expect_count MEASUREMENT FIELD N: the measurement holds N points
  local got
  got=$(count_of "$1" "$2")
  [[ $got == "$3" ]] || fail "$1 count($2) = '$got', expected $3"
  echo "ok: $1 has $3 points"
}

server_port=$(pick_port)
server_url="http://127.0.0.1:$server_port"
start_server() {  # start_server [ENV=VALUE...]
  env PORT="$server_port" HOST=127.0.0.1 DATA_DIR="$work/spool" INFLUX_URL="$influx_url" \
    INFLUX_DATABASE=dial INFLUX_API_VERSION=1 INFLUX_RETRY_INITIAL_MS=100 INFLUX_RETRY_MAX_MS=300 INFLUX_LINGER_MS=${LINGER_MS:-50} \
    SPOOL_FSYNC=true "$@" "$server_exe" >>"$work/server.log" 2>&1 &
  server_pid=$!
  wait_for curl -sf "$server_url/health" || fail "server did not start"
}
metric() { curl -sf "$server_url/metrics" | grep "^$1 " | awk '{print $2}'; }
spool_empty() { [[ $(metric dial_analytics_spool_bytes) == 0 ]]; }

# batch HOUR: the bundled sample stream with its times moved to another hour (distinct points).
batch() { sed "s/2024-11-22T09:/2024-11-22T$1:/g" "$sample"; }
post() {  # post FILE [CONTENT_TYPE [extra curl args]] → HTTP status
  curl -s -o "$work/reply.json" -w '%{http_code}' -XPOST "$server_url/data" \
    -H "Content-Type: ${2:-application/json}" --data-binary @"$1" "${@:3}"
}
