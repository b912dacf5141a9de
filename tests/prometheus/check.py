#!/usr/bin/env python3
"""Helpers for tests/prometheus/run.sh: the dashboard's static checks, the
Prometheus configuration the test runs with, and the live scenario that
evaluates every dashboard and rule expression against a real Prometheus
scraping real execmond daemons.

  check.py lint DASHBOARD_JSON
  check.py configs --scrape SCRAPE_YML --daemonset DAEMONSET_YML --rules RULES_YML
                   --main HOST:PORT --tiny HOST:PORT --pods HOST:PORT --names HOST:PORT --outdir DIR
  check.py scenario --prom URL --dashboard JSON --rules RULES_YML --main HOST:PORT
                    --tiny HOST:PORT --pods HOST:PORT --names HOST:PORT --tiny-pid PID --tiny-config PATH

--names is "" when execmond refused the naming configuration: every check of
the program, script and parent labels then fails.

Each check prints one line, PASS or FAIL; `lint` and `scenario` end with
"N passed, N failed" and exit 1 when anything failed.
"""
import argparse
import copy
import json
import os
import re
import signal
import sys
import time

import yaml

from dashboard import PER_PROGRAM, dashboard_targets, filter_of, label_values, leftover_variable, lint, \
    optional_groups, substitute, variable_query
from prom import Prom, check_alert, check_not_firing, evaluate, nonempty, wait_until
import results
from results import check, summary

# ------------------------------------------------------------------ configs

def sanitize(name):
    return re.sub(r"[^a-zA-Z0-9_]", "_", name)


def pod_meta(daemonset, node, pod, overrides=None):
    """The __meta_kubernetes_* labels pod-role discovery would give the DaemonSet's pod."""
    tmpl = daemonset["spec"]["template"]
    meta = {
        "__meta_kubernetes_namespace": daemonset["metadata"]["namespace"],
        "__meta_kubernetes_pod_name": pod,
        "__meta_kubernetes_pod_node_name": node,
    }
    for k, v in (tmpl["metadata"].get("labels") or {}).items():
        meta["__meta_kubernetes_pod_label_" + sanitize(k)] = str(v)
        meta["__meta_kubernetes_pod_labelpresent_" + sanitize(k)] = "true"
    for k, v in (tmpl["metadata"].get("annotations") or {}).items():
        meta["__meta_kubernetes_pod_annotation_" + sanitize(k)] = str(v)
        meta["__meta_kubernetes_pod_annotationpresent_" + sanitize(k)] = "true"
    container = tmpl["spec"]["containers"][0]
    port = container["ports"][0]
    meta.update({
        "__meta_kubernetes_pod_container_name": container["name"],
        "__meta_kubernetes_pod_container_port_name": port.get("name", ""),
        "__meta_kubernetes_pod_container_port_number": str(port["containerPort"]),
        "__meta_kubernetes_pod_container_port_protocol": port.get("protocol", "TCP"),
    })
    meta.update(overrides or {})
    return meta


def pods_job(static_job):
    return static_job + "-pods"


def names_job(static_job):
    return static_job + "-names"


# The pod the "pods" daemon's workload runs in (run.sh writes its runtime state).
POD = {"namespace": "promtest", "pod": "batch-7d4b9c8f6d-x2k9p", "container": "worker"}


