#!/usr/bin/env python3
"""The landing page in a real browser (make browsertest).

Starts tests/browser/page_server.cpp (the real web code over a ring of plain
and hostile records), has headless Chromium load "/" and dump the DOM it
built, and checks that DOM against GET /exits: one table row per record,
newest first, with each record's pid and program; no element or attribute
that a record's text could have injected (no script, img, svg, no on*
handler); the hostile text shown as text. Then the same with no record: one
line says so.

Usage: tests/browser/check.py PAGE_SERVER   (exits 1 on a failure)
"""
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request

CHROMIUM_TIMEOUT = 90
# Every tag the landing page writes itself.
PAGE_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "a", "code",
             "table", "thead", "tbody", "tr", "th", "td"}
MAX_CELL_BYTES = 256

failures = []


def check(ok, what):
    print(("PASS " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


class Dom(html.parser.HTMLParser):
    """The tags, attributes and the exits table's rows of a dumped DOM."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []  # (tag, attrs)
        self.rows = []  # (id, [cell text]) of tr.exit
        self.paragraphs = []
        self.text = []
        self._row = None
        self._cell = None
        self._p = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "tr" and attrs.get("class") == "exit":
            self._row = (attrs.get("id"), [])
            self.rows.append(self._row)
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag == "p":
            self._p = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self._row[1].append("".join(self._cell))
            self._cell = None
        elif tag == "tr":
            self._row = None
        elif tag == "p" and self._p is not None:
            self.paragraphs.append("".join(self._p))
            self._p = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._p is not None:
            self._p.append(data)


def start(server, *args):
    proc = subprocess.Popen([server, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    line = proc.stdout.readline()
    match = re.fullmatch(r"port (\d+)\n", line)
    if not match:
        proc.kill()
        sys.exit(f"{server} did not say its port: {line!r}")
    return proc, int(match.group(1))


def dump_dom(url):
    """The DOM Chromium built from `url`, serialized."""
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("chromium is not installed (make browser-deps)")
    with tempfile.TemporaryDirectory(prefix="execmond-chromium-") as profile:
        cmd = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
               "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
               "--disable-extensions", "--user-data-dir=" + profile, "--dump-dom", url]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT,
                                  encoding="utf-8", errors="strict")
        except subprocess.TimeoutExpired:
            sys.exit(f"chromium took more than {CHROMIUM_TIMEOUT} s to load {url}")
    if done.returncode != 0 or "</html>" not in done.stdout:
        sys.exit(f"chromium failed ({done.returncode}) on {url}:\n{done.stderr[-3000:]}")
    return done.stdout


def shown(text):
    """`text` as the page shows it: control characters spelled out, bidi
    controls named, runs of U+FFFD as one, cut at 256 bytes."""
    cut = text.encode("utf-8")
    if len(cut) > MAX_CELL_BYTES:
        text = cut[:MAX_CELL_BYTES].decode("utf-8", errors="ignore") + "\u2026"
    out = []
    for c in text:
        cp = ord(c)
        if c in "\n\t\r":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[c])
        elif cp < 0x20 or 0x7F <= cp < 0xA0:
            out.append(f"\\x{cp:02x}")
        elif 0x202A <= cp <= 0x202E or 0x2066 <= cp <= 0x2069 or cp in (0x2028, 0x2029):
            out.append(f"\\u{{{cp:04x}}}")
        else:
            out.append(c)
    return re.sub("\ufffd+", "\ufffd", "".join(out))


def check_injection(dom, name):
    strangers = sorted({tag for tag, _ in dom.tags if tag not in PAGE_TAGS})
    check(not strangers, f"{name}: only the page's own elements (found {strangers})")
    handlers = [(tag, a) for tag, attrs in dom.tags for a in attrs if a.lower().startswith("on")]
    check(not handlers, f"{name}: no event handler attribute (found {handlers})")
    hrefs = [attrs.get("href") for tag, attrs in dom.tags if tag == "a"]
    check("/exits" in hrefs, f"{name}: links to /exits ({hrefs})")


def check_records(server):
    proc, port = start(server)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/exits", timeout=10) as answer:
            check(answer.headers["Content-Type"] == "application/json", "/exits is JSON")
            exits = json.loads(answer.read().decode("utf-8", errors="strict"))
        page = dump_dom(f"http://127.0.0.1:{port}/")
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)
    dom = Dom()
    dom.feed(page)
    records = exits["records"]
    check(len(records) >= 10, f"/exits holds the records ({len(records)})")
    check_injection(dom, "records")

    newest_first = list(reversed(records))
    check([row_id for row_id, _ in dom.rows] == [f"exit-{r['seq']}" for r in newest_first],
          f"one row per record of /exits, newest first ({len(dom.rows)} rows)")
    for (row_id, cells), record in zip(dom.rows, newest_first):
        check(len(cells) == 7, f"{row_id}: 7 cells")
        if len(cells) != 7:
            continue
        check(cells[2] == str(record["pid"]), f"{row_id}: pid {cells[2]} is {record['pid']}")
        program = record["program"] or record["comm"]
        check(re.sub("\ufffd+", "\ufffd", cells[1]) == shown(program),
              f"{row_id}: program {cells[1][:40]!r} is {shown(program)[:40]!r}")

    text = "".join(dom.text)
    for hostile in ["<script>alert(1)</script>", "\"><img src=x onerror=alert(2)>",
                    "'><svg onload=alert(3)>", "a&b&amp;c", "\\u{202e}evil",
                    "ctl\\x01\\x1b[31m\\x7f"]:
        check(hostile in text, f"shown as text: {hostile!r}")
    check("OOM-killed (cgroup)" in text and "prod/api-7d9f" in text, "an OOM kill in a pod")
    check("killed by SIGSEGV, core dumped" in text, "a core dump")


def check_empty(server):
    proc, port = start(server, "--empty")
    try:
        page = dump_dom(f"http://127.0.0.1:{port}/")
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)
    dom = Dom()
    dom.feed(page)
    check_injection(dom, "no records")
    check(not dom.rows and not any(tag == "table" for tag, _ in dom.tags), "no records: no table")
    check("No exit has been recorded since the start." in dom.paragraphs,
          "no records: one line says so")


def main():
    if len(sys.argv) != 2 or not os.access(sys.argv[1], os.X_OK):
        sys.exit(f"usage: {sys.argv[0]} PAGE_SERVER")
    check_records(sys.argv[1])
    check_empty(sys.argv[1])
    if failures:
        print(f"browsertest: {len(failures)} failed")
        sys.exit(1)
    print("browsertest: all passed")


if __name__ == "__main__":
    main()
