#!/usr/bin/env python3
"""Runs the InfluxQL of the example Grafana dashboards and 1.x rollups against a real InfluxDB.

  dashboard_queries.py dashboards URL DB FROM TO DASHBOARD.json...
      Every raw InfluxQL target and every query variable of the dashboards, with Grafana's
      macros substituted ($timeFilter, $__interval, $project = All), must run without an error
      and return data; a few panels are compared with values computed here from the raw points.
  dashboard_queries.py rollups URL DB FROM TO ROLLUPS.iql
      Runs each continuous query's SELECT ... INTO over [FROM, TO) and compares the rolled-up
      counts and sums with the raw points.

FROM and TO are RFC 3339 times (UTC, "Z"). Only the standard library is used.
"""
import json
import math
import re
import sys
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from datetime import datetime, timezone

failures = []


def check(cond, what):
    if cond:
        print(f"ok: {what}")
    else:
        print(f"FAIL: {what}")
        failures.append(what)


def close(a, b):
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def find_errors(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "error":
                yield v
            else:
                yield from find_errors(v)
    elif isinstance(node, list):
        for v in node:
            yield from find_errors(v)


def influx(url, db, q, post=False):
    """Runs q and returns its results; raises on an HTTP error or an "error" anywhere in the answer."""
    params = {"db": db, "q": q, "epoch": "ns"}
    data = None
    if post:
        data = urllib.parse.urlencode(params).encode()
        req = urllib.request.Request(f"{url}/query", data=data, method="POST")
    else:
        req = urllib.request.Request(f"{url}/query?" + urllib.parse.urlencode(params))
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            answer = json.load(r)
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"HTTP {e.code}: {e.read().decode(errors='replace')}") from None
    errors = list(find_errors(answer))
    if errors:
        raise RuntimeError("; ".join(map(str, errors)))
    return answer["results"]


def series_of(results):
    return [s for r in results for s in r.get("series", [])]


def rows(results):
    """Flattens every series into dicts of column → value, tags included."""
    out = []
    for s in series_of(results):
        for v in s["values"]:
            row = dict(s.get("tags", {}))
            row.update(zip(s["columns"], v))
            out.append(row)
    return out


def ns(rfc3339):
    return int(datetime.strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()) * 10**9


# ---------------------------------------------------------------- dashboards

def grafana_regex(values):
    """Grafana's InfluxQL interpolation of a multi-value variable: regex-escaped, (a|b)."""
    esc = [re.sub(r"[\\^$*+?.()|\[\]{}/]", lambda m: "\\" + m.group(0), v) for v in values]
    return "(" + "|".join(esc) + ")"


def substitute(q, frm, to, interval, variables):
    q = q.replace("$timeFilter", f"time >= {ns(frm) // 10**6}ms and time <= {ns(to) // 10**6}ms")
    q = q.replace("$__interval", interval).replace("$interval", interval)
    for name, value in variables.items():
        q = q.replace(f"${{{name}}}", value).replace(f"[[{name}]]", value)
        q = re.sub(rf"\${name}\b", lambda _: value, q)
    if re.search(r"\$[A-Za-z_{]|\[\[", q):
        raise RuntimeError(f"unsubstituted macro or variable in: {q}")
    return q


def panels_of(dashboard):
    for p in dashboard.get("panels", []):
        yield p
        yield from p.get("panels", [])  # collapsed rows


def dashboard_queries(dashboard):
    """(title, refId, query, resultFormat) of every target; builder-mode targets are refused."""
    out = []
    for p in panels_of(dashboard):
        for t in p.get("targets", []):
            if not t.get("rawQuery") or not t.get("query"):
                raise RuntimeError(f"panel {p.get('title')!r} has a target without a raw InfluxQL query")
            out.append((p["title"], t["refId"], t["query"], t.get("resultFormat", "time_series")))
    return out


