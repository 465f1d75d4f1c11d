#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""An in-memory Elasticsearch test double (Python standard library only).

It speaks the part of the Elasticsearch REST API that the flywheel output and its readers use:
the info/ping product check, index lifecycle with real strict/false/dynamic mapping semantics,
keyword/text/date/numeric fields, single writes, _bulk, _search with bool/match/term/range
queries, sorting, from/size, scroll, point in time + search_after, _count, _refresh, _flush and
cluster health. Faults (per-item and per-request bulk failures, health status, failing pings,
dropped connections, a lasting write outage) are injected through control endpoints under
/_double/, which never need authentication. See README.md next to this file.

Usage:
    fake_es.py --port-file FILE [--host 127.0.0.1] [--port 0] [--basic USER:PASS]
               [--api-key KEY] [--bearer TOKEN] [--refresh auto|manual] [--version 8.17.0]
"""
from __future__ import annotations

import argparse
import base64
import binascii
import copy
import datetime
import fnmatch
import functools
import gzip
import json
import os
import re
import secrets
import socket
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

MAX_RESULT_WINDOW = 10000
DEFAULT_TRACK_TOTAL_HITS = 10000
HEALTH_WAIT_CAP_SECONDS = 2.0
LONG_MAX = 9223372036854775807
LONG_MIN = -9223372036854775808
HEALTH_RANK = {"red": 0, "yellow": 1, "green": 2}

# Mapping types the double accepts; only some of them are indexed (see _index_leaf).
KNOWN_TYPES = {
    "object", "nested", "flattened", "keyword", "constant_keyword", "wildcard", "text",
    "match_only_text", "date", "date_nanos", "long", "integer", "short", "byte", "unsigned_long",
    "double", "float", "half_float", "scaled_float", "boolean", "ip", "binary", "dense_vector",
    "sparse_vector", "geo_point", "geo_shape", "alias", "version", "search_as_you_type",
    "completion", "token_count", "rank_feature", "rank_features", "histogram",
}
INTEGER_TYPES = {"long", "integer", "short", "byte", "unsigned_long"}
FLOAT_TYPES = {"double", "float", "half_float", "scaled_float"}
KEYWORD_TYPES = {"keyword", "constant_keyword", "wildcard", "version"}
TEXT_TYPES = {"text", "match_only_text", "search_as_you_type"}
OBJECT_TYPES = {"object", "nested"}

SEARCH_BODY_KEYS = {
    "query", "sort", "size", "from", "search_after", "pit", "track_total_hits", "_source",
    "timeout", "track_scores", "version", "seq_no_primary_term", "stored_fields", "explain",
    "min_score", "terminate_after", "profile", "docvalue_fields", "fields", "slice",
}
BULK_META_KEYS = {
    "_index", "_id", "routing", "if_seq_no", "if_primary_term", "version", "version_type",
    "pipeline", "require_alias", "require_data_stream", "dynamic_templates",
    "retry_on_conflict", "_source", "list_executed_pipelines", "_type",
}
FAULT_KEYS = {
    "bulk_item_statuses", "bulk_request_statuses", "health_status", "failing_pings",
    "drop_connections", "write_status",
}
REQUEST_KINDS = (
    "info", "ping", "health", "index_exists", "index_create", "index_delete", "index_get",
    "mapping", "settings", "bulk", "bulk_items", "doc_index", "doc_create", "doc_get",
    "doc_delete", "doc_update", "search", "scroll", "clear_scroll", "pit_open", "pit_close",
    "count", "refresh", "flush", "unauthorized", "dropped", "other",
)


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class EsError(Exception):
    """An Elasticsearch error: becomes {"error": {...}, "status": N}."""

    def __init__(self, status, etype, reason, root_cause=None, headers=None, **extra):
        super().__init__(reason)
        self.status = status
        self.etype = etype
        self.reason = reason
        self.extra = extra
        self.root = root_cause
        self.headers = headers or {}

    def cause(self):
        """The error object (type, reason and extra fields)."""
        return {"type": self.etype, "reason": self.reason, **self.extra}

    def body(self):
        """The full error envelope."""
        err = self.cause()
        return {"error": {"root_cause": [self.root or err], **err}, "status": self.status}


class RawReply(Exception):
    """A reply whose body is not the usual error envelope (for example 406 or no handler)."""

    def __init__(self, status, body):
        super().__init__(str(body))
        self.status = status
        self.body = body


def bad_request(reason, etype="illegal_argument_exception"):
    return EsError(400, etype, reason)


def index_not_found(name):
    return EsError(404, "index_not_found_exception", f"no such index [{name}]",
                   **{"resource.type": "index_or_alias", "resource.id": name,
                      "index_uuid": "_na_", "index": name})


def search_phase_error(status, cause, index=None):
    """A search failure on all shards, wrapping `cause` (an EsError)."""
    shard_failure = {"shard": 0, "index": index, "node": "fake-es-node", "reason": cause.cause()}
    return EsError(status, "search_phase_execution_exception", "all shards failed",
                   root_cause=cause.cause(), phase="query", grouped=True,
                   failed_shards=[shard_failure], caused_by=cause.cause())


def whole_request_fault(status):
    """The error answered to a whole request failed by an injected fault."""
    if status == 429:
        return EsError(429, "es_rejected_execution_exception",
                       "rejected execution of coordinating operation [coordinating_and_primary_"
                       "bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=1024,"
                       " max_coordinating_and_primary_bytes=107374182]")
    if status == 413:
        return EsError(413, "http_content_too_long_exception",
                       "request content exceeds [http.max_content_length] of [100mb]")
    if status == 503:
        return EsError(503, "cluster_block_exception",
                       "blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];")
    if status == 408:
        return EsError(408, "timeout_exception", "injected timeout")
    if status == 401:
        return EsError(401, "security_exception", "injected authentication failure")
    return EsError(status, "status_exception", f"injected failure with status [{status}]")


# --------------------------------------------------------------------------------------------
# Values: dates, time units, booleans
# --------------------------------------------------------------------------------------------

_DATE_RE = re.compile(
    r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$")
_EPOCH_MILLIS_RE = re.compile(r"^-?\d+(?:\.\d+)?$")
_TIME_RE = re.compile(r"^(-?\d+)(nanos|micros|ms|s|m|h|d)$")
_TIME_FACTORS = {"nanos": 1e-9, "micros": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600,
                 "d": 86400}


def parse_date_millis(value):
    """Epoch millis for a `date` value (strict_date_optional_time||epoch_millis) or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if not isinstance(value, str):
        return None
    m = _DATE_RE.match(value)
    if m:
        year, month, day, hour, minute, sec, frac, zone = m.groups()
        try:
            tz = datetime.timezone.utc
            if zone and zone != "Z":
                sign = -1 if zone[0] == "-" else 1
                digits = zone[1:].replace(":", "")
                offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
                tz = datetime.timezone(sign * offset)
            micros = int((frac or "0").ljust(9, "0")[:6])
            dt = datetime.datetime(int(year), int(month or 1), int(day or 1), int(hour or 0),
                                   int(minute or 0), int(sec or 0), micros, tzinfo=tz)
        except ValueError:
            return None
        epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
        delta = dt - epoch
        return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000
    if _EPOCH_MILLIS_RE.match(value):
        return int(float(value))
    return None


def parse_time_seconds(text, name):
    """Seconds for an Elasticsearch time value such as `2m`, `30s`, `500ms`."""
    m = _TIME_RE.match(str(text).strip())
    if not m:
        raise bad_request(f"failed to parse setting [{name}] with value [{text}] as a time value:"
                          " unit is missing or unrecognized")
    return int(m.group(1)) * _TIME_FACTORS[m.group(2)]


def parse_bool(value, name="value"):
    """An Elasticsearch boolean parameter (`""` counts as true, as in `?refresh`)."""
    if isinstance(value, bool):
        return value
    if value in ("true", ""):
        return True
    if value == "false":
        return False
    raise bad_request(f"Failed to parse value [{value}] as only [true] or [false] are allowed.")


def parse_int(value, name):
    try:
        if isinstance(value, bool):
            raise ValueError
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"Failed to parse int parameter [{name}] with value [{value}]") from None


def tokens(text):
    """The standard analyzer, roughly: lower-cased word tokens."""
    return re.findall(r"\w+", str(text).lower())


def new_id(nbytes=15):
    return secrets.token_urlsafe(nbytes)


# --------------------------------------------------------------------------------------------
# Settings and mappings
# --------------------------------------------------------------------------------------------


def flatten_settings(settings, prefix=""):
    """Flattens nested and dotted settings into {"index.x.y": "value"} (values as strings)."""
    flat = {}
    if not isinstance(settings, dict):
        raise bad_request("settings must be an object", "settings_exception")
    for key, value in settings.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten_settings(value, full + "."))
        else:
            if not full.startswith("index."):
                full = "index." + full
            if isinstance(value, bool):
                flat[full] = "true" if value else "false"
            elif isinstance(value, list):
                flat[full] = [str(v) for v in value]
            else:
                flat[full] = str(value)
    return flat


