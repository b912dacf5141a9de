"""A client of Prometheus's HTTP API and the checks that evaluate expressions through it."""
import json
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
