#!/usr/bin/env bash
# `dial-analytics rollup` on the sample data, written as line protocol: its aggregates against an
# independent reading of the raw points in Python, repeatability, ranges and usage errors.
# Usage: rollup.sh DIAL_ANALYTICS_EXE REPO_ROOT CASE
exe=$1
root=$2
source "$(dirname "$0")/common.sh"

# The sample batches as line protocol, plus edge points on every token-class boundary, an API
# key ("undefined" user) of a project named "undefined", and a point at 06:00:00 sharp.
mkdir -p "$work/lp"
"$exe" replay "$examples/vector-batch.json" >"$work/lp/a.lp" 2>/dev/null || fail "replay vector-batch"
"$exe" replay "$examples/chats-batch.json" >"$work/lp/b.lp" 2>/dev/null || fail "replay chats-batch"
{
  i=0
  for who in u-edge undefined; do
    for tokens in 100 101 1000 1001 5000 5001 10000 10001 49999 50000; do
      i=$((i + 1))
      echo "analytics,deployment=edge,model=edge,project_id=edge-cases,language=en,parent_deployment=undefined,title=Edge,topic=undefined chat_id=\"c-edge\",completion_tokens=1i,deployment_price=0.25,number_request_messages=1i,price=0.5,prompt_tokens=${tokens}i,user_hash=\"$who\" $((1732280400 + i))000000000"
    done
  done
  echo "analytics,deployment=edge,model=edge,project_id=undefined,title=Edge chat_id=\"undefined\",completion_tokens=2i,deployment_price=1.5,number_request_messages=0i,price=1.5,prompt_tokens=7i,user_hash=\"undefined\" 1732255200000000000"
} >"$work/lp/c.lp"

# model.py LP_FILES...: the rollup points of November 2024, computed from the raw points directly,
# as JSON {measurement: {"tags|time": {field: value}}}.
model() {
  PYTHONPATH="$root/tests/tools" /usr/bin/python3 - "$@" <<'PY'
import json, math, sys
from collections import defaultdict
from lp_points import points as read_points

points = list(read_points(sys.argv[1:], "analytics"))

six = 6 * 3600 * 10**9
out = defaultdict(dict)
def add(measurement, tags, time, fields):
    key = ",".join(f"{k}={v}" for k, v in sorted(tags.items()) if v) + f"|{time}"
    row = out[measurement].setdefault(key, defaultdict(float))
    for k, v in fields.items():
        row[k] += v
def cls(n):
    return 1 if n >= 50000 else 2 if n > 10000 else 3 if n > 5000 else 4 if n > 1000 else 5 if n > 100 else 6
users = defaultdict(set)
for p in points:
    w = p["time"] // six * six
    t = lambda k: p.get(k, "")
    tags = {k: t(k) for k in ("deployment", "model", "project_id", "parent_deployment", "language")}
    add("default_agg_stats", tags, w, {"prompt_tokens": p["prompt_tokens"], "completion_tokens": p["completion_tokens"],
        "price": p["price"], "deployment_price": p["deployment_price"],
        "number_request_messages": p["number_request_messages"], "request_count": 1})
    users[json.dumps([tags, w], sort_keys=True)].add(p["user_hash"])
    add("default_agg_topic_2", {k: t(k) for k in ("title", "topic", "model")}, w,
        {"topic_count": 1, "number_request_messages": p["number_request_messages"], "price": p["price"],
         "prompt_tokens": p["prompt_tokens"], "completion_tokens": p["completion_tokens"]})
    fields = {f"class_{c}": 0 for c in range(1, 7)}
    fields[f"class_{cls(p['prompt_tokens'])}"] = 1
    fields.update({"topic_count": 1, "number_request_messages": p["number_request_messages"]})
    add("default_agg_topic", {"user_type": "project" if p["user_hash"] == "undefined" else "user"}, w, fields)
    add("default_agg_kpi", {k: t(k) for k in ("user_hash", "project_id", "parent_deployment", "title")}, w,
        {"cost": p["price"], "request_count": 1, "prompt_tokens": p["prompt_tokens"], "completion_tokens": p["completion_tokens"]})
    add("default_agg_chatid", {"chat_id": p["chat_id"]}, w, {"request_count": 1})
for key, u in users.items():
    tags, w = json.loads(key)
    add("default_agg_stats", tags, w, {"unique_user_count": len(u)})
month = 1730419200 * 10**9  # 2024-11-01
apis, models, per_user = defaultdict(lambda: [0.0, 0]), defaultdict(float), defaultdict(lambda: [0.0, 0])
for p in points:
    if p.get("project_id") not in (None, "", "undefined"):
        apis[p["project_id"]][0] += p["price"]; apis[p["project_id"]][1] += 1
    models[p["model"]] += p["price"]
    if p["user_hash"] != "undefined":
        per_user[p["user_hash"]][0] += p["price"]; per_user[p["user_hash"]][1] += 1
add("default_agg_month", {}, month, {
    "request_count": len(points), "total_cost": sum(p["price"] for p in points),
    "active_apis": len(apis), "total_cost_per_api": sum(c for c, _ in apis.values()),
    "avg_cost_per_api": sum(c for c, _ in apis.values()) / len(apis),
    "total_rc_per_api": sum(n for _, n in apis.values()), "avg_rc_per_api": sum(n for _, n in apis.values()) / len(apis),
    "total_cost_per_model": sum(models.values()), "avg_cost_per_model": sum(models.values()) / len(models),
    "total_user_cost": sum(c for c, _ in per_user.values()), "unique_users": len(per_user),
    "avg_cost_per_user": sum(c for c, _ in per_user.values()) / len(per_user)})
n = len(per_user)
by_cost = sorted(per_user.values(), key=lambda u: (-u[0], -u[1]))
by_requests = sorted(per_user.values(), key=lambda u: (-u[1], -u[0]))
total_cost, total_requests = sum(u[0] for u in by_cost), sum(u[1] for u in by_cost)
cuts = [(f"d{k:02}", math.ceil((k - 1) * n / 10), math.ceil(k * n / 10)) for k in range(1, 11)]
for name, lo, hi in cuts + [("top1pct", 0, math.ceil(n / 100))]:
    cost = sum(u[0] for u in by_cost[lo:hi])
    requests = sum(u[1] for u in by_requests[lo:hi])
    add("default_agg_user_deciles", {"decile": name}, month, {"user_count": hi - lo, "cost": cost,
        "cost_share": cost / total_cost, "request_count": requests, "request_share": requests / total_requests})
json.dump(out, sys.stdout, sort_keys=True)
PY
}

