#!/bin/bash
# Sourced by guest-test.sh, whose variables ($share) and guest-lib.sh helpers
# it uses: execmond's CPU seconds of processes that touch 0, 64 and 512 MiB,
# against what wait4() gave their parent, on 6.1.
# shellcheck disable=SC2154 # set by guest-test.sh
section "CPU of processes with large memory, against wait4()"
# Processes that burn 50 ms and write 0, 64 and 512 MiB (run.sh puts the
# statically linked spawnee on the share): bash's `times` prints what
# wait4() returned for its children, to the millisecond, against
# execmond's CPU seconds once their reaps are in (bpf/reap_cost.bpf.h).
cpu_of() { # cpu_of COMM: user + system seconds on the last scrape
  awk -v u="$(metric execmond_process_cpu_seconds_total comm="$1" mode=user)" \
    -v s="$(metric execmond_process_cpu_seconds_total comm="$1" mode=system)" 'BEGIN { printf "%.6f", u + s }'
}
# `times` prints "0m0.123s 0m0.045s" for the children (its second line).
seconds_of_times() { awk 'NR == 2 { gsub(/s/, ""); split($1, u, "m"); split($2, s, "m"); printf "%.6f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }'; }
within_ms() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 0.002) }'; }
cpu_matches() { scrape && within_ms "$(cpu_of "$1")" "$2"; }
if [ -x "$share/spawnee" ]; then
  for mib in 0 64 512; do
    cp "$share/spawnee" "/tmp/sysw-m$mib"
    # shellcheck disable=SC2016 # expanded by the inner shell
    truth="$(bash -c 'for _ in 1 2; do "$1" 50000 "$2" || exit 1; done; times' sh "/tmp/sysw-m$mib" "$mib" | seconds_of_times)"
    while_active 15 cpu_matches "sysw-m$mib" "$truth" || true
    verdict "cpu-sysw-m$mib-is-wait4" "2 processes of $mib MiB: execmond $(cpu_of "sysw-m$mib") s, wait4 $truth s (bash times)" \
      within_ms "$(cpu_of "sysw-m$mib")" "$truth"
  done
else
  fail cpu-large-memory "no spawnee on the share"
fi