def run_dashboards(url, db, frm, to, paths):
    interval = "1h"
    everything = {"project": ".*"}  # "All" with allValue ".*"
    raw = {}
    lo, hi = ns(frm), ns(to)
    for m in ("analytics", "mcp_analytics", "routes_analytics", "responses_analytics",
              "anthropic_messages_analytics", "rate_analytics"):
        raw[m] = [r for r in rows(influx(url, db, f'SELECT * FROM "{m}"')) if lo <= r["time"] <= hi]
    check(len(raw["analytics"]) > 0, f"{len(raw['analytics'])} raw analytics points in [{frm}, {to}]")

    dashboards = {}  # uid → JSON
    answers = {}  # (dashboard uid, panel title, refId) → results with project = All
    total = 0
    for path in paths:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        uid = d["uid"]
        dashboards[uid] = d
        check(d.get("schemaVersion", 0) >= 36, f"{uid}: schemaVersion {d.get('schemaVersion')}")
        ds = [v for v in d["templating"]["list"] if v["type"] == "datasource"]
        check(len(ds) == 1 and ds[0]["query"] == "influxdb", f"{uid}: an influxdb datasource variable")
        for v in d["templating"]["list"]:
            if v["type"] != "query":
                continue
            q = v["query"]
            try:
                q = substitute(q, frm, to, interval, everything)
                got = rows(influx(url, db, q))
                check(len(got) > 0, f"{uid}: variable ${v['name']}: {q} → {len(got)} values")
            except RuntimeError as e:
                check(False, f"{uid}: variable ${v['name']}: {q}: {e}")
        for title, ref, query, _ in dashboard_queries(d):
            total += 1
            q = query
            try:
                q = substitute(query, frm, to, interval, everything)
                res = influx(url, db, q)
            except RuntimeError as e:
                check(False, f"{uid}: {title}/{ref}: {q}: {e}")
                continue
            answers[(uid, title, ref)] = res
            # Data, and not only nulls: a misspelled field still yields series of nulls in math.
            values = [v for s in series_of(res) for row in s["values"]
                      for c, v in zip(s["columns"], row) if c != "time" and v is not None]
            check(len(values) > 0, f"{uid}: {title}/{ref} returns data")
    check(total > 0, f"{total} dashboard queries run")

    # Independent values for a few panels, computed from the raw points.
    a = raw["analytics"]

    def value(uid, title, ref="A"):
        got = rows(answers.get((uid, title, ref), []))
        if len(got) != 1:
            return None
        return [v for k, v in got[0].items() if k != "time"][0]

    d1 = "dial-analytics-influxql"
    check(value(d1, "Unique Users") == len({p["user_hash"] for p in a}), "Unique Users = distinct user_hash")
    check(value(d1, "Requests") == len(a), f"Requests = {len(a)}")
    check(close(value(d1, "Money"), sum(p["price"] for p in a)), "Money = sum(price)")
    check(value(d1, "Tokens") == sum(p["prompt_tokens"] + p["completion_tokens"] for p in a), "Tokens = prompt + completion")

    hour = 3600 * 10**9
    per_bucket = Counter(p["time"] // hour * hour for p in a)
    usage = {r["time"]: r["Requests"] for r in rows(answers.get((d1, "System Usage", "A"), [])) if r["Requests"]}
    check(usage == dict(per_bucket), f"System Usage per hour = {sorted(per_bucket.values())}")

    by_model = defaultdict(Counter)
    for p in a:
        by_model[p["model"]][p["time"] // hour * hour] += 1
    got_by_model = defaultdict(Counter)
    for r in rows(answers.get((d1, "Requests by model", "A"), [])):
        if r["count"]:
            got_by_model[r["model"]][r["time"]] += r["count"]
    check(got_by_model == by_model and len(by_model) > 1, f"Requests by model per hour ({len(by_model)} models)")

    stats = {}
    for p in a:
        key = (p.get("project_id") or "", p["deployment"], p["model"])
        s = stats.setdefault(key, {"Users": set(), "Requests": 0, "Prompt tokens": 0, "Completion tokens": 0, "Money": 0.0})
        s["Users"].add(p["user_hash"])
        s["Requests"] += 1
        s["Prompt tokens"] += p["prompt_tokens"]
        s["Completion tokens"] += p["completion_tokens"]
        s["Money"] += p["price"]
    table = rows(answers.get((d1, "Stats Table", "A"), []))
    ok = len(table) == len(stats)
    for r in table:
        s = stats.get((r.get("project_id") or "", r["deployment"], r["model"]))
        ok = ok and s is not None and r["Users"] == len(s["Users"]) and r["Requests"] == s["Requests"] \
            and r["Prompt tokens"] == s["Prompt tokens"] and r["Completion tokens"] == s["Completion tokens"] \
            and close(r["Money"], s["Money"])
    check(ok, f"Stats Table: {len(stats)} rows by project_id, deployment, model")

    langs = Counter(p.get("language") or "" for p in a)
    got = {r["language"]: r["count"] for r in rows(answers.get((d1, "Languages", "A"), []))}
    check(got == dict(langs), f"Languages = {dict(langs)}")

    # The project variable narrows a panel as Grafana would interpolate one selected value.
    projects = Counter(p.get("project_id") or "" for p in a)
    project, n = min(projects.items(), key=lambda kv: (-kv[1], kv[0]))
    panel = next(q for t, _, q, _ in dashboard_queries(dashboards[d1]) if t == "Requests")
    q = substitute(panel, frm, to, interval, {"project": grafana_regex([project])})
    got = rows(influx(url, db, q))
    check(len(got) == 1 and got[0]["Requests"] == n, f"Requests with $project = {project}: {n}")

    d2 = "dial-analytics-apis-influxql"
    if len(paths) > 1 and any(k[0] == d2 for k in answers):
        check(value(d2, "MCP requests") == len(raw["mcp_analytics"]), "MCP requests = mcp_analytics points")
        check(value(d2, "Route requests") == len(raw["routes_analytics"]), "Route requests = routes_analytics points")
        for m in ("responses_analytics", "anthropic_messages_analytics"):
            want = sum(p["deployment_price"] for p in raw[m])
            q = next(q for t, _, q, _ in dashboard_queries(dashboards[d2]) if t == "Total Cost" and f'"{m}"' in q)
            got = rows(influx(url, db, substitute(q, frm, to, interval, everything)))
            check(len(raw[m]) > 0 and len(got) == 1 and close(got[0]["Cost"], want), f"{m}: Total Cost = sum(deployment_price)")


# ---------------------------------------------------------------- rollups

def continuous_queries(path):
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"--[^\n]*", "", text)
    out = []
    for m in re.finditer(r'CREATE CONTINUOUS QUERY\s+"(\w+)".*?\bBEGIN\b(.*?)\bEND\b', text, re.S):
        out.append((m.group(1), " ".join(m.group(2).split())))
    return out


def with_time_range(select, frm, to):
    rng = f"time >= '{frm}' AND time < '{to}'"
    head, group = re.split(r"\bGROUP BY\b", select, maxsplit=1)
    if re.search(r"\bWHERE\b", head):
        head = re.sub(r"\bWHERE\b", f"WHERE {rng} AND", head, count=1)
    else:
        head = head.rstrip() + f" WHERE {rng} "
    return f"{head.rstrip()} GROUP BY{group}"


def run_rollups(url, db, frm, to, path):
    cqs = continuous_queries(path)
    check(len(cqs) >= 3, f"{len(cqs)} continuous queries in {path}")
    shown = json.dumps(influx(url, db, "SHOW CONTINUOUS QUERIES"))
    for name, select in cqs:
        check(f'"{name}"' in shown, f"{name} is created")
        q = with_time_range(select, frm, to)
        try:
            influx(url, db, q, post=True)
            print(f"ok: {name}: backfilled")
        except RuntimeError as e:
            check(False, f"{name}: {q}: {e}")

    lo, hi = ns(frm), ns(to)
    a = [r for r in rows(influx(url, db, 'SELECT * FROM "autogen"."analytics"')) if lo <= r["time"] < hi]
    check(len(a) > 0, f"{len(a)} raw analytics points in [{frm}, {to})")
    six = 6 * 3600 * 10**9

    def agg(measurement):
        return rows(influx(url, db, f'SELECT * FROM "agg"."{measurement}" WHERE time >= \'{frm}\' AND time < \'{to}\''))

    stats = agg("default_agg_stats")
    check(all(r["time"] % six == 0 for r in stats) and stats, "default_agg_stats points sit on 6-hour boundaries")
    check(sum(r["request_count"] for r in stats) == len(a), f"default_agg_stats: request_count sums to {len(a)}")
    for f in ("prompt_tokens", "completion_tokens", "number_request_messages"):
        check(sum(r[f] for r in stats) == sum(p[f] for p in a), f"default_agg_stats: {f} sums equal the raw sums")
    for f in ("price", "deployment_price"):
        check(close(sum(r[f] for r in stats), sum(p[f] for p in a)), f"default_agg_stats: {f} sums equal the raw sums")
    raw_groups = defaultdict(lambda: [0, 0.0, 0])
    for p in a:
        g = raw_groups[(p["time"] // six * six, p.get("project_id") or "", p["deployment"], p["model"])]
        g[0] += 1
        g[1] += p["price"]
        g[2] += p["prompt_tokens"] + p["completion_tokens"]
    got_groups = defaultdict(lambda: [0, 0.0, 0])
    for r in stats:
        g = got_groups[(r["time"], r.get("project_id") or "", r["deployment"], r["model"])]
        g[0] += r["request_count"]
        g[1] += r["price"]
        g[2] += r["prompt_tokens"] + r["completion_tokens"]
    check(raw_groups.keys() == got_groups.keys() and all(
        raw_groups[k][0] == got_groups[k][0] and raw_groups[k][2] == got_groups[k][2]
        and close(raw_groups[k][1], got_groups[k][1]) for k in raw_groups),
        f"default_agg_stats: requests, money and tokens per window × project × deployment × model ({len(raw_groups)} groups)")
    topics = agg("default_agg_topic_2")
    raw_topics = Counter((p.get("title") or "", p.get("topic") or "", p["model"]) for p in a)
    got_topics = Counter()
    for r in topics:
        got_topics[(r.get("title") or "", r.get("topic") or "", r["model"])] += r["topic_count"]
    check(got_topics == raw_topics, f"default_agg_topic_2: topic_count by title, topic and model ({len(raw_topics)} groups)")
    check(sum(r["price"] for r in topics) and close(sum(r["price"] for r in topics), sum(p["price"] for p in a)),
          "default_agg_topic_2: price sums equal the raw sum")

    def token_class(n):
        return 1 if n >= 50000 else 2 if n > 10000 else 3 if n > 5000 else 4 if n > 1000 else 5 if n > 100 else 6
    want = Counter()
    for p in a:
        who = "project" if p["user_hash"] == "undefined" else "user"
        want[(p["time"] // six * six, f"class_{token_class(p['prompt_tokens'])}_{who}")] += 1
    got = Counter()
    for r in agg("default_agg_token_class"):
        for k, v in r.items():
            if k.startswith("class_") and v is not None:
                got[(r["time"], k)] += v
    check(got == want, f"default_agg_token_class: the fields of 12 CQs merge into one point per window ({dict(want)})")


def main():
    cmd, url, db, frm, to, *paths = sys.argv[1:]
    if cmd == "dashboards":
        run_dashboards(url, db, frm, to, paths)
    elif cmd == "rollups":
        run_rollups(url, db, frm, to, paths[0])
    else:
        sys.exit(f"unknown command {cmd}")
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)


if __name__ == "__main__":
    main()
