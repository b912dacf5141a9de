#!/bin/bash
# Sourced by guest-test.sh, whose variables ($unit, $port, $work) and
# guest-lib.sh helpers it uses: the exit records of the packaged service with
# its shipped configuration (records on, records.journal: true) for
# processes that crash, abort, dump core, are OOM-killed and exit cleanly,
# each in a transient unit of its own: the journal entries (journalctl
# MESSAGE_ID=… SYSLOG_IDENTIFIER=execmond), GET /exits and the records'
# counters. Leaves the configuration and the service as it found them.
# shellcheck disable=SC2154,SC2086 # set by guest-test.sh, single words

section "exit records: the journal, GET /exits and their counters"
exits_url="http://localhost:$port/exits?limit=10000"
# record_json.h: fixed forever, one per kind.
declare -A rec_message_id=(
  [oom_killed]=185b6d5df6cd405db9885db9b8c269c3
  [core_dumped]=9497a06854384a38aeac059e586ac977
  [crashed]=b5d21f7a2d79496896f32d717e1dd5a0
  [failed]=11ee4bd193ee46d1bf61a2c632830de1
  [exited]=4f72b0fc4a6543c89553b98a33751754
)
rec_kinds=(oom_killed core_dumped crashed failed exited)

# The sum of every series of NAME on the last scrape, whatever its labels.
rec_sum() {
  awk -v name="$1" '
    /^#/ { next }
    { brace = index($1, "{"); if ((brace ? substr($1, 1, brace - 1) : $1) == name) { sum += $NF; found = 1 } }
    END { print found ? sum : "absent" }' "$work/metrics.txt"
}
rec_counts() { # "crashed=N core_dumped=N ...": execmond_exit_records_total by kind
  local k out=""
  for k in "${rec_kinds[@]}"; do out+="$k=$(metric execmond_exit_records_total kind=$k) "; done
  echo "${out% }"
}

# Programs with names of their own (copies of dash) and a script that
# writes its shell's pid, then signals itself. No '$' in the command lines:
# systemd expands $… in ExecStart=.
cp /bin/dash /tmp/recs-segv
cp /bin/dash /tmp/recs-abrt
cp /bin/dash /tmp/recs-core
cp /bin/dash /tmp/recs-oom
cp /bin/dash /tmp/recs-exit
# shellcheck disable=SC2016 # the script's own variables
printf '%s\n' 'echo $$ >"$1"' 'kill -"$2" $$' 'sleep 5' >/tmp/recs-kill.sh
# Doubles a string until the unit's 32 MiB run out.
# shellcheck disable=SC2016
printf '%s\n' 'echo $$ >"$1"' 'x=0123456789abcdef' 'while :; do x=$x$x; done' >/tmp/recs-grow.sh
rec_core_dir="$work/rec-core"
mkdir -p "$rec_core_dir"
info records-core-pattern "kernel.core_pattern: $(cat /proc/sys/kernel/core_pattern); core_uses_pid $(cat /proc/sys/kernel/core_uses_pid)"

# A transient service (systemd-run, through systemd's private socket: the
# image has no D-Bus broker, so no --wait); RemainAfterExit=yes keeps its
# ExecMain* after a clean exit too. Waits until its process has ended.
rec_units=()
rec_transient="systemd-run"
rec_run() { # rec_run NAME PROPERTY=VALUE... -- COMMAND...
  local name=$1 props=() out
  shift
  while [ "$1" != -- ]; do
    props+=(-p "$1")
    shift
  done
  shift
  rec_units+=("$name.service")
  if ! out="$(systemd-run --quiet --unit="$name" -p RemainAfterExit=yes "${props[@]}" -- "$@" 2>&1)"; then
    rec_transient="systemd-run failed"
    info "records-systemd-run-$name" "systemd-run --unit=$name: $out"
    return 1
  fi
  ended() {
    case "$(systemctl show -p SubState --value "$name.service")" in
      exited | failed | dead) return 0 ;;
      *) return 1 ;;
    esac
  }
  wait_for 60 ended
}
rec_main() { # rec_main NAME: "pid code status" of the unit's main process (code 1 exited, 2 killed, 3 dumped)
  systemctl show -p ExecMainPID,ExecMainCode,ExecMainStatus --value "$1.service" | paste -sd' '
}

