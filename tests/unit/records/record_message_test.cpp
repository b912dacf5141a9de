// The one line people read about an exit: exact text for each kind.
#include "records/record_message.h"

#include <gtest/gtest.h>

#include <string>

namespace execmond {
namespace {

ExitRecord named(RecordKind kind) {
  ExitRecord r;
  r.kind = kind;
  r.pid = 4242;
  r.comm = "python3";
  r.program = "backup.py";
  r.unit = "cron.service";
  return r;
}

TEST(RecordMessageTest, OomKilled) {
  ExitRecord r = named(RecordKind::OomKilled);
  r.reason = "oom_killed";
  r.code = 9;
  r.lifetime_ns = 3'200'000'000;
  r.peak_rss_bytes = 2040109465;
  EXPECT_EQ(record_message(r),
            "backup.py (pid 4242, python3, cron.service) was killed by the OOM killer after "
            "3.2 s at 1.9 GiB peak RSS");
  r.peak_rss_bytes.reset();
  EXPECT_EQ(record_message(r),
            "backup.py (pid 4242, python3, cron.service) was killed by the OOM killer after 3.2 s");
}

TEST(RecordMessageTest, CoreDumped) {
  ExitRecord r = named(RecordKind::CoreDumped);
  r.program = "";
  r.unit = "";
  r.pod = "web-0";
  r.pod_namespace = "shop";
  r.reason = "dumped";  // as the exits' reason label says a core dump
  r.code = 11;
  r.signal = "SIGSEGV";
  r.core_dumped = true;
  r.lifetime_ns = 12'300'000;
  EXPECT_EQ(record_message(r),
            "python3 (pid 4242, shop/web-0) was killed by SIGSEGV (core dumped) after 12 ms");
}

TEST(RecordMessageTest, Crashed) {
  ExitRecord r = named(RecordKind::Crashed);
  r.program = "python3";  // the same as comm: named once
  r.reason = "signaled";
  r.code = 6;
  r.signal = "SIGABRT";
  r.lifetime_ns = 90'000'000'000;
  EXPECT_EQ(record_message(r),
            "python3 (pid 4242, cron.service) was killed by SIGABRT after 1.5 min");
  r.signal = "";
  r.code = 40;
  EXPECT_EQ(record_message(r),
            "python3 (pid 4242, cron.service) was killed by signal 40 after 1.5 min");
}

TEST(RecordMessageTest, Failed) {
  ExitRecord r = named(RecordKind::Failed);
  r.reason = "exited";
  r.code = 1;
  r.lifetime_ns = 126'000'000'000;
  EXPECT_EQ(record_message(r),
            "backup.py (pid 4242, python3, cron.service) exited with status 1 after 2.1 min");
}

TEST(RecordMessageTest, Exited) {
  ExitRecord r = named(RecordKind::Exited);
  r.unit = "";
  r.reason = "exited";
  r.code = 0;
  r.lifetime_ns = 5 * 3600 * 1'000'000'000ULL;
  EXPECT_EQ(record_message(r), "backup.py (pid 4242, python3) exited with status 0 after 5.0 h");
}

TEST(RecordMessageTest, PodWithoutNamespaceAndNoNameAtAll) {
  ExitRecord r;
  r.kind = RecordKind::Crashed;
  r.pid = 7;
  r.pod = "web-0";
  r.reason = "signaled";
  r.signal = "SIGBUS";
  EXPECT_EQ(record_message(r), "process (pid 7, web-0) was killed by SIGBUS after 0.0 ms");
}

TEST(RecordMessageTest, HostileNamesStayOnOneLine) {
  ExitRecord r = named(RecordKind::Failed);
  r.program = "evil\nname\x1b[2J";
  r.comm = "bad\xff\\";
  r.unit =
      "a\xc2\x85"
      "b\xe2\x80\xa8"
      "c";
  r.reason = "exited";
  r.code = 2;
  r.lifetime_ns = 1'500'000;
  EXPECT_EQ(record_message(r),
            "evil\\x0aname\\x1b[2J (pid 4242, bad\\xff\\\\, a\\xc2\\x85b\\xe2\\x80\\xa8c) exited "
            "with status 2 after 1.5 ms");
}

TEST(RecordMessageTest, EscapeKeepsValidUtf8) {
  EXPECT_EQ(escape_for_line("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\x8d"),
            "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\x8d");
  EXPECT_EQ(escape_for_line(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(escape_for_line("\x7f"), "\\x7f");
  EXPECT_EQ(escape_for_line("\xe2\x80"), "\\xe2\\x80");  // cut inside a character
}

TEST(RecordMessageTest, HumanDurations) {
  EXPECT_EQ(human_duration(0), "0.0 ms");
  EXPECT_EQ(human_duration(400'000), "0.4 ms");
  EXPECT_EQ(human_duration(9'940'000), "9.9 ms");
  EXPECT_EQ(human_duration(9'960'000), "10 ms");
  EXPECT_EQ(human_duration(12'000'000), "12 ms");
  EXPECT_EQ(human_duration(999'400'000), "999 ms");
  EXPECT_EQ(human_duration(999'600'000), "1.0 s");
  EXPECT_EQ(human_duration(3'200'000'000), "3.2 s");
  EXPECT_EQ(human_duration(59'960'000'000), "1.0 min");
  EXPECT_EQ(human_duration(126'000'000'000), "2.1 min");
  EXPECT_EQ(human_duration(3600'000'000'000), "1.0 h");
  EXPECT_EQ(human_duration(86400'000'000'000), "1.0 d");
  EXPECT_EQ(human_duration(3 * 86400'000'000'000 + 12 * 3600'000'000'000), "3.5 d");
}

TEST(RecordMessageTest, HumanSizes) {
  EXPECT_EQ(human_size(0), "0 B");
  EXPECT_EQ(human_size(1023), "1023 B");
  EXPECT_EQ(human_size(1024), "1.0 KiB");
  EXPECT_EQ(human_size(1536), "1.5 KiB");
  EXPECT_EQ(human_size(1024 * 1024 - 1), "1.0 MiB");
  EXPECT_EQ(human_size(300ULL << 20), "300.0 MiB");
  EXPECT_EQ(human_size(2040109465), "1.9 GiB");
  EXPECT_EQ(human_size(5ULL << 40), "5.0 TiB");
}

}  // namespace
}  // namespace execmond
