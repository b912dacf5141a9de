#!/bin/bash
# The system test proper, run inside the Debian 12 guest by
# execmond-systemtest.service as root, with the host's share as $1 holding
# the execmond deb. Each check appends one line to $1/results.txt:
#   PASS|FAIL <tab> name <tab> detail
# and INFO lines carry facts for the report (kernel, timings). The last line
# is "END" once every check has run.
set -u
share="${1:?usage: guest-test.sh SHARE_DIR}"
results="$share/results.txt"
: >"$results"
export LC_ALL=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
unit=execmond
port=9765
url="http://localhost:$port/metrics"
work=/var/tmp/execmond-systemtest # readable by apt's _apt user
rm -rf "$work"
mkdir -p "$work"
chmod 0755 "$work"

# Reporting and the helpers (record/verdict, waits, bpftool names, scrape,
# metric), beside this script on the share.
# shellcheck source=guest-lib.sh
. "$(dirname "$0")/guest-lib.sh"

# ---- the checks ----
section "kernel"
kernel="$(uname -r)"
info kernel "$kernel"
info kernel-build "$(uname -v)"
case "$kernel" in
  6.1.*) pass guest-kernel-is-6.1 "uname -r: $kernel" ;;
  *) fail guest-kernel-is-6.1 "uname -r: $kernel" ;;
esac
if [ -e /sys/kernel/btf/vmlinux ]; then info btf "/sys/kernel/btf/vmlinux present"; fi
if bpftool btf dump file /sys/kernel/btf/vmlinux format c 2>/dev/null |
  sed -n '/^struct trace_event_raw_sched_process_exit {/,/^};/p' | grep -q group_dead; then
  info group-dead "sched_process_exit has group_dead"
else
  info group-dead "sched_process_exit lacks group_dead (older-kernel path)"
fi

section "install"
debs=("$share"/execmond_*.deb)
if [ "${#debs[@]}" -ne 1 ] || [ ! -f "${debs[0]}" ]; then
  fail package-install "expected one execmond_*.deb on the share, found: ${debs[*]}"
  echo END >>"$results"
  exit 0
fi
cp "${debs[0]}" "$work/"
deb="$work/$(basename "${debs[0]}")"
info package "$(basename "$deb"): Depends: $(dpkg-deb -f "$deb" Depends)"
before_progs="$(execmond_progs)"
# Offline (the guest has no network): every dependency is already in the image.
if apt-get install -y -q "$deb" >"$work/install.log" 2>&1; then
  cat "$work/install.log"
  pass package-install "apt-get install ./$(basename "$deb") ($(dpkg-query -W -f '${Version}' execmond))"
else
  cat "$work/install.log"
  fail package-install "$(grep -E '^(E|W):|Depends:' "$work/install.log" | head -n 6)"
  echo END >>"$results"
  exit 0
fi
info state-after-install "$(systemctl is-enabled $unit 2>&1 | head -n1), $(systemctl is-active $unit 2>&1 | head -n1)"

section "binary and unit"
if version_out="$(execmond --version 2>&1)"; then
  pkg_version="$(dpkg-query -W -f '${Version}' execmond 2>/dev/null)"
  upstream="${pkg_version#*:}"
  upstream="${upstream%%[-~+]*}"
  verdict execmond-version "execmond --version: $version_out (package $pkg_version)" \
    grep -qF -- "$upstream" <<<"$version_out"
else
  fail execmond-version "execmond --version failed: $version_out"
fi
# The doctor on Debian 12's own kernel: both program sets must load here.
doctor_out="$(execmond doctor 2>&1)"
doctor_rc=$?
if [ $doctor_rc -eq 0 ] && grep -q '^OK    tp_btf programs' <<<"$doctor_out" &&
  grep -q '^OK    kernel version       6\.1' <<<"$doctor_out"; then
  pass doctor "execmond doctor: exit 0, $(grep -c '^OK' <<<"$doctor_out") OK, $(grep -c '^WARN' <<<"$doctor_out") WARN"
