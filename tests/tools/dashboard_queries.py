#!/usr/bin/env python3
"""Runs the InfluxQL of the example Grafana dashboards and 1.x rollups against a real InfluxDB.

  dashboard_queries.py dashboards URL DB FROM TO DASHBOARD.json...
      Every raw InfluxQL target and every query variable of the dashboards, with Grafana's
      macros substituted ($timeFilter, $__interval, $project = All), must run without an error
      and return data; a few panels are compared with values computed here from the raw points.
      The long-range dashboard (uid dial-analytics-rollups-influxql) must read only retention
      policy "agg"; run it over whole months rolled up by `dial-analytics rollup`.
  dashboard_queries.py rollups URL DB FROM TO ROLLUPS.iql
      Runs each continuous query's SELECT ... INTO over [FROM, TO) and compares the rolled-up
      counts and sums with the raw points.
  dashboard_queries.py sums URL DB FROM TO
      Only compares agg.default_agg_stats and agg.default_agg_topic_2 over [FROM, TO) with the raw
      points (after `dial-analytics rollup` wrote over the continuous queries' points).

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


def token_class(n):
    """The reference's prompt-token classes: 1 is >= 50000 tokens, 6 is <= 100."""
    return 1 if n >= 50000 else 2 if n > 10000 else 3 if n > 5000 else 4 if n > 1000 else 5 if n > 100 else 6


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
    if d1 in dashboards:
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

    d3 = "dial-analytics-rollups-influxql"
    if d3 in dashboards:
        check_rollup_dashboard(url, db, frm, to, interval, dashboards[d3], answers, a)