def configs(args):
    scrape = yaml.safe_load(open(args.scrape))
    daemonset = yaml.safe_load(open(args.daemonset))
    rules = yaml.safe_load(open(args.rules))
    os.makedirs(args.outdir, exist_ok=True)
    main_port = args.main.rsplit(":", 1)[1]

    tmpl = daemonset["spec"]["template"]
    ann = tmpl["metadata"].get("annotations") or {}
    container_port = tmpl["spec"]["containers"][0]["ports"][0]["containerPort"]
    check(str(ann.get("prometheus.io/port")) == str(container_port),
          "DaemonSet's prometheus.io/port annotation is its container port",
          f"{ann.get('prometheus.io/port')} vs {container_port}")

    # 1. scrape.yml as promtool can check it: Debian's Prometheus is built
    # without Kubernetes discovery, so the kubernetes_sd_configs become static
    # targets (the relabelling is what is checked); the rule file is the real one.
    checkable = copy.deepcopy(scrape)
    checkable["rule_files"] = [os.path.abspath(args.rules)]
    k8s_jobs = []
    for job in checkable.get("scrape_configs", []):
        if "kubernetes_sd_configs" in job:
            k8s_jobs.append(job["job_name"])
            del job["kubernetes_sd_configs"]
            job["static_configs"] = [{"targets": ["10.0.0.1:9765"]}]
    check(bool(k8s_jobs), "scrape.yml has a kubernetes_sd job", ", ".join(k8s_jobs))
    check(any("static_configs" in j and j["job_name"] not in k8s_jobs for j in checkable["scrape_configs"]),
          "scrape.yml has a static job")
    with open(os.path.join(args.outdir, "scrape-checkable.yml"), "w") as f:
        yaml.safe_dump(checkable, f, sort_keys=False)

    # 2. The rules as the test's Prometheus loads them: the real expressions,
    # every `for:` set to 0s so that alerts fire within the test.
    fast = copy.deepcopy(rules)
    for group in fast["groups"]:
        for rule in group["rules"]:
            if "alert" in rule:
                rule["for"] = "0s"
    with open(os.path.join(args.outdir, "rules-for-0s.yml"), "w") as f:
        yaml.safe_dump(fast, f, sort_keys=False)

    # 3. The test's Prometheus: both daemons in a job named like scrape.yml's
    # static job, and the kubernetes_sd job fed with the __meta_* labels the
    # DaemonSet's pods would have: the real pod (annotation port pointed at
    # the test daemon), one that opted out, and another app's pod.
    static_job = next(j for j in scrape["scrape_configs"] if "static_configs" in j)
    jobs = [{
        "job_name": static_job["job_name"],
        "metrics_path": static_job.get("metrics_path", "/metrics"),
        "static_configs": [{"targets": [args.main, args.tiny]}],
    }, {
        # The daemon that labels by the pod's Kubernetes names.
        "job_name": pods_job(static_job["job_name"]),
        "metrics_path": static_job.get("metrics_path", "/metrics"),
        "static_configs": [{"targets": [args.pods]}],
    }]
    if args.names:
        # The daemon that names processes by process-exporter's rules.
        jobs.append({
            "job_name": names_job(static_job["job_name"]),
            "metrics_path": static_job.get("metrics_path", "/metrics"),
            "static_configs": [{"targets": [args.names]}],
        })
    for job in scrape["scrape_configs"]:
        if "kubernetes_sd_configs" not in job:
            continue
        job = copy.deepcopy(job)
        del job["kubernetes_sd_configs"]
        port_ann = "__meta_kubernetes_pod_annotation_prometheus_io_port"
        job["static_configs"] = [
            {"targets": [f"127.0.0.1:{container_port}"],
             "labels": pod_meta(daemonset, "test-node", "execmond-test", {port_ann: main_port})},
            {"targets": [f"127.0.0.1:{container_port}"],
             "labels": pod_meta(daemonset, "opted-out-node", "execmond-opted-out",
                                {port_ann: main_port,
                                 "__meta_kubernetes_pod_annotation_prometheus_io_scrape": "false"})},
            {"targets": [f"127.0.0.1:{container_port}"],
             "labels": pod_meta(daemonset, "other-node", "other-app",
                                {port_ann: main_port,
                                 "__meta_kubernetes_pod_label_app_kubernetes_io_name": "other"})},
        ]
        jobs.append(job)
    prom = {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "rule_files": [os.path.join(os.path.abspath(args.outdir), "rules-for-0s.yml")],
        "scrape_configs": jobs,
    }
    with open(os.path.join(args.outdir, "prometheus.yml"), "w") as f:
        yaml.safe_dump(prom, f, sort_keys=False)
    return 1 if results.FAILED else 0


# ------------------------------------------------------------------ scenario

