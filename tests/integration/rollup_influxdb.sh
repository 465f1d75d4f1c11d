#!/usr/bin/env bash
# Integration test: `dial-analytics rollup` on a real InfluxDB 1.x.
#  - read from InfluxDB and written back (retention policy "agg") through the writers, its points
#    are those of the same rollup read from the line-protocol file;
#  - run twice over the same month, it leaves the same points (none added, none changed);
#  - the aggregates sum to the raw data;
#  - a missing retention policy is an error that says so, at once, and leaves no spool behind;
#  - a max-row-limit on InfluxDB does not truncate what is read (chunked queries).
# Usage: rollup_influxdb.sh DIAL_ANALYTICS_EXE VECTOR_BATCH CHATS_BATCH
cli=$1
vector_batch=$2
chats_batch=$3
source "$(dirname "$0")/fixture.sh"

# Non-chunked queries would be cut at 2 rows and marked partial.
sed -i 's/^  log-enabled = false$/  log-enabled = false\n  max-row-limit = 2/' "$work/influxdb.conf"
grep -q 'max-row-limit = 2' "$work/influxdb.conf" || fail "could not set max-row-limit"
export TMPDIR=$work/tmp
mkdir -p "$TMPDIR"
start_influxd
create_db
"$cli" replay "$vector_batch" >"$work/points.lp" 2>/dev/null || fail "replay"
"$cli" replay "$chats_batch" >>"$work/points.lp" 2>/dev/null || fail "replay"
code=$(curl -s -o "$work/write.txt" -w '%{http_code}' -XPOST "$influx_url/write?db=dial&precision=ns" \
  --data-binary @"$work/points.lp")
[[ $code == 204 ]] || fail "write: HTTP $code $(cat "$work/write.txt")"

echo "== without the retention policy: a clear error"
started=$SECONDS
timeout 120 "$cli" rollup --influx-url "$influx_url" --database dial --month 2024-11 >/dev/null 2>"$work/err" &&
  fail "no error without the retention policy"
((SECONDS - started < 30)) || fail "a missing retention policy took $((SECONDS - started)) s to report"
[[ -z $(ls -A "$TMPDIR") ]] || fail "a spool was left behind: $(ls "$TMPDIR")"
grep -q 'retention policy not found' "$work/err" || fail "error text: $(cat "$work/err")"
grep -q 'create it with examples/dashboards/influxdb-v1/rollups.iql' "$work/err" || fail "no hint: $(cat "$work/err")"
echo "ok: $(grep -m1 'not found' "$work/err")"

curl -sf -XPOST "$influx_url/query" --data-urlencode 'q=CREATE RETENTION POLICY "agg" ON "dial" DURATION INF REPLICATION 1' \
  >/dev/null || fail "create the retention policy"

# dump FILE: every aggregate point in "agg", as sorted JSON rows per measurement.
dump() {
  /usr/bin/python3 - "$influx_url" "$1" <<'PY' || fail "reading the aggregates back"
import json, sys, urllib.parse, urllib.request
url, out = sys.argv[1], sys.argv[2]
rows = {}
for m in ("default_agg_stats", "default_agg_topic_2", "default_agg_topic", "default_agg_kpi", "default_agg_chatid",
          "default_agg_month", "default_agg_user_deciles"):
    # Chunked (one JSON document per line): InfluxDB's max-row-limit of 2 cuts other answers.
    q = urllib.parse.urlencode({"db": "dial", "epoch": "ns", "chunked": "true", "q": f'SELECT * FROM "agg"."{m}"'})
    rows[m] = []
    for chunk in urllib.request.urlopen(f"{url}/query?{q}").read().decode().splitlines():
        r = json.loads(chunk)["results"][0]
        assert "error" not in r, r
        rows[m] += [json.dumps(dict(zip(s["columns"], v)), sort_keys=True)
                    for s in r.get("series", []) for v in s["values"]]
    rows[m].sort()
json.dump(rows, open(out, "w"), indent=0, sort_keys=True)
PY
}

echo "== rollup from InfluxDB into \"agg\", twice"
for run in 1 2; do
  "$cli" rollup --influx-url "$influx_url" --database dial --month 2024-11 2>"$work/rollup$run.err" ||
    fail "rollup run $run: $(cat "$work/rollup$run.err")"
  grep -q 'retention policy agg' "$work/rollup$run.err" || fail "destination not named: $(cat "$work/rollup$run.err")"
  [[ $(head -1 "$work/rollup$run.err" | grep -o 'retention policy agg' | wc -l) == 1 ]] || fail "named twice: $(head -1 "$work/rollup$run.err")"
  dump "$work/agg$run.json"
done
cmp -s "$work/agg1.json" "$work/agg2.json" || fail "the second run changed the points: $(diff "$work/agg1.json" "$work/agg2.json" | head -5)"
echo "ok: $(tail -1 "$work/rollup1.err")"

echo "== the same points as the rollup of the file"
"$cli" rollup --input "$work/points.lp" --month 2024-11 --output "$work/file-agg.lp" 2>/dev/null || fail "rollup of the file"
/usr/bin/python3 - "$work/agg1.json" "$work/file-agg.lp" "$work/points.lp" <<'PY' || fail "InfluxDB's aggregates differ from the file's"
import json, math, re, sys
stored = {m: [json.loads(r) for r in rows] for m, rows in json.load(open(sys.argv[1])).items()}
lines = open(sys.argv[2]).read().splitlines()
for m, rows in stored.items():
    n = sum(1 for l in lines if l.startswith(m + ",") or l.startswith(m + " "))
    assert len(rows) == n > 0, (m, len(rows), n)
raw = [l for l in open(sys.argv[3]) if l.startswith("analytics,")]
price = sum(float(re.search(r"[ ,]price=([^, ]+)", l).group(1)) for l in raw)
prompt = sum(int(re.search(r"[ ,]prompt_tokens=(\d+)i", l).group(1)) for l in raw)
stats = stored["default_agg_stats"]
assert sum(r["request_count"] for r in stats) == len(raw), (sum(r["request_count"] for r in stats), len(raw))
assert sum(r["prompt_tokens"] for r in stats) == prompt
assert math.isclose(sum(r["price"] for r in stats), price, rel_tol=1e-12)
assert sum(r["request_count"] for r in stored["default_agg_kpi"]) == len(raw)
assert sum(r["request_count"] for r in stored["default_agg_chatid"]) == len(raw)
assert sum(r["topic_count"] for r in stored["default_agg_topic_2"]) == len(raw)
assert sum(sum(r[f"class_{c}"] for c in range(1, 7)) for r in stored["default_agg_topic"]) == len(raw)
month = stored["default_agg_month"]
assert len(month) == 1 and month[0]["request_count"] == len(raw) and math.isclose(month[0]["total_cost"], price, rel_tol=1e-12), month
users = {r["user"] for r in stored["default_agg_kpi"] if r["user"] != "undefined"}
assert month[0]["unique_users"] == len(users), (month[0]["unique_users"], len(users))
deciles = stored["default_agg_user_deciles"]
assert math.isclose(sum(r["cost_share"] for r in deciles if r["decile"] != "top1pct"), 1.0, rel_tol=1e-9)
print("same points:", {m: len(r) for m, r in stored.items()})
PY
[[ -z $(ls -A "$TMPDIR") ]] || fail "a spool was left behind: $(ls "$TMPDIR")"
echo "PASS"