def check_rollup_dashboard(url, db, frm, to, interval, dashboard, answers, a):
    """The long-range dashboard reads only the rollups in retention policy "agg" (written by
    `dial-analytics rollup`); its panels must equal values computed here from the raw points `a`,
    which cover the same range: whole calendar months, so that default_agg_month and
    default_agg_user_deciles hold exactly the months of `a`."""
    uid = dashboard["uid"]

    def got(title, ref="A"):
        return rows(answers.get((uid, title, ref), []))

    def one(title, column, ref="A"):
        r = got(title, ref)
        return r[0].get(column) if len(r) == 1 else None

    # Every FROM names a measurement of retention policy "agg" (or opens a subquery).
    queries = dashboard_queries(dashboard) + [(f"${v['name']}", "", v["query"], "")
                                              for v in dashboard["templating"]["list"] if v["type"] == "query"]
    refs = [t for t in queries
            if not all(re.match(r'\(|"agg"\."default_agg_\w+"', f) for f in re.findall(r"\bFROM\s+(\S+)", t[2]))]
    check(not refs, f"Every query of {uid} reads a rollup measurement in retention policy \"agg\""
                    + (f" ({len(refs)} do not: {', '.join(t for t, _, _, _ in refs)})." if refs else "."))

    day = 24 * 3600 * 10**9
    users = defaultdict(lambda: {"cost": 0.0, "requests": 0, "prompt": 0, "completion": 0})
    for p in a:
        if p["user_hash"] != "undefined":
            u = users[p["user_hash"]]
            u["cost"] += p["price"]
            u["requests"] += 1
            u["prompt"] += p["prompt_tokens"]
            u["completion"] += p["completion_tokens"]
    money = sum(p["price"] for p in a)
    check(one("Unique users", "Unique users") == len(users) > 0,
          f"Unique users equals the {len(users)} distinct user hashes other than \"undefined\" in the raw points.")
    check(one("Requests", "Requests") == len(a), f"Requests equals the {len(a)} raw points.")
    check(close(one("Money", "Money"), money), f"Money equals the raw sum of price ({money:.6f}).")
    tokens = sum(p["prompt_tokens"] + p["completion_tokens"] for p in a)
    check(one("Tokens", "Tokens") == tokens, f"Tokens equals the raw sum of prompt and completion tokens ({tokens}).")
    projects = {p.get("project_id") for p in a} - {None, "", "undefined"}
    check(one("Active projects", "Active projects") == len(projects),
          f"Active projects equals the {len(projects)} distinct project ids of the raw points.")

    # The $project variable narrows a panel as Grafana would interpolate one selected value.
    project = min(projects)
    q = next(q for t, _, q, _ in dashboard_queries(dashboard) if t == "Money")
    r = rows(influx(url, db, substitute(q, frm, to, interval, {"project": grafana_regex([project])})))
    want = sum(p["price"] for p in a if p.get("project_id") == project)
    check(len(r) == 1 and close(r[0].get("Money"), want) and not close(want, money),
          f"Money with $project = {project} equals that project's raw sum of price.")

    per_day = Counter(p["time"] // day * day for p in a)
    cost_per_day = defaultdict(float)
    for p in a:
        cost_per_day[p["time"] // day * day] += p["price"]
    got_requests = {r["time"]: r.get("Requests") for r in got("Requests and cost per day", "A")}
    got_cost = {r["time"]: r.get("Cost") for r in got("Requests and cost per day", "B")}
    check(got_requests == dict(per_day),
          f"Requests per day equal the raw counts per UTC day ({len(a)} requests on {len(per_day)} day(s)).")
    check(got_cost.keys() == cost_per_day.keys() and all(close(got_cost[k], v) for k, v in cost_per_day.items()),
          "Cost per day equals the raw sum of price per UTC day.")
    by_model = defaultdict(float)
    for p in a:
        by_model[(p["time"] // day * day, p["model"])] += p["price"]
    got_by_model = {(r["time"], r.get("model")): r.get("sum") for r in got("Cost per day by model") if r.get("sum") is not None}
    check(got_by_model.keys() == by_model.keys() and all(close(got_by_model[k], v) for k, v in by_model.items()),
          f"Cost per day by model equals the raw sums per day and model ({len(by_model)} series points).")

    stats = defaultdict(lambda: [0, 0, 0, 0.0])
    for p in a:
        s = stats[(p.get("project_id") or "", p["deployment"], p["model"])]
        s[0] += 1
        s[1] += p["prompt_tokens"]
        s[2] += p["completion_tokens"]
        s[3] += p["price"]
    table = got("Stats by project, deployment and model")
    ok = len(table) == len(stats) > 1
    for r in table:
        s = stats.get((r.get("project_id") or "", r.get("deployment"), r.get("model")))
        ok = ok and s is not None and [r.get("Requests"), r.get("Prompt tokens"), r.get("Completion tokens")] == s[:3] \
            and close(r.get("Money"), s[3])
    check(ok, f"The stats table has the raw requests, tokens and money of each of the {len(stats)} "
              "project, deployment and model triples.")

    # The forecast: cost × 365 / 60, split into API keys (user_hash "undefined") and users.
    api = sum(p["price"] for p in a if p["user_hash"] == "undefined")
    chat = sum(p["price"] for p in a if p["user_hash"] != "undefined")
    title = "Total cost forecast (next 365 days)"
    panel = next(p for p in panels_of(dashboard) if p["title"] == title)
    check(panel.get("timeFrom") == "60d", f"{title} shows the last 60 days through the panel's time override.")
    check(close(one(title, "Total", "A"), money * 365 / 60), f"{title}: Total equals the raw cost × 365 / 60.")
    check(api > 0 and close(one(title, "Project API", "B"), api * 365 / 60),
          f"{title}: Project API equals the raw cost of user_hash \"undefined\" × 365 / 60.")
    check(chat > 0 and close(one(title, "Chat", "C"), chat * 365 / 60),
          f"{title}: Chat equals the raw cost of the other user hashes × 365 / 60.")

    # The month row (the range is whole months; here the test data's single month).
    months = got("Monthly stats")
    apis = defaultdict(float)
    for p in a:
        if p.get("project_id") not in (None, "", "undefined"):
            apis[p["project_id"]] += p["price"]
    user_cost = sum(u["cost"] for u in users.values())
    check(len(months) == 1, f"Monthly stats has one row for the one month of test data ({len(months)} found).")
    if len(months) == 1:
        m = months[0]
        check(close(m.get("User cost"), user_cost), f"Monthly stats: total_user_cost equals the raw cost of the users ({user_cost:.6f}).")
        check(m.get("Users") == len(users), f"Monthly stats: unique_users equals the {len(users)} raw users.")
        check(m.get("Active APIs") == len(apis), f"Monthly stats: active_apis equals the {len(apis)} raw projects.")
        check(close(m.get("Total cost"), money) and m.get("Requests") == len(a),
              "Monthly stats: total_cost and request_count equal the raw sums.")
        check(close(m.get("Avg cost per user"), user_cost / len(users)),
              "Monthly stats: avg_cost_per_user equals the users' cost divided by their number.")
        check(close(m.get("API cost"), sum(apis.values())) and close(m.get("Avg cost per API"), sum(apis.values()) / len(apis)),
              "Monthly stats: total_cost_per_api and avg_cost_per_api equal the per-project raw sums.")

    # Deciles of users: ranks [ceil((k-1)n/10), ceil(kn/10)) of the users sorted by cost (or by requests).
    n = len(users)
    total_requests = sum(u["requests"] for u in users.values())
    by_cost = sorted((u["cost"] for u in users.values()), reverse=True)
    by_requests = sorted((u["requests"] for u in users.values()), reverse=True)
    bounds = {f"d{k:02d}": (math.ceil((k - 1) * n / 10), math.ceil(k * n / 10)) for k in range(1, 11)}
    want_cost = {d: sum(by_cost[i:j]) / user_cost for d, (i, j) in bounds.items()}
    want_requests = {d: sum(by_requests[i:j]) / total_requests for d, (i, j) in bounds.items()}
    cost_share = {r.get("decile"): r.get("Cost share") for r in got("Cost share by user decile")}
    request_share = {r.get("decile"): r.get("Request share") for r in got("Request share by user decile")}
    check(close(sum(v or 0 for v in cost_share.values()), 1.0) and close(sum(v or 0 for v in request_share.values()), 1.0),
          "The cost shares and the request shares of the ten deciles each add up to 1.")
    check(set(cost_share) <= set(bounds) and all(close(cost_share.get(d, 0.0), v) for d, v in want_cost.items()),
          f"The cost share of each decile equals the raw computation over {n} users (d01: {want_cost['d01']:.6f}).")
    check(set(request_share) <= set(bounds) and all(close(request_share.get(d, 0.0), v) for d, v in want_requests.items()),
          f"The request share of each decile equals the raw computation (d01: {want_requests['d01']:.6f}).")
    d01 = rows(influx(url, db, f'SELECT "cost", "user_count" FROM "agg"."default_agg_user_deciles" WHERE "decile" = \'d01\' '
                               f'AND time >= {ns(frm)} AND time <= {ns(to)}'))
    i, j = bounds["d01"]
    check(len(d01) == 1 and close(d01[0].get("cost"), sum(by_cost[i:j])) and d01[0].get("user_count") == j - i,
          f"Decile d01 holds the {j - i} costliest user(s) and their raw cost ({sum(by_cost[i:j]):.6f}).")
    top = math.ceil(n / 100)
    check(close(one("Top 1% of users", "Cost share"), sum(by_cost[:top]) / user_cost)
          and close(one("Top 1% of users", "Request share"), sum(by_requests[:top]) / total_requests),
          f"The top 1% of users ({top}) has the raw cost share and request share.")

    # Top users: the 20 highest per-user cost sums, in that order.
    want_top = sorted(users.items(), key=lambda kv: -kv[1]["cost"])[:20]
    got_top = got("Top users by cost")
    check(len(got_top) == len(want_top) and all(
        r.get("user_hash") == h and close(r.get("Cost"), u["cost"]) and r.get("Requests") == u["requests"]
        and r.get("Prompt tokens") == u["prompt"] for r, (h, u) in zip(got_top, want_top)),
        f"Top users by cost lists the raw per-user costs, highest first ({', '.join(h for h, _ in want_top[:3])}, …).")

    # Requests per conversation: requests per chat_id other than "undefined".
    chats = Counter(p["chat_id"] for p in a if p.get("chat_id") not in (None, "", "undefined"))
    counts = sorted(chats.values()) or [0]
    mid = len(counts) // 2
    mean, median = sum(counts) / len(counts), counts[mid] if len(counts) % 2 else (counts[mid - 1] + counts[mid]) / 2
    title = "Requests per conversation"
    check(len(chats) > 1 and one(title, "Conversations") == len(chats) and close(one(title, "Mean"), mean)
          and one(title, "Max") == max(counts) and one(title, "Median") == median,
          f"Requests per conversation: {len(chats)} conversations, mean {mean:.4f}, median {median} and max "
          f"{max(counts)} as in the raw points.")
    hist = sorted(r.get("Requests per conversation") or 0 for r in got("Requests per conversation (distribution)"))
    check(hist == counts, "The distribution of requests per conversation has one value per raw conversation.")

    topics = Counter(p.get("topic") or "" for p in a)
    got_topics = {r.get("topic") or "": r.get("sum") for r in got("Popular topics")}
    check(got_topics == dict(topics), f"Popular topics equals the raw request count per topic ({dict(topics)}).")
    names = {f"class_{k}": name for k, name in
             enumerate([">= 50k", "10k–50k", "5k–10k", "1k–5k", "100–1k", "<= 100"], start=1)}
    want_classes = Counter()
    for p in a:
        want_classes[("project" if p["user_hash"] == "undefined" else "user", token_class(p["prompt_tokens"]))] += 1
    got_classes = Counter()
    for r in got("Prompt-token classes by user type"):
        for k in range(1, 7):
            if r.get(names[f"class_{k}"]):
                got_classes[(r.get("user_type"), k)] += r[names[f"class_{k}"]]
    check(got_classes == want_classes,
          f"The prompt-token classes by user type equal the raw counts ({len(want_classes)} classes × user types).")


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


def agg(url, db, frm, to, measurement):
    return rows(influx(url, db, f'SELECT * FROM "agg"."{measurement}" WHERE time >= \'{frm}\' AND time < \'{to}\''))


def check_stats_and_topics(url, db, frm, to):
    """default_agg_stats and default_agg_topic_2 over [FROM, TO) against the raw points, window by window.

    Both the continuous queries and `dial-analytics rollup` write these two measurements; a point written
    twice under a different series would show up here as a double count. Returns the raw points."""
    lo, hi = ns(frm), ns(to)
    a = [r for r in rows(influx(url, db, 'SELECT * FROM "autogen"."analytics"')) if lo <= r["time"] < hi]
    check(len(a) > 0, f"{len(a)} raw analytics points in [{frm}, {to})")
    six = 6 * 3600 * 10**9
    stats = agg(url, db, frm, to, "default_agg_stats")
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
    topics = agg(url, db, frm, to, "default_agg_topic_2")
    raw_topics = Counter((p.get("title") or "", p.get("topic") or "", p["model"]) for p in a)
    got_topics = Counter()
    for r in topics:
        got_topics[(r.get("title") or "", r.get("topic") or "", r["model"])] += r["topic_count"]
    check(got_topics == raw_topics, f"default_agg_topic_2: topic_count by title, topic and model ({len(raw_topics)} groups)")
    check(sum(r["price"] for r in topics) and close(sum(r["price"] for r in topics), sum(p["price"] for p in a)),
          "default_agg_topic_2: price sums equal the raw sum")
    return a


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

    a = check_stats_and_topics(url, db, frm, to)
    six = 6 * 3600 * 10**9

    want = Counter()
    for p in a:
        who = "project" if p["user_hash"] == "undefined" else "user"
        want[(p["time"] // six * six, f"class_{token_class(p['prompt_tokens'])}_{who}")] += 1
    got = Counter()
    for r in agg(url, db, frm, to, "default_agg_token_class"):
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
    elif cmd == "sums":
        check_stats_and_topics(url, db, frm, to)
    else:
        sys.exit(f"unknown command {cmd}")
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)


if __name__ == "__main__":
    main()