# ---- the workload ----
if ! { wait_active 60 && while_active 20 scrape; }; then
  fail records-service-ready "$(unit_state); $(cat "$work/curl.err")"
fi
rec_before="$(rec_counts)"
rec_writes_before="$(metric execmond_exit_record_writes_total output=journal)"
info records-counts-before "$rec_before; journal writes $rec_writes_before"
rec_since=$(($(date +%s) - 1))
t0=$SECONDS
rec_run execmond-rec-segv LimitCORE=0 -- /tmp/recs-segv /tmp/recs-kill.sh "$work/recs-segv.pid" SEGV
rec_run execmond-rec-abrt LimitCORE=0 -- /tmp/recs-abrt /tmp/recs-kill.sh "$work/recs-abrt.pid" ABRT
# SIGQUIT is no crash (records.signals): a record only if a core was dumped.
rec_run execmond-rec-core LimitCORE=infinity "WorkingDirectory=$rec_core_dir" -- \
  /tmp/recs-core /tmp/recs-kill.sh "$work/recs-core.pid" QUIT
rec_run execmond-rec-oom MemoryMax=32M MemorySwapMax=0 LimitCORE=0 -- \
  /tmp/recs-oom /tmp/recs-grow.sh "$work/recs-oom.pid"
for i in 1 2 3; do
  rec_run execmond-rec-exit0-$i -- /tmp/recs-exit -c 'exit 0'
  rec_run execmond-rec-exit1-$i -- /tmp/recs-exit -c 'exit 1'
done
info records-workload "${#rec_units[@]} transient units ($rec_transient) in $((SECONDS - t0)) s"
declare -A rec_pid rec_code rec_status
for name in segv abrt core oom exit0-1 exit0-2 exit0-3 exit1-1 exit1-2 exit1-3; do
  read -r rec_pid[$name] rec_code[$name] rec_status[$name] <<<"$(rec_main execmond-rec-$name)"
  info "records-unit-$name" "$(systemctl show -p ActiveState,SubState,Result --value execmond-rec-$name.service | paste -sd' '): ExecMainPID ${rec_pid[$name]} code ${rec_code[$name]} status ${rec_status[$name]}"
done
for name in segv abrt core oom; do
  pid_file="$(cat "$work/recs-$name.pid" 2>/dev/null)"
  verdict "records-$name-pid" "ExecMainPID ${rec_pid[$name]}, the script's \$\$ ${pid_file:-none}" \
    [ "${pid_file:-none}" = "${rec_pid[$name]}" ]
done
# The exit statuses as systemd saw them (SIGSEGV 11, SIGABRT 6, SIGQUIT 3).
verdict records-segv-status "code ${rec_code[segv]} status ${rec_status[segv]} (want 2 11: killed by SIGSEGV, no core)" \
  [ "${rec_code[segv]} ${rec_status[segv]}" = "2 11" ]
verdict records-abrt-status "code ${rec_code[abrt]} status ${rec_status[abrt]} (want 2 6: killed by SIGABRT, no core)" \
  [ "${rec_code[abrt]} ${rec_status[abrt]}" = "2 6" ]
verdict records-oom-status "code ${rec_code[oom]} status ${rec_status[oom]}, $(systemctl show -p Result --value execmond-rec-oom.service) (want 2 9, oom-kill)" \
  [ "${rec_code[oom]} ${rec_status[oom]}" = "2 9" ]
core_dumped=0
if [ "${rec_code[core]}" = 3 ]; then
  core_dumped=1
  info records-core-dumped "SIGQUIT dumped a core: $(find "$rec_core_dir" -maxdepth 1 -name 'core*' -printf '%f (%s bytes) ' 2>/dev/null)"
else
  info records-core-dumped "no core dumped (code ${rec_code[core]} status ${rec_status[core]}): expecting no record for it"