def nest_settings(flat):
    """The nested form Elasticsearch returns from GET /<index>/_settings."""
    out = {}
    for key, value in sorted(flat.items()):
        node = out
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node[parts[-1]] = value
    return out


def validate_mapping(mapping, path=""):
    """Checks field types and `dynamic` values of a mapping object (raises EsError)."""
    if not isinstance(mapping, dict):
        raise EsError(400, "mapper_parsing_exception", f"Expected map for property [{path}]")
    dyn = mapping.get("dynamic")
    if dyn is not None and str(dyn).lower() not in ("true", "false", "strict", "runtime"):
        raise EsError(400, "mapper_parsing_exception",
                      f"Could not convert [{path or '_doc'}.dynamic] to boolean")
    props = mapping.get("properties", {})
    if not isinstance(props, dict):
        raise EsError(400, "mapper_parsing_exception", "[properties] must be an object")
    for name, field in props.items():
        full = f"{path}.{name}" if path else name
        if not isinstance(field, dict):
            raise EsError(400, "mapper_parsing_exception",
                          f"Expected map for property [fields] on field [{full}] but got a "
                          f"class {type(field).__name__}")
        ftype = field.get("type", "object" if "properties" in field or "type" not in field
                          else None)
        if ftype not in KNOWN_TYPES:
            raise EsError(400, "mapper_parsing_exception",
                          f"No handler for type [{ftype}] declared on field [{name}]")
        if ftype in OBJECT_TYPES:
            validate_mapping(field, full)
        for sub, sub_field in (field.get("fields") or {}).items():
            if not isinstance(sub_field, dict) or sub_field.get("type") not in KNOWN_TYPES:
                raise EsError(400, "mapper_parsing_exception",
                              f"No handler for type [{(sub_field or {}).get('type')}] declared "
                              f"on field [{sub}]")


def dynamic_of(mapping, inherited):
    dyn = mapping.get("dynamic")
    if dyn is None:
        return inherited
    return str(dyn).lower()


def count_fields(mapping):
    total = 0
    for field in mapping.get("properties", {}).values():
        total += 1 + len(field.get("fields") or {})
        if "properties" in field:
            total += count_fields(field)
    return total


def infer_mapping(value):
    """The mapping dynamic mapping gives a new field, or None for a null value."""
    if value is None:
        return None
    if isinstance(value, list):
        for item in value:
            inferred = infer_mapping(item)
            if inferred is not None:
                return inferred
        return None
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "long"}
    if isinstance(value, float):
        return {"type": "float"}
    if isinstance(value, dict):
        return {"properties": {}}
    if isinstance(value, str) and _DATE_RE.match(value) and "-" in value \
            and parse_date_millis(value) is not None:
        return {"type": "date"}
    return {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}}


class DocumentParser:
    """Applies a mapping to a document: the values to index, or a mapping error.

    Works on a deep copy of the mapping so that dynamic updates are only kept when the whole
    document parses.
    """

    def __init__(self, mappings, settings, doc_id):
        self.mappings = copy.deepcopy(mappings)
        self.ignore_malformed = settings.get("index.mapping.ignore_malformed") == "true"
        self.field_limit = int(settings.get("index.mapping.total_fields.limit", "1000"))
        self.doc_id = doc_id
        self.fields = {}
        self.changed = False

    def parse(self, source):
        if not isinstance(source, dict):
            raise EsError(400, "mapper_parsing_exception", "failed to parse",
                          caused_by={"type": "not_x_content_exception",
                                     "reason": "Compressor detection can only be called on some "
                                               "xcontent bytes or compressed xcontent bytes"})
        self._object(source, self.mappings, "", dynamic_of(self.mappings, "true"))
        if self.changed and count_fields(self.mappings) > self.field_limit:
            raise bad_request(f"Limit of total fields [{self.field_limit}] has been exceeded")
        return self.fields

    def _object(self, obj, mapping, path, dynamic):
        props = mapping.setdefault("properties", {})
        within = path or "_doc"
        for key, value in obj.items():
            full = f"{path}.{key}" if path else key
            field = props.get(key)
            if field is None:
                if dynamic == "strict":
                    raise EsError(400, "strict_dynamic_mapping_exception",
                                  f"mapping set to strict, dynamic introduction of [{key}] "
                                  f"within [{within}] is not allowed")
                if dynamic in ("false", "runtime"):
                    continue  # kept in _source only
                field = infer_mapping(value)
                if field is None:
                    continue
                props[key] = field
                self.changed = True
            self._value(value, field, full, key, dynamic)

    def _value(self, value, field, full, key, dynamic):
        ftype = field.get("type", "object")
        if value is None:
            return
        if isinstance(value, list):
            for item in value:
                self._value(item, field, full, key, dynamic)
            return
        if ftype in OBJECT_TYPES:
            if not isinstance(value, dict):
                raise EsError(400, "mapper_parsing_exception",
                              f"object mapping for [{full}] tried to parse field [{key}] as "
                              f"object, but found a concrete value")
            self._object(value, field, full, dynamic_of(field, dynamic))
            return
        if ftype == "flattened":
            return  # kept in _source; not searchable in the double
        if isinstance(value, dict):
            raise EsError(400, "mapper_parsing_exception",
                          f"failed to parse field [{full}] of type [{ftype}] in document with id "
                          f"'{self.doc_id}'. Preview of field's value: '{json.dumps(value)}'")
        self._leaf(value, field, ftype, full)
        for sub, sub_field in (field.get("fields") or {}).items():
            self._leaf(value, sub_field, sub_field.get("type"), f"{full}.{sub}")

    def _leaf(self, value, field, ftype, full):
        indexed = None
        if ftype in KEYWORD_TYPES:
            if isinstance(value, bool):
                indexed = "true" if value else "false"
            else:
                indexed = value if isinstance(value, str) else json.dumps(value)
            above = field.get("ignore_above")
            if above is not None and len(indexed) > int(above):
                return
        elif ftype in TEXT_TYPES:
            indexed = tokens(value)
        elif ftype == "date":
            indexed = parse_date_millis(value)
            if indexed is None:
                fmt = field.get("format", "strict_date_optional_time||epoch_millis")
                self._malformed(value, field, ftype, full,
                                f"failed to parse date field [{value}] with format [{fmt}]")
                return
        elif ftype in INTEGER_TYPES or ftype in FLOAT_TYPES:
            try:
                if isinstance(value, bool):
                    raise ValueError
                number = float(value)
                if number != number or number in (float("inf"), float("-inf")):
                    raise ValueError
                indexed = int(number) if ftype in INTEGER_TYPES else number
            except (TypeError, ValueError):
                self._malformed(value, field, ftype, full, f"For input string: \"{value}\"")
                return
        elif ftype == "boolean":
            if value in (True, "true"):
                indexed = True
            elif value in (False, "false", ""):
                indexed = False
            else:
                self._malformed(value, field, ftype, full,
                                f"Failed to parse value [{value}] as only [true] or [false] are "
                                f"allowed.")
                return
        else:
            return  # accepted, stored in _source, not indexed by the double
        self.fields.setdefault(full, []).append(indexed)

    def _malformed(self, value, field, ftype, full, detail):
        ignore = field.get("ignore_malformed")
        if ignore is None:
            ignore = self.ignore_malformed
        if str(ignore).lower() == "true":
            return
        preview = value if isinstance(value, str) else json.dumps(value)
        raise EsError(400, "mapper_parsing_exception",
                      f"failed to parse field [{full}] of type [{ftype}] in document with id "
                      f"'{self.doc_id}'. Preview of field's value: '{preview}'",
                      caused_by={"type": "illegal_argument_exception", "reason": detail})


def field_type(mappings, path):
    """The mapped type of a dotted field path (multi-fields included) or None."""
    node = mappings
    parts = path.split(".")
    for i, part in enumerate(parts):
        props = node.get("properties") or {}
        if part in props:
            node = props[part]
            continue
        if i > 0 and part in (node.get("fields") or {}) and i == len(parts) - 1:
            return node["fields"][part].get("type")
        return None
    return node.get("type", "object")


# --------------------------------------------------------------------------------------------
# Stored state
# --------------------------------------------------------------------------------------------


class Doc:
    """One stored version of a document (replaced, never mutated, on each write)."""

    __slots__ = ("id", "source", "version", "seq_no", "order", "fields")

    def __init__(self, doc_id, source, version, seq_no, order, fields):
        self.id = doc_id
        self.source = source
        self.version = version
        self.seq_no = seq_no
        self.order = order
        self.fields = fields


class Index:
    def __init__(self, name, mappings, settings):
        self.name = name
        self.uuid = secrets.token_urlsafe(16)[:22]
        self.mappings = mappings
        self.settings = settings
        self.docs = {}  # id -> Doc, in insertion order (real time)
        self.searchable = {}  # id -> Doc, as of the last refresh (manual refresh mode)
        self.seq_no = -1
        self.order = 0

    def max_result_window(self):
        return int(self.settings.get("index.max_result_window", MAX_RESULT_WINDOW))


