#!/usr/bin/env bash
# Integration test: the example Grafana dashboards (InfluxQL) and the InfluxDB 1.x rollups
# (examples/dashboards/) run on a real InfluxDB 1.6.7 fed by dial-analytics-server.
#  - every raw InfluxQL target and query variable of every dashboard, with Grafana's macros
#    substituted, runs without an error and returns data;
#  - Unique Users, Requests, Money, Tokens, System Usage, Requests by model, the Stats Table,
#    Languages, the $project filter and a few API panels equal values computed from the raw points;
#  - rollups.iql loads over the HTTP API (twice: it is idempotent), creates its continuous
#    queries, and each CQ's SELECT ... INTO backfilled over the sample day gives the raw sums;
#  - `dial-analytics rollup` over November 2024 writes the same default_agg_stats and
#    default_agg_topic_2 points over the CQs' ones (the sums stay those of the raw points), a second
#    run leaves the same points, and the long-range dashboard (*rollups*.json, which reads only the
#    rollups) equals values computed from the raw points over that month.
# Usage: dashboards_influxdb.sh SERVER_EXE VECTOR_BATCH CHATS_BATCH CLI_EXE
# DASHBOARD_DIR overrides examples/dashboards (to try a broken copy).
server_exe=$1
vector_batch=$2
chats_batch=$3
cli_exe=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
dashboards=${DASHBOARD_DIR:-$here/../../examples/dashboards}
tool=$here/../tools/dashboard_queries.py
python=$(command -v /usr/bin/python3 || command -v python3)
source "$here/fixture.sh"
[[ -x $cli_exe ]] || fail "the fourth argument must be the dial-analytics executable (got '$cli_exe')"

start_influxd
create_db
# SCHEMA=compact runs the same checks on the compact schema (the request ids as fields).
schema=${SCHEMA:-reference}
start_server SCHEMA="$schema"

echo "== the two example batches"
[[ $(post "$vector_batch") == 200 ]] || fail "POST $vector_batch: $(cat "$work/reply.json")"
[[ $(post "$chats_batch") == 200 ]] || fail "POST $chats_batch: $(cat "$work/reply.json")"
wait_for spool_empty || fail "spool not drained"
[[ $(count_of analytics prompt_tokens) -gt 0 ]] || fail "no analytics points"
echo "ok: $(count_of analytics prompt_tokens) analytics points"
tag_keys=$(query 'SHOW TAG KEYS FROM "analytics"')
if [[ $schema == compact ]]; then
  [[ $tag_keys != *response_id* && $tag_keys != *trace_id* ]] || fail "compact schema: ids are still tags: $tag_keys"
  [[ $(query 'SELECT count("response_id") FROM "analytics"') == *'"count"'* ]] || fail "compact schema: no response_id field: $(query 'SHOW FIELD KEYS FROM "analytics"')"
else
  [[ $tag_keys == *response_id* ]] || fail "reference schema: response_id is not a tag: $tag_keys"
fi
echo "ok: the $schema schema"
# Edge points written straight to InfluxDB (in the 12:00-18:00 window, apart from the samples):
# prompt_tokens on every token-class boundary, for a user and for a project ("undefined" user).
edge=""
i=0
for who in u-edge undefined; do
  for tokens in 100 101 1000 1001 5000 5001 10000 10001 49999 50000; do
    i=$((i + 1))
    edge+="analytics,deployment=edge,model=edge,project_id=edge-cases,language=en,parent_deployment=undefined"
    edge+=",title=Edge,topic=undefined chat_id=\"undefined\",completion_tokens=1i,deployment_price=0.5"
    edge+=",number_request_messages=1i,price=0.5,prompt_tokens=${tokens}i,user_hash=\"$who\""
    edge+=" $((1732280400 + i))000000000"$'\n'
  done
done
curl -sf -XPOST "$influx_url/write?db=dial" --data-binary "$edge" || fail "writing the edge points"

echo "== rollups.iql: retention policy and continuous queries"
for attempt in 1 2; do
  answer=$(curl -sf -XPOST "$influx_url/query" --data-urlencode "q@$dashboards/influxdb-v1/rollups.iql") ||
    fail "loading rollups.iql (attempt $attempt)"
  [[ $answer != *'"error"'* ]] || fail "rollups.iql (attempt $attempt): $answer"
done
echo "ok: rollups.iql loads twice without an error"
# The sample data is dated 2024-11-22; backfill that whole day (aligned to the 6-hour windows).
"$python" "$tool" rollups "$influx_url" dial 2024-11-22T00:00:00Z 2024-11-23T00:00:00Z \
  "$dashboards/influxdb-v1/rollups.iql" || fail "rollups"

echo "== dial-analytics rollup: 6-hour windows, months and user deciles into retention policy agg"
# November 2024 holds the sample day and is a whole month, so the monthly points are written too.
agg_points() { query 'SELECT * FROM "agg"./^default_agg_/'; }
for attempt in 1 2; do
  "$cli_exe" rollup --influx-url "$influx_url" --database dial --from 2024-11-01 --to 2024-12-01 \
    >"$work/rollup.log" 2>&1 || { cat "$work/rollup.log"; fail "dial-analytics rollup failed (run $attempt)"; }
  agg_points >"$work/agg.$attempt.json" || fail "reading the rollups back failed (run $attempt)"
done
for m in default_agg_stats default_agg_topic_2 default_agg_topic default_agg_kpi default_agg_chatid \
         default_agg_month default_agg_user_deciles; do
  grep -q "\"name\":\"$m\"" "$work/agg.1.json" || fail "dial-analytics rollup wrote no $m points"
done
echo "ok: dial-analytics rollup wrote all seven rollup measurements"
cmp -s "$work/agg.1.json" "$work/agg.2.json" || fail "a second dial-analytics rollup run changed the rollup points"
echo "ok: a second dial-analytics rollup run leaves the same points"
# The CQ backfill wrote default_agg_stats and default_agg_topic_2 before; the command must have
# written over the same series (no double counting).
"$python" "$tool" sums "$influx_url" dial 2024-11-01T00:00:00Z 2024-12-01T00:00:00Z ||
  fail "the rollups written over the backfill no longer sum to the raw points"

echo "== dashboards: every query, then a few panels against the raw points"
shopt -s nullglob
files=()
rollup_files=()
for f in "$dashboards"/grafana/*.json; do
  if [[ $(basename "$f") == *rollups* ]]; then rollup_files+=("$f"); else files+=("$f"); fi
done
[[ ${#files[@]} -gt 0 ]] || fail "no dashboards in $dashboards/grafana"
[[ ${#rollup_files[@]} -gt 0 ]] || fail "no long-range (rollups) dashboard in $dashboards/grafana"
# Grafana's time range: the sample day; $__interval = 1h; $project = All.
"$python" "$tool" dashboards "$influx_url" dial 2024-11-22T00:00:00Z 2024-11-22T23:59:59Z "${files[@]}" ||
  fail "dashboards"
# The long-range dashboard reads only the rollups: the whole month that dial-analytics rollup covered.
"$python" "$tool" dashboards "$influx_url" dial 2024-11-01T00:00:00Z 2024-11-30T23:59:59Z "${rollup_files[@]}" ||
  fail "the long-range dashboard"
echo "all dashboard and rollup checks passed"