fi
clean_pids=()
for name in exit0-1 exit0-2 exit0-3 exit1-1 exit1-2 exit1-3; do clean_pids+=("${rec_pid[$name]}"); done

# ---- the journal ----
# journalctl -o export: one KEY=value line per field, entries apart by a
# blank line (a value holding a newline would be written as KEY and a binary
# length instead; MESSAGE must not).
rec_journal() { # rec_journal FILE MATCH...: execmond's entries since the workload
  local file=$1
  shift
  journalctl --no-pager -o export --since "@$rec_since" SYSLOG_IDENTIFIER=execmond "$@" >"$file" 2>/dev/null
}
rec_entries() { grep -ac '^__CURSOR=' "$1"; }
rec_field() { sed -n "s/^$2=//p" "$1" | head -n1; } # rec_field FILE FIELD
# The record's fields written as binary (a name alone on its line, then a
# length): values that are not printable UTF-8 text. Journald's own fields
# may be (_SELINUX_CONTEXT ends in a newline under AppArmor).
rec_binary_fields() { grep -aE '^(EXECMOND_[A-Z0-9_]+|MESSAGE|MESSAGE_ID|PRIORITY|SYSLOG_IDENTIFIER)$' "$1" | paste -sd' '; }
rec_expected=$((3 + core_dumped))
# Matches of one field are alternatives: one query for all the pids.
rec_all_in() { # every record awaited is in the journal and counted
  local pids=(EXECMOND_PID="${rec_pid[segv]}" EXECMOND_PID="${rec_pid[abrt]}" EXECMOND_PID="${rec_pid[oom]}")
  ((core_dumped)) && pids+=(EXECMOND_PID="${rec_pid[core]}")
  rec_journal "$work/rec-j.txt" "${pids[@]}"
  [ "$(rec_entries "$work/rec-j.txt")" -ge "$rec_expected" ] && scrape &&
    [ "$(metric execmond_exit_record_writes_total output=journal)" != "$rec_writes_before" ]
}
sleep 2 # drain_interval is 1 s
t0=$SECONDS
while_active 15 rec_all_in || true
info records-settled "after 2 s + $((SECONDS - t0)) s"

# One entry for PID (of any kind), with KIND's MESSAGE_ID, the fields given
# and a one-line MESSAGE holding each PHRASE.
rec_journal_check() { # rec_journal_check NAME PID KIND PRIORITY FIELD=VALUE... -- PHRASE...
  local name=$1 pid=$2 kind=$3 priority=$4 file="$work/rec-journal-$1.txt" wrong="" fv k got message
  shift 4
  rec_journal "$file" EXECMOND_PID="$pid"
  local n
  n="$(rec_entries "$file")"
  if [ "$n" != 1 ]; then
    fail "records-$name-journal" "journalctl SYSLOG_IDENTIFIER=execmond EXECMOND_PID=$pid: $n entries (want 1): $(grep -aE '^(MESSAGE|MESSAGE_ID)=' "$file" | paste -sd' ')"
    while [ "$1" != -- ]; do shift; done
    return
  fi
  for fv in "MESSAGE_ID=${rec_message_id[$kind]}" "PRIORITY=$priority" "EXECMOND_KIND=$kind" "EXECMOND_PID=$pid"; do
    set -- "$fv" "$@"
  done
  while [ "$1" != -- ]; do
    k=${1%%=*}
    got="$(rec_field "$file" "$k")"
    [ "$got" = "${1#*=}" ] || wrong+="; $k=${got:-(none)}, want ${1#*=}"
    shift
  done
  shift
  message="$(rec_field "$file" MESSAGE)"
  local binary json_of
  binary="$(rec_binary_fields "$file")"
  if [ -n "$binary" ]; then
    # As -o json shows them: arrays of the bytes.
    json_of="$(journalctl --no-pager -o json --since "@$rec_since" SYSLOG_IDENTIFIER=execmond EXECMOND_PID="$pid" |
      grep -aoE '"(EXECMOND_[A-Z0-9_]+|MESSAGE[A-Z_]*|PRIORITY|SYSLOG_IDENTIFIER)":\[[0-9,]*\]' | cut -c1-200 | paste -sd' ')"
    wrong+="; fields that are not text: $binary ($json_of)"
  fi
  for phrase; do
    [[ "$message" == *"$phrase"* ]] || wrong+="; MESSAGE lacks \"$phrase\""
  done
  # And the MESSAGE_ID query finds it.
  rec_journal "$work/rec-j.txt" MESSAGE_ID="${rec_message_id[$kind]}" EXECMOND_PID="$pid"
  [ "$(rec_entries "$work/rec-j.txt")" = 1 ] || wrong+="; MESSAGE_ID=${rec_message_id[$kind]} finds $(rec_entries "$work/rec-j.txt")"
  if [ -z "$wrong" ]; then
    pass "records-$name-journal" "$message [$(grep -aE '^EXECMOND_(KIND|SIGNAL|UNIT|CMDLINE|OOM_SCOPE|PEAK_RSS_BYTES)=' "$file" | paste -sd' ')]"
  else
    fail "records-$name-journal" "${wrong#; } [MESSAGE=$message]"
  fi
}
rec_journal_check segv "${rec_pid[segv]}" crashed 3 \
  EXECMOND_REASON=signaled EXECMOND_CODE=11 EXECMOND_SIGNAL=SIGSEGV EXECMOND_CORE_DUMPED=false \
  EXECMOND_COMM=recs-segv EXECMOND_UNIT=execmond-rec-segv.service \
  "EXECMOND_CMDLINE=/tmp/recs-segv /tmp/recs-kill.sh $work/recs-segv.pid SEGV" SYSLOG_IDENTIFIER=execmond -- \
  "recs-segv" "(pid ${rec_pid[segv]}" "execmond-rec-segv.service" "was killed by SIGSEGV after"
