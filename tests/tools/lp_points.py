"""Line protocol read back in Python, independently of the C++ reader, for the command line tests
(tests/cli/report.sh, tests/cli/rollup.sh): split at unquoted, unescaped separators; values typed
as `12i` (int), `"text"` (str) or a float."""
import re


def split(s, sep):
    out, cur, quoted, i = [], "", False, 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            cur += c + s[i + 1]
            i += 2
            continue
        if c == '"':
            quoted = not quoted
        if c == sep and not quoted:
            out.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    out.append(cur)
    return out


def unescape(s):
    return re.sub(r"\\(.)", r"\1", s)


def value(v):
    if v.startswith('"'):
        return unescape(v[1:-1])
    if v.endswith("i"):
        return int(v[:-1])
    return float(v)


def parse(line):
    """(measurement, tags, fields, time) of one line; None for a blank line or a comment."""
    line = line.rstrip("\n")
    if not line or line.startswith("#"):
        return None
    head, fields, ts = split(line, " ")
    parts = split(head, ",")
    tags = {unescape(k): unescape(v) for k, v in (split(t, "=") for t in parts[1:])}
    values = {unescape(k): value(v) for k, v in (split(f, "=") for f in split(fields, ","))}
    return parts[0], tags, values, int(ts)


def points(paths, measurement):
    """Every point of `measurement` in the files, as one dict of tags, fields and "time"."""
    for path in paths:
        for line in open(path, encoding="utf-8"):
            parsed = parse(line)
            if parsed is None or parsed[0] != measurement:
                continue
            _, tags, fields, time = parsed
            yield {**tags, **fields, "time": time}
