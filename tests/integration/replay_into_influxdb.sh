#!/usr/bin/env bash
# Integration test: the points `dial-analytics replay` writes for the bundled sample stream are
# accepted by a real InfluxDB 1.x (Debian's influxdb package), with the expected field types.
# Usage: replay_into_influxdb.sh DIAL_ANALYTICS_EXE SAMPLE_BATCH
exe=$1
sample=$2
server_exe=/nonexistent  # this test runs no server
source "$(dirname "$0")/fixture.sh"

start_influxd
create_db
"$exe" replay --input "$sample" --topic-model echo >"$work/points.lp" 2>/dev/null
status=$(curl -s -o "$work/write.out" -w '%{http_code}' -XPOST "$influx_url/write?db=dial&precision=ns" \
  --data-binary @"$work/points.lp")
[[ $status == 204 ]] || fail "write answered $status: $(cat "$work/write.out")"

expect_count analytics prompt_tokens 7
expect_count rate_analytics like_count 2
expect_count mcp_analytics chat_id 2
expect_count routes_analytics chat_id 1
expect_count responses_analytics response_id 1
expect_count anthropic_messages_analytics response_id 1

types=$(query 'SHOW FIELD KEYS FROM analytics')
for pair in '"price","float"' '"deployment_price","float"' '"prompt_tokens","integer"' \
            '"number_request_messages","integer"' '"chat_id","string"'; do
  [[ $types == *"[$pair]"* ]] || fail "field type $pair not in $types"
done
topic=$(query "SELECT count(price) FROM analytics WHERE topic = 'Sorry, could you repeat?'")
[[ $topic == *'"values":[['*',1]]'* ]] || fail "escaped topic tag not found: $topic"
echo "replay output accepted by InfluxDB"