else
  fail doctor "execmond doctor: exit $doctor_rc: $(grep -E '^(FAIL|WARN)' <<<"$doctor_out" | paste -sd';')"
fi
info doctor-report "$(paste -sd'|' <<<"$doctor_out")"
unit_path="$(systemctl show -p FragmentPath --value $unit 2>/dev/null)"
if [ -z "$unit_path" ]; then
  for p in /lib/systemd/system/$unit.service /usr/lib/systemd/system/$unit.service /etc/systemd/system/$unit.service; do
    [ -f "$p" ] && unit_path="$p" && break
  done
fi
if [ -n "$unit_path" ] && [ -f "$unit_path" ]; then
  info unit-file "$unit_path"
  # --man=no: the image has no man-db; the pages are looked for below instead.
  if out="$(systemd-analyze verify --man=no "$unit_path" 2>&1)" && [ -z "$out" ]; then
    pass unit-verify "systemd-analyze verify $unit_path: clean"
  else
    fail unit-verify "systemd-analyze verify $unit_path: ${out:-non-zero exit}"
  fi
  missing=""
  docs="$(systemctl show -p Documentation --value $unit)"
  docs="${docs//\"/}"
  for doc in $docs; do
    case "$doc" in
      man:*\(*\))
        page="${doc#man:}" section="${page##*(}"
        page="${page%(*}" section="${section%)}"
        compgen -G "/usr/share/man/man${section:0:1}/$page.$section*" >/dev/null || missing+=" $doc"
        ;;
    esac
  done
  if [ -n "$docs" ]; then
    verdict unit-documentation "Documentation=$docs${missing:+; not installed:$missing}" [ -z "$missing" ]
  fi
  unit_type="$(systemctl show -p Type --value $unit)"
  verdict unit-type-notify "Type=$unit_type" [ "$unit_type" = notify ]
else
  fail unit-verify "no $unit.service installed by the package"
fi

section "start"
t0=$SECONDS
if out="$(systemctl enable --now $unit 2>&1)"; then
  pass enable-now "systemctl enable --now $unit${out:+: $out}"
else
  fail enable-now "systemctl enable --now $unit: $out"
fi
if wait_active 120; then
  pass active-after-start "active (READY=1) after $((SECONDS - t0)) s: $(unit_state)"
else
  why="$(journalctl -u $unit --no-pager -o cat -p err | grep -v '^Failed to start' | tail -n 1)"
  fail active-after-start "not active: $(unit_state); ${why:-$(journalctl -u $unit --no-pager -o cat -n 3 | paste -sd' ')}"
fi
verdict enabled "systemctl is-enabled: $(systemctl is-enabled $unit 2>&1)" systemctl -q is-enabled $unit
status_text() { [ -n "$(systemctl show -p StatusText --value $unit)" ]; }
while_active 10 status_text
verdict notify-status-text "STATUS=: $(systemctl show -p StatusText --value $unit)" status_text

section "bpf programs"
progs="$(execmond_progs)"
info bpf-programs-before-install "${before_progs:-none}"
has_all() { # has_all "LIST" NAME...: every NAME is a word of LIST
  local list=" $1 " n
  shift
  for n; do [[ "$list" == *" $n "* ]] || return 1; done
}
mode=""
if has_all "$progs" tp_btf_fork tp_btf_exec tp_btf_exit; then
  mode=tp_btf
elif has_all "$progs" raw_tp_fork tracepoint_exec tracepoint_exit; then
  mode=tracepoint
fi
verdict bpf-programs-loaded "bpftool prog show: ${progs:-none}${mode:+ ($mode attach mode)}" [ -n "$mode" ]
maps="$(execmond_maps)"
verdict bpf-maps-loaded "bpftool map show: ${maps:-none}" [ -n "$maps" ]
bpftool prog show >"$work/bpftool-prog.txt" 2>&1

section "metrics after a known workload"
if while_active 30 scrape; then
  pass metrics-endpoint "$url: $(wc -l <"$work/metrics.txt") lines"
else
  fail metrics-endpoint "$url: $(cat "$work/curl.err")"
