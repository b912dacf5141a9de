# shellcheck shell=bash
# What guest-test.sh's checks share: one line per check in $results, waits
# that give up when the unit fails, execmond's BPF names as bpftool shows
# them, and reading one sample of a scrape. Sourced with results, unit, url
# and work set.

# ---- reporting ----
record() { # record PASS|FAIL|INFO NAME DETAIL
  local detail="${3:-}"
  detail="${detail//$'\n'/ | }"
  detail="${detail//$'\t'/ }"
  printf '%s\t%s\t%s\n' "$1" "$2" "${detail:0:600}" >>"$results"
  printf '=== %s %s %s\n' "$1" "$2" "${detail:0:600}"
}
pass() { record PASS "$1" "${2:-}"; }
fail() { record FAIL "$1" "${2:-}"; }
info() { record INFO "$1" "${2:-}"; }
verdict() { # verdict NAME DETAIL CONDITION...: PASS when the command succeeds
  local name="$1" detail="$2"
  shift 2
  if "$@"; then pass "$name" "$detail"; else fail "$name" "$detail"; fi
}
section() { printf '\n=== ---- %s ----\n' "$*"; }

# ---- helpers ----
wait_for() { # wait_for SECONDS COMMAND...: poll every 0.5 s
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS >= deadline)) && return 1
    sleep 0.5
  done
}
is_active() { [ "$(systemctl is-active "$unit" 2>/dev/null)" = active ]; }
wait_active() { # wait_active SECONDS: until active; gives up at once when systemd has (failed)
  local deadline=$((SECONDS + $1)) state
  while :; do
    state="$(systemctl show -p ActiveState --value "$unit" 2>/dev/null)"
    [ "$state" = active ] && return 0
    [ "$state" = failed ] && return 1
    ((SECONDS >= deadline)) && return 1
    sleep 0.5
  done
}
# Waits only while the service runs: a dead daemon fails the check at once.
while_active() { # while_active SECONDS COMMAND...
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS >= deadline)) && return 1
    is_active || { "$@"; return; }
    sleep 0.5
  done
}
unit_state() { systemctl show -p ActiveState,SubState,Result,MainPID,NRestarts --value "$unit" 2>/dev/null | paste -sd' '; }
main_pid() { systemctl show -p MainPID --value "$unit"; }

# The names execmond's tracer gives its programs (tp_btf, or the classic
# tracepoint fallback) and maps; bpftool shows names cut at 15 bytes.
prog_re='^(tp_btf_fork|tp_btf_exec|tp_btf_exit|tp_btf_free|raw_tp_fork|tracepoint_exec|tracepoint_exit|raw_tp_free|seed_procs)$'
map_re='^(counts0|counts1|procs|exe_paths|scratch|filter_comm|filter_uid|filter_exe|filter_cgroup|lost|reap_costs|execmond\..*)$'
bpf_names() { # bpf_names prog|map: the names of every loaded program or map
  bpftool "$1" show 2>/dev/null | awk '/^[0-9]+:/ { for (i = 1; i < NF; i++) if ($i == "name") print $(i + 1) }'
}
execmond_progs() { bpf_names prog | grep -E "$prog_re" | sort | paste -sd' '; }
execmond_maps() { bpf_names map | grep -E "$map_re" | sort | paste -sd' '; }
no_execmond_bpf() { [ -z "$(execmond_progs)" ] && [ -z "$(execmond_maps)" ]; }

scrape() { curl -fsS --max-time 10 "$url" -o "$work/metrics.txt" 2>"$work/curl.err"; }
# run.sh puts it beside this script on the share.
# shellcheck source=../../support/metric-value.sh
. "$(dirname "${BASH_SOURCE[0]}")/metric-value.sh"
metric() { metric_value "$work/metrics.txt" "$@"; } # metric NAME LABEL=VALUE...
