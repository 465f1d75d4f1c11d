# SPDX-License-Identifier: Apache-2.0
# The Elasticsearch test double (tests/support/fake_es/fake_es.py): Debian ships no Elasticsearch
# server, so the double stands in for it, and a real client nobody here wrote (Debian's
# python3-elasticsearch 7.17) checks that it behaves like Elasticsearch on the wire.
set(fake_es_dir ${CMAKE_CURRENT_SOURCE_DIR}/support/fake_es)

add_test(NAME the_elasticsearch_test_double_satisfies_the_official_python_client
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/integration/es_double_python_client.py
                 ${fake_es_dir}/fake_es.py)
set_tests_properties(the_elasticsearch_test_double_satisfies_the_official_python_client
  PROPERTIES LABELS integration TIMEOUT 120)

# start.sh (for shell tests): the double starts, answers the product check and stops.
add_test(NAME the_elasticsearch_test_double_starts_and_stops_from_bash
         COMMAND bash -c "set -e; d=$(mktemp -d); trap 'stop_fake_es; rm -rf $d' EXIT; \
source '${fake_es_dir}/start.sh'; start_fake_es $d; \
/usr/bin/python3 -c 'import json,sys,urllib.request as u; r=u.urlopen(sys.argv[1]); \
assert r.headers[\"X-Elastic-Product\"]==\"Elasticsearch\"; print(json.load(r)[\"tagline\"])' \
\"$FAKE_ES_URL/\"")
set_tests_properties(the_elasticsearch_test_double_starts_and_stops_from_bash
  PROPERTIES LABELS integration TIMEOUT 30 PASS_REGULAR_EXPRESSION "You Know, for Search")
