"""A client of Prometheus's HTTP API and the checks that evaluate expressions through it."""
import datetime
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request

from results import check


class Prom:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def get(self, path, params=None, data=None):
        url = self.url + path
        body = None
        if params:
            url += "?" + urllib.parse.urlencode(params, doseq=True)
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=15) as r:
                return json.load(r)
        except urllib.error.HTTPError as e:
            try:
                return json.load(e)
            except ValueError:
                return {"status": "error", "error": f"HTTP {e.code}"}
        except (urllib.error.URLError, OSError) as e:
            return {"status": "error", "error": str(e)}

    def query(self, expr):
        return self.get("/api/v1/query", data={"query": expr})

    def alerts(self):
        r = self.get("/api/v1/alerts")
        return r.get("data", {}).get("alerts", []) if r.get("status") == "success" else []

    def firing(self, name, **labels):
        return [a for a in self.alerts()
                if a["labels"].get("alertname") == name and a.get("state") == "firing"
                and all(a["labels"].get(k) == v for k, v in labels.items())]


def describe(result):
    if result.get("status") != "success":
        return f"{result.get('errorType', 'error')}: {result.get('error')}"
    data = result["data"]
    if data["resultType"] in ("vector", "matrix"):
        return f"{len(data['result'])} series"
    return f"{data['resultType']} {data['result']}"


def nonempty(result):
    return (result.get("status") == "success" and result["data"]["resultType"] in ("vector", "matrix")
            and len(result["data"]["result"]) > 0)


def evaluate(prom, what, expr, expect="nonempty"):
    """expect: nonempty (valid and at least one series), empty (valid, no series), valid."""
    r = prom.query(expr)
    ok = r.get("status") == "success"
    if expect == "nonempty":
        ok = nonempty(r)
    elif expect == "empty":
        ok = ok and r["data"]["resultType"] == "vector" and not r["data"]["result"]
    detail = describe(r)
    if not ok:
        detail += f" | {expr}"
    return check(ok, f"{what}: expect {expect}", detail), r


def wait_until(predicate, timeout, step=1.0):
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value or time.time() >= deadline:
            return value
        time.sleep(step)


def check_alert(prom, name, timeout, **labels):
    alerts = wait_until(lambda: prom.firing(name, **labels), timeout)
    want = ", ".join(f"{k}={v}" for k, v in labels.items())
    ok = check(bool(alerts), f"alert {name} fires" + (f" ({want})" if want else ""),
               "" if alerts else f"not firing after {timeout}s; states: "
               + str(sorted({(a['labels'].get('alertname'), a['state']) for a in prom.alerts()})))
    for a in alerts[:1]:
        text = " ".join(a.get("annotations", {}).values())
        check("<no value>" not in text and "error expanding" not in text and a["annotations"].get("summary"),
              f"alert {name} annotations render", a["annotations"].get("summary", ""))
    return ok


def unix_time(rfc3339):
    """Seconds since the epoch of a timestamp as Prometheus's API writes it
    ("2026-12-07T13:52:18.123456789Z", nanoseconds included); None if unreadable."""
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$", rfc3339 or "")
    if not m:
        return None
    zone = "+00:00" if m.group(3) == "Z" else m.group(3)
    whole = datetime.datetime.fromisoformat(m.group(1) + zone).timestamp()
    return whole + (float("0." + m.group(2)) if m.group(2) else 0.0)


def evaluated_rule(prom, name, since):
    """The alerting rule `name` from /api/v1/rules if Prometheus has evaluated
    it after `since` (seconds since the epoch), else None."""
    r = prom.get("/api/v1/rules", {"type": "alert"})
    for group in r.get("data", {}).get("groups", []):
        for rule in group.get("rules", []):
            if rule.get("name") != name:
                continue
            last = unix_time(rule.get("lastEvaluation") or group.get("lastEvaluation"))
            if last is not None and last > since and rule.get("health") == "ok":
                return rule
    return None


def check_not_firing(prom, name, what, timeout, **labels):
    """PASS when the alert `name` (those of its alerts with `labels`) is not
    firing at an evaluation of its rule that began after this call. Asking
    before the rule's group has run would pass whatever the rule says, so
    this waits for the group's next evaluation, and fails if none comes."""
    since = time.time()
    rule = wait_until(lambda: evaluated_rule(prom, name, since), timeout, step=0.5)
    if rule is None:
        return check(False, what, f"rule {name} was not evaluated in the {timeout}s after the check began")
    # The rule's alerts as that evaluation left them, from the same answer.
    firing = [a for a in rule.get("alerts", [])
              if a.get("state") == "firing" and all(a["labels"].get(k) == v for k, v in labels.items())]
    return check(not firing, what, f"evaluated at {rule.get('lastEvaluation')}"
                 + (f"; firing: {[a['labels'] for a in firing]}" if firing else ""))