rec_journal_check abrt "${rec_pid[abrt]}" crashed 3 \
  EXECMOND_REASON=signaled EXECMOND_CODE=6 EXECMOND_SIGNAL=SIGABRT EXECMOND_CORE_DUMPED=false \
  EXECMOND_COMM=recs-abrt EXECMOND_UNIT=execmond-rec-abrt.service \
  "EXECMOND_CMDLINE=/tmp/recs-abrt /tmp/recs-kill.sh $work/recs-abrt.pid ABRT" -- \
  "recs-abrt" "(pid ${rec_pid[abrt]}" "execmond-rec-abrt.service" "was killed by SIGABRT after"
rec_journal_check oom "${rec_pid[oom]}" oom_killed 3 \
  EXECMOND_REASON=oom_killed EXECMOND_SIGNAL=SIGKILL EXECMOND_OOM_SCOPE=cgroup \
  EXECMOND_COMM=recs-oom EXECMOND_UNIT=execmond-rec-oom.service \
  "EXECMOND_CMDLINE=/tmp/recs-oom /tmp/recs-grow.sh $work/recs-oom.pid" -- \
  "recs-oom" "(pid ${rec_pid[oom]}" "execmond-rec-oom.service" "was killed by the OOM killer after"
if ((core_dumped)); then
  rec_journal_check core "${rec_pid[core]}" core_dumped 3 \
    EXECMOND_REASON=dumped EXECMOND_CODE=3 EXECMOND_SIGNAL=SIGQUIT EXECMOND_CORE_DUMPED=true \
    EXECMOND_COMM=recs-core EXECMOND_UNIT=execmond-rec-core.service \
    "EXECMOND_CMDLINE=/tmp/recs-core /tmp/recs-kill.sh $work/recs-core.pid QUIT" -- \
    "recs-core" "(pid ${rec_pid[core]}" "execmond-rec-core.service" "was killed by SIGQUIT (core dumped) after"
else
  rec_journal "$work/rec-journal-core.txt" EXECMOND_PID="${rec_pid[core]}"
  verdict records-core-journal "no core dumped, SIGQUIT is no crash: $(rec_entries "$work/rec-journal-core.txt") entries (want 0)" \
    [ "$(rec_entries "$work/rec-journal-core.txt")" = 0 ]