fi
# Unique command names: copies of true and dash.
cp /bin/true /tmp/sysw-true
cp /bin/dash /tmp/sysw-exit3
cp /bin/dash /tmp/sysw-kill
cp /bin/dash /tmp/sysw-forker
t0=$SECONDS
for _ in $(seq 100); do /tmp/sysw-true; done
for _ in $(seq 10); do /tmp/sysw-exit3 -c 'exit 3'; done
for _ in $(seq 5); do /tmp/sysw-kill -c 'kill -KILL $$' 2>/dev/null; done
# shellcheck disable=SC2016 # expanded by the inner shell
/tmp/sysw-forker -c 'i=0; while [ $i -lt 7 ]; do /bin/true; i=$((i + 1)); done'
info workload "ran in $((SECONDS - t0)) s"
sleep 2 # drain_interval is 1 s
expectations=(
  "execs-sysw-true|100|execmond_process_execs_total comm=sysw-true"
  "exits-sysw-true-exited-0|100|execmond_process_exits_total comm=sysw-true reason=exited code=0"
  "lifetime-count-sysw-true|100|execmond_process_lifetime_seconds_count comm=sysw-true"
  "live-sysw-true|0|execmond_processes comm=sysw-true"
  "execs-sysw-exit3|10|execmond_process_execs_total comm=sysw-exit3"
  "exits-sysw-exit3-exited-3|10|execmond_process_exits_total comm=sysw-exit3 reason=exited code=3"
  "exits-sysw-kill-signaled-SIGKILL|5|execmond_process_exits_total comm=sysw-kill reason=signaled code=SIGKILL"
  "forks-sysw-forker|7|execmond_process_forks_total comm=sysw-forker"
  "lost-exec-counts|0|execmond_events_lost_total reason=exec_counts_map_full"
  "lost-fork-counts|0|execmond_events_lost_total reason=fork_counts_map_full"
  "lost-exit-counts|0|execmond_events_lost_total reason=exit_counts_map_full"
  "lost-procs|0|execmond_events_lost_total reason=procs_map_full"
)
all_match() {
  scrape || return 1
  local e want query
  for e in "${expectations[@]}"; do
    IFS='|' read -r _ want query <<<"$e"
    # shellcheck disable=SC2086 # query is "NAME LABEL=VALUE..."
    [ "$(metric $query)" = "$want" ] || return 1
  done
}
judge_expectations() { # one verdict per line of expectations, on the last scrape
  local e name want query got
  for e in "${expectations[@]}"; do
    IFS='|' read -r name want query <<<"$e"
    # shellcheck disable=SC2086
    got="$(metric $query)"
    verdict "$name" "$query = $got (want $want)" [ "$got" = "$want" ]
  done
}
# Normally right at once; under emulation a drain can come late, so allow a
# few more seconds before judging (a count that is too high stays wrong).
t0=$SECONDS
while_active 10 all_match || true
info counts-settled "after 2 s + $((SECONDS - t0)) s"
cp "$work/metrics.txt" "$share/metrics-after-workload.txt" 2>/dev/null
judge_expectations

section "what processes cost, and an OOM kill"
# The default resources (cpu, memory) of the workload above, and one process
# OOM-killed in a cgroup v2 memory cgroup of 32 MiB (dash doubling a string).
cp /bin/dash /tmp/sysw-oom
oom_cg=/sys/fs/cgroup/execmond-systemtest-oom
grep -qw memory /sys/fs/cgroup/cgroup.subtree_control || echo +memory >/sys/fs/cgroup/cgroup.subtree_control
mkdir -p "$oom_cg"
echo $((32 << 20)) >"$oom_cg/memory.max"
[ -f "$oom_cg/memory.swap.max" ] && echo 0 >"$oom_cg/memory.swap.max"
# shellcheck disable=SC2016 # expanded by the inner shells
sh -c 'echo $$ >"$1/cgroup.procs" && exec /tmp/sysw-oom -c "x=0123456789abcdef; while :; do x=\$x\$x; done"' \
  sh "$oom_cg" 2>/dev/null
