#!/usr/bin/env bash
# Integration test: the compact schema on a real InfluxDB 1.x. 3,000 chats with the same tags at
# the same millisecond, each with its own trace and response id:
#  - the reference schema writes 3,000 series (the ids are tags), one point each;
#  - the compact schema writes one series and still 3,000 points: no point overwrites another,
#    because each gets its own timestamp within the series; and the same log replayed again
#    gives the same timestamps, so writing it twice still leaves 3,000 points;
#  - the check can fail: the same compact lines with the timestamps made equal leave one point.
# Usage: compact_schema_influxdb.sh DIAL_ANALYTICS_EXE CHATS_BATCH
cli=$1
chats_batch=$2
source "$(dirname "$0")/fixture.sh"
n=3000

/usr/bin/python3 - "$chats_batch" "$n" >"$work/log.ndjson" <<'PY' || fail "making the log"
import json, sys
event = json.load(open(sys.argv[1]))[0]
record = json.loads(event["message"])
for i in range(int(sys.argv[2])):
    r = json.loads(json.dumps(record))
    r["trace"] = {"trace_id": f"{i:032x}", "core_span_id": f"{i:016x}"}
    body = json.loads(r["assembled_response"])  # a streamed chat: the response assembled by Core
    body["id"] = f"chatcmpl-{i}"
    r["assembled_response"] = json.dumps(body)
    print(json.dumps({"message": json.dumps(r)}))
PY

start_influxd
for db in reference compact collide; do
  curl -sf -XPOST "$influx_url/query" --data-urlencode "q=CREATE DATABASE $db" >/dev/null || fail "create $db"
done
write() {  # write DB FILE
  local code
  code=$(curl -s -o "$work/write.txt" -w '%{http_code}' -XPOST "$influx_url/write?db=$1&precision=ns" --data-binary @"$2")
  [[ $code == 204 ]] || fail "write to $1: HTTP $code $(cat "$work/write.txt")"
}
ask() {  # ask DB QUERY → the first value
  curl -sf -G "$influx_url/query" --data-urlencode "db=$1" --data-urlencode "q=$2" |
    /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin)["results"][0]; print(r["series"][0]["values"][0][-1] if "series" in r else 0)'
}

"$cli" replay --schema reference --language none "$work/log.ndjson" >"$work/reference.lp" 2>"$work/err" || fail "replay: $(cat "$work/err")"
"$cli" replay --schema compact --language none "$work/log.ndjson" >"$work/compact.lp" 2>"$work/err" || fail "replay: $(cat "$work/err")"
"$cli" replay --schema compact --language none "$work/log.ndjson" >"$work/compact-again.lp" 2>"$work/err" || fail "replay: $(cat "$work/err")"
[[ $(wc -l <"$work/compact.lp") == "$n" ]] || fail "compact replay gave $(wc -l <"$work/compact.lp") lines"
cmp -s "$work/compact.lp" "$work/compact-again.lp" || fail "a second replay gave other lines"
[[ $(awk '{print $NF}' "$work/reference.lp" | sort -u | wc -l) == 1 ]] || fail "the records do not share one time"

write reference "$work/reference.lp"
write compact "$work/compact.lp"
write compact "$work/compact-again.lp"
# The compact lines with one timestamp for all: InfluxDB keeps one point of the series.
awk '{ $NF = "1732269600000000000"; print }' "$work/compact.lp" >"$work/collide.lp"
write collide "$work/collide.lp"

ref_points=$(ask reference 'SELECT count("prompt_tokens") FROM "analytics"')
ref_series=$(ask reference 'SHOW SERIES CARDINALITY')
compact_points=$(ask compact 'SELECT count("prompt_tokens") FROM "analytics"')
compact_series=$(ask compact 'SHOW SERIES CARDINALITY')
compact_ids=$(ask compact 'SELECT count(distinct("trace_id")) FROM "analytics"')
collide_points=$(ask collide 'SELECT count("prompt_tokens") FROM "analytics"')
echo "reference: $ref_points point(s) in $ref_series series; compact: $compact_points point(s) in $compact_series series, $compact_ids trace ids; equal times: $collide_points point(s)"
[[ $ref_points == "$n" && $ref_series == "$n" ]] || fail "reference schema: $ref_points points, $ref_series series"
[[ $compact_points == "$n" && $compact_series == 1 && $compact_ids == "$n" ]] ||
  fail "compact schema: $compact_points points in $compact_series series, $compact_ids trace ids"
[[ $collide_points == 1 ]] || fail "equal timestamps should collapse to one point, got $collide_points"
echo "PASS"