fi
# The OOM kill's message ends with the peak RSS when memory is accounted.
oom_message="$(rec_field "$work/rec-journal-oom.txt" MESSAGE)"
oom_peak="$(rec_field "$work/rec-journal-oom.txt" EXECMOND_PEAK_RSS_BYTES)"
# RSS counts the mapped files too (dash, libc), which need not be charged
# to the unit's cgroup: a little over its 32 MiB is right.
oom_peak_ok() {
  [ "$oom_peak" -ge $((16 << 20)) ] && [ "$oom_peak" -le $((40 << 20)) ] && [[ "$oom_message" == *" peak RSS" ]]
}
if [ -n "$oom_peak" ]; then
  verdict records-oom-peak-rss "EXECMOND_PEAK_RSS_BYTES=$oom_peak (16 to 40 MiB: the unit's 32 MiB and mapped files); MESSAGE: $oom_message" \
    oom_peak_ok
fi
# Clean exits and exits with 1 are not notable: no entry at all.
rec_journal "$work/rec-journal-clean.txt" EXECMOND_COMM=recs-exit
clean_entries="$(rec_entries "$work/rec-journal-clean.txt")"
rec_journal "$work/rec-j.txt" "${clean_pids[@]/#/EXECMOND_PID=}"
clean_entries=$((clean_entries + $(rec_entries "$work/rec-j.txt")))
verdict records-clean-exits-journal "exits 0 and 1 of recs-exit (pids ${clean_pids[*]}): $clean_entries entries (want 0)" \
  [ "$clean_entries" = 0 ]
rec_journal "$work/rec-journal-all.txt"
# Kept in the logs (BUILD_DIR/systemtest/journal-records.json): every record as -o json has it.
journalctl --no-pager -o json --since "@$rec_since" SYSLOG_IDENTIFIER=execmond >"$share/journal-records.json" 2>&1
info records-journal-entries "$(rec_entries "$work/rec-journal-all.txt") execmond records since the workload: $(sed -n 's/^EXECMOND_KIND=//p' "$work/rec-journal-all.txt" | sort | uniq -c | awk '{ print $2 " " $1 }' | paste -sd' ')"

# ---- GET /exits ----
# One record a line: the envelope's head and tail cut off, split between
# records (no '},{' inside these records: their strings hold none).
if curl -fsS --max-time 10 "$exits_url" -o "$work/exits.json" 2>"$work/curl.err"; then
  verdict records-exits-envelope "$(head -c 48 "$work/exits.json")… ($(wc -c <"$work/exits.json") bytes)" \
    grep -qE '^\{"schema":1,"last_seq":[0-9]+,"records":\[' "$work/exits.json"
else
  fail records-exits-envelope "$exits_url: $(cat "$work/curl.err")"
fi
sed -E 's/^\{"schema":[0-9]+,"last_seq":[0-9]+,"records":\[//; s/\]\}$//; s/\},\{"/}\n{"/g' \
  "$work/exits.json" 2>/dev/null >"$work/exits-records.txt"
rec_exits_check() { # rec_exits_check NAME PID "KEY":VALUE...: one record of PID holding each
  local name=$1 pid=$2 line n wrong=""
  shift 2
  n="$(grep -cF "\"pid\":$pid," "$work/exits-records.txt")"
  if [ "$n" != 1 ]; then
    fail "records-$name-exits" "GET /exits: $n records of pid $pid (want 1)"
    return
  fi
  line="$(grep -F "\"pid\":$pid," "$work/exits-records.txt")"
  for kv; do [[ "$line" == *"$kv"* ]] || wrong+="; lacks $kv"; done
  if [ -z "$wrong" ]; then
    pass "records-$name-exits" "GET /exits: $(grep -oE '"(kind|signal|unit|oom_scope)":"[^"]*"' <<<"$line" | paste -sd' ')"
  else
    fail "records-$name-exits" "${wrong#; }: ${line:0:400}"
  fi
}
rec_exits_check segv "${rec_pid[segv]}" '"kind":"crashed"' '"signal":"SIGSEGV"' \
  '"unit":"execmond-rec-segv.service"' '"comm":"recs-segv"' \
  "\"cmdline\":[\"/tmp/recs-segv\",\"/tmp/recs-kill.sh\",\"$work/recs-segv.pid\",\"SEGV\"]"