oom_rc=$?
info oom-child "exit status $oom_rc; $(grep oom_kill "$oom_cg/memory.events" | paste -sd' ')"
rmdir "$oom_cg" 2>/dev/null
sleep 2
expectations=(
  "peak-rss-count-sysw-true|100|execmond_process_peak_rss_bytes_count comm=sysw-true"
  "exits-sysw-oom-oom-killed|1|execmond_process_exits_total comm=sysw-oom reason=oom_killed code=SIGKILL"
  "oom-kills-sysw-oom-cgroup|1|execmond_oom_kills_total comm=sysw-oom scope=cgroup"
  "oom-kills-sysw-kill|absent|execmond_oom_kills_total comm=sysw-kill scope=cgroup"
)
while_active 10 all_match || true
judge_expectations
user="$(metric execmond_process_cpu_seconds_total comm=sysw-true mode=user)"
system="$(metric execmond_process_cpu_seconds_total comm=sysw-true mode=system)"
# 100 runs of true: some CPU, and not absurdly much (under emulation a run takes ~30 ms).
verdict cpu-sysw-true "execmond_process_cpu_seconds_total comm=sysw-true: user $user, system $system" \
  awk -v u="$user" -v s="$system" 'BEGIN { exit !(u + s > 0 && u + s < 60) }'

# Processes of 0, 64 and 512 MiB: execmond's CPU seconds against wait4()'s.
# shellcheck source=guest-cpu.sh
. "$(dirname "$0")/guest-cpu.sh"

section "reload"
pid_before="$(main_pid)"
# ExecReload= only sends SIGHUP: systemctl returns before the daemon has
# reloaded. The reload is done when its success time passes the one before.
scrape
reloaded_before="$(metric execmond_config_last_reload_success_timestamp_seconds)"
reloaded_since() { # reloaded_since TIME: a reload succeeded after TIME
  scrape && awk -v now="$(metric execmond_config_last_reload_success_timestamp_seconds)" -v before="$1" \
    'BEGIN { exit !(now != "absent" && before != "absent" && now + 0 > before + 0) }'
}
if out="$(systemctl reload $unit 2>&1)"; then
  pass reload "systemctl reload $unit"
else
  fail reload "systemctl reload $unit: $out"
fi
while_active 15 reloaded_since "$reloaded_before"
verdict reload-done "execmond_config_last_reload_success_timestamp_seconds $reloaded_before -> $(
  metric execmond_config_last_reload_success_timestamp_seconds)" reloaded_since "$reloaded_before"
verdict active-after-reload "$(unit_state)" is_active
verdict reload-keeps-process "MainPID $pid_before -> $(main_pid)" [ "$(main_pid)" = "$pid_before" ]
journal_has() { journalctl -u $unit --no-pager -o cat 2>/dev/null | grep -qF -- "$1"; }
verdict journal-configuration-reloaded "journal has \"configuration reloaded\"" \
  while_active 15 journal_has "configuration reloaded"
scrape
got="$(metric execmond_config_last_reload_successful)"
verdict reload-successful-metric "execmond_config_last_reload_successful = $got" [ "$got" = 1 ]

section "restart"
pid_before="$(main_pid)"
t0=$SECONDS
if out="$(systemctl restart $unit 2>&1)"; then
  pass restart "systemctl restart $unit"
else
  fail restart "systemctl restart $unit: $out"
fi
if wait_active 120; then
  pass active-after-restart "active after $((SECONDS - t0)) s, MainPID $pid_before -> $(main_pid)"
else
  fail active-after-restart "$(unit_state)"
