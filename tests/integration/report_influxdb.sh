#!/usr/bin/env bash
# Integration test: `dial-analytics report --influx-url` on a real InfluxDB 1.x holds the same
# numbers as the report of the same points read from the line-protocol file.
# Usage: report_influxdb.sh DIAL_ANALYTICS_EXE VECTOR_BATCH CHATS_BATCH
cli=$1
vector_batch=$2
chats_batch=$3
source "$(dirname "$0")/fixture.sh"

start_influxd
create_db
"$cli" replay "$vector_batch" >"$work/points.lp" 2>/dev/null || fail "replay"
"$cli" replay "$chats_batch" >>"$work/points.lp" 2>/dev/null || fail "replay"
code=$(curl -s -o "$work/write.txt" -w '%{http_code}' -XPOST "$influx_url/write?db=dial&precision=ns" \
  --data-binary @"$work/points.lp")
[[ $code == 204 ]] || fail "write: HTTP $code $(cat "$work/write.txt")"

range=(--from 2024-11-22 --to 2024-11-23)
"$cli" report --input "$work/points.lp" "${range[@]}" --format json >"$work/files.json" 2>/dev/null ||
  fail "report from the file"
"$cli" report --influx-url "$influx_url" --database dial "${range[@]}" --format json >"$work/influx.json" \
  2>"$work/influx.err" || fail "report from InfluxDB: $(cat "$work/influx.err")"
/usr/bin/python3 - "$work/files.json" "$work/influx.json" <<'PY' || fail "the two reports differ"
import json, math, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert a["requests"] > 0
for key in ("requests", "unique_users", "prompt_tokens", "completion_tokens", "api_requests", "likes", "dislikes",
            "first_point", "last_point"):
    assert a[key] == b[key], (key, a[key], b[key])
assert math.isclose(a["cost"], b["cost"], rel_tol=1e-12), (a["cost"], b["cost"])
for section in ("by_model", "by_deployment", "by_project", "languages", "topics", "mcp_tools", "routes", "other_apis"):
    rows = lambda r: sorted((x["name"], x["requests"], x["prompt_tokens"], x["completion_tokens"]) for x in r[section])
    assert rows(a) == rows(b), (section, rows(a), rows(b))
print("same numbers:", a["requests"], "requests,", a["cost"], "cost")
PY
# A missing database is an error that says so.
"$cli" report --influx-url "$influx_url" --database nope "${range[@]}" >/dev/null 2>"$work/err" && fail "no error"
grep -q 'database not found' "$work/err" || fail "error text: $(cat "$work/err")"
echo "PASS"
