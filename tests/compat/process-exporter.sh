#!/usr/bin/env bash
# One rules file, read unchanged by Debian's prometheus-process-exporter and by
# execmond (naming.process_exporter_config), must give the same names
# (make compattest; tests/compat/process-exporter.sh BUILD_DIR, as root; about
# 30 seconds):
#
#  1. a rules file in process-exporter's format, scoped to this run's scripts
#     (their names hold a random tag, so that nothing else on the host
#     matches): python3 scripts, a python3 -m module, a script run through its
#     shebang, bash and perl scripts, and an inline sh -c command;
#  2. execmond with that file, program labels on the live gauge, execs and
#     exits; process-exporter on the same file, with -children=false (execmond
#     never folds a child into its parent's group, so neither may here);
#  3. long-lived processes of each kind: process-exporter's num_procs by
#     groupname must be the processes started, and execmond_processes by
#     program must equal it, name for name and count for count;
#  4. five short runs of each, which process-exporter never sees: execmond's
#     execs and clean exits by program must count every one, exactly.
#
# When execmond refuses the configuration (a build without the naming
# section, or a rule it reads otherwise than process-exporter), the
# process-exporter half still runs and the test fails, saying so.
# Prints PASS/FAIL per check and "N passed, N failed"; exits 1 on a failure.
# Logs in BUILD_DIR/compattest.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=$(cd "$1" && pwd)
HERE="$ROOT/tests/compat"
EXECMOND="$BUILD_DIR/execmond"
PE=/usr/bin/prometheus-process-exporter
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1
out="$BUILD_DIR/compattest"
rm -rf "$out"
mkdir -p "$out"

if [ "$(id -u)" != 0 ]; then
  echo "FAIL  run as root: execmond loads BPF programs" >&2
  exit 1
fi
for f in "$EXECMOND" "$PE" "$PY" /usr/bin/perl; do
  if [ ! -x "$f" ]; then
    echo "FAIL  $f is missing (make compattest builds execmond and installs the rest)" >&2
    exit 1
  fi
done

passes=0 failures=0
pass() { echo "PASS  $1"; passes=$((passes + 1)); }
fail() { echo "FAIL  $1"; failures=$((failures + 1)); }
compare() { # compare MODE ARGS...: one check of compare.py, counted
  if "$PY" "$HERE/compare.py" "$@" --tag-file "$tmp/tag" | tee -a "$out/checks.out"; then
    passes=$((passes + 1))
  else
    failures=$((failures + 1))
  fi
}
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

