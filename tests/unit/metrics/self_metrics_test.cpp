// The daemon's own process_* families, read live from this test process.
#include "metrics/self_metrics.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <map>
#include <optional>
#include <string>

namespace execmond {
namespace {

using prometheus::MetricFamily;
using prometheus::MetricType;

// Taken during static initialisation, moments after exec: the process
// cannot have started later than this.
const double kTestBinaryLoadedAt =
    std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();

std::map<std::string, MetricFamily> collect_by_name() {
  std::map<std::string, MetricFamily> out;
  for (MetricFamily& f : collect_self_metrics()) out.emplace(f.name, std::move(f));
  return out;
}

double value_of(const std::string& name) {
  auto families = collect_by_name();
  auto it = families.find(name);
  if (it == families.end() || it->second.metric.size() != 1) {
    ADD_FAILURE() << name << " missing or not a single series";
    return -1;
  }
  const auto& m = it->second.metric.front();
  return it->second.type == MetricType::Counter ? m.counter.value : m.gauge.value;
}

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

TEST(SelfMetricsTest, ExportsTheGoClientFamilies) {
  const std::map<std::string, std::pair<MetricType, std::string>> expected = {
      {"process_cpu_seconds_total",
       {MetricType::Counter, "Total user and system CPU time spent in seconds."}},
      {"process_resident_memory_bytes", {MetricType::Gauge, "Resident memory size in bytes."}},
      {"process_virtual_memory_bytes", {MetricType::Gauge, "Virtual memory size in bytes."}},
      {"process_open_fds", {MetricType::Gauge, "Number of open file descriptors."}},
      {"process_max_fds", {MetricType::Gauge, "Maximum number of open file descriptors."}},
      {"process_start_time_seconds",
       {MetricType::Gauge, "Start time of the process since unix epoch in seconds."}},
  };
  auto families = collect_by_name();
  EXPECT_EQ(families.size(), expected.size());
  for (const auto& [name, type_help] : expected) {
    SCOPED_TRACE(name);
    auto it = families.find(name);
    ASSERT_NE(it, families.end());
    EXPECT_EQ(it->second.type, type_help.first);
    EXPECT_EQ(it->second.help, type_help.second);
    ASSERT_EQ(it->second.metric.size(), 1U);
    EXPECT_TRUE(it->second.metric.front().label.empty());
  }
}

TEST(SelfMetricsTest, OpenFdsFollowsOpenAndClose) {
  const double before = value_of("process_open_fds");
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(value_of("process_open_fds"), before + 1);
  ::close(fd);
  EXPECT_EQ(value_of("process_open_fds"), before);
}

TEST(SelfMetricsTest, MemoryAndLimitsArePlausible) {
  const double rss = value_of("process_resident_memory_bytes");
  const double vsize = value_of("process_virtual_memory_bytes");
  EXPECT_GT(rss, 0);
  EXPECT_EQ(static_cast<long>(rss) % ::sysconf(_SC_PAGESIZE), 0);
  EXPECT_GE(vsize, rss);
  EXPECT_GE(value_of("process_max_fds"), value_of("process_open_fds"));
}

TEST(SelfMetricsTest, StartTimeIsWhenThisProcessStarted) {
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const double start = value_of("process_start_time_seconds");
  // btime is whole seconds, so the computed start may run up to 1 s early.
  EXPECT_LE(start, kTestBinaryLoadedAt + 1);
  EXPECT_GE(start, kTestBinaryLoadedAt - 60);
  EXPECT_LE(start, now);
}

TEST(SelfMetricsTest, CpuSecondsGrowWithCpuWork) {
  const double before = value_of("process_cpu_seconds_total");
  // Spin until the kernel has charged 200 ms of CPU: measured in CPU time,
  // not wall time, so a loaded machine only makes the test slower.
  const double target = process_cpu_seconds() + 0.2;
  volatile std::uint64_t sink = 0;
  while (process_cpu_seconds() < target) {
    for (int i = 0; i < 100000; ++i) sink = sink + static_cast<std::uint64_t>(i);
  }
  const double after = value_of("process_cpu_seconds_total");
  EXPECT_GE(after, before + 0.1);
  EXPECT_LE(after, process_cpu_seconds() + 0.05);
}

// Renaming this very thread puts ") (" in /proc/self/stat's comm, which a
// parser splitting on the first ')' would misread.
TEST(SelfMetricsTest, SurvivesHostileCommNames) {
  char saved[16] = {};
  ASSERT_EQ(::prctl(PR_GET_NAME, saved), 0);
  ASSERT_EQ(::prctl(PR_SET_NAME, "x) 1 2 (y) z"), 0);
  auto families = collect_by_name();
  ::prctl(PR_SET_NAME, saved);
  ASSERT_TRUE(families.contains("process_resident_memory_bytes"));
  EXPECT_GT(families["process_resident_memory_bytes"].metric.at(0).gauge.value, 0);
  EXPECT_GE(families["process_start_time_seconds"].metric.at(0).gauge.value,
            kTestBinaryLoadedAt - 60);
}

TEST(SelfMetricsTest, ParsesStatFieldsAfterTheLastParenthesis) {
  const std::string stat =
      "4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 "
      "7 3 0 0 20 0 1 0 123456 987654321 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 "
      "3 0 0 0 0 0\n";
  std::optional<ProcStat> parsed = parse_proc_stat(stat);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->utime_ticks, 7U);
  EXPECT_EQ(parsed->stime_ticks, 3U);
  EXPECT_EQ(parsed->starttime_ticks, 123456U);
  EXPECT_EQ(parsed->vsize_bytes, 987654321U);
  EXPECT_EQ(parsed->rss_pages, 2048);
}

TEST(SelfMetricsTest, RejectsMalformedStat) {
  EXPECT_FALSE(parse_proc_stat("").has_value());
  EXPECT_FALSE(parse_proc_stat("1 (no closing paren S 1 2 3").has_value());
  EXPECT_FALSE(parse_proc_stat("1 (short) S 1 2 3\n").has_value());
  EXPECT_FALSE(
      parse_proc_stat("1 (x) S 1 1 1 0 -1 0 0 0 0 0 u 3 0 0 20 0 1 0 5 6 7\n").has_value());
}

}  // namespace
}  // namespace execmond
