#!/usr/bin/env python3
"""The checks of tests/compat/process-exporter.sh: what process-exporter and
execmond serve, read from their /metrics pages and compared by name.

  compare.py groups  --tag-file FILE --pe URL --want FILE
  compare.py live    --tag-file FILE --pe URL --execmond URL
  compare.py counts  --tag-file FILE --execmond URL --metric NAME --want FILE [--label K=V]...

--want names a file of JSON ({"name": count, ...}), --tag-file one holding
the run's tag: they are files so that no command line of these checks
carries a name or the tag, since the rules under test match command lines.

Only series whose name (groupname, program) holds the run's tag count, so
other processes on the host do not interfere. Each check waits up to 30 s
for the values to settle (process-exporter reads /proc when scraped,
execmond drains every second), then prints PASS or FAIL with what it got;
the exit status is 1 when one failed.
"""
import argparse
import json
import re
import sys
import time
import urllib.request

SERIES = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
WAIT_SECONDS = 30


def unescape(value):
    """A label value as the exposition format escapes it: \\, \" and \\n."""
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), value)


def scrape(url):
    """Every sample of the page: (name, {label: value}, float)."""
    with urllib.request.urlopen(url, timeout=10) as r:
        text = r.read().decode("utf-8", "replace")
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SERIES.match(line)
        if not m:
            continue
        labels = {k: unescape(v) for k, v in LABEL.findall(m.group(2) or "")}
        samples.append((m.group(1), labels, float(m.group(3))))
    return samples


def by_label(url, metric, label, tag, match=None):
    """{value of label: sum} over the samples of metric whose label holds
    tag and that carry every label of match."""
    match = match or {}
    sums = {}
    for name, labels, value in scrape(url):
        if name != metric or tag not in labels.get(label, ""):
            continue
        if any(labels.get(k) != v for k, v in match.items()):
            continue
        sums[labels[label]] = sums.get(labels[label], 0) + value
    return {k: int(v) if v == int(v) else v for k, v in sums.items()}


def settle(read, want):
    """Reads until the value equals want or WAIT_SECONDS pass; the last value."""
    deadline = time.monotonic() + WAIT_SECONDS
    got = None
    while True:
        try:
            got = read()
        except OSError as e:
            got = f"no scrape: {e}"
        if got == want or time.monotonic() > deadline:
            return got
        time.sleep(0.5)


def check(ok, what, got, want):
    if ok:
        print(f"PASS  {what}: {json.dumps(got, sort_keys=True)}", flush=True)
    else:
        print(f"FAIL  {what}: got {json.dumps(got, sort_keys=True)}, want {json.dumps(want, sort_keys=True)}",
              flush=True)
    return ok


def tag_of(args):
    with open(args.tag_file) as f:
        return f.read().strip()


def groups(args):
    want = json.load(open(args.want))
    tag = tag_of(args)
    got = settle(lambda: by_label(args.pe, "namedprocess_namegroup_num_procs", "groupname", tag), want)
    return check(got == want, "process-exporter's num_procs by groupname are the processes started", got, want)


def live(args):
    tag = tag_of(args)
    pe = by_label(args.pe, "namedprocess_namegroup_num_procs", "groupname", tag)
    got = settle(lambda: by_label(args.execmond, "execmond_processes", "program", tag), pe)
    return check(bool(pe) and got == pe,
                 "execmond_processes by program equals process-exporter's num_procs by groupname", got, pe)


def counts(args):
    want = json.load(open(args.want))
    tag = tag_of(args)
    match = dict(kv.split("=", 1) for kv in args.label)
    got = settle(lambda: by_label(args.execmond, args.metric, "program", tag, match), want)
    where = "".join(f", {k}={v}" for k, v in match.items())
    return check(got == want, f"{args.metric} by program{where}", got, want)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("groups")
    p.add_argument("--tag-file", required=True)
    p.add_argument("--pe", required=True)
    p.add_argument("--want", required=True)
    p = sub.add_parser("live")
    p.add_argument("--tag-file", required=True)
    p.add_argument("--pe", required=True)
    p.add_argument("--execmond", required=True)
    p = sub.add_parser("counts")
    p.add_argument("--tag-file", required=True)
    p.add_argument("--execmond", required=True)
    p.add_argument("--metric", required=True)
    p.add_argument("--want", required=True)
    p.add_argument("--label", action="append", default=[])
    args = ap.parse_args()
    ok = {"groups": groups, "live": live, "counts": counts}[args.cmd](args)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