tmp=$(mktemp -d /tmp/execmond-compat.XXXXXX)
pids=() # everything this test started: the exporters and the long-lived scripts
cleanup() {
  local rc=$? p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$p" 2>/dev/null; then kill -KILL "$p" 2>/dev/null || true; fi
  done
  wait 2>/dev/null || true
  if [ "$rc" != 0 ]; then
    for log in "$out"/*.log; do
      [ -s "$log" ] || continue
      echo "---- last lines of $(basename "$log")"
      tail -n 15 "$log"
    done
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the scripts, named with this run's tag
tag="xm$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
echo "$tag" >"$tmp/tag"
bin="$tmp/scripts"
mkdir -p "$bin"
mkfifo "$bin/hold" # long-lived scripts block reading it; nothing is ever written
# Each script exits at once when given "once", else waits without forking
# (a child would be a process of another name in both exporters).
cat >"$bin/${tag}_worker.py" <<'EOF'
import sys, time
if sys.argv[1:] != ["once"]:
    time.sleep(3600)
EOF
cp "$bin/${tag}_worker.py" "$bin/${tag}_queue.py" # run as python3 -m <tag>_queue
{ echo '#!/usr/bin/python3'; cat "$bin/${tag}_worker.py"; } >"$bin/${tag}_cron.py"
chmod +x "$bin/${tag}_cron.py"
cat >"$bin/${tag}_backup.sh" <<'EOF'
[ "${1:-}" = once ] && exit 0
exec 3<>"${0%/*}/hold"
read -r -u 3 _
EOF
cat >"$bin/${tag}_report.pl" <<'EOF'
exit 0 if @ARGV && $ARGV[0] eq "once";
sleep 3600;
EOF

# ---- the rules: process-exporter's format, the same file for both
cat >"$tmp/process-exporter.yml" <<EOF
process_names:
  # python3 -m MODULE
  - name: "{{.Matches.module}}"
    cmdline:
      - '^\S*python3\S*\s+(?:-\S+\s+)*-m\s+(?P<module>${tag}_\w+)'
  # python3 [options] SCRIPT.py, and SCRIPT.py run through its shebang line
  # (the kernel runs "/usr/bin/python3 /path/SCRIPT.py")
  - name: "{{.Matches.script}}"
    cmdline:
      - '^\S*python3\S*\s+(?:-\S+\s+)*\S*?(?P<script>${tag}_\w+\.py)'
  # bash and perl scripts, named with their interpreter
  - name: "{{.ExeBase}}:{{.Matches.script}}"
    exe: [bash, perl]
    cmdline:
      - '^\S+\s+(?:-\S+\s+)*\S*?(?P<script>${tag}_\w+\.(?:sh|pl))'
  # an inline shell command, by a word it holds
  - name: ${tag}_inline
    comm: [sh]
    cmdline:
      - '^sh -c .*${tag}_inline'
EOF
cp "$tmp/process-exporter.yml" "$out/process-exporter.yml"

# ---- execmond
execmond_url=""
cat >"$tmp/execmond.yaml" <<EOF
web:
  listen_address: "127.0.0.1:0"
tracer:
  drain_interval: 1s
naming:
  process_exporter_config: $tmp/process-exporter.yml
labels:
  default: [comm]
  processes: [program]
  execs: [program]
  exits: [program]
EOF
cp "$tmp/execmond.yaml" "$out/execmond.yaml"
if "$EXECMOND" --config.check --config.file="$tmp/execmond.yaml" >"$out/config-check.log" 2>&1; then
  pass "execmond --config.check takes process-exporter's rules file and the program label"
  "$EXECMOND" --config.file="$tmp/execmond.yaml" >"$out/execmond.log" 2>&1 &
  pids+=("$!")
  port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/.*serving metrics on .*(port \([0-9]*\)).*/\1/p' "$out/execmond.log" | head -n1)
    [ -n "$port" ] && break
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  if [ -n "$port" ]; then
    execmond_url="http://127.0.0.1:$port/metrics"
    pass "execmond serves on 127.0.0.1:$port"
  else
    fail "execmond did not start: $(tail -n1 "$out/execmond.log")"
  fi
else
  fail "execmond refuses the configuration that names processes by process-exporter's rules: $(tail -n1 "$out/config-check.log")"
  echo "      (its config: $out/execmond.yaml; the process-exporter half runs on alone)"
fi

# ---- process-exporter
pe_port=$(free_port)
pe_url="http://127.0.0.1:$pe_port/metrics"
"$PE" -config.path "$tmp/process-exporter.yml" -web.listen-address "127.0.0.1:$pe_port" \
  -children=false -threads=false -gather-smaps=false >"$out/process-exporter.log" 2>&1 &
pids+=("$!")
for _ in $(seq 100); do
  "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$pe_url" \
    >/dev/null 2>&1 && break
  sleep 0.1
done
if "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$pe_url" >/dev/null 2>&1; then
  pass "process-exporter ($("$PE" -version 2>&1 | sed -n 's/.*revision: \([^)]*\)).*/\1/p')) serves on 127.0.0.1:$pe_port"
else
  fail "process-exporter did not start: $(tail -n1 "$out/process-exporter.log")"
  exit 1
fi

# ---- long-lived processes, each started straight from this shell (one fork
# and one exec each) and stopped by cleanup
start() { "$@" >>"$out/scripts.log" 2>&1 & pids+=("$!"); }
start python3 "$bin/${tag}_worker.py"
start python3 "$bin/${tag}_worker.py"
start python3 -u "$bin/${tag}_worker.py"
PYTHONPATH="$bin" start python3 -m "${tag}_queue"
start "$bin/${tag}_cron.py"
start bash "$bin/${tag}_backup.sh"
start bash "$bin/${tag}_backup.sh"
start perl -w "$bin/${tag}_report.pl"
# shellcheck disable=SC2016 # the inline command expands $1 itself
start sh -c 'exec 3<>"$1"; read -r x <&3 # '"${tag}_inline" sh "$bin/hold"
cat >"$tmp/live.json" <<EOF
{"${tag}_worker.py": 3, "${tag}_queue": 1, "${tag}_cron.py": 1,
 "bash:${tag}_backup.sh": 2, "perl:${tag}_report.pl": 1, "${tag}_inline": 1}
EOF

echo "---- long-lived processes"
compare groups --pe "$pe_url" --want "$tmp/live.json"
if [ -n "$execmond_url" ]; then
  compare live --pe "$pe_url" --execmond "$execmond_url"
fi

# ---- short runs: five of each, gone long before any scrape
runs=5
for _ in $(seq "$runs"); do
  python3 "$bin/${tag}_worker.py" once
  PYTHONPATH="$bin" python3 -m "${tag}_queue" once
  "$bin/${tag}_cron.py" once
  bash "$bin/${tag}_backup.sh" once
  perl -w "$bin/${tag}_report.pl" once
  sh -c ": ${tag}_inline"
done
cat >"$tmp/execs.json" <<EOF
{"${tag}_worker.py": $((3 + runs)), "${tag}_queue": $((1 + runs)), "${tag}_cron.py": $((1 + runs)),
 "bash:${tag}_backup.sh": $((2 + runs)), "perl:${tag}_report.pl": $((1 + runs)), "${tag}_inline": $((1 + runs))}
EOF
cat >"$tmp/exits.json" <<EOF
{"${tag}_worker.py": $runs, "${tag}_queue": $runs, "${tag}_cron.py": $runs,
 "bash:${tag}_backup.sh": $runs, "perl:${tag}_report.pl": $runs, "${tag}_inline": $runs}
EOF

echo "---- short runs"
if [ -n "$execmond_url" ]; then
  compare counts --execmond "$execmond_url" --metric execmond_process_execs_total --want "$tmp/execs.json"
  compare counts --execmond "$execmond_url" --metric execmond_process_exits_total --want "$tmp/exits.json" \
    --label reason=exited --label code=0
  # The long-lived ones are all still there: the short runs changed no live count.
  compare live --pe "$pe_url" --execmond "$execmond_url"
fi

echo "compattest: $passes passed, $failures failed"
[ "$failures" = 0 ]
