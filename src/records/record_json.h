// How an ExitRecord is written down: the JSON object of the JSON lines
// output and GET /exits, and the journal fields of the journal output. Both
// are schema kRecordSchemaVersion; keys and MESSAGE_IDs are an interface
// (alerts, log queries and parsers match on them) and never change meaning
// within a schema version.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "records/exit_record.h"

namespace execmond {

// The object, snake_case keys:
//   schema, seq, kind, time, host, pid, start_time, lifetime_seconds, ppid,
//   parent_comm, comm, exe, program, script, cmdline, cmdline_truncated, uid,
//   user, unit, cgroup, container_id, pod, namespace, container, reason,
//   code, signal, core_dumped, oom_scope, wait_status, cpu_user_seconds,
//   cpu_system_seconds, peak_rss_bytes, io_read_bytes, io_write_bytes,
//   minor_faults, major_faults, voluntary_switches, involuntary_switches.
// Every key is present, "" when unknown, except: cmdline (absent when the
// record has none), signal and oom_scope (absent when ""), and the resources
// from cpu_user_seconds on (absent when not accounted). time and start_time
// are RFC 3339 in UTC with nanoseconds; lifetime_seconds and the cpu_*
// seconds are numbers with nanosecond precision (exact up to about 104 days,
// the reach of a double's 53 bits). Strings hold the bytes as they were,
// which need not be UTF-8: dump with record_json_line, or with
// error_handler_t::replace, never with the default (it throws).
nlohmann::json record_json(const ExitRecord& record);

// record_json as one JSON line: exactly one '\n', at the end (JSON escapes
// control characters in strings); bytes that are not UTF-8 become U+FFFD.
std::string record_json_line(const ExitRecord& record);

// `ns` since the Unix epoch as RFC 3339 in UTC with nine fractional digits:
// 0 is "1970-01-01T00:00:00.000000000Z". Covers all of int64 (1677 to 2262).
std::string rfc3339_utc(std::int64_t ns);

// The journal's MESSAGE_ID of each kind, fixed forever (journalctl
// MESSAGE_ID=… finds every record of a kind, whatever the version):
//   oom_killed   185b6d5df6cd405db9885db9b8c269c3
//   core_dumped  9497a06854384a38aeac059e586ac977
//   crashed      b5d21f7a2d79496896f32d717e1dd5a0
//   failed       11ee4bd193ee46d1bf61a2c632830de1
//   exited       4f72b0fc4a6543c89553b98a33751754
std::string_view record_message_id(RecordKind kind);

// The syslog priority of each kind's journal entry: 3 (err) for oom_killed,
// core_dumped and crashed, 4 (warning) for failed, 6 (info) for exited.
int record_priority(RecordKind kind);

// The journal entry, "FIELD=value" each, for sd_journal_sendv: every key of
// record_json that is present as EXECMOND_<KEY> (EXECMOND_PID=4242,
// EXECMOND_NAMESPACE=…), with its JSON value's text: strings as their raw
// bytes (a journal value may hold any bytes, newlines too), numbers as JSON
// writes them, booleans "true"/"false" as in JSON, and cmdline as its
// arguments joined by single spaces. Then MESSAGE (record_message),
// MESSAGE_ID, PRIORITY and SYSLOG_IDENTIFIER=execmond.
std::vector<std::string> record_journal_fields(const ExitRecord& record);

}  // namespace execmond
