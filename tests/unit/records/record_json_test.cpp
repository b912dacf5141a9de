// The record's JSON object and journal fields: the schema others parse.
#include "records/record_json.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace execmond {
namespace {

using nlohmann::json;

ExitRecord full_record() {
  ExitRecord r;
  r.sequence = 7;
  r.kind = RecordKind::OomKilled;
  r.time_ns = 1796684547123456789;  // 2026-12-07T23:02:27.123456789Z
  r.start_time_ns = 1796684543923456789;
  r.lifetime_ns = 3'200'000'000;
  r.host = "node-1";
  r.pid = 4242;
  r.ppid = 1;
  r.parent_comm = "cron";
  r.comm = "python3";
  r.exe = "/usr/bin/python3.11";
  r.program = "backup.py";
  r.script = "/opt/backup.py";
  r.cmdline = std::vector<std::string>{"python3", "/opt/backup.py", "--password=***"};
  r.cmdline_truncated = true;
  r.uid = 1000;
  r.user = "backup";
  r.unit = "cron.service";
  r.cgroup = "/system.slice/cron.service";
  r.container_id = "abc123";
  r.pod = "web-0";
  r.pod_namespace = "shop";
  r.container = "app";
  r.reason = "oom_killed";
  r.code = 9;
  r.signal = "SIGKILL";
  r.core_dumped = false;
  r.oom_scope = "cgroup";
  r.wait_status = 9;
  r.cpu_user_ns = 1'500'000'001;
  r.cpu_system_ns = 250'000'000;
  r.peak_rss_bytes = 2040109465;
  r.io_read_bytes = 4096;
  r.io_write_bytes = 8192;
  r.minor_faults = 100;
  r.major_faults = 2;
  r.voluntary_switches = 30;
  r.involuntary_switches = 4;
  return r;
}

TEST(RecordJsonTest, FullRecordIsTheWholeSchema) {
  const json expected = R"({
    "schema": 1, "seq": 7, "kind": "oom_killed",
    "time": "2026-12-07T23:02:27.123456789Z", "host": "node-1", "pid": 4242,
    "start_time": "2026-12-07T23:02:23.923456789Z", "lifetime_seconds": 3.2,
    "ppid": 1, "parent_comm": "cron", "comm": "python3", "exe": "/usr/bin/python3.11",
    "program": "backup.py", "script": "/opt/backup.py",
    "cmdline": ["python3", "/opt/backup.py", "--password=***"], "cmdline_truncated": true,
    "uid": 1000, "user": "backup", "unit": "cron.service",
    "cgroup": "/system.slice/cron.service", "container_id": "abc123", "pod": "web-0",
    "namespace": "shop", "container": "app", "reason": "oom_killed", "code": 9,
    "signal": "SIGKILL", "core_dumped": false, "oom_scope": "cgroup", "wait_status": 9,
    "cpu_user_seconds": 1.500000001, "cpu_system_seconds": 0.25,
    "peak_rss_bytes": 2040109465, "io_read_bytes": 4096, "io_write_bytes": 8192,
    "minor_faults": 100, "major_faults": 2, "voluntary_switches": 30,
    "involuntary_switches": 4
  })"_json;
  EXPECT_EQ(record_json(full_record()), expected);
  // Seconds keep nanoseconds in the text, not only in the parsed double.
  const std::string line = record_json_line(full_record());
  EXPECT_NE(line.find("\"cpu_user_seconds\":1.500000001,"), std::string::npos) << line;
  EXPECT_NE(line.find("\"lifetime_seconds\":3.2,"), std::string::npos) << line;
}

TEST(RecordJsonTest, MinimalRecordLeavesOutWhatIsAbsent) {
  ExitRecord r;
  r.kind = RecordKind::Crashed;
  const json expected = R"({
    "schema": 1, "seq": 0, "kind": "crashed",
    "time": "1970-01-01T00:00:00.000000000Z", "host": "", "pid": 0,
    "start_time": "1970-01-01T00:00:00.000000000Z", "lifetime_seconds": 0.0,
    "ppid": 0, "parent_comm": "", "comm": "", "exe": "", "program": "", "script": "",
    "cmdline_truncated": false, "uid": 0, "user": "", "unit": "", "cgroup": "",
    "container_id": "", "pod": "", "namespace": "", "container": "", "reason": "",
    "code": 0, "core_dumped": false, "wait_status": 0
  })"_json;
  EXPECT_EQ(record_json(r), expected);
}

