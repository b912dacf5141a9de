"""The Grafana dashboard's queries as the checks of tests/prometheus see them
(panels, selectors, variables substituted as Grafana would) and its static
checks (check.py lint)."""
import json
import re

from results import check, summary


def all_panels(dashboard):
    """Every panel, including those nested in collapsed rows."""
    for p in dashboard.get("panels", []):
        yield p
        for inner in p.get("panels", []) or []:
            yield inner


def dashboard_targets(dashboard):
    for p in all_panels(dashboard):
        for t in p.get("targets", []) or []:
            if "expr" in t:
                yield p, t


# Grafana's variables, as the test substitutes them: every selectable
# variable means "all", the interval variables get values that suit a 1 s
# scrape interval and a scenario under a minute old.
INTERVALS = {
    "__rate_interval": "1m",
    "__interval": "15s",
    "__range": "5m",
}


SELECTABLE = ("job", "instance", "namespace", "pod", "comm", "program")
# The variables that filter the per-program panels, in the dashboard's order;
# each one's label_values query is filtered by the ones before it.
PER_PROGRAM = ("namespace", "pod", "comm", "program")
# Labels only some configurations carry (naming rules, labels:): a panel
# grouped by one keeps only the series that have it, so that a host without
# it shows nothing rather than one series of an empty name.
OPTIONAL_GROUPS = ("program", "parent")


def optional_groups(expr):
    """The optional labels a query of the process families groups by (the
    BPF program families' `program` is another label)."""
    if "execmond_process" not in expr:
        return []
    return [label for label in OPTIONAL_GROUPS if re.search(r"by \((?:[a-z_]+, )*%s\b" % label, expr)]


def substitute(expr, values=None):
    """expr with the interval variables replaced and every selectable variable
    replaced by values[name], by default ".*" (Grafana's All)."""
    values = values or {}
    for name, value in INTERVALS.items():
        expr = expr.replace("${%s}" % name, value).replace("$" + name, value)
    for name in SELECTABLE:
        value = values.get(name, ".*")
        expr = re.sub(r"\$\{%s(:[a-z]+)?\}|\[\[%s\]\]|\$%s\b" % (name, name, name),
                      lambda _: value, expr)
    return expr


def selectors(expr):
    """The label matchers of each {...} selector in expr."""
    return re.findall(r"\{[^{}]*\}", expr)


def filter_of(name):
    return '%s=~"$%s"' % (name, name)


def variable_query(v):
    q = v.get("query", "")
    return q.get("query", "") if isinstance(q, dict) else q


def label_values(query):
    """(selector, label) of label_values(SELECTOR, LABEL), or None."""
    m = re.match(r"^\s*label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$", query)
    return (m.group(1), m.group(2)) if m else None


def leftover_variable(expr):
    m = re.search(r"\$\{?[A-Za-z_][A-Za-z0-9_]*|\[\[[A-Za-z_]", expr)
    return m.group(0) if m else None