fi
verdict new-process-after-restart "MainPID $pid_before -> $(main_pid)" [ "$(main_pid)" != "$pid_before" ]
# The old instance's programs are gone: one set loaded, not two.
progs_after="$(execmond_progs)"
verdict bpf-programs-after-restart "$progs_after (before restart: $progs)" [ "$progs_after" = "$progs" ]
verdict metrics-after-restart "$url answers" while_active 30 scrape
starts="$(journalctl -u $unit --no-pager -o cat | grep -cF "tracing execs, forks and exits")"
verdict journal-startup-lines "\"tracing execs, forks and exits\" logged $starts times (2 starts)" [ "$starts" -ge 2 ]
journalctl -u $unit --no-pager -o cat | grep -m1 -F "tracing execs, forks and exits" |
  while read -r line; do info startup-line "$line"; done

# Oneshot units that live about 50 ms keep their unit labels.
# shellcheck source=guest-units.sh
. "$(dirname "$0")/guest-units.sh"

# Command lines read at exec: program, script and parent on 6.1.
conf=/etc/execmond/execmond.yaml
# shellcheck source=guest-naming.sh
. "$(dirname "$0")/guest-naming.sh"

# Exit records of crashes, an abort, a core dump and an OOM kill in transient
# units: the journal's entries, GET /exits and the records' counters.
# shellcheck source=guest-records.sh
. "$(dirname "$0")/guest-records.sh"

section "classic tracepoint mode"
# The fallback for kernels without tp_btf, forced by the configuration, under
# the same unit: raw_tp for forks, classic tracepoints for exec and exit.
conf=/etc/execmond/execmond.yaml
if [ -f "$conf" ] && grep -qE '^[[:space:]]+attach_mode:' "$conf"; then
  cp "$conf" "$work/execmond.yaml.orig"
  sed -i -E 's/^([[:space:]]+attach_mode:).*/\1 tracepoint/' "$conf"
  # Classic tracepoints are attached with perf_event_open(), which Debian's
  # kernel.perf_event_paranoid=3 reserves to CAP_SYS_ADMIN; the unit does not
  # grant that, so an operator who needs the fallback lowers the sysctl
  # (docs/install.md). tp_btf needs neither.
  info perf-event-paranoid "$(cat /proc/sys/kernel/perf_event_paranoid) -> 2"
  sysctl -qw kernel.perf_event_paranoid=2
  t0=$SECONDS
  systemctl restart $unit
  if wait_active 120; then
    pass active-in-tracepoint-mode "active after $((SECONDS - t0)) s"
  else
    fail active-in-tracepoint-mode "$(unit_state); $(journalctl -u $unit --no-pager -o cat -n 3 | paste -sd' ')"
  fi
  tp_progs="$(execmond_progs)"
  verdict bpf-programs-tracepoint-mode "bpftool prog show: ${tp_progs:-none}" \
    has_all "$tp_progs" raw_tp_fork tracepoint_exec tracepoint_exit
  cp /bin/true /tmp/sysw-tp-true
  cp /bin/dash /tmp/sysw-tp-exit7
  for _ in $(seq 20); do /tmp/sysw-tp-true; done
  for _ in $(seq 4); do /tmp/sysw-tp-exit7 -c 'exit 7'; done
  sleep 2
  expectations=(
    "tracepoint-execs-sysw-tp-true|20|execmond_process_execs_total comm=sysw-tp-true"
    "tracepoint-exits-sysw-tp-exit7|4|execmond_process_exits_total comm=sysw-tp-exit7 reason=exited code=7"
    "tracepoint-lost-procs|0|execmond_events_lost_total reason=procs_map_full"
  )
  while_active 10 all_match || true
  judge_expectations
  cp "$work/execmond.yaml.orig" "$conf"
else
  fail active-in-tracepoint-mode "no tracer.attach_mode line in $conf to change"
fi

# TLS from a systemd credential, a bad reload, and back to plain HTTP.
# shellcheck source=guest-tls.sh
. "$(dirname "$0")/guest-tls.sh"

section "stop"
if out="$(systemctl stop $unit 2>&1)"; then
  pass stop "systemctl stop $unit"
else
  fail stop "systemctl stop $unit: $out"
