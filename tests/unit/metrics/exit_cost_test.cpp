// What exited processes cost and OOM kills, from drained records to the
// exposition: the aggregator's sums and the families built from them.
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <csignal>
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "execmond.h"
#include "exposition.h"
#include "kernel/tracer.h"
#include "metrics/aggregator.h"
#include "metrics/collector.h"

namespace execmond {
namespace {

using test::Exposition;

constexpr std::uint32_t kAllResources = EXECMOND_RESOURCE_CPU | EXECMOND_RESOURCE_MEMORY |
                                        EXECMOND_RESOURCE_IO | EXECMOND_RESOURCE_FAULTS |
                                        EXECMOND_RESOURCE_SWITCHES;
const std::vector<double> kRssBounds = {1 << 20, 16 << 20};

Record exit_of(const std::string& comm, std::uint64_t count, std::uint32_t status = 0,
               std::uint8_t oom = EXECMOND_OOM_NONE) {
  Record r;
  r.kind = EXECMOND_KIND_EXIT;
  r.who.comm = comm;
  r.status = status;
  r.count = count;
  r.oom = oom;
  return r;
}

// Two exits of "cc" that used the figures below, summed by the kernel.
Record two_compiler_exits() {
  Record r = exit_of("cc", 2);
  ExitCost& c = r.cost;
  c.cpu_user_ns = 1'500'000'000;
  c.cpu_system_ns = 250'000'000;
  c.peak_rss_bytes_sum = (3 << 20) + (40 << 20);
  c.peak_rss_buckets[1] = 1;  // 3 MiB: at most 16 MiB
  c.peak_rss_buckets[2] = 1;  // 40 MiB: +Inf
  c.io_read_bytes = 4096;
  c.io_write_bytes = 8192;
  c.minor_faults = 300;
  c.major_faults = 2;
  c.voluntary_switches = 10;
  c.involuntary_switches = 3;
  return r;
}

AggregatorOptions options(std::uint32_t resources) {
  AggregatorOptions o;
  o.lifetime_bounds = {1};
  o.resources = resources;
  o.peak_rss_bounds = kRssBounds;
  return o;
}

Exposition scrape(const Aggregator& a, std::uint32_t resources) {
  DrainView view;
  view.labels = a.options().labels;
  view.lifetime_bounds = a.options().lifetime_bounds;
  view.resources = resources;
  view.peak_rss_bounds = a.options().peak_rss_bounds;
  return Exposition::parse(
      prometheus::TextSerializer().Serialize(build_families(view, a.totals())));
}

TEST(ExitCostTest, EveryResourceBecomesItsFamilyWithExactValues) {
  Aggregator a(options(kAllResources));
  a.add({two_compiler_exits()}, 0);
  Exposition e = scrape(a, kAllResources);
  EXPECT_DOUBLE_EQ(
      e.value("execmond_process_cpu_seconds_total", {{"comm", "cc"}, {"mode", "user"}}), 1.5);
  EXPECT_DOUBLE_EQ(
      e.value("execmond_process_cpu_seconds_total", {{"comm", "cc"}, {"mode", "system"}}), 0.25);
  EXPECT_EQ(e.value("execmond_process_peak_rss_bytes_bucket", {{"comm", "cc"}, {"le", "1048576"}}),
            0);
  EXPECT_EQ(e.value("execmond_process_peak_rss_bytes_bucket", {{"comm", "cc"}, {"le", "16777216"}}),
            1);
  EXPECT_EQ(e.value("execmond_process_peak_rss_bytes_bucket", {{"comm", "cc"}, {"le", "+Inf"}}), 2);
  EXPECT_EQ(e.value("execmond_process_peak_rss_bytes_count", {{"comm", "cc"}}), 2);
  EXPECT_EQ(e.value("execmond_process_peak_rss_bytes_sum", {{"comm", "cc"}}), 43 << 20);
  EXPECT_EQ(e.value("execmond_process_io_bytes_total", {{"comm", "cc"}, {"direction", "read"}}),
            4096);
  EXPECT_EQ(e.value("execmond_process_io_bytes_total", {{"comm", "cc"}, {"direction", "write"}}),
            8192);
  EXPECT_EQ(e.value("execmond_process_page_faults_total", {{"comm", "cc"}, {"type", "minor"}}),
            300);
  EXPECT_EQ(e.value("execmond_process_page_faults_total", {{"comm", "cc"}, {"type", "major"}}), 2);
  EXPECT_EQ(
      e.value("execmond_process_context_switches_total", {{"comm", "cc"}, {"type", "voluntary"}}),
      10);
  EXPECT_EQ(
      e.value("execmond_process_context_switches_total", {{"comm", "cc"}, {"type", "involuntary"}}),
      3);
  EXPECT_EQ(e.type("execmond_process_peak_rss_bytes"), "histogram");
  EXPECT_EQ(e.type("execmond_process_cpu_seconds_total"), "counter");
}

TEST(ExitCostTest, DrainsAddUp) {
  Aggregator a(options(kAllResources));
  a.add({two_compiler_exits()}, 0);
  a.add({two_compiler_exits(), two_compiler_exits()}, 1);
  Exposition e = scrape(a, kAllResources);
  EXPECT_DOUBLE_EQ(
      e.value("execmond_process_cpu_seconds_total", {{"comm", "cc"}, {"mode", "user"}}), 4.5);
  EXPECT_EQ(e.value("execmond_process_peak_rss_bytes_count", {{"comm", "cc"}}), 6);
  EXPECT_EQ(e.value("execmond_process_peak_rss_bytes_bucket", {{"comm", "cc"}, {"le", "+Inf"}}), 6);
}

TEST(ExitCostTest, ResourcesNotAccountedHaveNoFamily) {
  const std::uint32_t on = EXECMOND_RESOURCE_CPU | EXECMOND_RESOURCE_MEMORY;  // the default
  Aggregator a(options(on));
  a.add({two_compiler_exits()}, 0);
  Exposition e = scrape(a, on);
  EXPECT_TRUE(e.has_family("execmond_process_cpu_seconds_total"));
  EXPECT_TRUE(e.has_family("execmond_process_peak_rss_bytes"));
  for (const char* absent :
       {"execmond_process_io_bytes_total", "execmond_process_page_faults_total",
        "execmond_process_context_switches_total"}) {
    EXPECT_FALSE(e.has_family(absent)) << absent;
  }
  // Nor does the aggregator keep series for them.
  EXPECT_TRUE(a.totals().io_bytes.series.empty());
  EXPECT_TRUE(a.totals().page_faults.series.empty());
  EXPECT_TRUE(a.totals().switches.series.empty());
}

TEST(ExitCostTest, AnIoFamilyTheKernelCannotFillIsLeftOut) {
  // Configured, but the tracer dropped io (no task I/O accounting): the view says what is
  // accounted.
  Aggregator a(options(kAllResources));
  a.add({two_compiler_exits()}, 0);
  Exposition e = scrape(a, kAllResources & ~static_cast<std::uint32_t>(EXECMOND_RESOURCE_IO));
  EXPECT_FALSE(e.has_family("execmond_process_io_bytes_total"));
  EXPECT_TRUE(e.has_family("execmond_process_page_faults_total"));
}

TEST(OomKillsTest, AnOomVictimKilledBySigkillIsOomKilledAndCountedWithItsScope) {
  Aggregator a(options(0));
  a.add({exit_of("java", 3, SIGKILL, EXECMOND_OOM_CGROUP),
         exit_of("java", 1, SIGKILL, EXECMOND_OOM_GLOBAL), exit_of("java", 2, SIGKILL)},
        0);
  Exposition e = scrape(a, 0);
  EXPECT_EQ(e.value("execmond_process_exits_total",
                    {{"comm", "java"}, {"reason", "oom_killed"}, {"code", "SIGKILL"}}),
            4);
  // A plain kill -9 stays signaled.
  EXPECT_EQ(e.value("execmond_process_exits_total",
                    {{"comm", "java"}, {"reason", "signaled"}, {"code", "SIGKILL"}}),
            2);
  EXPECT_EQ(e.value("execmond_oom_kills_total", {{"comm", "java"}, {"scope", "cgroup"}}), 3);
  EXPECT_EQ(e.value("execmond_oom_kills_total", {{"comm", "java"}, {"scope", "global"}}), 1);
  EXPECT_EQ(e.sum("execmond_oom_kills_total"), 4);
}

TEST(OomKillsTest, AVictimThatEndedOtherwiseKeepsItsReasonButIsStillAVictim) {
  Aggregator a(options(0));
  a.add({exit_of("db", 1, 3 << 8, EXECMOND_OOM_UNKNOWN)}, 0);  // exit(3) while marked
  Exposition e = scrape(a, 0);
  EXPECT_EQ(e.value("execmond_process_exits_total",
                    {{"comm", "db"}, {"reason", "exited"}, {"code", "3"}}),
            1);
  EXPECT_EQ(e.value("execmond_oom_kills_total", {{"comm", "db"}, {"scope", "unknown"}}), 1);
}

TEST(OomKillsTest, TheFamilyIsThereBeforeAnyKill) {
  Aggregator a(options(0));
  Exposition e = scrape(a, 0);
  EXPECT_TRUE(e.has_family("execmond_oom_kills_total"));
  EXPECT_EQ(e.samples("execmond_oom_kills_total").size(), 0U);
}

TEST(OomKillsTest, ExitOutcomeAndScopeNames) {
  EXPECT_EQ(exit_outcome(SIGKILL, EXECMOND_OOM_CGROUP), (ExitOutcome{"oom_killed", "SIGKILL"}));
  EXPECT_EQ(exit_outcome(SIGKILL, EXECMOND_OOM_NONE), (ExitOutcome{"signaled", "SIGKILL"}));
  EXPECT_EQ(exit_outcome(SIGKILL | 0x80, EXECMOND_OOM_GLOBAL), (ExitOutcome{"dumped", "SIGKILL"}));
  EXPECT_EQ(oom_scope(EXECMOND_OOM_CGROUP), "cgroup");
  EXPECT_EQ(oom_scope(EXECMOND_OOM_GLOBAL), "global");
  EXPECT_EQ(oom_scope(EXECMOND_OOM_UNKNOWN), "unknown");
}

TEST(ExitCostTest, FamiliesOverflowLikeTheOthers) {
  AggregatorOptions o = options(EXECMOND_RESOURCE_CPU);
  o.max_series = 1;
  Aggregator a(o);
  Record first = two_compiler_exits();
  Record second = two_compiler_exits();
  second.who.comm = "ld";
  a.add({first, second}, 0);
  Exposition e = scrape(a, EXECMOND_RESOURCE_CPU);
  // Each mode is a series: cc/user is the one kept; cc/system, ld/user and
  // ld/system go to the overflow series. The events are exits: cc's two
  // (its system part folded) and ld's two, each counted once.
  EXPECT_EQ(e.value("execmond_series_overflow_events_total", {{"family", "cpu"}}), 4);
  EXPECT_DOUBLE_EQ(e.sum("execmond_process_cpu_seconds_total"), 3.5);
}

TEST(ExitCostTest, AnExitFoldedIntoOverflowIsOneEventInEverySplitFamily) {
  const std::uint32_t split = EXECMOND_RESOURCE_CPU | EXECMOND_RESOURCE_IO |
                              EXECMOND_RESOURCE_FAULTS | EXECMOND_RESOURCE_SWITCHES;
  AggregatorOptions o = options(split);
  o.max_series = 2;  // cc's two parts fit; ld's do not
  Aggregator a(o);
  Record first = two_compiler_exits();
  Record second = two_compiler_exits();
  second.who.comm = "ld";
  second.count = 3;
  a.add({first, second}, 0);
  a.add({second}, 1);
  const Totals& t = a.totals();
  for (const SeriesMap<std::uint64_t>* family :
       {&t.cpu_ns, &t.io_bytes, &t.page_faults, &t.switches}) {
    EXPECT_EQ(family->overflow_events, 6U) << "ld's 3 exits in each of two drains, once";
    EXPECT_EQ(family->series.size(), 3U);  // cc's two parts and the overflow series
  }
  EXPECT_EQ(t.exits.overflow_events, 0U);
  Exposition e = scrape(a, split);
  EXPECT_EQ(e.value("execmond_series_overflow_events_total", {{"family", "io"}}), 6);
  EXPECT_EQ(e.value("execmond_series_overflow_events_total", {{"family", "context_switches"}}), 6);
}

TEST(ExitCostTest, ResourceBitsOfTheConfig) {
  EXPECT_EQ(resource_bits(Config().resources), EXECMOND_RESOURCE_CPU | EXECMOND_RESOURCE_MEMORY);
  EXPECT_EQ(resource_bits({Resource::Io, Resource::Faults, Resource::ContextSwitches}),
            EXECMOND_RESOURCE_IO | EXECMOND_RESOURCE_FAULTS | EXECMOND_RESOURCE_SWITCHES);
  EXPECT_EQ(resource_bits({}), 0U);
}

// What exits counted earlier spent until their reap comes as a record with
// no event (bpf/reap_cost.bpf.h): it adds to the cost families only.
TEST(ExitCostTest, ACostAfterTheReapAddsNoExitAndNoPeakRss) {
  Aggregator a(options(kAllResources));
  a.add({two_compiler_exits()}, 0);
  Record late = exit_of("cc", 0);
  late.cost.cpu_user_ns = 1'000'000;
  late.cost.cpu_system_ns = 5'000'000;
  late.cost.minor_faults = 7;
  late.cost.voluntary_switches = 2;
  a.add({late}, 1);
  Exposition e = scrape(a, kAllResources);
  EXPECT_DOUBLE_EQ(
      e.value("execmond_process_cpu_seconds_total", {{"comm", "cc"}, {"mode", "user"}}), 1.501);
  EXPECT_DOUBLE_EQ(
      e.value("execmond_process_cpu_seconds_total", {{"comm", "cc"}, {"mode", "system"}}), 0.255);
  EXPECT_EQ(e.value("execmond_process_page_faults_total", {{"comm", "cc"}, {"type", "minor"}}),
            307);
  EXPECT_EQ(
      e.value("execmond_process_context_switches_total", {{"comm", "cc"}, {"type", "voluntary"}}),
      12);
  EXPECT_EQ(e.value("execmond_process_exits_total",
                    {{"comm", "cc"}, {"reason", "exited"}, {"code", "0"}}),
            2);
  EXPECT_EQ(e.value("execmond_process_peak_rss_bytes_count", {{"comm", "cc"}}), 2);
  EXPECT_EQ(e.value("execmond_process_lifetime_seconds_count", {{"comm", "cc"}}), 2);
}

}  // namespace
}  // namespace execmond