# compare.py TOOL_LP MODEL_JSON: the same points, the same integer fields, floats within 1e-9.
compare() {
  PYTHONPATH="$root/tests/tools" /usr/bin/python3 - "$1" "$2" <<'PY' || fail "the rollup differs from the points' reading"
import json, math, re, sys
from lp_points import parse
want = json.load(open(sys.argv[2]))
got = {}
for line in open(sys.argv[1], encoding="utf-8"):
    measurement, tags, row, ts = parse(line)
    key = ",".join(f"{k}={v}" for k, v in sorted(tags.items())) + f"|{ts}"
    assert key not in got.setdefault(measurement, {}), f"two points for {measurement} {key}"
    got[measurement][key] = row
assert sorted(got) == sorted(want), (sorted(got), sorted(want))
for m in want:
    assert sorted(got[m]) == sorted(want[m]), (m, sorted(set(got[m]) ^ set(want[m]))[:5])
    for key, fields in want[m].items():
        row = got[m][key]
        if m == "default_agg_kpi":
            assert row.pop("user") == re.search(r"user_hash=([^,|]*)", key).group(1), (key, row)
        assert sorted(row) == sorted(fields), (m, key, sorted(row), sorted(fields))
        for k, v in fields.items():
            if isinstance(row[k], int):
                assert row[k] == v, (m, key, k, row[k], v)
            else:
                assert math.isclose(row[k], v, rel_tol=1e-9, abs_tol=1e-15), (m, key, k, row[k], v)
print(sum(len(v) for v in got.values()), "points equal")
PY
}

case $3 in
escapes_as_influxdb_reads_them)
  # Tag values keep backslashes that InfluxDB keeps (C:\path, a\nb); string fields lose the
  # escapes of '"' and '\'; a trailing backslash would break the line and is dropped.
  printf '%s\n' 'analytics,deployment=d,model=m,title=C:\path\ a\,b,topic=a\nb chat_id="ends\\",price=1,prompt_tokens=1i,user_hash="u\"1" 1732233600000000000' >"$work/esc.lp"
  run rollup --input "$work/esc.lp" --from 2024-11-22 --to 2024-11-23 --output -
  expect_status 0
  expect_out 'default_agg_topic_2,model=m,title=C:\path\ a\,b,topic=a\nb '
  expect_out 'default_agg_chatid,chat_id=ends request_count=1i '
  expect_out 'user_hash=u"1 '
  expect_out 'user="u\"1"'
  ;;