fi
state="$(systemctl is-active $unit 2>&1)"
verdict inactive-after-stop "is-active: $state; $(unit_state)" [ "$state" = inactive ]
result="$(systemctl show -p Result --value $unit)"
status="$(systemctl show -p ExecMainStatus --value $unit)"
verdict clean-exit-on-stop "Result=$result ExecMainStatus=$status" [ "$result" = success ]
# Programs and maps are freed once the last reference goes (after an RCU grace period).
wait_for 20 no_execmond_bpf
verdict no-bpf-programs-left "bpftool prog show: $(execmond_progs | sed 's/^$/none of execmond/')" [ -z "$(execmond_progs)" ]
verdict no-bpf-maps-left "bpftool map show: $(execmond_maps | sed 's/^$/none of execmond/')" [ -z "$(execmond_maps)" ]

section "purge"
# The maintainer scripts in a real systemd: the package goes with a running service.
systemctl start $unit && wait_active 60
info state-before-purge "$(unit_state)"
if out="$(apt-get purge -y -q execmond 2>&1)"; then
  pass package-purge "apt-get purge execmond"
else
  fail package-purge "$(grep -E '^(E|W):' <<<"$out" | head -n 4)"
fi
echo "$out"
verdict no-daemon-after-purge "$(pgrep -a -x execmond || echo "no execmond process")" \
  wait_for 20 eval '! pgrep -x execmond >/dev/null'
wait_for 20 no_execmond_bpf
verdict no-bpf-after-purge "programs: $(execmond_progs | sed 's/^$/none/'); maps: $(execmond_maps | sed 's/^$/none/')" no_execmond_bpf
left=""
for f in /etc/execmond /lib/systemd/system/$unit.service /usr/lib/systemd/system/$unit.service \
  /usr/sbin/execmond /usr/bin/execmond; do
  [ -e "$f" ] && left+=" $f"
done
left="${left# }"
verdict nothing-left-after-purge "${left:-no unit, binary or configuration left}" [ -z "$left" ]
# A link made by `systemctl enable` (not by the package) may stay; just report it.
links="$(find /etc/systemd/system -name "$unit.service" 2>/dev/null | paste -sd' ')"
info links-after-purge "${links:-none}"
failed_units="$(systemctl list-units --failed --plain --no-legend 2>/dev/null | awk '{print $1}' | paste -sd' ')"
info failed-units "${failed_units:-none} (system: $(systemctl is-system-running 2>&1))"
not_listed() { [[ " $1 " != *" $2 "* ]]; }
verdict execmond-not-failed "systemctl --failed: ${failed_units:-none}" not_listed "$failed_units" "$unit.service"

section "journal"
journalctl -u $unit --no-pager -o short-monotonic >"$share/journal-execmond.txt" 2>&1
# Native journal fields (log.target: journal) carry the level as PRIORITY;
# logfmt lines on stderr (log.target: stderr) carry level=.
# The one error asked for: the TLS section's reload with a mismatched key.
# Exit records of crashes and OOM kills are entries at err too (PRIORITY 3),
# of processes, not of the daemon: those with an EXECMOND_KIND are left out.
log_messages() { # log_messages JOURNALCTL_ARGS...: the MESSAGE of each entry that is no exit record
  journalctl -u $unit --no-pager -o export "$@" | awk -v RS= -F '\n' '
    {
      record = 0; message = ""
      for (i = 1; i <= NF; i++) {
        if ($i ~ /^EXECMOND_KIND=/) record = 1
        else if ($i ~ /^MESSAGE=/) message = substr($i, 9)
      }
      if (!record) print message
    }'
}
errors="$({
  log_messages -p err
  log_messages | grep -E 'level=(error|critical)'
} 2>/dev/null | grep -vF 'key values mismatch' | head -n 3)"
records_at_err="$(journalctl -u $unit --no-pager -o export -p err 2>/dev/null | grep -c '^EXECMOND_KIND=')"
info journal-exit-records "$records_at_err exit records at PRIORITY err (left out of the check below)"
verdict journal-no-errors "${errors:-no error or critical messages}" [ -z "$errors" ]
journalctl -b --no-pager -o short-monotonic >"$share/journal-boot.txt" 2>&1

echo END >>"$results"
echo "=== guest test finished"
