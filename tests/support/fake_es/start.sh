# SPDX-License-Identifier: Apache-2.0
# Starts and stops the Elasticsearch test double from a bash script. Source this file, then:
#
#   start_fake_es DIR [fake_es.py flags...]   # e.g. start_fake_es "$tmp" --basic u:p
#   curl "$FAKE_ES_URL/_cluster/health"
#   stop_fake_es
#
# start_fake_es runs the double in the background with its log in DIR/fake_es.log, waits (at most
# 10 s) for it to listen and exports FAKE_ES_URL=http://127.0.0.1:PORT and FAKE_ES_PID. It returns
# non-zero (and prints the log's tail) when the double does not start. stop_fake_es kills it.

FAKE_ES_SCRIPT="${FAKE_ES_SCRIPT:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/fake_es.py}"

start_fake_es() {
  local dir="${1:?usage: start_fake_es DIR [fake_es.py flags...]}"
  shift
  mkdir -p "$dir" || return 1
  local port_file="$dir/fake_es.port"
  rm -f "$port_file"
  /usr/bin/python3 "$FAKE_ES_SCRIPT" --port-file "$port_file" "$@" >"$dir/fake_es.log" 2>&1 &
  local pid=$!
  local i
  for ((i = 0; i < 200; i++)); do
    if [[ -s "$port_file" ]]; then
      export FAKE_ES_PID="$pid"
      export FAKE_ES_URL="http://127.0.0.1:$(tr -d '[:space:]' <"$port_file")"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      break
    fi
    sleep 0.05
  done
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  echo "start_fake_es: the Elasticsearch test double did not start; its log:" >&2
  tail -n 20 "$dir/fake_es.log" >&2
  return 1
}

stop_fake_es() {
  if [[ -n "${FAKE_ES_PID:-}" ]]; then
    kill "$FAKE_ES_PID" 2>/dev/null
    wait "$FAKE_ES_PID" 2>/dev/null
    unset FAKE_ES_PID FAKE_ES_URL
  fi
  return 0
}
