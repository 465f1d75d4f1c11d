#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Checks the Elasticsearch test double with a real client nobody here wrote.

The client is Debian's python3-elasticsearch 7.17.x (run with /usr/bin/python3). Each check
talks to a fresh double the way the flywheel blueprint and its producers do: the product check,
the blueprint's strict index, helpers.bulk / streaming_bulk with injected item failures,
helpers.scan over several scroll pages, point in time + search_after, count, the result window,
cluster health waits, refresh modes and the three kinds of authentication.

Usage: es_double_python_client.py PATH/TO/fake_es.py
Exit 0 when every check passes; otherwise prints the failing check and exits 1.
"""
import base64
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
import warnings

try:
    import elasticsearch
    from elasticsearch import Elasticsearch, helpers
    from elasticsearch.exceptions import (AuthenticationException, ConflictError,
                                          ConnectionError as EsConnectionError, NotFoundError,
                                          RequestError, TransportError)
except ImportError:
    print("FAIL: the elasticsearch client is missing; run with /usr/bin/python3 "
          "(Debian's python3-elasticsearch)")
    sys.exit(1)

warnings.simplefilter("ignore")  # deprecation and product-check warnings of the 7.x client

INDEX = "flywheel"
# The blueprint's index creation body, exactly as it sends it.
BLUEPRINT_BODY = {
    "settings": {"mapping": {"total_fields": {"limit": 1000}},
                 "index": {"mapping": {"ignore_malformed": True}}},
    "mappings": {"dynamic": "strict",
                 "properties": {
                     "workload_id": {"type": "keyword"},
                     "client_id": {"type": "keyword"},
                     "timestamp": {"type": "date"},
                     "request": {"type": "object", "dynamic": False, "properties": {}},
                     "response": {"type": "object", "dynamic": False, "properties": {}}}},
}
CLIENTS = ("acme-prod", "acme-dev", "other")
WORKLOADS = ("tool_call_routing", "summarise")
DOCS = 300


class CheckFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


def expect_raises(exc_type, fn, *args, **kwargs):
    """Calls fn and returns the exception of exc_type it must raise."""
    try:
        fn(*args, **kwargs)
    except exc_type as exc:
        return exc
    raise CheckFailed(f"{getattr(fn, '__name__', fn)} did not raise {exc_type.__name__}")


def error_type(exc):
    """The Elasticsearch error type carried by a client exception."""
    info = exc.info if isinstance(exc.info, dict) else {}
    err = info.get("error")
    return err.get("type") if isinstance(err, dict) else err


class Double:
    """One fake_es.py process on a free port."""

    def __init__(self, script, workdir, name, *flags):
        self.log_path = os.path.join(workdir, f"{name}.log")
        port_file = os.path.join(workdir, f"{name}.port")
        self.log = open(self.log_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen([sys.executable, script, "--port-file", port_file, *flags],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not os.path.exists(port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                with open(self.log_path, encoding="utf-8") as f:
                    raise CheckFailed(f"the double did not start:\n{f.read()[-2000:]}")
            time.sleep(0.02)
        with open(port_file, encoding="ascii") as f:
            self.port = int(f.read().strip())
        self.url = f"http://127.0.0.1:{self.port}"

    def control(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read() or b"null")

    def faults(self, **settings):
        return self.control("POST", "/_double/faults", settings)

    def state(self):
        return self.control("GET", "/_double/state")

    def raw(self, method, path, body=b"", headers=None):
        """A plain HTTP request; returns (status, headers, body bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def flywheel_doc(i):
    """The i-th flywheel document of the blueprint dialect (exactly five keys)."""
    ts = 1715854074 + (i * 37) % 1000 * 60 + i  # distinct, not in insertion order
    return {
        "request": {"model": "llama-3-70b-instruct",
                    "messages": [{"role": "user", "content": f"question {i}"}],
                    "temperature": 0.2, "max_tokens": 1024},
        "response": {"id": f"chatcmpl-{i}", "object": "chat.completion", "created": ts,
                     "model": "llama-3-70b-instruct",
                     "choices": [{"index": 0, "finish_reason": "stop",
                                  "message": {"role": "assistant", "content": f"answer {i}",
                                              "refusal": None}}],
                     "usage": {"prompt_tokens": 15, "completion_tokens": 7,
                               "total_tokens": 22}},
        "timestamp": ts,
        "client_id": CLIENTS[i % len(CLIENTS)],
        "workload_id": WORKLOADS[i % len(WORKLOADS)],
    }


# ------------------------------------------------------------------------------------------
# The checks (each gets the main double and a client for it)
# ------------------------------------------------------------------------------------------


def check_product(d, es):
    info = es.info()
    expect(info["version"]["number"] == "8.17.0", f"unexpected version {info['version']}")
    expect(info["tagline"] == "You Know, for Search", "tagline")
    expect(es.ping() is True, "ping() is not True")
    status, headers, _ = d.raw("GET", "/")
    expect(headers.get("x-elastic-product") == "Elasticsearch", "no X-Elastic-Product header")
    # The compatibility mode of the client sends the vnd media type; it is echoed back.
    os.environ["ELASTIC_CLIENT_APIVERSIONING"] = "true"
    try:
        expect(es.indices.exists(index="no-such-index") is False, "exists() in compat mode")
        expect(es.info()["cluster_name"] == "fake-es", "info() in compat mode")
    finally:
        del os.environ["ELASTIC_CLIENT_APIVERSIONING"]
    vnd = "application/vnd.elasticsearch+json; compatible-with=8"
    status, headers, _ = d.raw("POST", "/_count", b"{}", {"Content-Type": vnd, "Accept": vnd})
    expect(status == 200 and headers["content-type"].startswith(
        "application/vnd.elasticsearch+json"), f"vnd not echoed: {status} {headers}")
    status, _, body = d.raw("POST", "/_count", b"{}", {"Content-Type": "text/plain"})
    expect(status == 406 and b"Content-Type header [text/plain] is not supported" in body,
           f"unsupported Content-Type gave {status} {body!r}")


def check_create_index(d, es):
    expect(es.indices.exists(index=INDEX) is False, "index exists before creation")
    resp = es.indices.create(index=INDEX, body=BLUEPRINT_BODY)
    expect(resp == {"acknowledged": True, "shards_acknowledged": True, "index": INDEX},
           f"create response {resp}")
    expect(es.indices.exists(index=INDEX) is True, "index missing after creation")
    exc = expect_raises(RequestError, es.indices.create, index=INDEX, body=BLUEPRINT_BODY)
    expect(error_type(exc) == "resource_already_exists_exception", f"second create: {exc}")
    expect(exc.info["error"]["index"] == INDEX and exc.info["error"]["index_uuid"],
           "already-exists error lacks index / index_uuid")
    mapping = es.indices.get_mapping(index=INDEX)
    expect(mapping[INDEX]["mappings"] == BLUEPRINT_BODY["mappings"], f"mapping {mapping}")
    settings = es.indices.get_settings(index=INDEX)[INDEX]["settings"]["index"]
    expect(settings["mapping"]["ignore_malformed"] == "true", f"settings {settings}")
    expect(settings["mapping"]["total_fields"]["limit"] == "1000", f"settings {settings}")


def check_health_and_pings(d, es):
    health = es.cluster.health(wait_for_status="yellow", timeout="5s")
    expect(health["status"] == "green" and health["timed_out"] is False, f"health {health}")
    d.faults(health_status="red")
    started = time.monotonic()
    exc = expect_raises(TransportError, es.cluster.health, wait_for_status="yellow",
                        timeout="1s")
    elapsed = time.monotonic() - started
    expect(exc.status_code == 408, f"a health wait that times out gave {exc.status_code}")
    expect(0.8 <= elapsed < 3, f"the health wait took {elapsed:.2f} s, not about 1 s")
    body = es.cluster.health(wait_for_status="yellow", timeout="100ms", ignore=408)
    expect(body["timed_out"] is True and body["status"] == "red", f"timed-out body {body}")
    expect(es.cluster.health()["status"] == "red", "forced red status not reported")
    d.faults(health_status="green")
    no_retry = Elasticsearch([d.url], max_retries=0)
    d.faults(failing_pings=2)
    expect(no_retry.ping() is False, "a failing ping was not False")
    expect(no_retry.ping() is False, "the second failing ping was not False")
    expect(no_retry.ping() is True, "ping did not recover")


def check_bulk(d, es):
    actions = [{"_index": INDEX, "_id": f"doc-{i:03d}", "_source": flywheel_doc(i)}
               for i in range(DOCS)]
    ok, errors = helpers.bulk(es, actions, chunk_size=100)
    expect(ok == DOCS and not errors, f"helpers.bulk: {ok} ok, errors {errors[:2]}")
    expect(es.count(index=INDEX)["count"] == DOCS, "count after bulk")
    stored = d.control("GET", f"/_double/docs/{INDEX}")["docs"]
    expect([x["_id"] for x in stored] == [a["_id"] for a in actions], "stored ids / order")
    expect(stored[7]["_source"] == flywheel_doc(7), "a _source did not round-trip")
    got = es.get(index=INDEX, id="doc-042")
    expect(got["found"] and got["_source"] == flywheel_doc(42), f"get: {got}")
    # NDJSON rules: the last line needs its newline; \r\n is accepted.
    line = json.dumps({"index": {"_index": "ndjson", "_id": "x"}}) + "\n" + json.dumps({"a": 1})
    status, _, body = d.raw("POST", "/_bulk", line.encode(),
                            {"Content-Type": "application/x-ndjson"})
    expect(status == 400 and b"must be terminated by a newline" in body, f"no newline: {body}")
    status, _, body = d.raw("POST", "/_bulk", (line.replace("\n", "\r\n") + "\r\n").encode(),
                            {"Content-Type": "application/json"})
    expect(status == 200 and json.loads(body)["errors"] is False, f"\\r\\n bulk: {body}")


def check_strict_mapping(d, es):
    before = es.count(index=INDEX)["count"]
    extra = dict(flywheel_doc(1000), metadata={"source": "x"})
    null_extra = dict(flywheel_doc(1001), contract_version="1.0", error_details=None)
    only_null = dict(flywheel_doc(1002), error_details=None)
    ok, errors = helpers.bulk(es, [{"_index": INDEX, "_id": f"bad-{n}", "_source": doc}
                                   for n, doc in enumerate((extra, null_extra, only_null))],
                              raise_on_error=False)
    expect(ok == 0 and len(errors) == 3, f"strict: {ok} ok, {len(errors)} errors")
    for err in errors:
        item = err["index"]
        expect(item["status"] == 400, f"strict item status {item}")
        expect(item["error"]["type"] == "strict_dynamic_mapping_exception", f"{item}")
    reason = errors[2]["index"]["error"]["reason"]
    expect(reason == "mapping set to strict, dynamic introduction of [error_details] within "
                     "[_doc] is not allowed", f"reason: {reason}")
    exc = expect_raises(RequestError, es.index, index=INDEX, id="bad-single", body=only_null)
    expect(error_type(exc) == "strict_dynamic_mapping_exception", f"single write: {exc}")
    expect(es.count(index=INDEX)["count"] == before, "a rejected document was stored")
    # request/response are dynamic:false: kept in _source, not searchable.
    found = es.count(index=INDEX, body={"query": {"term": {"request.model":
                                                             "llama-3-70b-instruct"}}})
    expect(found["count"] == 0, "a dynamic:false field was searchable")
    # Keywords are exact and case-sensitive.
    expect(es.count(index=INDEX, body={"query": {"term": {"client_id": "ACME-PROD"}}})[
        "count"] == 0, "keyword match was not case-sensitive")
    expect(es.count(index=INDEX, body={"query": {"match": {"client_id": "acme-prod"}}})[
        "count"] == DOCS // 3, "match on a keyword")


def check_dates(d, es):
    es.indices.create(index="dates", body=BLUEPRINT_BODY)
    es.index(index="dates", id="seconds", body={"timestamp": 1746138417, "client_id": "c"})
    es.index(index="dates", id="iso", body={"timestamp": "2024-05-16T10:07:54.123+02:00",
                                            "client_id": "c"})
    es.index(index="dates", id="day", body={"timestamp": "2024-05-16", "client_id": "c"})
    resp = es.index(index="dates", id="bad", body={"timestamp": "yesterday", "client_id": "c"})
    expect(resp["result"] == "created", "ignore_malformed did not keep the document")
    # An integer is epoch milliseconds: 1746138417 "seconds" land on 1970-01-21.
    hits = es.search(index="dates", body={"query": {"range": {"timestamp": {
        "gte": "1970-01-21", "lt": "1970-01-22"}}}})["hits"]["hits"]
    expect([h["_id"] for h in hits] == ["seconds"], f"epoch_millis range: {hits}")
    hits = es.search(index="dates", body={"sort": [{"timestamp": "asc"}], "query": {
        "exists": {"field": "timestamp"}}})["hits"]["hits"]
    expect([h["_id"] for h in hits] == ["seconds", "day", "iso"], f"date sort: {hits}")
    expect(hits[2]["sort"] == [1715846874123], f"sort value of an ISO date: {hits[2]}")
    expect(es.get(index="dates", id="bad")["_source"]["timestamp"] == "yesterday",
           "malformed value not kept in _source")
    strict_dates = {"mappings": {"dynamic": "strict",
                                 "properties": {"timestamp": {"type": "date"}}}}
    es.indices.create(index="dates-strict", body=strict_dates)
    exc = expect_raises(RequestError, es.index, index="dates-strict", id="1",
                        body={"timestamp": "yesterday"})
    expect(error_type(exc) == "mapper_parsing_exception", f"malformed date: {exc}")
    # A write to a missing index creates it with a dynamic mapping.
    es.index(index="auto-created", id="1", body={"contract_version": "1.0", "n": 3,
                                                 "error_details": None})
    mapping = es.indices.get_mapping(index="auto-created")["auto-created"]["mappings"]
    expect(mapping["properties"]["n"] == {"type": "long"}, f"dynamic mapping {mapping}")
    expect(es.count(index="auto-created", body={"query": {"term": {
        "contract_version.keyword": "1.0"}}})["count"] == 1, "dynamic keyword sub-field")


def expected_ids(client_id, workload_id):
    chosen = [(flywheel_doc(i)["timestamp"], f"doc-{i:03d}") for i in range(DOCS)
              if CLIENTS[i % 3] == client_id and WORKLOADS[i % 2] == workload_id]
    return [doc_id for _, doc_id in sorted(chosen, reverse=True)]


def check_scan(d, es):
    query = {"query": {"bool": {"filter": [{"term": {"client_id": "acme-prod"}},
                                           {"term": {"workload_id": "tool_call_routing"}}]}},
             "sort": [{"timestamp": {"order": "desc"}}]}
    before = d.state()["requests"].get("scroll", 0)
    hits = list(helpers.scan(es, index=INDEX, query=query, scroll="2m", size=12,
                             preserve_order=True))
    want = expected_ids("acme-prod", "tool_call_routing")
    expect(len(want) == 50, f"test data: {len(want)} expected documents")
    expect([h["_id"] for h in hits] == want, "scan did not return the expected documents "
                                              "in timestamp order")
    expect(all(h["_score"] is None and len(h["sort"]) == 1 for h in hits), "sorted hit shape")
    state = d.state()
    pages = state["requests"].get("scroll", 0) - before
    expect(pages >= 4, f"only {pages} scroll requests for 50 hits of 12")
    expect(state["scrolls"] == 0, "scan did not clear its scroll")
    expect(state["requests"].get("clear_scroll", 0) >= 1, "no clear_scroll request")
    # Unknown scroll ids.
    exc = expect_raises(NotFoundError, es.scroll, scroll_id="bm8gc3VjaCBzY3JvbGw=",
                        scroll="1m")
    expect(exc.info["error"]["root_cause"][0]["type"] == "search_context_missing_exception",
           f"unknown scroll: {exc.info}")
    expect_raises(NotFoundError, es.clear_scroll, scroll_id="bm8gc3VjaCBzY3JvbGw=")
    exc = expect_raises(RequestError, es.search, index=INDEX, scroll="1m", size=10001)
    expect("Batch size is too large" in str(exc.info), f"scroll size > 10000: {exc.info}")


def check_search(d, es):
    query = {"bool": {"must": [{"match": {"client_id": "acme-dev"}}],
                      "filter": [{"term": {"workload_id": "summarise"}}]}}
    want = expected_ids("acme-dev", "summarise")
    expect(es.count(index=INDEX, body={"query": query})["count"] == len(want), "count")
    resp = es.search(index=INDEX, body={"query": query, "sort": [{"timestamp": "desc"}],
                                        "from": 5, "size": 10})
    expect(resp["hits"]["total"] == {"value": len(want), "relation": "eq"}, "hits.total")
    expect([h["_id"] for h in resp["hits"]["hits"]] == want[5:15], "from/size page")
    resp = es.search(index=INDEX, body={"track_total_hits": 10, "size": 0})
    expect(resp["hits"]["total"] == {"value": 10, "relation": "gte"}, "track_total_hits cap")
    resp = es.search(index=INDEX, size=3, from_=2)  # size/from in the query string
    expect(len(resp["hits"]["hits"]) == 3 and resp["hits"]["hits"][0]["_score"] == 1.0,
           f"match_all page {resp['hits']}")
    exc = expect_raises(RequestError, es.search, index=INDEX,
                        body={"from": 9995, "size": 10})
    expect("Result window is too large, from + size must be less than or equal to: [10000] "
           "but was [10005]" in json.dumps(exc.info), f"window error {exc.info}")
    exc = expect_raises(NotFoundError, es.search, index="missing-index", body={})
    expect(error_type(exc) == "index_not_found_exception", f"missing index {exc}")
    # GET with a body, as some clients send it.
    resp = es.transport.perform_request("GET", f"/{INDEX}/_search",
                                        headers={"content-type": "application/json"},
                                        body={"query": query, "size": 1})
    expect(resp["hits"]["total"]["value"] == len(want), "GET _search with a body")


def check_pit(d, es):
    pit = es.open_point_in_time(index=INDEX, keep_alive="1m")["id"]
    # Written after the PIT was opened: not visible through it.
    es.index(index=INDEX, id="after-pit", body=flywheel_doc(999))
    seen, search_after = [], None
    while True:
        body = {"pit": {"id": pit, "keep_alive": "1m"}, "size": 64,
                "sort": [{"timestamp": "asc"}]}
        if search_after:
            body["search_after"] = search_after
        resp = es.search(body=body)
        expect(resp.get("pit_id") == pit, "no pit_id in the response")
        hits = resp["hits"]["hits"]
        if not hits:
            break
        expect(len(hits[0]["sort"]) == 2, "no implicit _shard_doc tiebreaker")
        seen.extend(h["_id"] for h in hits)
        search_after = hits[-1]["sort"]
    want = [f"doc-{i:03d}" for _, i in sorted((flywheel_doc(i)["timestamp"], i)
                                              for i in range(DOCS))]
    expect(seen == want, f"PIT pages returned {len(seen)} ids, want {len(want)}")
    resp = es.close_point_in_time(body={"id": pit})
    expect(resp == {"succeeded": True, "num_freed": 1}, f"close PIT {resp}")
    expect_raises(NotFoundError, es.search, body={"pit": {"id": pit}})
    es.delete(index=INDEX, id="after-pit")


def check_single_writes(d, es):
    doc = flywheel_doc(5)
    expect(es.index(index="single", id="a", body=doc)["result"] == "created", "created")
    resp = es.index(index="single", id="a", body=doc)
    expect(resp["result"] == "updated" and resp["_version"] == 2, f"updated {resp}")
    exc = expect_raises(ConflictError, es.create, index="single", id="a", body=doc)
    expect(error_type(exc) == "version_conflict_engine_exception", f"create conflict {exc}")
    resp = es.index(index="single", body=doc)
    expect(resp["result"] == "created" and len(resp["_id"]) >= 20, f"generated id {resp}")
    expect(es.create(index="single", id="b", body=doc)["result"] == "created", "_create")


def check_streaming_bulk_retries(d, es):
    # Item 0 is rejected twice (429), item 5 once, item 7 gets a 400, which is not retried.
    statuses = [429] + [0] * 4 + [429] + [0] + [400] + [0] * 12 + [429, 429]
    d.faults(bulk_item_statuses=statuses)
    before = d.state()["requests"].get("bulk", 0)
    actions = [{"_index": "retries", "_id": f"r-{i}", "_source": flywheel_doc(i)}
               for i in range(20)]
    results = list(helpers.streaming_bulk(es, actions, chunk_size=20, max_retries=2,
                                          initial_backoff=0.1, raise_on_error=False))
    failed = [item for ok, item in results if not ok]
    expect(len(results) == 20 and len(failed) == 1, f"{len(failed)} failed of {len(results)}")
    expect(failed[0]["index"]["status"] == 400 and failed[0]["index"]["_id"] == "r-7",
           f"the 400 item: {failed}")
    bulks = d.state()["requests"]["bulk"] - before
    expect(bulks == 3, f"{bulks} bulk requests for two retry rounds")
    stored = d.control("GET", "/_double/docs/retries")["docs"]
    ids = [x["_id"] for x in stored]
    expect(sorted(ids) == sorted(f"r-{i}" for i in range(20) if i != 7),
           f"stored ids {ids}")
    expect(all(x["_version"] == 1 for x in stored), "a document was stored twice")
    expect(d.state()["faults"]["bulk_item_statuses"] == [], "faults left over")
    # A create of an existing id reports 409 per item.
    ok, errors = helpers.bulk(es, [{"_op_type": "create", "_index": INDEX, "_id": "doc-000",
                                    "_source": flywheel_doc(0)}], raise_on_error=False)
    expect(ok == 0 and errors[0]["create"]["status"] == 409 and
           errors[0]["create"]["error"]["type"] == "version_conflict_engine_exception",
           f"create conflict {errors}")


def check_request_faults(d, es):
    action = [{"_index": "faults", "_id": "f-1", "_source": {"a": 1}}]
    # A whole-request 503 is retried by the client's transport (retry_on_status).
    d.faults(bulk_request_statuses=[503])
    expect(helpers.bulk(es, action)[0] == 1, "bulk after a 503")
    # A whole-request 429 is retried by streaming_bulk.
    d.faults(bulk_request_statuses=[429])
    results = list(helpers.streaming_bulk(es, action, max_retries=1, initial_backoff=0.1))
    expect(results[0][0], "streaming_bulk after a whole-request 429")
    d.faults(bulk_request_statuses=[413])
    exc = expect_raises(TransportError, helpers.bulk, es, action)
    expect(exc.status_code == 413, f"413 gave {exc.status_code}")
    no_retry = Elasticsearch([d.url], max_retries=0)
    d.faults(write_status=503)
    exc = expect_raises(TransportError, no_retry.index, index="faults", id="f-2", body={})
    expect(exc.status_code == 503, "write outage")
    exc = expect_raises(TransportError, helpers.bulk, no_retry, action)
    expect(exc.status_code == 503, "write outage on _bulk")
    d.faults(write_status=None)
    d.faults(drop_connections=1)
    expect_raises(EsConnectionError, no_retry.count, index=INDEX)
    d.faults(drop_connections=1)
    expect(es.count(index=INDEX)["count"] == DOCS, "count with a retried dropped connection")
    expect(d.state()["requests"]["dropped"] == 2, "dropped counter")


def check_state_and_reset(d, es):
    es.indices.refresh()
    es.indices.refresh(index=INDEX)
    requests = d.state()["requests"]
    for kind in ("info", "ping", "health", "index_exists", "index_create", "bulk",
                 "bulk_items", "search", "scroll", "count", "refresh"):
        expect(requests.get(kind, 0) > 0, f"no '{kind}' requests counted: {requests}")
    state = d.state()
    expect(state["indices"][INDEX]["docs"] == DOCS, "docs in state")
    d.control("POST", "/_double/reset")
    state = d.state()
    expect(state["indices"] == {} and state["requests"] == {}, f"reset left {state}")


def check_manual_refresh(script, workdir):
    d = Double(script, workdir, "manual", "--refresh", "manual")
    try:
        es = Elasticsearch([d.url])
        es.index(index="m", id="1", body={"a": 1})
        expect(es.count(index="m")["count"] == 0, "searchable before a refresh")
        expect(es.get(index="m", id="1")["found"], "GET is not real time")
        es.index(index="m", id="2", body={"a": 2}, refresh="wait_for")
        expect(es.count(index="m")["count"] == 2, "refresh=wait_for")
        helpers.bulk(es, [{"_index": "m", "_id": "3", "_source": {"a": 3}}])
        expect(es.count(index="m")["count"] == 2, "bulk searchable before a refresh")
        expect(len(d.control("GET", "/_double/docs/m")["docs"]) == 3, "_double/docs")
        es.indices.refresh(index="m")
        expect(es.count(index="m")["count"] == 3, "after _refresh")
    finally:
        d.stop()


def check_auth(script, workdir):
    key_id, key = "id", "key"
    encoded = base64.b64encode(f"{key_id}:{key}".encode()).decode()
    cases = [
        ("basic", ["--basic", "u:p"], {"http_auth": ("u", "p")}, {"http_auth": ("u", "x")}),
        ("apikey", ["--api-key", f"{key_id}:{key}"], {"api_key": (key_id, key)},
         {"api_key": ("id", "wrong")}),
        ("apikey-encoded", ["--api-key", encoded], {"api_key": encoded},
         {"api_key": "d3Jvbmc6a2V5"}),
        ("bearer", ["--bearer", "tok"], {"headers": {"Authorization": "Bearer tok"}},
         {"headers": {"Authorization": "Bearer nope"}}),
    ]
    for name, flags, good, bad in cases:
        d = Double(script, workdir, f"auth-{name}", *flags)
        try:
            for creds in ({}, bad):
                exc = expect_raises(AuthenticationException, Elasticsearch([d.url], **creds).info)
                expect(error_type(exc) == "security_exception", f"{name}: {exc}")
            status, headers, _ = d.raw("GET", "/")
            expect(status == 401 and "www-authenticate" in headers, f"{name}: 401 headers")
            es = Elasticsearch([d.url], **good)
            expect(es.info()["version"]["number"] == "8.17.0", f"{name}: info")
            helpers.bulk(es, [{"_index": "a", "_id": "1", "_source": {"x": 1}}])
            expect(es.count(index="a")["count"] == 1, f"{name}: count")
            expect(d.state()["indices"]["a"]["docs"] == 1, f"{name}: control without auth")
        finally:
            d.stop()
    # A key configured as id:key also accepts the literal value in the header.
    d = Double(script, workdir, "auth-literal", "--api-key", f"{key_id}:{key}")
    try:
        literal = Elasticsearch([d.url], headers={"Authorization": f"ApiKey {key_id}:{key}"})
        expect(literal.ping(), "the literal id:key was refused")
    finally:
        d.stop()


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    script = os.path.abspath(sys.argv[1])
    started = time.monotonic()
    print(f"elasticsearch-py {elasticsearch.__versionstr__} against {script}")
    with tempfile.TemporaryDirectory(prefix="es-double-") as workdir:
        d = None
        try:
            d = Double(script, workdir, "main")
            es = Elasticsearch([d.url])
            for check in (check_product, check_create_index, check_health_and_pings,
                          check_bulk, check_strict_mapping, check_dates, check_scan,
                          check_search, check_pit, check_single_writes,
                          check_streaming_bulk_retries, check_request_faults,
                          check_state_and_reset):
                t = time.monotonic()
                check(d, es)
                print(f"ok   {check.__name__} ({time.monotonic() - t:.2f} s)")
            for check in (check_manual_refresh, check_auth):
                t = time.monotonic()
                check(script, workdir)
                print(f"ok   {check.__name__} ({time.monotonic() - t:.2f} s)")
        except Exception as exc:  # the first failure ends the run
            print(f"FAIL {type(exc).__name__}: {exc}")
            if not isinstance(exc, CheckFailed):
                traceback.print_exc()
            if d is not None:
                d.stop()
                with open(d.log_path, encoding="utf-8") as f:
                    print("--- last lines of the double's log ---")
                    print("".join(f.readlines()[-15:]), end="")
            return 1
        d.stop()
    print(f"all checks passed in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
