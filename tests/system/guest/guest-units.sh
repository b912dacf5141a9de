#!/bin/bash
# Sourced by guest-test.sh, whose variables ($unit, $work) and guest-lib.sh
# helpers it uses: oneshot services that exec 5 times each and are gone
# before the next drain keep their unit labels; ends with the configuration
# as it found it.
# shellcheck disable=SC2154,SC2086 # set by guest-test.sh, single words

section "short-lived units"
# Oneshot services that each exec 5 times and are gone (their cgroup
# removed by systemd) well before the next drain: every exec keeps its unit
# label. Unit files rather than systemd-run --wait, which needs a D-Bus
# broker that the image does not have; systemctl talks to systemd directly.
conf=/etc/execmond/execmond.yaml
if [ -f "$conf" ] && grep -q '^labels:' "$conf"; then
  cp "$conf" "$work/execmond.yaml.before-units"
  sed -i '/^labels:/a\  execs: [comm, unit]' "$conf"
  systemctl restart $unit
  verdict active-with-unit-labels "$(unit_state)" wait_active 120
  cp /bin/true /tmp/sysw-short
  expectations=()
  for i in 0 1 2 3 4 5; do
    printf '%s\n' "[Service]" "Type=oneshot" \
      "ExecStart=/bin/sh -c '/tmp/sysw-short; /tmp/sysw-short; /tmp/sysw-short; /tmp/sysw-short; /tmp/sysw-short'" \
      >"/run/systemd/system/xmshort$i.service"
    expectations+=("short-unit-execs-xmshort$i|5|execmond_process_execs_total comm=sysw-short unit=xmshort$i.service")
  done
  systemctl daemon-reload
  for i in 0 1 2 3 4 5; do
    systemctl start "xmshort$i.service" || info short-units "systemctl start xmshort$i.service failed"
  done
  info short-units "$(find /sys/fs/cgroup/system.slice -maxdepth 1 -name 'xmshort*' | wc -l) xmshort cgroups left"
  expectations+=(
    "short-unit-execs-unlabelled|absent|execmond_process_execs_total comm=sysw-short unit="
    "short-unit-unresolved|0|execmond_label_resolution_failures_total label=unit"
    "short-unit-cgroup-changes-lost|0|execmond_cgroup_changes_lost_total"
  )
  sleep 2
  while_active 10 all_match || true
  judge_expectations
  rm -f /run/systemd/system/xmshort?.service
  systemctl daemon-reload
  cp "$work/execmond.yaml.before-units" "$conf"
else
  fail active-with-unit-labels "no labels: section in $conf to change"
fi