def scenario(args):
    prom = Prom(args.prom)
    dashboard = json.load(open(args.dashboard))
    rules = yaml.safe_load(open(args.rules))
    main, tiny = args.main, args.tiny

    # --- targets
    def targets_up():
        r = prom.query("up")
        if not nonempty(r):
            return False
        ups = {(s["metric"]["job"], s["metric"]["instance"]): s["value"][1] for s in r["data"]["result"]}
        return ups if len(ups) >= 4 + bool(args.names) and all(v == "1" for v in ups.values()) else False

    ups = wait_until(targets_up, 30)
    check(bool(ups), "Prometheus scrapes all targets (up == 1)", str(ups))

    # The annotation-based Kubernetes job: one target, relabelled from the pod's metadata.
    t = prom.get("/api/v1/targets", {"state": "any"})
    k8s_job = next((j["job_name"] for j in yaml.safe_load(open(args.scrape))["scrape_configs"]
                    if "kubernetes_sd_configs" in j), None)
    active = [x for x in t.get("data", {}).get("activeTargets", []) if x["labels"].get("job") == k8s_job]
    dropped = [x for x in t.get("data", {}).get("droppedTargets", [])
               if x.get("discoveredLabels", {}).get("job") == k8s_job]
    check(len(active) == 1, f"{k8s_job}: the annotated execmond pod is the only target",
          f"{len(active)} active, {len(dropped)} dropped")
    if active:
        lab = active[0]["labels"]
        main_port = main.rsplit(":", 1)[1]
        check(active[0]["scrapeUrl"] == f"http://127.0.0.1:{main_port}/metrics",
              f"{k8s_job}: address and path come from the prometheus.io annotations", active[0]["scrapeUrl"])
        # namespace and pod are the traced containers' labels, not the target's.
        check(lab.get("instance") == "test-node" and lab.get("node") == "test-node"
              and "namespace" not in lab and "pod" not in lab,
              f"{k8s_job}: instance and node are the node name; no namespace or pod target label",
              str(lab))
        check(active[0]["health"] == "up", f"{k8s_job}: target is up", active[0].get("lastError", ""))
    check(len(dropped) == 2, f"{k8s_job}: the opted-out pod and the other app's pod are dropped",
          f"{len(dropped)} dropped")

    # --- phase A: the workload runs; wait for the alerts it must cause.
    print("---- phase A: workload running", flush=True)
    time.sleep(max(0.0, args.warmup))
    expected = [
        ("ExecmondEventsLost", {"instance": tiny}),
        ("ExecmondSeriesOverflow", {"instance": tiny}),
        ("ExecmondProcessMapNearlyFull", {"instance": tiny}),
        ("ProgramCrashLooping", {"instance": main, "comm": "execmond_worklo"}),
        ("ProgramFailingExits", {"instance": main, "comm": "execmond_worklo"}),
        ("ProgramOOMKilled", {"instance": main, "comm": "execmond_worklo", "scope": "cgroup"}),
        # About 11 crashes a second of one program, past its 1 record a second.
        ("ExecmondExitRecordsRateLimited", {"instance": main}),
    ]
    # The failing python job, by its script, on the daemon that labels by it.
    if check(bool(args.names), "the names daemon runs (program, script and parent labels)",
             "execmond refused config/examples/process-exporter-migration.yaml"):
        expected.append(("ScriptFailed", {"instance": args.names, "script": "promtest_nightly.py",
                                          "reason": "exited", "code": "3"}))
    for name, labels in expected:
        check_alert(prom, name, 45, **labels)
    check_not_firing(prom, "ExecmondTargetMissing", "alert ExecmondTargetMissing does not fire", 30)
    check_not_firing(prom, "ExecmondDown", "alert ExecmondDown does not fire while both daemons run", 30)
    check_not_firing(prom, "ExecmondConfigReloadFailed", "alert ExecmondConfigReloadFailed does not fire yet", 30)

    # Every rule's expression. Alerts of phase A must be non-empty now; the
    # others must be valid, and non-empty once their phase has made them so.
    print("---- rule expressions", flush=True)
    later = {"ExecmondDown", "ExecmondConfigReloadFailed"}
    # Never made to fire here: no daemon's kernel buffer for records fills.
    quiet = {"ExecmondExitRecordsDropped"}
    for group in rules["groups"]:
        for rule in group["rules"]:
            name = rule.get("alert") or rule.get("record")
            if "record" in rule:
                evaluate(prom, f"recording rule {name} expression", rule["expr"])
                evaluate(prom, f"recorded series {name}", name)
            elif name == "ExecmondTargetMissing":
                evaluate(prom, f"alert {name} expression (targets present)", rule["expr"], "empty")
            elif name in later or name in quiet:
                evaluate(prom, f"alert {name} expression", rule["expr"], "valid")
            else:
                evaluate(prom, f"alert {name} expression", rule["expr"])
    r = prom.get("/api/v1/rules")
    bad = [(rl["name"], rl.get("lastError")) for g in r.get("data", {}).get("groups", [])
           for rl in g["rules"] if rl.get("health") != "ok"]
    n = sum(len(g["rules"]) for g in r.get("data", {}).get("groups", []))
    check(n == sum(len(g["rules"]) for g in rules["groups"]) and not bad,
          f"Prometheus evaluates all {n} rules without error", str(bad))

    # Every dashboard query.
    print("---- dashboard queries", flush=True)
    for panel, target in dashboard_targets(dashboard):
        expr = substitute(target["expr"])
        left = leftover_variable(expr)
        what = f"dashboard '{panel.get('title')}' [{target.get('refId')}]"
        if left:
            check(False, what, f"unsubstituted variable {left} in {expr}")
            continue
        evaluate(prom, what, expr)
    # Variable queries: label_values(SELECTOR, LABEL) through the series API, as Grafana does.
    def variable_values(v, values=None):
        selector, label = label_values(variable_query(v))
        selector = substitute(selector, values)
        r = prom.get(f"/api/v1/label/{label}/values", {"match[]": selector, "start": int(time.time()) - 600})
        return r, selector

    variables = {v["name"]: v for v in dashboard.get("templating", {}).get("list", [])}
    for v in variables.values():
        if v.get("type") != "query":
            continue
        if not check(bool(label_values(variable_query(v))), f"variable {v['name']} is label_values(selector, label)",
                     variable_query(v)):
            continue
        r, selector = variable_values(v)
        check(r.get("status") == "success" and len(r.get("data", [])) > 0,
              f"variable {v['name']} has values", f"{r.get('data', r.get('error'))} | {selector}")

    # Namespaces and pods: only the "pods" daemon's, read from the pod's
    # runtime state; the other daemons label by comm, and the Kubernetes job
    # gives its target no namespace or pod. Each variable lists what the ones
    # before it select.
    static_job = next(j["job_name"] for j in yaml.safe_load(open(args.scrape))["scrape_configs"]
                      if "static_configs" in j)
    pods = pods_job(static_job)
    names = names_job(static_job)
    pod_series = ('execmond_process_execs_total{job="%s", namespace="%s", pod="%s", container="%s", '
                  'comm="execmond_worklo"}' % (pods, POD["namespace"], POD["pod"], POD["container"]))
    evaluate(prom, "the pods daemon labels the pod's execs by its namespace, pod and container", pod_series)
    if all(n in variables for n in PER_PROGRAM):
        for name, values, want in (
                ("namespace", {}, [POD["namespace"]]),
                ("namespace", {"job": static_job}, []),
                ("namespace", {"job": k8s_job}, []),
                ("namespace", {"job": pods}, [POD["namespace"]]),
                ("pod", {}, [POD["pod"]]),
                ("pod", {"namespace": POD["namespace"]}, [POD["pod"]]),
                ("pod", {"namespace": "elsewhere"}, []),
                ("comm", {"namespace": "elsewhere"}, []),
                ("program", {"namespace": "elsewhere"}, []),
                ("program", {"job": static_job}, [])):
            r, selector = variable_values(variables[name], values)
            check(r.get("status") == "success" and r.get("data") == want,
                  f"variable {name} with " + (", ".join(f"{k}={v}" for k, v in values.items()) or "All")
                  + f" lists {want}",
                  f"{r.get('data', r.get('error'))} | {selector}")
        # The pod runs only the workload (and its loop's shell and sleep); the
        # test's own programs (curl, python3) run outside it.
        for values in ({"namespace": POD["namespace"]}, {"namespace": POD["namespace"], "pod": POD["pod"]}):
            r, selector = variable_values(variables["comm"], values)
            got = r.get("data", [])
            check(r.get("status") == "success" and "execmond_worklo" in got
                  and not {"curl", "python3"} & set(got),
                  "variable comm with " + ", ".join(f"{k}={v}" for k, v in values.items())
                  + " lists the pod's programs", f"{got or r.get('error')} | {selector}")
        # The names daemon's: the failing job by the migration example's
        # inline rule, the rest by comm (unmatched: comm).
        r, selector = variable_values(variables["program"], {"job": names})
        got = r.get("data", [])
        check(r.get("status") == "success" and "promtest_nightly" in got and "execmond_worklo" in got,
              f"variable program with job={names} lists the named job and the unmatched programs by comm",
              f"{got or r.get('error')} | {selector}")

    # All (".*") also matches series that lack the label: every per-program
    # query returns series from the static job, whose series carry no
    # namespace or pod; a chosen namespace keeps only the series that have it.
    print("---- per-program queries: series without namespace and pod", flush=True)
    # The panels grouped by program or parent keep only series that have it:
    # those of the names daemon.
    for panel, target in dashboard_targets(dashboard):
        if filter_of("comm") not in target["expr"]:
            continue
        job = names if optional_groups(target["expr"]) else static_job
        what = f"dashboard '{panel.get('title')}' [{target.get('refId')}] for job {job} (no namespace, pod)"
        evaluate(prom, what, substitute(target["expr"], {"job": job}))
        if job == names:
            expr = substitute(target["expr"], {"job": static_job})
            evaluate(prom, f"{what}: nothing for job {static_job}, which labels by comm alone", expr, "empty")
    every_job = sorted([static_job, pods, k8s_job] + ([names] if args.names else []))
    for namespace, want in ((".*", every_job), (POD["namespace"], [pods]),
                            ("elsewhere", [])):
        expr = substitute('count by (job) (execmond_process_execs_total{job=~"$job", instance=~"$instance", '
                          'namespace=~"$namespace", pod=~"$pod", comm=~"$comm"})', {"namespace": namespace})
        r = prom.query(expr)
        jobs = sorted(x["metric"].get("job", "") for x in r.get("data", {}).get("result", []))
        check(r.get("status") == "success" and jobs == want,
              f"namespace {namespace} selects the execs series of jobs {want}", f"{jobs} | {expr}")

    # --- phase B: a reload that fails.
    print("---- phase B: failed reload of the second daemon", flush=True)
    with open(args.tiny_config, "a") as f:
        f.write("\nnot_a_key: 1\n")
    os.kill(args.tiny_pid, signal.SIGHUP)
    if check_alert(prom, "ExecmondConfigReloadFailed", 30, instance=tiny):
        expr = next(r["expr"] for g in rules["groups"] for r in g["rules"]
                    if r.get("alert") == "ExecmondConfigReloadFailed")
        evaluate(prom, "alert ExecmondConfigReloadFailed expression", expr)
    evaluate(prom, "dashboard 'Reload failures' counts it",
             'count(execmond_config_last_reload_successful == 0) == 1')

    # --- phase C: a daemon that stops.
    print("---- phase C: the second daemon stops", flush=True)
    os.kill(args.tiny_pid, signal.SIGTERM)
    if check_alert(prom, "ExecmondDown", 30, instance=tiny):
        expr = next(r["expr"] for g in rules["groups"] for r in g["rules"] if r.get("alert") == "ExecmondDown")
        evaluate(prom, "alert ExecmondDown expression", expr)
    targets_down = next((t["expr"] for p, t in dashboard_targets(dashboard) if p.get("title") == "Targets down"),
                        None)
    if targets_down:
        evaluate(prom, "dashboard 'Targets down' shows it", substitute(targets_down) + " == 1")
    check_not_firing(prom, "ExecmondDown", "alert ExecmondDown does not fire for the running daemon", 30,
                     instance=main)
    return summary("scenario")


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("lint")
    p.add_argument("dashboard")
    p = sub.add_parser("configs")
    for a in ("--scrape", "--daemonset", "--rules", "--main", "--tiny", "--pods", "--names", "--outdir"):
        p.add_argument(a, required=True)
    p = sub.add_parser("scenario")
    for a in ("--prom", "--dashboard", "--rules", "--scrape", "--main", "--tiny", "--pods", "--names",
              "--tiny-config"):
        p.add_argument(a, required=True)
    p.add_argument("--tiny-pid", type=int, required=True)
    p.add_argument("--warmup", type=float, default=10)
    args = ap.parse_args()
    if args.cmd == "lint":
        return lint(args.dashboard)
    if args.cmd == "configs":
        return configs(args)
    return scenario(args)


if __name__ == "__main__":
    sys.exit(main())
