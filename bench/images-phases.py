#!/usr/bin/env python3
"""images-phases.py - where a client's time went, from docker-registry's own log.

  python3 bench/images-phases.py REGISTRY-LOG T0 T1 AGENT

REGISTRY-LOG is docker-registry's stderr with `log: {level: info, formatter: text}`:
one "response completed" line per request ("... with error" for a 4xx), with its
completion time (ns) and its duration, so each request's interval on the
registry's side is known. T0 and T1 (`date +%s%N`, the same clock) bracket the
client's process; AGENT is the start of its User-Agent (slipway, skopeo).

Prints the client's timeline: its requests, in start order, grouped into
segments of consecutive requests to the same kind of thing (all blob requests;
manifests by reference: a tag, latest, a digest), a segment ending where the
registry was idle for over GAP_MS between two of them; between segments and at
the ends, the time no request of the client was in the registry (start-up,
reading the sources, sleeps, exit) when over SHOW_MS. One line each:

  +OFFSET ms  SPAN ms  WHAT

OFFSET from T0. A segment's WHAT: "blobs (HEAD 30)", "manifests 1.2.3 (HEAD 5, PUT 5)";
a gap's: "- no request".
"""

import calendar
import re
import sys

GAP_MS = 5.0    # idle for longer than this within a segment: a gap
SHOW_MS = 1.0   # idle for longer than this between two segments: shown
FIELD = re.compile(r'([\w.]+)=("(?:[^"\\]|\\.)*"|\S*)')
UNITS = {"ns": 1, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9}


def parse_time(s):
    """2026-11-27T22:19:17.95328801Z -> ns since the epoch."""
    m = re.match(r"(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)(?:\.(\d+))?Z$", s)
    if not m:
        raise ValueError("time %r" % s)
    y, mo, d, h, mi, se = (int(x) for x in m.groups()[:6])
    frac = (m.group(7) or "0")[:9].ljust(9, "0")
    return calendar.timegm((y, mo, d, h, mi, se)) * 10**9 + int(frac)


def parse_duration(s):
    """Go's time.Duration: 1.5ms, 988.095µs, 1m2.5s."""
    total, rest = 0.0, s
    for num, unit in re.findall(r"([\d.]+)(ns|µs|us|ms|s|m)", s):
        total += float(num) * UNITS[unit]
        rest = rest.replace(num + unit, "", 1)
    if rest.strip():
        raise ValueError("duration %r" % s)
    return int(total)


def what(uri):
    """The kind of thing a request is about: blobs, or manifests REF (tag/latest/digest)."""
    m = re.match(r"/v2/.+?/(blobs|manifests)/([^?]*)", uri)
    if not m:
        return uri.split("?")[0]
    if m.group(1) == "blobs":
        return "blobs"
    ref = m.group(2)
    return "manifests " + ("DIGEST" if ref.startswith("sha256:") else ref)


def requests(log, agent, t0, t1):
    out = []
    with open(log, encoding="utf-8", errors="replace") as f:
        for line in f:
            if 'msg="response completed' not in line:  # "... with error": a 404
                continue
            kv = {k: v[1:-1] if v.startswith('"') else v for k, v in FIELD.findall(line)}
            if not kv.get("http.request.useragent", "").startswith(agent):
                continue
            end = parse_time(kv["time"])
            start = end - parse_duration(kv["http.response.duration"])
            if start < t0 or end > t1:
                continue
            out.append((start, end, kv["http.request.method"], what(kv["http.request.uri"])))
    out.sort()
    return out


def main(argv):
    if len(argv) != 5:
        sys.exit(__doc__)
    log, t0, t1, agent = argv[1], int(argv[2]), int(argv[3]), argv[4]
    reqs = requests(log, agent, t0, t1)
    ms = lambda ns: ns / 1e6
    lines, seg, busy_to = [], None, t0

    def close(seg):
        methods = ", ".join("%s %d" % (m, n) for m, n in seg["methods"].items())
        lines.append((seg["start"], seg["end"], "%s (%s)" % (seg["what"], methods)))

    for start, end, method, w in reqs:
        if seg and (w != seg["what"] or ms(start - busy_to) > GAP_MS):
            close(seg)
            seg = None
        if ms(start - busy_to) > (GAP_MS if seg else SHOW_MS):
            lines.append((busy_to, start, "- no request"))
        if seg is None:
            seg = {"what": w, "start": start, "end": end, "methods": {}}
        seg["end"] = max(seg["end"], end)
        seg["methods"][method] = seg["methods"].get(method, 0) + 1
        busy_to = max(busy_to, end)
    if seg:
        close(seg)
    lines.append((busy_to, t1, "- no request (to the end of the process)"))
    for a, b, w in lines:
        print("+%7.1f ms %7.1f ms  %s" % (ms(a - t0), ms(b - a), w))
    print("%d requests; the registry was busy with at least one of them %.1f of %.1f ms"
          % (len(reqs), ms(union(reqs)), ms(t1 - t0)))


def union(reqs):
    total, cur_s, cur_e = 0, None, None
    for s, e, _, _ in reqs:
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        total += cur_e - cur_s
    return total


if __name__ == "__main__":
    main(sys.argv)