def lint(path):
    d = json.load(open(path))
    check(d.get("schemaVersion", 0) >= 36, "dashboard schemaVersion is Grafana 9+", str(d.get("schemaVersion")))
    inputs = d.get("__inputs", [])
    check(any(i.get("name") == "DS_PROMETHEUS" and i.get("type") == "datasource" and
              i.get("pluginId") == "prometheus" for i in inputs),
          "__inputs declares the DS_PROMETHEUS datasource input")
    variables = {v["name"]: v for v in d.get("templating", {}).get("list", [])}
    ds = variables.get("datasource", {})
    check(ds.get("type") == "datasource" and ds.get("query") == "prometheus",
          "variable datasource is a prometheus datasource variable")
    inst = variables.get("instance", {})
    inst_query = variable_query(inst)
    check(inst.get("type") == "query" and "label_values(execmond_build_info" in inst_query
          and inst_query.rstrip().endswith("instance)"),
          "variable instance is label_values(execmond_build_info..., instance)", inst_query)
    order = list(variables)
    check(all(n in order for n in ("instance",) + PER_PROGRAM)
          and [order.index(n) for n in ("instance",) + PER_PROGRAM]
          == sorted(order.index(n) for n in ("instance",) + PER_PROGRAM),
          "variables " + ", ".join(PER_PROGRAM) + " follow instance, in that order", ", ".join(order))
    # "All" must be ".*", not Grafana's default of every listed value joined:
    # series without the label (hosts not labelling by it) match ".*" only.
    metrics_of = {}  # variable -> its selector's __name__ matcher
    for i, name in enumerate(PER_PROGRAM):
        v = variables.get(name, {})
        check(v.get("type") == "query" and v.get("multi") and v.get("includeAll") and v.get("allValue") == ".*",
              f"variable {name} is a multi-value query variable with All = .*",
              f"allValue {v.get('allValue')!r}")
        parsed = label_values(variable_query(v))
        if not check(bool(parsed) and parsed[1] == name, f"variable {name} is label_values(..., {name})",
                     variable_query(v)):
            continue
        selector = parsed[0]
        metrics = re.search(r'__name__=~"[^"]*"', selector)
        metrics = metrics.group(0) if metrics else None
        metrics_of[name] = metrics
        want = ("job", "instance") + PER_PROGRAM[:i]
        unwanted = PER_PROGRAM[i:]
        check(metrics is not None and all(filter_of(f) in selector for f in want)
              and not any(filter_of(f) in selector for f in unwanted),
              f"variable {name} is filtered by " + ", ".join(want), selector)
    for name in (n for n in PER_PROGRAM if n != "comm"):
        check(metrics_of.get("comm") is not None and metrics_of.get(name) == metrics_of["comm"],
              f"variable {name} lists the metrics the comm variable does", str(metrics_of.get(name)))
    for name, v in variables.items():
        if v.get("type") == "query":
            check(v.get("datasource", {}).get("uid") == "${datasource}",
                  f"variable {name} queries $datasource")

    ids = [p.get("id") for p in all_panels(d)]
    check(len(ids) == len(set(ids)) and None not in ids, "panel ids are unique", str(ids))
    n = 0
    for p in all_panels(d):
        title = p.get("title", "?")
        check("gridPos" in p and all(k in p["gridPos"] for k in ("x", "y", "w", "h")),
              f"panel '{title}' has a gridPos")
        if p.get("type") == "row":
            continue
        check(p.get("datasource", {}).get("uid") == "${datasource}", f"panel '{title}' uses $datasource")
        targets = p.get("targets", [])
        check(bool(targets), f"panel '{title}' has queries")
        for t in targets:
            n += 1
            expr = t.get("expr", "")
            where = f"panel '{title}' [{t.get('refId')}]"
            check(t.get("datasource", {}).get("uid") == "${datasource}", f"{where} query uses $datasource")
            check('instance=~"$instance"' in expr, f"{where} filters by $instance", expr)
            if "execmond_process" in expr:
                check('comm=~"$comm"' in expr, f"{where} filters by $comm", expr)
            # The per-program filters go together, in every selector of the query.
            for sel in selectors(expr):
                present = [filter_of(f) in sel for f in PER_PROGRAM]
                if any(present):
                    check(all(present), f"{where} filters by " + ", ".join("$" + f for f in PER_PROGRAM)
                          + " together", sel)
            for group in optional_groups(expr):
                check(f'{group}!=""' in expr, f"{where} groups by {group} and keeps only series that have it", expr)
            if p.get("type") == "heatmap":
                check(t.get("format") == "heatmap" and "_bucket" in expr, f"{where} is a heatmap of buckets")
    check(n >= 20, f"dashboard has {n} queries")
    heat = [p for p in all_panels(d) if p.get("type") == "heatmap"]
    check(any("execmond_process_lifetime_seconds_bucket" in t["expr"] for p in heat for t in p["targets"]),
          "lifetime heatmap present")
    exprs = " ".join(t["expr"] for _, t in dashboard_targets(d))
    for needle in ("histogram_quantile(0.5,", "histogram_quantile(0.9,", "histogram_quantile(0.99,",
                   "execmond_processes", "execmond_events_lost_total", "execmond_series_overflow_events_total",
                   "execmond_bpf_map_entries", "execmond_drain_duration_seconds_bucket",
                   "execmond_config_last_reload_successful", "process_resident_memory_bytes",
                   "process_cpu_seconds_total", "execmond_build_info", "up{", "topk(",
                   'reason=~"signaled|dumped"', 'code!="0"', "sum by (program)", "sum by (parent, comm)",
                   "sum by (program, script, reason, code)"):
        check(needle in exprs, f"dashboard queries {needle}")
    return summary("lint")