rec_exits_check abrt "${rec_pid[abrt]}" '"kind":"crashed"' '"signal":"SIGABRT"' \
  '"unit":"execmond-rec-abrt.service"' '"comm":"recs-abrt"'
rec_exits_check oom "${rec_pid[oom]}" '"kind":"oom_killed"' '"oom_scope":"cgroup"' \
  '"unit":"execmond-rec-oom.service"' '"comm":"recs-oom"' '"reason":"oom_killed"'
if ((core_dumped)); then
  rec_exits_check core "${rec_pid[core]}" '"kind":"core_dumped"' '"signal":"SIGQUIT"' \
    '"core_dumped":true' '"unit":"execmond-rec-core.service"'
else
  verdict records-core-exits "no core dumped: $(grep -cF "\"pid\":${rec_pid[core]}," "$work/exits-records.txt") records of pid ${rec_pid[core]} (want 0)" \
    [ "$(grep -cF "\"pid\":${rec_pid[core]}," "$work/exits-records.txt")" = 0 ]
fi
clean_exits="$(grep -cF '"comm":"recs-exit"' "$work/exits-records.txt")"
verdict records-clean-exits-exits "GET /exits: $clean_exits records of recs-exit (want 0)" [ "$clean_exits" = 0 ]

# ---- the counters ----
scrape
rec_after="$(rec_counts)"
info records-counts-after "$rec_after"
rec_delta() { # rec_delta KIND: the growth of execmond_exit_records_total{kind=KIND}
  local before after
  before="$(sed -nE "s/.*(^| )$1=([^ ]*).*/\2/p" <<<"$rec_before")"
  after="$(sed -nE "s/.*(^| )$1=([^ ]*).*/\2/p" <<<"$rec_after")"
  awk -v a="$after" -v b="$before" 'BEGIN { if (a == "absent" || b == "absent") print "absent"; else print a - b }'
}
for expected in crashed:2 oom_killed:1 core_dumped:$core_dumped failed:0 exited:0; do
  kind=${expected%%:*} want=${expected#*:}
  got="$(rec_delta $kind)"
  verdict "records-counter-$kind" "execmond_exit_records_total{kind=\"$kind\"} grew by $got (want $want)" [ "$got" = "$want" ]
done
dropped="$(rec_sum execmond_exit_records_dropped_total)"
verdict records-dropped-zero "execmond_exit_records_dropped_total: $dropped ($(grep '^execmond_exit_records_dropped_total' "$work/metrics.txt" | paste -sd' '))" \
  [ "$dropped" = 0 ]
writes="$(metric execmond_exit_record_writes_total output=journal)"
verdict records-journal-writes "execmond_exit_record_writes_total{output=\"journal\"} $rec_writes_before -> $writes (want +$rec_expected)" \
  [ "$(awk -v a="$writes" -v b="$rec_writes_before" 'BEGIN { print a - b }')" = "$rec_expected" ]
verdict records-journal-unwritten "execmond_exit_records_unwritten_total{output=\"journal\"} $(metric execmond_exit_records_unwritten_total output=journal), write failures $(metric execmond_exit_record_write_failures_total output=journal)" \
  [ "$(metric execmond_exit_records_unwritten_total output=journal) $(metric execmond_exit_record_write_failures_total output=journal)" = "0 0" ]

# ---- clean up ----
systemctl stop "${rec_units[@]}" 2>/dev/null
systemctl reset-failed "${rec_units[@]}" 2>/dev/null
rm -rf "$rec_core_dir" /tmp/recs-segv /tmp/recs-abrt /tmp/recs-core /tmp/recs-oom /tmp/recs-exit
verdict active-after-records "$(unit_state)" is_active
