#!/bin/bash
# Sourced by run.sh (and, through it, kubernetes.sh): the PASS/FAIL lines and
# their count, and what the sections ask of a podman container of the image.
# Needs $PY, $out and $ROOT.
# shellcheck disable=SC2154 # $out: run.sh's

# shellcheck source=../support/metric-value.sh
. "$ROOT/tests/support/metric-value.sh"

passes=0 failures=0
pass() {
  echo "PASS  $1"
  passes=$((passes + 1))
}
fail() {
  echo "FAIL  $1"
  failures=$((failures + 1))
}
verdict() { # verdict NAME COMMAND...: PASS when the command succeeds
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
info() { echo "      $*"; }

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# serving CONTAINER: the daemon in it logged that it traces and serves.
serving() { podman logs "$1" 2>&1 | grep -q 'tracing execs, forks and exits' && podman logs "$1" 2>&1 | grep -q 'serving metrics on'; }
running() { [ "$(podman inspect --format '{{.State.Running}}' "$1" 2>/dev/null)" = true ]; }
wait_serving() { # wait_serving CONTAINER: until it logs both lines (20 s)
  for _ in $(seq 100); do
    serving "$1" && return 0
    running "$1" || return 1
    sleep 0.2
  done
  return 1
}
# status_of CONTAINER FIELD: a field of /proc/PID/status of the container's first process.
status_of() {
  local pid
  pid=$(podman inspect --format '{{.State.Pid}}' "$1" 2>/dev/null) || return 0
  awk -v field="$2:" '$1 == field { print $2 }' "/proc/$pid/status" 2>/dev/null || true
}
# pidns_of CONTAINER: the pid namespace of its first process.
pidns_of() { readlink "/proc/$(podman inspect --format '{{.State.Pid}}' "$1")/ns/pid"; }

# counts_hold FILE EXPECTATION...: every "WANT|NAME LABEL=VALUE..." holds in FILE.
counts_hold() {
  local file=$1 e want query
  shift
  for e; do
    IFS='|' read -r want query <<<"$e"
    # shellcheck disable=SC2086 # query is "NAME LABEL=VALUE..."
    [ "$(metric_value "$file" $query)" = "$want" ] || return 1
  done
}
# await_counts WHAT SCRAPE FILE EXPECTATION...: runs SCRAPE (which writes
# FILE) until the counts hold, 15 s at most, keeps the last scrape in $out,
# then one verdict per expectation.
await_counts() {
  local what=$1 scrape=$2 file=$3 e want query got
  shift 3
  for _ in $(seq 30); do
    "$scrape" && counts_hold "$file" "$@" && break
    sleep 0.5
  done
  cp "$file" "$out/metrics-$what.txt" 2>/dev/null || true
  for e; do
    IFS='|' read -r want query <<<"$e"
    # shellcheck disable=SC2086
    got=$(metric_value "$file" $query)
    verdict "$what: $query = $got (want $want)" [ "$got" = "$want" ]
  done
}