TEST(RecordJsonTest, EmptyCommandLineIsAnEmptyArrayNotAbsent) {
  ExitRecord r;
  r.cmdline = std::vector<std::string>{};
  EXPECT_EQ(record_json(r).at("cmdline"), json::array());
}

TEST(RecordJsonTest, TimesAreRfc3339UtcWithNanoseconds) {
  EXPECT_EQ(rfc3339_utc(0), "1970-01-01T00:00:00.000000000Z");
  EXPECT_EQ(rfc3339_utc(1), "1970-01-01T00:00:00.000000001Z");
  EXPECT_EQ(rfc3339_utc(999'999'999), "1970-01-01T00:00:00.999999999Z");
  EXPECT_EQ(rfc3339_utc(-1), "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(rfc3339_utc(-1'000'000'000), "1969-12-31T23:59:59.000000000Z");
  // Leap days: a year divisible by 4, by 400, and not 1900-like 2100.
  EXPECT_EQ(rfc3339_utc(1709164800LL * 1'000'000'000), "2024-02-29T00:00:00.000000000Z");
  EXPECT_EQ(rfc3339_utc(951782400LL * 1'000'000'000), "2000-02-29T00:00:00.000000000Z");
  EXPECT_EQ(rfc3339_utc(4107542399LL * 1'000'000'000), "2100-02-28T23:59:59.000000000Z");
  EXPECT_EQ(rfc3339_utc(4107542400LL * 1'000'000'000), "2100-03-01T00:00:00.000000000Z");
  // The last second of 2016, where a leap second was inserted: Unix time has
  // none, so 23:59:59 is followed by 00:00:00.
  EXPECT_EQ(rfc3339_utc(1483228799LL * 1'000'000'000 + 500'000'000),
            "2016-12-31T23:59:59.500000000Z");
  EXPECT_EQ(rfc3339_utc(1483228800LL * 1'000'000'000), "2017-01-01T00:00:00.000000000Z");
  EXPECT_EQ(rfc3339_utc(std::numeric_limits<std::int64_t>::max()),
            "2262-04-11T23:47:16.854775807Z");
  EXPECT_EQ(rfc3339_utc(std::numeric_limits<std::int64_t>::min()),
            "1677-09-21T00:12:43.145224192Z");
}

TEST(RecordJsonTest, HostileBytesStayOneValidLine) {
  ExitRecord r = full_record();
  r.comm = "bad\xff\xfe";
  r.parent_comm = std::string("nul\0byte", 8);
  r.cmdline = std::vector<std::string>{"<script>alert(\"x\")</script>",
                                       "a\nb\r\nc",
                                       "tab\there",
                                       "\\\"quoted\\\"",
                                       "\xc3\x28",
                                       "\xe2\x80\xa8"};
  r.exe = "/bin/\x1b[31mred";
  std::string line;
  ASSERT_NO_THROW(line = record_json_line(r));
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << line;
  EXPECT_EQ(line.find('\r'), std::string::npos);
  json parsed;
  ASSERT_NO_THROW(parsed = json::parse(line)) << line;
  EXPECT_EQ(parsed.at("comm"), "bad\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(parsed.at("parent_comm"), std::string("nul\0byte", 8));
  EXPECT_EQ(parsed.at("exe"), "/bin/\x1b[31mred");
  EXPECT_EQ(parsed.at("cmdline"), (json{"<script>alert(\"x\")</script>", "a\nb\r\nc", "tab\there",
                                        "\\\"quoted\\\"", "\xef\xbf\xbd(", "\xe2\x80\xa8"}));
  EXPECT_EQ(parsed.at("pid"), 4242);
  EXPECT_EQ(parsed.at("seq"), 7);
}

TEST(RecordJsonTest, MessageIdsAndPrioritiesAreFixedPerKind) {
  EXPECT_EQ(record_message_id(RecordKind::OomKilled), "185b6d5df6cd405db9885db9b8c269c3");
  EXPECT_EQ(record_message_id(RecordKind::CoreDumped), "9497a06854384a38aeac059e586ac977");
  EXPECT_EQ(record_message_id(RecordKind::Crashed), "b5d21f7a2d79496896f32d717e1dd5a0");
  EXPECT_EQ(record_message_id(RecordKind::Failed), "11ee4bd193ee46d1bf61a2c632830de1");
  EXPECT_EQ(record_message_id(RecordKind::Exited), "4f72b0fc4a6543c89553b98a33751754");
  EXPECT_EQ(record_priority(RecordKind::OomKilled), 3);
  EXPECT_EQ(record_priority(RecordKind::CoreDumped), 3);
  EXPECT_EQ(record_priority(RecordKind::Crashed), 3);
  EXPECT_EQ(record_priority(RecordKind::Failed), 4);
  EXPECT_EQ(record_priority(RecordKind::Exited), 6);
}

TEST(RecordJsonTest, JournalFieldsOfAFullRecord) {
  ExitRecord r = full_record();
  r.cmdline->push_back("multi\nline");
  std::vector<std::string> fields = record_journal_fields(r);
  std::sort(fields.begin(), fields.end());
  std::vector<std::string> expected = {
      "EXECMOND_CGROUP=/system.slice/cron.service",
      "EXECMOND_CMDLINE=python3 /opt/backup.py --password=*** multi\nline",
      "EXECMOND_CMDLINE_TRUNCATED=true",
      "EXECMOND_CODE=9",
      "EXECMOND_COMM=python3",
      "EXECMOND_CONTAINER=app",
      "EXECMOND_CONTAINER_ID=abc123",
      "EXECMOND_CORE_DUMPED=false",
      "EXECMOND_CPU_SYSTEM_SECONDS=0.25",
      "EXECMOND_CPU_USER_SECONDS=1.500000001",
      "EXECMOND_EXE=/usr/bin/python3.11",
      "EXECMOND_HOST=node-1",
      "EXECMOND_INVOLUNTARY_SWITCHES=4",
      "EXECMOND_IO_READ_BYTES=4096",
      "EXECMOND_IO_WRITE_BYTES=8192",
      "EXECMOND_KIND=oom_killed",
      "EXECMOND_LIFETIME_SECONDS=3.2",
      "EXECMOND_MAJOR_FAULTS=2",
      "EXECMOND_MINOR_FAULTS=100",
      "EXECMOND_NAMESPACE=shop",
      "EXECMOND_OOM_SCOPE=cgroup",
      "EXECMOND_PARENT_COMM=cron",
      "EXECMOND_PEAK_RSS_BYTES=2040109465",
      "EXECMOND_PID=4242",
      "EXECMOND_POD=web-0",
      "EXECMOND_PPID=1",
      "EXECMOND_PROGRAM=backup.py",
      "EXECMOND_REASON=oom_killed",
      "EXECMOND_SCHEMA=1",
      "EXECMOND_SCRIPT=/opt/backup.py",
      "EXECMOND_SEQ=7",
      "EXECMOND_SIGNAL=SIGKILL",
      "EXECMOND_START_TIME=2026-12-07T23:02:23.923456789Z",
      "EXECMOND_TIME=2026-12-07T23:02:27.123456789Z",
      "EXECMOND_UID=1000",
      "EXECMOND_UNIT=cron.service",
      "EXECMOND_USER=backup",
      "EXECMOND_VOLUNTARY_SWITCHES=30",
      "EXECMOND_WAIT_STATUS=9",
      "MESSAGE=backup.py (pid 4242, python3, cron.service) was killed by the OOM killer after "
      "3.2 s at 1.9 GiB peak RSS",
      "MESSAGE_ID=185b6d5df6cd405db9885db9b8c269c3",
      "PRIORITY=3",
      "SYSLOG_IDENTIFIER=execmond",
  };
  EXPECT_EQ(fields, expected);
}

TEST(RecordJsonTest, JournalFieldsLeaveOutWhatJsonLeavesOut) {
  ExitRecord r;
  r.kind = RecordKind::Exited;
  r.comm = "raw\xff";
  const std::vector<std::string> fields = record_journal_fields(r);
  auto has_prefix = [&](std::string_view prefix) {
    return std::any_of(fields.begin(), fields.end(),
                       [&](const std::string& f) { return f.starts_with(prefix); });
  };
  EXPECT_FALSE(has_prefix("EXECMOND_CMDLINE="));
  EXPECT_FALSE(has_prefix("EXECMOND_SIGNAL="));
  EXPECT_FALSE(has_prefix("EXECMOND_OOM_SCOPE="));
  EXPECT_FALSE(has_prefix("EXECMOND_PEAK_RSS_BYTES="));
  EXPECT_TRUE(has_prefix("EXECMOND_UNIT="));
  EXPECT_TRUE(has_prefix("PRIORITY=6"));
  // The journal keeps raw bytes; only MESSAGE is made readable.
  EXPECT_NE(std::find(fields.begin(), fields.end(), "EXECMOND_COMM=raw\xff"), fields.end());
  EXPECT_NE(std::find(fields.begin(), fields.end(),
                      "MESSAGE=raw\\xff (pid 0) exited with status 0 after 0.0 ms"),
            fields.end());
}

}  // namespace
}  // namespace execmond