aggregates_match_the_points)
  run rollup --input "$work/lp" --month 2024-11 --output "$work/agg.lp"
  expect_status 0
  expect_err "(120 window(s) of 6h, 1 whole month(s))"
  expect_err "raw point(s) rolled up into"
  model "$work"/lp/*.lp >"$work/model.json" || fail "the Python model failed"
  compare "$work/agg.lp" "$work/model.json"
  # The class boundaries: 100 → class_6, 101 → 5, 1000 → 5, 1001 → 4, 5000 → 4, 5001 → 3,
  # 10000 → 3, 10001 → 2, 49999 → 2, 50000 → 1: one each in classes 1 and 6, two in the others.
  grep -q '^default_agg_topic,user_type=project class_1=1i,class_2=2i,class_3=2i,class_4=2i,class_5=2i,class_6=1i,' "$work/agg.lp" ||
    fail "token classes: $(grep '^default_agg_topic,' "$work/agg.lp")"
  # deployment_price keeps its fractions (the Flux task truncated it to an integer).
  grep -q '^default_agg_stats,deployment=edge,language=en,model=edge,parent_deployment=undefined,project_id=edge-cases .*deployment_price=5,' "$work/agg.lp" ||
    fail "deployment_price: $(grep 'deployment=edge' "$work/agg.lp")"
  ;;
repeatable)
  # Twice, from files or their directory, in any order: the same bytes.
  run rollup --input "$work/lp" --from 2024-11-01 --to 2024-12-01 --output "$work/one.lp"
  expect_status 0
  run rollup --input "$work/lp/c.lp" --input "$work/lp/b.lp" --input "$work/lp/a.lp" --month 2024-11 --output -
  expect_status 0
  same_output "$work/one.lp"
  [[ $(wc -l <"$work/one.lp") -gt 50 ]] || fail "too few aggregates: $(wc -l <"$work/one.lp")"
  # A range off the boundaries is widened to whole windows: 07:00-13:00 is 06:00-18:00.
  run rollup --input "$work/lp" --from 2024-11-22T07:00:00Z --to 2024-11-22T13:00:00Z --output -
  expect_status 0
  expect_err "rollup of 2024-11-22T06:00:00Z to 2024-11-22T18:00:00Z (2 window(s) of 6h, 0 whole month(s))"
  grep -E ' (1732255200000000000|1732276800000000000)$' "$work/one.lp" | grep -v '^default_agg_\(month\|user_deciles\)' >"$work/expected-part.lp"
  same_output "$work/expected-part.lp"
  # Hourly windows give the same totals.
  run rollup --input "$work/lp" --month 2024-11 --window 1h --output -
  expect_status 0
  /usr/bin/python3 - "$work/out" "$work/one.lp" <<'PY' || fail "hourly and 6-hour request counts differ"
import re, sys
count = lambda path: sum(int(m) for m in re.findall(r"^default_agg_stats,.*request_count=(\d+)i", open(path).read(), re.M))
assert count(sys.argv[1]) == count(sys.argv[2]) > 0, (count(sys.argv[1]), count(sys.argv[2]))
PY
  ;;
to_influxdb_v2_and_v3)
  # A minimal InfluxDB 2/3 double (Debian ships neither): GET /ping answers with the version,
  # writes are recorded. The rollup must pick the API from /ping and send the --output lines.
  run rollup --input "$work/lp" --month 2024-11 --output "$work/expected.lp"
  expect_status 0
  for version in 2.7.4 3.1.0; do
    rm -f "$work/requests.log" "$work/port"
    /usr/bin/python3 - "$version" "$work" <<'PY' &
import http.server, sys, os
version, work = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        self.send_response(204); self.send_header("X-Influxdb-Version", "v" + version if version.startswith("2") else version)
        self.send_header("Content-Length", "0"); self.end_headers()
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(os.path.join(work, "requests.log"), "ab") as f:
            f.write(f"{self.path} {self.headers.get('Authorization')}\n".encode())
        with open(os.path.join(work, "body.lp"), "ab") as f:
            f.write(body)
        self.send_response(204); self.send_header("Content-Length", "0"); self.end_headers()
server = http.server.HTTPServer(("127.0.0.1", 0), H)
open(os.path.join(work, "port.tmp"), "w").write(str(server.server_port))
os.rename(os.path.join(work, "port.tmp"), os.path.join(work, "port"))
server.serve_forever()
PY
    fake=$!
    for _ in $(seq 100); do [[ -f $work/port ]] && break; sleep 0.05; done
    [[ -f $work/port ]] || fail "the InfluxDB double did not start"
    rm -f "$work/body.lp"
    if [[ $version == 2.* ]]; then
      INFLUX_API_TOKEN=secret-token run rollup --input "$work/lp" --month 2024-11 --write-url "http://127.0.0.1:$(cat "$work/port")" \
        --write-bucket rollups --write-org dial
      want="/api/v2/write?org=dial&bucket=rollups&precision=ns Token secret-token"
    else
      INFLUX_API_TOKEN=secret-token run rollup --input "$work/lp" --month 2024-11 --write-url "http://127.0.0.1:$(cat "$work/port")" \
        --write-database analytics_agg
      want="/api/v3/write_lp?db=analytics_agg&precision=nanosecond Bearer secret-token"
    fi
    kill "$fake"
    expect_status 0
    expect_err "into InfluxDB v${version%%.*}"
    grep -qF -- "$want" "$work/requests.log" || fail "InfluxDB $version: requests $(cat "$work/requests.log"), expected $want"
    cmp -s "$work/body.lp" "$work/expected.lp" || fail "InfluxDB $version got other lines: $(diff "$work/body.lp" "$work/expected.lp" | head -5)"
    if grep -q secret-token "$work/err"; then fail "the token was printed: $(cat "$work/err")"; fi
  done
  ;;
usage_errors)
  run rollup --output -
  expect_status 2
  expect_err "give --input FILE|DIR, or --influx-url URL"
  run rollup --input "$work/lp" --influx-url http://127.0.0.1:9 --output -
  expect_status 2
  run rollup --input "$work/lp"
  expect_status 2
  expect_err "give --output FILE, or --write-url URL to write to InfluxDB"
  run rollup --input "$work/lp" --window 5h --output -
  expect_status 2
  expect_err "--window takes 1h, 2h, 3h, 4h, 6h, 8h, 12h or 24h"
  run rollup --input "$work/lp" --month 2024-13 --output -
  expect_status 2
  expect_err "--month takes YYYY-MM, not '2024-13'"
  run rollup --input "$work/lp" --month 2024-11 --from 2024-11-02 --output -
  expect_status 2
  expect_err "give --month or --from/--to, not both"
  run rollup --input "$work/lp" --from 2024-11-23 --to 2024-11-22 --output -
  expect_status 2
  expect_err "the range is empty"
  run rollup --input "$work/nowhere.lp" --month 2024-11 --output -
  expect_status 1
  expect_err "nowhere.lp"
  run rollup --input "$work/lp" --month 2024-11 --output "$work/no/such/dir/out.lp"
  expect_status 1
  expect_err "cannot write $work/no/such/dir/out.lp"
  run rollup --input "$work/lp" --month 2024-11 --last 2 --output -
  expect_status 2
  expect_err "--last counts windows back from now or from --to; not with --month or --from"
  run rollup --input "$work/lp" --month 2024-11 --output - --write-url http://127.0.0.1:9
  expect_status 2
  expect_err "--output writes a file: it does not go with the --write-* options"
  run rollup --input "$work/lp" --to 2262-04-11T23:00:00Z --output -
  expect_status 2
  expect_err "--to is beyond the last time InfluxDB can hold"
  run rollup --input "$work/lp" --from "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --output -
  expect_status 2
  expect_err "--from is in the current window, which is not complete yet"
  # Nothing to write: the last window before now has no sample points; that is not an error.
  run rollup --input "$work/lp" --output -
  expect_status 0
  expect_err "(1 window(s) of 6h, 0 whole month(s))"
  expect_err "0 raw point(s) rolled up into 0 aggregate point(s)"
  ;;
*)
  fail "unknown case $3"
  ;;
esac
