#!/usr/bin/env bash
# `dial-analytics report` on the sample data: its numbers against an independent reading of the
# same line protocol in Python, time ranges, directories, and the HTML page in headless Chromium.
# Usage: report.sh DIAL_ANALYTICS_EXE REPO_ROOT CASE
exe=$1
root=$2
source "$(dirname "$0")/common.sh"

# The sample batches as line protocol, in a directory of *.lp files.
mkdir -p "$work/lp"
"$exe" replay "$examples/vector-batch.json" >"$work/lp/a.lp" 2>/dev/null || fail "replay vector-batch"
"$exe" replay "$examples/chats-batch.json" >"$work/lp/b.lp" 2>/dev/null || fail "replay chats-batch"

# expected.py LP_FILES...: the report's headline numbers, computed from the points directly.
expected() {
  PYTHONPATH="$root/tests/tools" /usr/bin/python3 - "$@" <<'PY'
import json, sys
from lp_points import points

totals = {"requests": 0, "unique_users": set(), "prompt_tokens": 0, "completion_tokens": 0, "cost": 0.0}
by_model = {}
for values in points(sys.argv[1:], "analytics"):
    totals["requests"] += 1
    totals["prompt_tokens"] += values.get("prompt_tokens", 0)
    totals["completion_tokens"] += values.get("completion_tokens", 0)
    totals["cost"] += values.get("price", 0.0)
    if values.get("user_hash", "undefined") != "undefined":
        totals["unique_users"].add(values["user_hash"])
    m = by_model.setdefault(values["model"], [0, 0.0])
    m[0] += 1
    m[1] += values.get("price", 0.0)
totals["unique_users"] = len(totals["unique_users"])
totals["by_model"] = sorted(by_model.items(), key=lambda kv: -kv[1][1])
print(json.dumps(totals))
PY
}

# same_numbers REPORT_JSON EXPECTED_JSON
same_numbers() {
  /usr/bin/python3 - "$1" "$2" <<'PY' || fail "the report's numbers differ from the points'"
import json, math, sys
got, want = json.load(open(sys.argv[1])), json.loads(open(sys.argv[2]).read())
for key in ("requests", "unique_users", "prompt_tokens", "completion_tokens"):
    assert got[key] == want[key], (key, got[key], want[key])
assert math.isclose(got["cost"], want["cost"], rel_tol=1e-12), (got["cost"], want["cost"])
names = [(r["name"], r["requests"]) for r in got["by_model"]]
assert names == [(m, v[0]) for m, v in want["by_model"]], (names, want["by_model"])
costs = [r["cost"] for r in got["by_model"]]
assert costs == sorted(costs, reverse=True), costs
PY
}

case $3 in
json_matches_the_points)
  run report --input "$work/lp" --format json
  expect_status 0
  cp "$work/out" "$work/report.json"
  expected "$work"/lp/*.lp >"$work/expected.json"
  same_numbers "$work/report.json" "$work/expected.json"
  expect_err "point(s) read; 21 request(s)"
  ;;
time_range)
  # Only the 10:00 hour of the sample day.
  run report --input "$work/lp/a.lp" --input "$work/lp/b.lp" --from 2024-11-22T10:00:00Z --to 2024-11-22T11:00:00Z \
    --format json --output "$work/range.json"
  expect_status 0
  /usr/bin/python3 - "$work/range.json" <<'PY' || fail "range: $(head -c 600 "$work/range.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["first_point"] >= "2024-11-22T10:00:00Z" and r["last_point"] < "2024-11-22T11:00:00Z", r
assert 0 < r["requests"] < 21, r["requests"]
PY
  run report --input "$work/lp" --from yesterday
  expect_status 2
  expect_err "--from takes a UTC time such as 2024-11-22"
  run report --input "$work/nowhere.lp"
  expect_status 1
  ;;
html_in_chromium)
  browser=$(command -v chromium || command -v chromium-browser || true)
  [[ -n $browser ]] || { echo "SKIP: chromium is not installed"; exit 77; }
  run report --input "$work/lp" --format html --output "$work/report.html"
  expect_status 0
  run report --input "$work/lp" --format json
  cp "$work/out" "$work/report.json"
  grep -q '<script' "$work/report.html" && fail "the page has a script"
  grep -Eo '(src|href)="[^"]*"' "$work/report.html" | grep -q . && fail "the page loads something"
  # Load it: no console messages, the totals in the page are the JSON's, the page is not blank.
  flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --enable-logging=stderr --v=0
         --user-data-dir="$work/chromium")
  timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$work/report.html" >"$work/dom.html" 2>"$work/chromium.log" ||
    fail "chromium could not load the page: $(tail -5 "$work/chromium.log")"
  grep -q 'CONSOLE' "$work/chromium.log" && fail "console messages: $(grep CONSOLE "$work/chromium.log")"
  /usr/bin/python3 - "$work/dom.html" "$work/report.json" <<'PY' || fail "the page's totals differ from the JSON"
import json, re, sys
dom, r = open(sys.argv[1], encoding="utf-8").read(), json.load(open(sys.argv[2]))
def kpi(name):
    return re.search(r'id="%s">([^<]*)<' % name, dom).group(1)
assert kpi("total-requests").replace(",", "") == str(r["requests"]), kpi("total-requests")
assert kpi("unique-users").replace(",", "") == str(r["unique_users"])
assert kpi("prompt-tokens").replace(",", "") == str(r["prompt_tokens"])
assert kpi("completion-tokens").replace(",", "") == str(r["completion_tokens"])
assert kpi("total-cost") == "$%.4f" % r["cost"], (kpi("total-cost"), r["cost"])
for row in r["by_model"]:
    assert row["name"] in dom, row["name"]
PY
  timeout 120 "$browser" "${flags[@]}" --window-size=1200,1600 --screenshot="$work/report.png" \
    "file://$work/report.html" >/dev/null 2>>"$work/chromium.log" || fail "no screenshot"
  size=$(stat -c %s "$work/report.png")
  ((size > 30000)) || fail "the screenshot looks blank ($size bytes)"
  ;;
*)
  fail "unknown case $3"
  ;;
esac
