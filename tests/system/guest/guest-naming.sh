#!/bin/bash
# Sourced by guest-test.sh, whose variables ($unit, $conf, $work) and
# guest-lib.sh helpers it uses: command lines read at exec and the parent's
# comm on 6.1 (its verifier, its exit path without the mm), under the real
# unit; ends with the configuration as it was.
# shellcheck disable=SC2154,SC2086 # set by guest-test.sh, single words
section "What ran: program, script and parent on 6.1"
cp "$conf" "$work/execmond.yaml.before-naming"
sed -i -E 's|^  default: \[comm\]$|  default: [comm, program, script, parent]|' "$conf"
# The shipped file's naming section: rules before its unmatched line.
sed -i -E 's|^  unmatched: comm$|  rules:\n    - name: "job:{{.Matches.job}}"\n      comm: [perl]\n      cmdline: ['"'"'(?P<job>[^/\\s]+)\\.pl'"'"']\n  unmatched: script|' "$conf"
systemctl restart $unit
printf 'exit 3;\n' >/tmp/sysnm.pl
printf '#!/bin/sh\nexec perl /tmp/sysnm.pl\n' >/tmp/sysnm-wrap.sh
chmod +x /tmp/sysnm-wrap.sh
# The sum over the series of NAME that carry these labels, whatever others
# they carry; "absent" when none does.
metric_sum() { # metric_sum NAME LABEL=VALUE...
  local name=$1
  shift
  awk -v name="$name" -v want="$*" '
    BEGIN { n = split(want, w, " ") }
    /^#/ { next }
    {
      brace = index($1, "{")
      if ((brace ? substr($1, 1, brace - 1) : $1) != name) next
      labels = "," (brace ? substr($1, brace + 1, length($1) - brace - 1) : "") ","
      for (i = 1; i <= n; i++) {
        eq = index(w[i], "=")
        if (index(labels, "," substr(w[i], 1, eq - 1) "=\"" substr(w[i], eq + 1) "\",") == 0) next
      }
      sum += $NF; found = 1
    }
    END { print found ? sum : "absent" }' "$work/metrics.txt"
}
named_runs() {
  for _ in 1 2; do perl /tmp/sysnm.pl; done
  for _ in 1 2 3; do /tmp/sysnm-wrap.sh; done
  sh -c 'exit 0'
}
if wait_active 60 && while_active 20 scrape; then
  named_runs || true
  nm_exits() { metric_sum execmond_process_exits_total program=job:sysnm script=sysnm.pl reason=exited code=3; }
  nm_counted() { scrape && [ "$(nm_exits)" = 5 ]; }
  while_active 20 nm_counted || true
  verdict naming-program-script "5 runs of sysnm.pl (2 direct, 3 through a wrapper that execs): exits $(nm_exits) under program job:sysnm, script sysnm.pl" \
    [ "$(nm_exits)" = 5 ]
  verdict naming-exec-renames "the wrapper's execs under its own script: $(metric_sum execmond_process_execs_total script=sysnm-wrap.sh)" \
    [ "$(metric_sum execmond_process_execs_total script=sysnm-wrap.sh)" = 3 ]
  # The wrapper's exec keeps its parent: all five perl runs were forked by
  # this shell, whose comm is its script's name.
  me="$(cat /proc/$$/comm)"
  verdict naming-parent "perl's execs by their parent $me: $(metric_sum execmond_process_execs_total program=job:sysnm parent="$me" comm=perl)" \
    [ "$(metric_sum execmond_process_execs_total program=job:sysnm parent="$me" comm=perl)" = 5 ]
  grep -F sysnm "$work/metrics.txt" | head -n 6 | while read -r line; do info naming-series "$line"; done
  verdict naming-cmdline-counters "execmond_cmdline_read_failures_total $(metric execmond_cmdline_read_failures_total)" \
    [ "$(metric execmond_cmdline_read_failures_total)" = 0 ]
else
  fail naming-starts "$(unit_state); $(journalctl -u $unit --no-pager -o cat -n 5 | paste -sd' ')"
fi
cp "$work/execmond.yaml.before-naming" "$conf"
systemctl restart $unit
verdict naming-off-again "back to the configuration before" eval 'wait_active 60 && while_active 20 scrape'