class State:
    """Everything the double holds; guarded by `lock`."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        self.indices = {}
        self.scrolls = {}
        self.pits = {}
        self.counters = {}
        self.faults = {
            "bulk_item_statuses": [], "bulk_request_statuses": [], "health_status": "green",
            "failing_pings": 0, "drop_connections": 0, "write_status": None,
        }

    def count(self, kind, n=1):
        self.counters[kind] = self.counters.get(kind, 0) + n

    def visible(self, index):
        return index.docs if self.args.refresh == "auto" else index.searchable

    def refresh(self, index):
        index.searchable = dict(index.docs)


# --------------------------------------------------------------------------------------------
# The API
# --------------------------------------------------------------------------------------------

_INVALID_INDEX_CHARS = set('\\/*?"<>| ,#:')


def check_index_name(name):
    if name != name.lower():
        raise EsError(400, "invalid_index_name_exception",
                      f"Invalid index name [{name}], must be lowercase", index_uuid="_na_",
                      index=name)
    if (not name or name in (".", "..") or name[0] in "_-+"
            or any(c in _INVALID_INDEX_CHARS for c in name)):
        raise EsError(400, "invalid_index_name_exception",
                      f"Invalid index name [{name}], must not contain the following characters "
                      f"[ , \", *, \\, <, |, ,, >, /, ?] or start with [_, -, +]",
                      index_uuid="_na_", index=name)


class Api:
    """The Elasticsearch endpoints. Each handler returns (status, body)."""

    def __init__(self, state):
        self.s = state
        self.major = int(state.args.version.split(".")[0])

    # -- helpers ----------------------------------------------------------------------------

    def _shards(self, n=1):
        return {"total": n, "successful": n, "skipped": 0, "failed": 0}

    def _write_shards(self):
        return {"total": 2, "successful": 1, "failed": 0}

    def _type_field(self):
        return {"_type": "_doc"} if self.major < 8 else {}

    def _get_index(self, name):
        index = self.s.indices.get(name)
        if index is None:
            raise index_not_found(name)
        return index

    def _resolve(self, expr):
        """Index names for a comma-separated expression with wildcards; missing → 404."""
        if expr in (None, "", "_all", "*"):
            return sorted(self.s.indices)
        names = []
        for part in expr.split(","):
            if "*" in part or "?" in part:
                names.extend(n for n in sorted(self.s.indices) if fnmatch.fnmatchcase(n, part))
            elif part in self.s.indices:
                names.append(part)
            else:
                raise index_not_found(part)
        return list(dict.fromkeys(names))

    def _auto_create(self, name):
        index = self.s.indices.get(name)
        if index is None:
            check_index_name(name)
            index = Index(name, {}, self._default_settings({}))
            self.s.indices[name] = index
        return index

    def _default_settings(self, flat):
        settings = {"index.number_of_shards": "1", "index.number_of_replicas": "1"}
        settings.update(flat)
        return settings

    def _refresh_param(self, params, names):
        value = params.get("refresh")
        if value is None:
            return
        if value not in ("true", "", "wait_for", "false"):
            raise bad_request(f"Unknown value for refresh: [{value}].")
        if value != "false":
            for name in names:
                if name in self.s.indices:
                    self.s.refresh(self.s.indices[name])

    def _write_fault(self):
        status = self.s.faults["write_status"]
        if status:
            raise whole_request_fault(status)

    # -- info, health, refresh ------------------------------------------------------------------

    def info(self):
        number = self.s.args.version
        return 200, {
            "name": "fake-es-node", "cluster_name": "fake-es",
            "cluster_uuid": "fake-es-cluster-uuid-0000",
            "version": {
                "number": number, "build_flavor": "default", "build_type": "docker",
                "build_hash": "0" * 40, "build_date": "2024-01-01T00:00:00.000000000Z",
                "build_snapshot": False, "lucene_version": "9.12.0",
                "minimum_wire_compatibility_version": "7.17.0",
                "minimum_index_compatibility_version": "7.0.0",
            },
            "tagline": "You Know, for Search",
        }

    def ping(self):
        if self.s.faults["failing_pings"] > 0:
            self.s.faults["failing_pings"] -= 1
            return 503, None
        return 200, None

    def health_body(self, timed_out):
        status = self.s.faults["health_status"]
        shards = sum(int(i.settings.get("index.number_of_shards", "1"))
                     for i in self.s.indices.values())
        return {
            "cluster_name": "fake-es", "status": status, "timed_out": timed_out,
            "number_of_nodes": 1, "number_of_data_nodes": 1,
            "active_primary_shards": shards if status != "red" else 0,
            "active_shards": shards if status != "red" else 0,
            "relocating_shards": 0, "initializing_shards": 0,
            "unassigned_shards": shards if status != "green" else 0,
            "delayed_unassigned_shards": 0, "number_of_pending_tasks": 0,
            "number_of_in_flight_fetch": 0, "task_max_waiting_in_queue_millis": 0,
            "active_shards_percent_as_number": 100.0 if status != "red" else 0.0,
        }

    def health(self, params):
        """Cluster health; waits (outside the lock) for wait_for_status up to the timeout."""
        wanted = params.get("wait_for_status")
        if wanted is not None and wanted not in HEALTH_RANK:
            raise bad_request(f"unknown cluster health status [{wanted}]")
        timeout = parse_time_seconds(params.get("timeout", "30s"), "timeout")
        deadline = time.monotonic() + min(max(timeout, 0), HEALTH_WAIT_CAP_SECONDS)
        while True:
            with self.s.lock:
                current = self.s.faults["health_status"]
                if wanted is None or HEALTH_RANK[current] >= HEALTH_RANK[wanted]:
                    return 200, self.health_body(False)
                if time.monotonic() >= deadline:
                    return 408, self.health_body(True)
            time.sleep(0.05)

    def refresh(self, expr):
        names = self._resolve(expr)
        for name in names:
            self.s.refresh(self.s.indices[name])
        return 200, {"_shards": {"total": 2 * len(names), "successful": len(names),
                                 "failed": 0}}

    # -- index lifecycle ----------------------------------------------------------------------

    def create_index(self, name, body):
        check_index_name(name)
        if name in self.s.indices:
            index = self.s.indices[name]
            raise EsError(400, "resource_already_exists_exception",
                          f"index [{name}/{index.uuid}] already exists", index_uuid=index.uuid,
                          index=name)
        body = body or {}
        if not isinstance(body, dict):
            raise bad_request("request body must be an object", "parse_exception")
        unknown = set(body) - {"settings", "mappings", "aliases"}
        if unknown:
            key = sorted(unknown)[0]
            raise bad_request(f"unknown key [{key}] for create index", "parse_exception")
        mappings = copy.deepcopy(body.get("mappings") or {})
        if "_doc" in mappings and len(mappings) == 1 and isinstance(mappings["_doc"], dict):
            mappings = mappings["_doc"]
        validate_mapping(mappings)
        settings = self._default_settings(flatten_settings(body.get("settings") or {}))
        self.s.indices[name] = Index(name, mappings, settings)
        return 200, {"acknowledged": True, "shards_acknowledged": True, "index": name}

    def delete_index(self, expr):
        names = self._resolve(expr)
        for name in names:
            del self.s.indices[name]
        return 200, {"acknowledged": True}

    def get_index(self, expr):
        out = {}
        for name in self._resolve(expr):
            index = self.s.indices[name]
            out[name] = {"aliases": {}, "mappings": index.mappings,
                         "settings": self._settings_view(index)}
        return 200, out

    def _settings_view(self, index):
        flat = dict(index.settings)
        flat.setdefault("index.uuid", index.uuid)
        flat.setdefault("index.provided_name", index.name)
        return nest_settings(flat)

    def get_mapping(self, expr):
        return 200, {n: {"mappings": self.s.indices[n].mappings} for n in self._resolve(expr)}

    def get_settings(self, expr):
        return 200, {n: {"settings": self._settings_view(self.s.indices[n])}
                     for n in self._resolve(expr)}

    def put_mapping(self, expr, body):
        if not isinstance(body, dict):
            raise bad_request("mapping source is required", "action_request_validation_exception")
        validate_mapping(body)
        for name in self._resolve(expr):
            index = self.s.indices[name]
            merged = copy.deepcopy(index.mappings)
            for key, value in body.items():
                if key == "properties":
                    for field, fmap in value.items():
                        old = merged.setdefault("properties", {}).get(field)
                        if old is not None and old.get("type", "object") != \
                                fmap.get("type", "object"):
                            raise bad_request(
                                f"mapper [{field}] cannot be changed from type "
                                f"[{old.get('type', 'object')}] to [{fmap.get('type', 'object')}]")
                        merged["properties"][field] = fmap
                else:
                    merged[key] = value
            index.mappings = merged
        return 200, {"acknowledged": True}

    # -- documents ----------------------------------------------------------------------------

    def _store(self, index, doc_id, source, op, if_seq_no=None, if_primary_term=None):
        """Stores one document; returns (status, result-body) or raises EsError."""
        if doc_id is not None and (not isinstance(doc_id, str) or doc_id == ""):
            raise bad_request("if _id is specified it must not be empty",
                              "action_request_validation_exception")
        if doc_id is not None and len(doc_id.encode()) > 512:
            raise bad_request(f"id [{doc_id}] is too long, must be no longer than 512 bytes but "
                              f"was: {len(doc_id.encode())}", "action_request_validation_exception")
        doc_id = doc_id if doc_id is not None else new_id()
        existing = index.docs.get(doc_id)
        if op == "create" and existing is not None:
            raise self._conflict(index, doc_id, existing, "document already exists")
        if if_seq_no is not None:
            if existing is None or existing.seq_no != int(if_seq_no) or \
                    (if_primary_term is not None and int(if_primary_term) != 1):
                current = existing.seq_no if existing else -2
                raise EsError(409, "version_conflict_engine_exception",
                              f"[{doc_id}]: version conflict, required seqNo [{if_seq_no}], "
                              f"primary term [{if_primary_term or 1}]. current document has "
                              f"seqNo [{current}] and primary term [1]",
                              index_uuid=index.uuid, shard="0", index=index.name)
        parser = DocumentParser(index.mappings, index.settings, doc_id)
        try:
            fields = parser.parse(source)
        except EsError as err:
            if err.etype in ("strict_dynamic_mapping_exception", "mapper_parsing_exception"):
                err.extra.setdefault("index_uuid", index.uuid)
                err.extra.setdefault("shard", "0")
                err.extra.setdefault("index", index.name)
            raise
        if parser.changed:
            index.mappings = parser.mappings
        index.seq_no += 1
        index.order += 1
        version = existing.version + 1 if existing else 1
        index.docs[doc_id] = Doc(doc_id, source, version, index.seq_no, index.order, fields)
        result = "updated" if existing else "created"
        return (200 if existing else 201), {
            "_index": index.name, **self._type_field(), "_id": doc_id, "_version": version,
            "result": result, "_shards": self._write_shards(), "_seq_no": index.seq_no,
            "_primary_term": 1}

    def _conflict(self, index, doc_id, existing, what):
        return EsError(409, "version_conflict_engine_exception",
                       f"[{doc_id}]: version conflict, {what} (current version "
                       f"[{existing.version}])", index_uuid=index.uuid, shard="0",
                       index=index.name)

    def _delete(self, index, doc_id):
        existing = index.docs.pop(doc_id, None)
        index.seq_no += 1
        body = {"_index": index.name, **self._type_field(), "_id": doc_id,
                "_version": existing.version + 1 if existing else 1,
                "result": "deleted" if existing else "not_found",
                "_shards": self._write_shards(), "_seq_no": index.seq_no, "_primary_term": 1}
        return (200 if existing else 404), body

    def _update(self, index, doc_id, body):
        if not isinstance(body, dict):
            raise bad_request("Validation Failed: 1: script or doc is missing;",
                              "action_request_validation_exception")
        if "script" in body:
            raise bad_request("scripted updates are not implemented by the test double")
        existing = index.docs.get(doc_id)
        if existing is None:
            if body.get("doc_as_upsert") and "doc" in body:
                source = body["doc"]
            elif "upsert" in body:
                source = body["upsert"]
            else:
                raise EsError(404, "document_missing_exception",
                              f"[{doc_id}]: document missing", index_uuid=index.uuid,
                              shard="0", index=index.name)
        else:
            if "doc" not in body:
                raise bad_request("Validation Failed: 1: script or doc is missing;",
                                  "action_request_validation_exception")
            source = deep_merge(copy.deepcopy(existing.source), body["doc"])
            if source == existing.source:
                return 200, {"_index": index.name, **self._type_field(), "_id": doc_id,
                             "_version": existing.version, "result": "noop",
                             "_shards": {"total": 0, "successful": 0, "failed": 0},
                             "_seq_no": existing.seq_no, "_primary_term": 1}
        return self._store(index, doc_id, source, "index")

    def doc_write(self, name, doc_id, body, params, op):
        self._write_fault()
        index = self._auto_create(name)
        if params.get("op_type") == "create":
            op = "create"
        status, result = self._store(index, doc_id, body, op, params.get("if_seq_no"),
                                     params.get("if_primary_term"))
        self._refresh_param(params, [name])
        return status, result

    def doc_update(self, name, doc_id, body, params):
        self._write_fault()
        index = self._auto_create(name)
        status, result = self._update(index, doc_id, body)
        self._refresh_param(params, [name])
        return status, result

    def doc_delete(self, name, doc_id, params):
        self._write_fault()
        index = self._get_index(name)
        status, result = self._delete(index, doc_id)
        self._refresh_param(params, [name])
        return status, result

    def doc_get(self, name, doc_id, source_only=False):
        index = self._get_index(name)
        doc = index.docs.get(doc_id)
        if doc is None:
            if source_only:
                raise EsError(404, "resource_not_found_exception",
                              f"Document not found [{name}]/[{doc_id}]")
            return 404, {"_index": name, **self._type_field(), "_id": doc_id, "found": False}
        if source_only:
            return 200, doc.source
        return 200, {"_index": name, **self._type_field(), "_id": doc_id,
                     "_version": doc.version, "_seq_no": doc.seq_no, "_primary_term": 1,
                     "found": True, "_source": doc.source}

    # -- bulk ---------------------------------------------------------------------------------

    def bulk(self, default_index, raw, params):
        """The _bulk endpoint: NDJSON in, HTTP 200 with per-item results out."""
        faults = self.s.faults
        if faults["bulk_request_statuses"]:
            status = faults["bulk_request_statuses"].pop(0)
            if status:
                raise whole_request_fault(status)
        self._write_fault()
        text = raw.decode("utf-8")
        if text and not text.endswith("\n"):
            raise bad_request("The bulk request must be terminated by a newline [\\n]")
        lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")[:-1]]
        ops = self._parse_bulk(lines, default_index)
        started = time.monotonic()
        items = []
        touched = []
        self.s.count("bulk_items", len(ops))
        for op, meta, source in ops:
            items.append({op: self._bulk_item(op, meta, source)})
            touched.append(meta.get("_index"))
        self._refresh_param(params, list(dict.fromkeys(touched)))
        errors = any("error" in next(iter(item.values())) for item in items)
        return 200, {"took": int((time.monotonic() - started) * 1000), "errors": errors,
                     "items": items}

    def _parse_bulk(self, lines, default_index):
        ops = []
        i = 0
        line_no = 0
        while i < len(lines):
            line = lines[i]
            i += 1
            line_no = i
            if not line.strip():
                continue
            try:
                action = json.loads(line)
            except ValueError as exc:
                raise bad_request(f"Malformed action/metadata line [{line_no}], expected "
                                  f"START_OBJECT but found [{exc.msg}]") from None
            if not isinstance(action, dict) or len(action) != 1:
                raise bad_request(f"Malformed action/metadata line [{line_no}], expected "
                                  f"START_OBJECT or END_OBJECT but found [VALUE_STRING]")
            op, meta = next(iter(action.items()))
            if op not in ("index", "create", "delete", "update"):
                raise bad_request(f"Malformed action/metadata line [{line_no}], expected one of "
                                  f"[create, delete, index, update] but found [{op}]")
            if not isinstance(meta, dict):
                raise bad_request(f"Malformed action/metadata line [{line_no}], expected "
                                  f"START_OBJECT but found [{type(meta).__name__}]")
            for key in meta:
                if key not in BULK_META_KEYS or (key == "_type" and self.major >= 8):
                    raise bad_request(f"Action/metadata line [{line_no}] contains an unknown "
                                      f"parameter [{key}]")
            meta = dict(meta)
            meta.setdefault("_index", default_index)
            if not meta.get("_index"):
                raise bad_request("Validation Failed: 1: index is missing;",
                                  "action_request_validation_exception")
            source = None
            if op != "delete":
                if i >= len(lines):
                    raise bad_request("Validation Failed: 1: no requests added;",
                                      "action_request_validation_exception")
                try:
                    source = json.loads(lines[i])
                except ValueError as exc:
                    raise EsError(400, "x_content_parse_exception",
                                  f"[{i + 1}:1] failed to parse: {exc.msg}") from None
                i += 1
            ops.append((op, meta, source))
        if not ops:
            raise bad_request("Validation Failed: 1: no requests added;",
                              "action_request_validation_exception")
        return ops

    def _bulk_item(self, op, meta, source):
        name = meta["_index"]
        doc_id = meta.get("_id")
        if doc_id is not None and not isinstance(doc_id, str):
            doc_id = str(doc_id)
        if doc_id is None and op in ("index", "create"):
            doc_id = new_id()  # generated before the item is processed, as Elasticsearch does
        base = {"_index": name, **self._type_field(), "_id": doc_id}
        try:
            if op in ("index", "create") and self.s.faults["bulk_item_statuses"]:
                status = self.s.faults["bulk_item_statuses"].pop(0)
                if status:
                    raise self._item_fault(status, name, doc_id)
            if op == "delete":
                if doc_id is None:
                    raise bad_request("Validation Failed: 1: id is missing;",
                                      "action_request_validation_exception")
                index = self.s.indices.get(name)
                if index is None:
                    raise index_not_found(name)
                status, body = self._delete(index, doc_id)
            else:
                index = self._auto_create(name)
                if op == "update":
                    if doc_id is None:
                        raise bad_request("Validation Failed: 1: id is missing;",
                                          "action_request_validation_exception")
                    status, body = self._update(index, doc_id, source)
                else:
                    status, body = self._store(index, doc_id, source, op, meta.get("if_seq_no"),
                                               meta.get("if_primary_term"))
            body["status"] = status
            return body
        except EsError as err:
            index = self.s.indices.get(name)
            cause = err.cause()
            cause.setdefault("index_uuid", index.uuid if index else "_na_")
            cause.setdefault("shard", "0")
            cause.setdefault("index", name)
            return {**base, "status": err.status, "error": cause}

    def _item_fault(self, status, name, doc_id):
        index = self.s.indices.get(name)
        uuid = index.uuid if index else "_na_"
        if status == 429:
            return EsError(429, "es_rejected_execution_exception",
                           f"rejected execution of coordinating operation [coordinating_and_"
                           f"primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_"
                           f"operation_bytes=512, max_coordinating_and_primary_bytes=107374182] "
                           f"on EsThreadPoolExecutor[name = fake-es-node/write, queue capacity "
                           f"= 10000, task = bulk item [{doc_id}]]")
        if status == 400:
            return EsError(400, "mapper_parsing_exception",
                           "failed to parse (injected by the test double)")
        if status == 409:
            return EsError(409, "version_conflict_engine_exception",
                           f"[{doc_id}]: version conflict, document already exists (current "
                           f"version [1])", index_uuid=uuid, shard="0", index=name)
        if status >= 500:
            return EsError(status, "unavailable_shards_exception",
                           f"[{name}][0] primary shard is not active Timeout: [1m], request: "
                           f"[BulkShardRequest [[{name}][0]] containing [1] requests]")
        return EsError(status, "status_exception", f"injected item failure [{status}]")

    # -- search -------------------------------------------------------------------------------

    def search(self, expr, body, params, count_only=False):
        """_search (and _count): query, sort, from/size, scroll, pit + search_after."""
        body = body if body is not None else {}
        if not isinstance(body, dict):
            raise bad_request("request body must be an object", "parse_exception")
        if count_only:
            unknown = set(body) - {"query"}
        else:
            unknown = set(body) - SEARCH_BODY_KEYS
        if unknown:
            key = sorted(unknown)[0]
            if key in ("aggs", "aggregations", "knn", "suggest", "highlight", "collapse",
                       "rescore", "post_filter", "script_fields", "runtime_mappings"):
                raise bad_request(f"[{key}] is not implemented by the Elasticsearch test double")
            raise EsError(400, "parsing_exception", f"Unknown key for a START_OBJECT in [{key}].")
        if "q" in params:
            raise bad_request("the [q] parameter is not implemented by the test double")
        query = body.get("query", {"match_all": {}})
        pit = body.get("pit")
        if pit is not None:
            if expr:
                raise bad_request("Validation Failed: 1: [indices] cannot be used with point in "
                                  "time. Do not specify any index with point in time.;",
                                  "action_request_validation_exception")
            pit_ctx = self._get_pit(pit)
            sources = pit_ctx["snapshot"]
        else:
            sources = {n: self.s.visible(self.s.indices[n]) for n in self._resolve(expr)}
        mappings = {n: (self.s.indices[n].mappings if n in self.s.indices else {})
                    for n in sources}
        matched = []
        for name, docs in sources.items():
            for doc in docs.values():
                ok, score = evaluate(query, doc, mappings[name])
                if ok:
                    matched.append((name, doc, score))
        if count_only:
            return 200, {"count": len(matched), "_shards": self._shards(len(sources))}

        size = parse_int(params.get("size", body.get("size", 10)), "size")
        from_ = parse_int(params.get("from", body.get("from", 0)), "from")
        if size < 0:
            raise bad_request(f"[size] parameter cannot be negative, found [{size}]")
        if from_ < 0:
            raise bad_request(f"[from] parameter cannot be negative but was [{from_}]")
        scroll = params.get("scroll")
        window = min((self.s.indices[n].max_result_window() for n in sources
                      if n in self.s.indices), default=MAX_RESULT_WINDOW)
        if scroll is not None:
            keep_alive = parse_time_seconds(scroll, "scroll")
            if size > window:
                cause = bad_request(f"Batch size is too large, size must be less than or equal "
                                    f"to: [{window}] but was [{size}]. Scroll batch sizes cost as "
                                    f"much memory as result windows so they are controlled by "
                                    f"the [index.max_result_window] index level setting.")
                raise search_phase_error(400, cause, next(iter(sources), None))
            if from_:
                raise bad_request("Validation Failed: 1: using [from] is not allowed in a scroll "
                                  "context;", "action_request_validation_exception")
        elif from_ + size > window:
            cause = bad_request(f"Result window is too large, from + size must be less than or "
                                f"equal to: [{window}] but was [{from_ + size}]. See the scroll "
                                f"api for a more efficient way to request large data sets. This "
                                f"limit can be set by changing the [index.max_result_window] "
                                f"index level setting.")
            raise search_phase_error(400, cause, next(iter(sources), None))

        sort = parse_sort(body.get("sort"), params.get("sort"))
        if pit is not None and not any(f == "_shard_doc" for f, _, _ in sort):
            if not sort:
                sort = [("_score", "desc", "_last")]
            sort.append(("_shard_doc", "asc", "_last"))
        for fname, _, _ in sort:
            if fname not in ("_score", "_doc", "_shard_doc") and not any(
                    field_type(m, fname) for m in mappings.values()):
                cause = EsError(400, "query_shard_exception",
                                f"No mapping found for [{fname}] in order to sort on")
                raise search_phase_error(400, cause, next(iter(sources), None))
        hits = []
        for name, doc, score in matched:
            values = [sort_value(doc, score, f, order, mappings[name]) for f, order, _ in sort]
            hits.append((name, doc, score, values))
        if sort:
            hits.sort(key=functools.cmp_to_key(lambda a, b: compare_sort(a[3], b[3], sort)))
        else:
            hits.sort(key=lambda h: (-h[2], h[1].order))
        search_after = body.get("search_after")
        if search_after is not None:
            if not sort:
                raise bad_request("Sort must contain at least one field.")
            if len(search_after) != len(sort):
                raise bad_request(f"search_after has {len(search_after)} value(s) but sort has "
                                  f"{len(sort)}.")
            if from_:
                raise bad_request("`from` parameter must be set to 0 when `search_after` is "
                                  "used.")
            hits = [h for h in hits if compare_sort(h[3], search_after, sort) > 0]

        total = len(hits)
        track = body.get("track_total_hits", DEFAULT_TRACK_TOTAL_HITS)
        if scroll is not None:
            track = True
        source_filter = body.get("_source", True)
        scored = not sort or any(f == "_score" for f, _, _ in sort)
        rendered = [self._hit(name, doc, score if scored else None, values if sort else None,
                              source_filter) for name, doc, score, values in hits]
        max_score = max((h["_score"] for h in rendered), default=None) if scored else None
        total_obj = total_hits(total, track, params.get("rest_total_hits_as_int") in ("true", ""))
        response = {"took": 1, "timed_out": False, "_shards": self._shards(len(sources)),
                    "hits": {"max_score": max_score, "hits": []}}
        if total_obj is not None:
            response["hits"] = {"total": total_obj, **response["hits"]}
        if pit is not None:
            response = {"pit_id": pit["id"], **response}
        if scroll is not None:
            scroll_id = base64.b64encode(f"fake-es-scroll:{new_id(12)}".encode()).decode()
            self.s.scrolls[scroll_id] = {"hits": rendered, "pos": size, "size": size,
                                         "expires": time.monotonic() + keep_alive,
                                         "response": response, "shards": len(sources)}
            response = {"_scroll_id": scroll_id, **response}
            response["hits"]["hits"] = rendered[:size]
        else:
            response["hits"]["hits"] = rendered[from_:from_ + size]
        return 200, response

    def _hit(self, name, doc, score, sort_values, source_filter):
        hit = {"_index": name, **self._type_field(), "_id": doc.id, "_score": score}
        filtered = filter_source(doc.source, source_filter)
        if filtered is not None:
            hit["_source"] = filtered
        if sort_values is not None:
            hit["sort"] = sort_values
        return hit

    def scroll(self, body, params, path_id=None):
        body = body if isinstance(body, dict) else {}
        scroll_id = body.get("scroll_id", params.get("scroll_id", path_id))
        keep = body.get("scroll", params.get("scroll"))
        if not scroll_id:
            raise bad_request("Validation Failed: 1: scrollId is missing;",
                              "action_request_validation_exception")
        ctx = self.s.scrolls.get(scroll_id)
        if ctx is not None and ctx["expires"] < time.monotonic():
            del self.s.scrolls[scroll_id]
            ctx = None
        if ctx is None:
            cause = EsError(404, "search_context_missing_exception",
                            f"No search context found for id [{scroll_id}]")
            raise search_phase_error(404, cause)
        if keep is not None:
            ctx["expires"] = time.monotonic() + parse_time_seconds(keep, "scroll")
        page = ctx["hits"][ctx["pos"]:ctx["pos"] + ctx["size"]]
        ctx["pos"] += ctx["size"]
        response = copy.copy(ctx["response"])
        response["hits"] = {**response["hits"], "hits": page}
        return 200, {"_scroll_id": scroll_id, **response}

    def clear_scroll(self, body, params, path_ids=None):
        body = body if isinstance(body, dict) else {}
        ids = body.get("scroll_id", params.get("scroll_id", path_ids))
        if ids is None:
            raise bad_request("Validation Failed: 1: no scroll ids specified;",
                              "action_request_validation_exception")
        if isinstance(ids, str):
            ids = ids.split(",")
        freed = 0
        if "_all" in ids:
            freed = len(self.s.scrolls)
            self.s.scrolls.clear()
        else:
            for sid in ids:
                if self.s.scrolls.pop(sid, None) is not None:
                    freed += 1
        return (200 if freed else 404), {"succeeded": True, "num_freed": freed}

    def open_pit(self, expr, params):
        if "keep_alive" not in params:
            raise bad_request("Validation Failed: 1: [keep_alive] is not set;",
                              "action_request_validation_exception")
        keep = parse_time_seconds(params["keep_alive"], "keep_alive")
        names = self._resolve(expr)
        pit_id = base64.b64encode(f"fake-es-pit:{new_id(12)}".encode()).decode()
        self.s.pits[pit_id] = {
            "snapshot": {n: dict(self.s.visible(self.s.indices[n])) for n in names},
            "expires": time.monotonic() + keep}
        return 200, {"id": pit_id, "_shards": self._shards(len(names))}

    def _get_pit(self, pit):
        if not isinstance(pit, dict) or "id" not in pit:
            raise EsError(400, "parsing_exception", "[pit] failed to parse field [id]")
        ctx = self.s.pits.get(pit["id"])
        if ctx is not None and ctx["expires"] < time.monotonic():
            del self.s.pits[pit["id"]]
            ctx = None
        if ctx is None:
            cause = EsError(404, "search_context_missing_exception",
                            f"No search context found for id [{pit['id']}]")
            raise search_phase_error(404, cause)
        if pit.get("keep_alive") is not None:
            ctx["expires"] = time.monotonic() + parse_time_seconds(pit["keep_alive"],
                                                                   "keep_alive")
        return ctx

    def close_pit(self, body):
        if not isinstance(body, dict) or "id" not in body:
            raise bad_request("Validation Failed: 1: point-in-time id is missing;",
                              "action_request_validation_exception")
        freed = 1 if self.s.pits.pop(body["id"], None) is not None else 0
        return (200 if freed else 404), {"succeeded": True, "num_freed": freed}


def deep_merge(target, patch):
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            deep_merge(target[key], value)
        else:
            target[key] = value
    return target


def total_hits(total, track, as_int):
    """hits.total for a track_total_hits setting (None: omitted)."""
    if track is False or track == "false":
        return None
    if track is True or track == "true":
        value, relation = total, "eq"
    else:
        limit = int(track)
        value, relation = (total, "eq") if total <= limit else (limit, "gte")
    return value if as_int else {"value": value, "relation": relation}


def filter_source(source, spec):
    """Applies a `_source` filter (true/false, a field or list of fields, includes/excludes)."""
    if spec is True or spec is None:
        return source
    if spec is False:
        return None
    includes, excludes = spec, []
    if isinstance(spec, dict):
        includes, excludes = spec.get("includes", ["*"]), spec.get("excludes", [])
    if isinstance(includes, str):
        includes = [includes]
    if isinstance(excludes, str):
        excludes = [excludes]
    out = {}
    for key, value in source.items():
        if any(fnmatch.fnmatchcase(key, p) or p.startswith(key + ".") for p in includes) and \
                not any(fnmatch.fnmatchcase(key, p) for p in excludes):
            out[key] = value
    return out


# --------------------------------------------------------------------------------------------
# Queries and sorting
# --------------------------------------------------------------------------------------------


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _field_and_spec(clause, kind):
    if not isinstance(clause, dict) or not clause:
        raise EsError(400, "parsing_exception", f"[{kind}] query malformed, no field specified")
    items = [(k, v) for k, v in clause.items() if k not in ("boost", "_name")]
    if len(items) != 1:
        raise EsError(400, "parsing_exception",
                      f"[{kind}] query doesn't support multiple fields, found [{items[0][0]}] "
                      f"and [{items[-1][0]}]")
    return items[0]


def _normalise(value, ftype):
    """A query value in the indexed form of `ftype` (None if it cannot match)."""
    if value is None:
        return None
    if ftype in KEYWORD_TYPES:
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if isinstance(value, str) else json.dumps(value)
    if ftype == "date":
        return parse_date_millis(value)
    if ftype in INTEGER_TYPES or ftype in FLOAT_TYPES:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"For input string: \"{value}\"", "number_format_exception") \
                from None
    if ftype == "boolean":
        return value in (True, "true")
    return value


def _term_matches(doc, mappings, field, value):
    ftype = field_type(mappings, field)
    values = doc.fields.get(field)
    if ftype is None or not values:
        return False
    if ftype in TEXT_TYPES:
        return any(str(value) in toks for toks in values)
    wanted = _normalise(value, ftype)
    return any(v == wanted for v in values)


def evaluate(query, doc, mappings):
    """(matches, score) of a query against one document."""
    if not isinstance(query, dict) or len(query) != 1:
        raise EsError(400, "parsing_exception", "[_na] query malformed, must start with "
                      "start_object" if not isinstance(query, dict) else
                      "[query] must contain exactly one query")
    kind, spec = next(iter(query.items()))
    if kind == "match_all":
        return True, float((spec or {}).get("boost", 1.0))
    if kind == "match_none":
        return False, 0.0
    if kind == "bool":
        return _evaluate_bool(spec, doc, mappings)
    if kind == "term":
        field, value = _field_and_spec(spec, kind)
        if isinstance(value, dict):
            value = value.get("value")
        return _term_matches(doc, mappings, field, value), 1.0
    if kind == "terms":
        field, values = _field_and_spec(spec, kind)
        return any(_term_matches(doc, mappings, field, v) for v in _as_list(values)), 1.0
    if kind == "match":
        field, value = _field_and_spec(spec, kind)
        operator = "or"
        if isinstance(value, dict):
            operator = str(value.get("operator", "or")).lower()
            value = value.get("query")
        ftype = field_type(mappings, field)
        values = doc.fields.get(field)
        if ftype is None or not values:
            return False, 0.0
        if ftype in TEXT_TYPES:
            wanted = tokens(value)
            have = set(t for toks in values for t in toks)
            hits = [t in have for t in wanted]
            ok = bool(wanted) and (all(hits) if operator == "and" else any(hits))
            return ok, float(sum(hits))
        return _term_matches(doc, mappings, field, value), 1.0
    if kind == "range":
        field, bounds = _field_and_spec(spec, kind)
        ftype = field_type(mappings, field)
        values = doc.fields.get(field)
        if ftype is None or not values or not isinstance(bounds, dict):
            return False, 0.0
        checks = []
        for op in ("gt", "gte", "lt", "lte"):
            if bounds.get(op) is not None:
                checks.append((op, _normalise(bounds[op], ftype)))
        for v in values:
            if all(b is not None and ((op == "gt" and v > b) or (op == "gte" and v >= b)
                                      or (op == "lt" and v < b) or (op == "lte" and v <= b))
                   for op, b in checks):
                return True, 1.0
        return False, 0.0
    if kind == "exists":
        field = (spec or {}).get("field")
        return bool(doc.fields.get(field)) or any(
            k.startswith(f"{field}.") for k in doc.fields), 1.0
    if kind == "ids":
        return doc.id in [str(v) for v in _as_list((spec or {}).get("values"))], 1.0
    raise EsError(400, "parsing_exception", f"unknown query [{kind}]"
                  if kind not in ("query_string", "simple_query_string", "prefix", "wildcard",
                                  "regexp", "fuzzy", "nested", "multi_match", "match_phrase",
                                  "knn", "script", "function_score", "constant_score")
                  else f"query [{kind}] is not implemented by the Elasticsearch test double")


def _evaluate_bool(spec, doc, mappings):
    spec = spec or {}
    score = 0.0
    for clause in _as_list(spec.get("must")):
        ok, s = evaluate(clause, doc, mappings)
        if not ok:
            return False, 0.0
        score += s
    for clause in _as_list(spec.get("filter")):
        if not evaluate(clause, doc, mappings)[0]:
            return False, 0.0
    for clause in _as_list(spec.get("must_not")):
        if evaluate(clause, doc, mappings)[0]:
            return False, 0.0
    should = _as_list(spec.get("should"))
    if should:
        matched = 0
        for clause in should:
            ok, s = evaluate(clause, doc, mappings)
            if ok:
                matched += 1
                score += s
        default_min = 0 if (spec.get("must") or spec.get("filter")) else 1
        minimum = spec.get("minimum_should_match", default_min)
        if isinstance(minimum, str) and minimum.endswith("%"):
            minimum = int(len(should) * int(minimum[:-1]) / 100)
        if matched < int(minimum):
            return False, 0.0
    return True, score


def parse_sort(body_sort, param_sort):
    """A list of (field, order, missing) from a body `sort` or a `sort=f:order,...` param."""
    out = []
    if param_sort:
        for part in param_sort.split(","):
            field, _, order = part.partition(":")
            out.append((field, order or _default_order(field), "_last"))
        return out
    for entry in _as_list(body_sort):
        if isinstance(entry, str):
            out.append((entry, _default_order(entry), "_last"))
        elif isinstance(entry, dict) and len(entry) == 1:
            field, spec = next(iter(entry.items()))
            if isinstance(spec, str):
                out.append((field, spec.lower(), "_last"))
            elif isinstance(spec, dict):
                out.append((field, str(spec.get("order", _default_order(field))).lower(),
                            spec.get("missing", "_last")))
            else:
                raise EsError(400, "parsing_exception", f"malformed sort for [{field}]")
        else:
            raise EsError(400, "parsing_exception", "malformed sort format")
    for field, order, _ in out:
        if order not in ("asc", "desc"):
            raise bad_request(f"Unknown SortOrder [{order}]")
    return out


def _default_order(field):
    return "desc" if field == "_score" else "asc"


def sort_value(doc, score, field, order, mappings):
    """The value a hit shows in `sort` for one sort field."""
    if field == "_score":
        return score
    if field in ("_doc", "_shard_doc"):
        return doc.order
    ftype = field_type(mappings, field)
    values = doc.fields.get(field)
    if not values or ftype in TEXT_TYPES:
        if ftype in KEYWORD_TYPES or ftype is None:
            return None
        return LONG_MAX if order == "asc" else LONG_MIN
    return min(values) if order == "asc" else max(values)


def compare_sort(a, b, sort):
    """Compares two lists of sort values under the sort specification."""
    for (field, order, missing), x, y in zip(sort, a, b):
        if x == y:
            continue
        if x is None or y is None:
            last = missing != "_first"
            return (1 if last else -1) if x is None else (-1 if last else 1)
        try:
            less = x < y
        except TypeError:
            less = str(x) < str(y)
        result = -1 if less else 1
        return result if order == "asc" else -result
    return 0


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------

_CONTENT_TYPES = {"application/json", "application/x-ndjson"}
_VND_RE = re.compile(r"^application/vnd\.elasticsearch\+(json|x-ndjson)\s*;\s*"
                     r"compatible-with\s*=\s*(7|8|9)\s*$")


def compat_version(header):
    """The compatible-with version of a vnd Content-Type/Accept header, or None."""
    if not header:
        return None
    for part in header.split(","):
        params = [p.strip() for p in part.split(";") if p.strip()
                  and not p.strip().lower().startswith("charset")]
        m = _VND_RE.match("; ".join(params).lower())
        if m:
            return m.group(2)
    return None


def content_type_ok(header):
    mime = header.split(";")[0].strip().lower()
    if mime in _CONTENT_TYPES:
        return True
    return compat_version(header) is not None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-es"

    def version_string(self):
        return self.server_version

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass  # one line per request is written by _log

    def _log(self, status):
        sys.stderr.write(f"{self.command} {self.path} {status}\n")
        sys.stderr.flush()

    def do_GET(self):
        self._handle()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET

    # -- plumbing -----------------------------------------------------------------------------

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            raw = b"".join(chunks)
        else:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
        encoding = self.headers.get("Content-Encoding", "").lower()
        if raw and encoding in ("gzip", "deflate"):
            raw = gzip.decompress(raw) if encoding == "gzip" else zlib.decompress(raw)
        return raw

    def _send(self, status, body, content_type="application/json", headers=None):
        payload = b""
        if body is not None:
            payload = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Type", content_type)
        for name, values in (headers or {}).items():
            for value in (values if isinstance(values, list) else [values]):
                self.send_header(name, value)
        self.send_header("Content-Length", "0" if self.command == "HEAD" else str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self._log(status)

    def _drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._log("dropped")

    def _handle(self):
        state = self.server.state
        try:
            raw = self._read_body()
        except (ValueError, OSError, EOFError, zlib.error):
            self.close_connection = True
            self._send(400, {"error": "could not read the request body", "status": 400})
            return
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        segments = [unquote(s) for s in url.path.split("/") if s]
        if segments[:1] == ["_double"]:
            self._control(state, segments[1:], raw)
            return
        vnd = compat_version(self.headers.get("Content-Type")) or \
            compat_version(self.headers.get("Accept"))
        content_type = (f"application/vnd.elasticsearch+json;compatible-with={vnd}" if vnd
                        else "application/json")
        kind = classify(self.command, segments)
        with state.lock:
            state.count(kind)
            if state.faults["drop_connections"] > 0:
                state.faults["drop_connections"] -= 1
                state.count("dropped")
                drop = True
            else:
                drop = False
        if drop:
            self._drop()
            return
        try:
            auth_error = check_auth(state.args, self.headers.get("Authorization"), url.path)
            if auth_error is not None:
                with state.lock:
                    state.count("unauthorized")
                raise auth_error
            ctype = self.headers.get("Content-Type")
            if raw and self.command != "HEAD":
                if not ctype or not content_type_ok(ctype):
                    raise RawReply(406, {"error": f"Content-Type header [{ctype or ''}] is "
                                                  f"not supported", "status": 406})
            status, body = route(state, self.command, segments, params, raw)
            self._send(status, body, content_type)
        except EsError as err:
            self._send(err.status, err.body(), content_type, err.headers)
        except RawReply as reply:
            self._send(reply.status, reply.body, content_type)
        except Exception as exc:  # a bug in the double: say so loudly
            import traceback
            traceback.print_exc()
            err = EsError(500, "exception", f"test double failure: {exc!r}")
            self._send(500, err.body(), content_type)

    # -- control endpoints --------------------------------------------------------------------

    def _control(self, state, segments, raw):
        try:
            with state.lock:
                status, body = control(state, self.command, segments, raw)
        except EsError as err:
            status, body = err.status, err.body()
        self._send(status, body)


def classify(method, segments):
    """The request-counter kind of a request."""
    if not segments:
        return "ping" if method == "HEAD" else "info"
    first, last = segments[0], segments[-1]
    if first == "_cluster":
        return "health" if segments[1:2] == ["health"] else "other"
    if last == "_bulk":
        return "bulk"
    if segments[:2] == ["_search", "scroll"]:
        return "clear_scroll" if method == "DELETE" else "scroll"
    if last == "_search":
        return "search"
    if last == "_count":
        return "count"
    if last == "_refresh":
        return "refresh"
    if last == "_flush":
        return "flush"
    if last == "_pit":
        return "pit_close" if method == "DELETE" else "pit_open"
    if last == "_mapping":
        return "mapping"
    if last == "_settings":
        return "settings"
    if len(segments) == 1 and not first.startswith("_"):
        return {"HEAD": "index_exists", "PUT": "index_create", "DELETE": "index_delete",
                "GET": "index_get"}.get(method, "other")
    if len(segments) >= 2 and segments[1] in ("_doc", "_create", "_update", "_source"):
        if segments[1] == "_create" or (segments[1] == "_doc" and method in ("PUT", "POST")):
            return "doc_create" if segments[1] == "_create" else "doc_index"
        if segments[1] == "_update":
            return "doc_update"
        return "doc_delete" if method == "DELETE" else "doc_get"
    return "other"


def check_auth(args, header, path):
    """None when the request may pass, else the 401 EsError."""
    if not (args.basic or args.api_key or args.bearer):
        return None
    header = (header or "").strip()
    scheme, _, value = header.partition(" ")
    scheme = scheme.lower()
    value = value.strip()
    user = None
    if scheme == "basic" and args.basic:
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        if decoded == args.basic:
            return None
        user = decoded.partition(":")[0]
    if scheme == "apikey" and args.api_key:
        accepted = {args.api_key}
        if ":" in args.api_key:
            accepted.add(base64.b64encode(args.api_key.encode()).decode())
        else:
            try:
                accepted.add(base64.b64decode(args.api_key, validate=True).decode())
            except (binascii.Error, UnicodeDecodeError):
                pass
        if value in accepted:
            return None
    if scheme == "bearer" and args.bearer and value == args.bearer:
        return None
    challenge = []
    if args.basic:
        challenge.append('Basic realm="security", charset="UTF-8"')
    if args.bearer:
        challenge.append('Bearer realm="security"')
    if args.api_key:
        challenge.append("ApiKey")
    if not header:
        reason = f"missing authentication credentials for REST request [{path}]"
    elif user is not None:
        reason = f"unable to authenticate user [{user}] for REST request [{path}]"
    else:
        reason = ("unable to authenticate with provided credentials and anonymous access is "
                  "not allowed for this request")
    return EsError(401, "security_exception", reason, headers={"WWW-Authenticate": challenge},
                   header={"WWW-Authenticate": challenge})


def parse_json(raw, what="request body"):
    if not raw:
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise EsError(400, "x_content_parse_exception",
                      f"[1:1] failed to parse {what}: {exc}") from None


def no_handler(method, path):
    return RawReply(400, {"error": f"no handler found for uri [{path}] and method [{method}]",
                          "status": 400})


def route(state, method, segments, params, raw):
    """Dispatches one Elasticsearch request; returns (status, body)."""
    api = Api(state)
    path = "/" + "/".join(segments)
    if segments == ["_cluster", "health"] or segments[:2] == ["_cluster", "health"]:
        if method != "GET":
            raise no_handler(method, path)
        return api.health(params)
    with state.lock:
        return _route_locked(api, state, method, segments, params, raw, path)


def _route_locked(api, state, method, segments, params, raw, path):
    n = len(segments)
    if n == 0:
        if method == "HEAD":
            return api.ping()
        if method == "GET":
            return api.info()
        raise no_handler(method, path)
    first, last = segments[0], segments[-1]
    index_expr = None if first.startswith("_") else first
    if last == "_bulk" and n <= 2:
        if method not in ("POST", "PUT"):
            raise no_handler(method, path)
        return api.bulk(index_expr, raw, params)
    if segments[:2] == ["_search", "scroll"]:
        path_id = segments[2] if n > 2 else None
        if method == "DELETE":
            return api.clear_scroll(parse_json(raw), params, path_id)
        if method in ("GET", "POST"):
            return api.scroll(parse_json(raw), params, path_id)
        raise no_handler(method, path)
    if last in ("_search", "_count") and n <= 2:
        if method not in ("GET", "POST"):
            raise no_handler(method, path)
        return api.search(index_expr, parse_json(raw), params, count_only=last == "_count")
    if last in ("_refresh", "_flush") and n <= 2:
        if method not in ("GET", "POST"):
            raise no_handler(method, path)
        return api.refresh(index_expr)
    if last == "_pit" and n <= 2:
        if method == "DELETE" and n == 1:
            return api.close_pit(parse_json(raw))
        if method == "POST" and n == 2:
            return api.open_pit(index_expr, params)
        raise no_handler(method, path)
    if last == "_mapping" and n <= 2:
        if method == "GET":
            return api.get_mapping(index_expr)
        if method in ("PUT", "POST") and index_expr:
            return api.put_mapping(index_expr, parse_json(raw))
        raise no_handler(method, path)
    if last == "_settings" and n <= 2 and method == "GET":
        return api.get_settings(index_expr)
    if index_expr is None:
        raise no_handler(method, path)
    if n == 1:
        if method == "HEAD":
            try:
                api._resolve(index_expr)
            except EsError:
                return 404, None
            return 200, None
        if method == "PUT":
            return api.create_index(index_expr, parse_json(raw))
        if method == "DELETE":
            return api.delete_index(index_expr)
        if method == "GET":
            return api.get_index(index_expr)
        raise no_handler(method, path)
    op = segments[1]
    if op == "_doc" and n == 2 and method == "POST":
        return api.doc_write(index_expr, None, parse_json(raw), params, "index")
    if op in ("_doc", "_create", "_update", "_source") and n == 3:
        doc_id = segments[2]
        if op == "_doc" and method in ("PUT", "POST"):
            return api.doc_write(index_expr, doc_id, parse_json(raw), params, "index")
        if op == "_create" and method in ("PUT", "POST"):
            return api.doc_write(index_expr, doc_id, parse_json(raw), params, "create")
        if op == "_update" and method == "POST":
            return api.doc_update(index_expr, doc_id, parse_json(raw), params)
        if op == "_doc" and method == "DELETE":
            return api.doc_delete(index_expr, doc_id, params)
        if op in ("_doc", "_source") and method in ("GET", "HEAD"):
            return api.doc_get(index_expr, doc_id, source_only=op == "_source")
    raise no_handler(method, path)


def control(state, method, segments, raw):
    """The /_double/ endpoints (no auth)."""
    if segments == ["faults"] and method in ("POST", "PUT"):
        body = parse_json(raw, "faults")
        if not isinstance(body, dict):
            raise bad_request("faults must be a JSON object")
        unknown = set(body) - FAULT_KEYS
        if unknown:
            raise bad_request(f"unknown fault setting(s): {sorted(unknown)}; known: "
                              f"{sorted(FAULT_KEYS)}")
        for key in ("bulk_item_statuses", "bulk_request_statuses"):
            if key in body:
                value = body[key]
                if not isinstance(value, list) or not all(
                        isinstance(v, int) and not isinstance(v, bool) and (v == 0 or
                                                                           100 <= v <= 599)
                        for v in value):
                    raise bad_request(f"[{key}] must be a list of HTTP statuses or 0")
                state.faults[key] = list(value)
        if "health_status" in body:
            if body["health_status"] not in HEALTH_RANK:
                raise bad_request("[health_status] must be green, yellow or red")
            state.faults["health_status"] = body["health_status"]
        for key in ("failing_pings", "drop_connections"):
            if key in body:
                value = body[key]
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise bad_request(f"[{key}] must be a non-negative integer")
                state.faults[key] = value
        if "write_status" in body:
            value = body["write_status"]
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                      or not 400 <= value <= 599):
                raise bad_request("[write_status] must be an HTTP error status or null")
            state.faults["write_status"] = value
        return 200, {"acknowledged": True, "faults": copy.deepcopy(state.faults)}
    if segments == ["faults"] and method == "GET":
        return 200, copy.deepcopy(state.faults)
    if segments == ["state"] and method == "GET":
        return 200, {
            "indices": {name: {"mappings": index.mappings,
                               "settings": nest_settings(index.settings),
                               "docs": len(index.docs), "uuid": index.uuid}
                        for name, index in state.indices.items()},
            "requests": dict(state.counters),
            "faults": copy.deepcopy(state.faults),
            "refresh": state.args.refresh,
            "scrolls": len(state.scrolls), "pits": len(state.pits),
        }
    if len(segments) == 2 and segments[0] == "docs" and method == "GET":
        index = state.indices.get(segments[1])
        if index is None:
            raise index_not_found(segments[1])
        return 200, {"docs": [{"_id": d.id, "_source": d.source, "_version": d.version}
                              for d in index.docs.values()]}
    if segments == ["reset"] and method == "POST":
        state.reset()
        return 200, {"acknowledged": True}
    if segments == ["refresh"] and method == "POST":
        for index in state.indices.values():
            state.refresh(index)
        return 200, {"acknowledged": True}
    raise EsError(404, "resource_not_found_exception",
                  f"no control endpoint [{method} /_double/{'/'.join(segments)}]")


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="In-memory Elasticsearch test double.")
    parser.add_argument("--port-file", required=True,
                        help="written (atomically) with the bound port once listening")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--basic", metavar="USER:PASS", help="require Basic auth")
    parser.add_argument("--api-key", metavar="KEY",
                        help="require ApiKey auth (encoded key, or id:api_key)")
    parser.add_argument("--bearer", metavar="TOKEN", help="require Bearer auth")
    parser.add_argument("--refresh", choices=("auto", "manual"), default="auto",
                        help="auto: writes are searchable at once; manual: after a refresh")
    parser.add_argument("--version", default="8.17.0", help="version.number of GET /")
    args = parser.parse_args(argv)
    if args.basic is not None and ":" not in args.basic:
        parser.error("--basic takes USER:PASS")
    if not re.match(r"^\d+\.\d+\.\d+", args.version):
        parser.error("--version takes a version number such as 8.17.0")
    return args


def main(argv=None):
    args = parse_args(argv)
    server = Server((args.host, args.port), Handler)
    server.state = State(args)
    port = server.server_address[1]
    tmp = f"{args.port_file}.tmp.{os.getpid()}"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(f"{port}\n")
    os.replace(tmp, args.port_file)
    sys.stderr.write(f"fake_es listening on http://{args.host}:{port} (version {args.version}, "
                     f"refresh {args.refresh})\n")
    sys.stderr.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
