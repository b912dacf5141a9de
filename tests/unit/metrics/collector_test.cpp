// What /metrics shows for a drain: the families built from a hand-made
// snapshot, checked both as prometheus-cpp structures and as the text
// exposition a scrape receives.
#include "metrics/collector.h"
#include "util/label_text.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "config/config.h"
#include "execmond.h"
#include "exposition.h"
#include "identity/identity.h"
#include "kernel/drainer.h"
#include "metrics/aggregator.h"
#include "metrics/self_metrics.h"

#include "label_fixtures.h"

namespace execmond {
namespace {

using prometheus::MetricFamily;
using prometheus::MetricType;
using test::Exposition;

const std::vector<double> kBounds = {0.005, 0.5, 1, 2.5, 86400};

// A counter or gauge family holding these values.
SeriesMap<std::uint64_t> counters(const std::map<LabelValues, std::uint64_t>& values) {
  SeriesMap<std::uint64_t> family;
  for (const auto& [key, value] : values) family.series[key].value = value;
  return family;
}

void set_lifetime(Snapshot& s, const LabelValues& key, HistogramTotal h) {
  s.totals.lifetimes.series[key].value = std::move(h);
}

Identity named(std::string comm) {
  Identity who;
  who.comm = std::move(comm);
  return who;
}

// What the daemon publishes after a drain.
Snapshot snapshot_of(const Aggregator& aggregator) {
  Snapshot s;
  s.totals = aggregator.totals();
  s.labels = aggregator.options().labels;
  s.lifetime_bounds = aggregator.options().lifetime_bounds;
  return s;
}

// A drain's worth of everything: comms that appear in only one of the maps,
// every exit reason, zero and non-zero loss, two maps and two programs.
Snapshot sample_snapshot() {
  Snapshot s;
  s.lifetime_bounds = kBounds;
  s.totals.execs = counters({{{"bash"}, 3}, {{"sh"}, 1}});
  s.totals.forks = counters({{{"bash"}, 2}, {{"systemd"}, 40}});
  s.totals.exits = counters({
      {{"bash", "exited", "0"}, 2},
      {{"bash", "exited", "1"}, 1},
      {{"sleep", "signaled", "SIGKILL"}, 1},
      {{"crash", "dumped", "SIGSEGV"}, 1},
  });
  set_lifetime(s, {"bash"}, {{1, 0, 1, 0, 0, 1}, 3, 100.25});
  set_lifetime(s, {"sleep"}, {{0, 0, 0, 0, 1, 0}, 1, 3600});
  set_lifetime(s, {"crash"}, {{1, 0, 0, 0, 0, 0}, 1, 0.001});
  // Every comm seen in a counter has a live series, as the aggregator keeps them.
  s.totals.live = counters({{{"bash"}, 4},
                            {{"cron"}, 1},
                            {{"sleep"}, 0},
                            {{"crash"}, 0},
                            {{"sh"}, 0},
                            {{"systemd"}, 0}});
  s.lost_total = {0, 3, 0, 0};
  s.maps = {{"procs", 10, 4096}, {"counts", 5, 10240}};
  s.map_memory = {{"counts_values", 524'288}, {"procs_seeded", 3'936'256}};
  s.programs = {{"handle_exec", 100, 2'500'000'000}, {"handle_exit", 7, 500}};
  return s;
}

std::string serialize(const std::vector<MetricFamily>& families) {
  return prometheus::TextSerializer().Serialize(families);
}

Exposition scrape(const Snapshot& s) { return Exposition::parse(serialize(build_families(s))); }

std::map<std::string, MetricType> types_by_name(const std::vector<MetricFamily>& families) {
  std::map<std::string, MetricType> out;
  for (const MetricFamily& f : families) {
    EXPECT_TRUE(out.emplace(f.name, f.type).second) << "family " << f.name << " twice";
  }
  return out;
}

const MetricFamily* find_family(const std::vector<MetricFamily>& families,
                                const std::string& name) {
  for (const MetricFamily& f : families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::set<std::string> label_names(const test::Sample& s) {
  std::set<std::string> out;
  for (const auto& [k, v] : s.labels) out.insert(k);
  return out;
}

const std::map<std::string, MetricType> kAlwaysThere = {
    {"execmond_process_execs_total", MetricType::Counter},
    {"execmond_process_forks_total", MetricType::Counter},
    {"execmond_process_exits_total", MetricType::Counter},
    {"execmond_process_lifetime_seconds", MetricType::Histogram},
    {"execmond_processes", MetricType::Gauge},
    {"execmond_series_overflow_events_total", MetricType::Counter},
    {"execmond_events_lost_total", MetricType::Counter},
    {"execmond_cgroup_changes_lost_total", MetricType::Counter},
    {"execmond_bpf_map_entries", MetricType::Gauge},
    {"execmond_bpf_map_capacity", MetricType::Gauge},
    {"execmond_bpf_map_memory_bytes", MetricType::Gauge},
    {"execmond_oom_kills_total", MetricType::Counter},
    {"execmond_oom_mark_waits_total", MetricType::Counter},
    {"execmond_bpf_program_misses_total", MetricType::Counter},
};

const std::map<std::string, MetricType> kProgramStats = {
    {"execmond_bpf_program_runs_total", MetricType::Counter},
    {"execmond_bpf_program_run_seconds_total", MetricType::Counter},
};

// ---------------------------------------------------------------------------
// build_families: names, types, HELP

TEST(CollectorTest, BuildsExactlyTheDocumentedFamilies) {
  EXPECT_EQ(types_by_name(build_families(sample_snapshot())), kAlwaysThere);
}

TEST(CollectorTest, EmptySnapshotStillBuildsEveryFamily) {
  EXPECT_EQ(types_by_name(build_families(Snapshot{})), kAlwaysThere);
}

TEST(CollectorTest, ProgramStatsFamiliesOnlyWhenEnabled) {
  Snapshot s = sample_snapshot();
  s.program_stats_enabled = false;
  auto disabled = types_by_name(build_families(s));
  for (const auto& [name, type] : kProgramStats) EXPECT_FALSE(disabled.contains(name)) << name;

  s.program_stats_enabled = true;
  std::map<std::string, MetricType> expected = kAlwaysThere;
  expected.insert(kProgramStats.begin(), kProgramStats.end());
  EXPECT_EQ(types_by_name(build_families(s)), expected);
}

TEST(CollectorTest, ProgramStatsFamiliesPresentWhenEnabledWithNoPrograms) {
  Snapshot s;
  s.program_stats_enabled = true;
  auto families = build_families(s);
  for (const auto& [name, type] : kProgramStats) {
    const MetricFamily* f = find_family(families, name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_TRUE(f->metric.empty()) << name;
  }
}

TEST(CollectorTest, ProgramStatsValuesAreRunsAndSeconds) {
  Snapshot s = sample_snapshot();
  s.program_stats_enabled = true;
  Exposition e = scrape(s);
  EXPECT_EQ(e.type("execmond_bpf_program_runs_total"), "counter");
  EXPECT_EQ(e.type("execmond_bpf_program_run_seconds_total"), "counter");
  EXPECT_EQ(e.value("execmond_bpf_program_runs_total", {{"program", "handle_exec"}}), 100);
  EXPECT_EQ(e.value("execmond_bpf_program_runs_total", {{"program", "handle_exit"}}), 7);
  EXPECT_DOUBLE_EQ(e.value("execmond_bpf_program_run_seconds_total", {{"program", "handle_exec"}}),
                   2.5);
  EXPECT_DOUBLE_EQ(e.value("execmond_bpf_program_run_seconds_total", {{"program", "handle_exit"}}),
                   5e-7);
  EXPECT_EQ(e.samples("execmond_bpf_program_runs_total").size(), 2U);
}

TEST(CollectorTest, MissedRunsAreExportedWithoutRunStatistics) {
  Snapshot s = sample_snapshot();
  s.programs[1].recursion_misses = 3;
  Exposition e = scrape(s);
  EXPECT_EQ(e.type("execmond_bpf_program_misses_total"), "counter");
  EXPECT_EQ(e.value("execmond_bpf_program_misses_total", {{"program", "handle_exec"}}), 0);
  EXPECT_EQ(e.value("execmond_bpf_program_misses_total", {{"program", "handle_exit"}}), 3);
}

TEST(CollectorTest, ProgramStatsAbsentFromTextWhenDisabled) {
  Exposition e = scrape(sample_snapshot());
  EXPECT_FALSE(e.has_family("execmond_bpf_program_runs_total"));
  EXPECT_FALSE(e.has_family("execmond_bpf_program_run_seconds_total"));
  EXPECT_TRUE(e.samples("execmond_bpf_program_runs_total").empty());
}

TEST(CollectorTest, EveryFamilyHasPlainNonEmptyHelp) {
  Snapshot s = sample_snapshot();
  s.program_stats_enabled = true;
  for (const MetricFamily& f : build_families(s)) {
    SCOPED_TRACE(f.name);
    EXPECT_FALSE(f.help.empty());
    EXPECT_EQ(f.help.find('\\'), std::string::npos) << f.help;
    EXPECT_EQ(f.help.find('\n'), std::string::npos) << f.help;
    EXPECT_NE(f.help.back(), ' ') << f.help;
  }
}

TEST(CollectorTest, HelpAndTypeSurviveSerialization) {
  Snapshot s = sample_snapshot();
  s.program_stats_enabled = true;
  auto families = build_families(s);
  Exposition e = Exposition::parse(serialize(families));
  const std::map<MetricType, std::string> type_words = {{MetricType::Counter, "counter"},
                                                        {MetricType::Gauge, "gauge"},
                                                        {MetricType::Histogram, "histogram"}};
  for (const MetricFamily& f : families) {
    SCOPED_TRACE(f.name);
    EXPECT_EQ(e.help(f.name), f.help);
    EXPECT_EQ(e.type(f.name), type_words.at(f.type));
  }
}

TEST(CollectorTest, EmptySnapshotSerializesToAValidExposition) {
  Exposition e = scrape(Snapshot{});
  // Only the loss, wait and overflow counters have series before anything happened.
  for (const test::Sample& sample : e.all()) {
    EXPECT_TRUE(sample.name == "execmond_events_lost_total" ||
                sample.name == "execmond_oom_mark_waits_total" ||
                sample.name == "execmond_cgroup_changes_lost_total" ||
                sample.name == "execmond_series_overflow_events_total")
        << sample.name;
    EXPECT_EQ(sample.value, 0);
  }
  EXPECT_EQ(e.samples("execmond_events_lost_total").size(),
            static_cast<std::size_t>(EXECMOND_LOST_REASONS));
  EXPECT_EQ(e.samples("execmond_series_overflow_events_total").size(), 5U);
}

// ---------------------------------------------------------------------------
// Counters by comm and by exit outcome

TEST(CollectorTest, ExecsAndForksAreCountersByComm) {
  Exposition e = scrape(sample_snapshot());
  EXPECT_EQ(e.value("execmond_process_execs_total", {{"comm", "bash"}}), 3);
  EXPECT_EQ(e.value("execmond_process_execs_total", {{"comm", "sh"}}), 1);
  EXPECT_EQ(e.samples("execmond_process_execs_total").size(), 2U);
  EXPECT_EQ(e.value("execmond_process_forks_total", {{"comm", "bash"}}), 2);
  EXPECT_EQ(e.value("execmond_process_forks_total", {{"comm", "systemd"}}), 40);
  EXPECT_EQ(e.samples("execmond_process_forks_total").size(), 2U);
}

TEST(CollectorTest, ExitsCarryCommReasonAndCodeLabels) {
  Exposition e = scrape(sample_snapshot());
  auto exits = e.samples("execmond_process_exits_total");
  ASSERT_EQ(exits.size(), 4U);
  for (const test::Sample& sample : exits) {
    EXPECT_EQ(label_names(sample), (std::set<std::string>{"code", "comm", "reason"}))
        << test::format_labels(sample.labels);
  }
  EXPECT_EQ(e.value("execmond_process_exits_total",
                    {{"comm", "bash"}, {"reason", "exited"}, {"code", "0"}}),
            2);
  EXPECT_EQ(e.value("execmond_process_exits_total",
                    {{"comm", "bash"}, {"reason", "exited"}, {"code", "1"}}),
            1);
  EXPECT_EQ(e.value("execmond_process_exits_total",
                    {{"comm", "sleep"}, {"reason", "signaled"}, {"code", "SIGKILL"}}),
            1);
  EXPECT_EQ(e.value("execmond_process_exits_total",
                    {{"comm", "crash"}, {"reason", "dumped"}, {"code", "SIGSEGV"}}),
            1);
  EXPECT_EQ(e.sum("execmond_process_exits_total", {{"comm", "bash"}}), 3);
}

TEST(CollectorTest, CommsWithQuotesBackslashesAndNewlinesRoundTrip) {
  // comm is set by the process itself (prctl PR_SET_NAME): anything goes.
  const std::string odd = "a\"b\\c\nd e";
  Snapshot s;
  s.totals.execs.series[{odd}].value = 5;
  s.totals.exits.series[{odd, "exited", "0"}].value = 1;
  s.totals.live.series[{odd}].value = 2;
  Exposition e = scrape(s);
  EXPECT_EQ(e.value("execmond_process_execs_total", {{"comm", odd}}), 5);
  EXPECT_EQ(
      e.value("execmond_process_exits_total", {{"comm", odd}, {"reason", "exited"}, {"code", "0"}}),
      1);
  EXPECT_EQ(e.value("execmond_processes", {{"comm", odd}}), 2);
}

// Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF), as
// Go's utf8.Valid, which Prometheus applies to every label value it scrapes.
bool valid_utf8(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char c = byte(i);
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xe  ? 3
                      : (c >> 3) == 0x1e ? 4
                                         : 0;
    if (len == 0 || i + len > text.size()) return false;
    std::uint32_t cp = len == 1 ? c : c & (0x7fU >> len);
    for (std::size_t k = 1; k < len; ++k) {
      if ((byte(i + k) & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (byte(i + k) & 0x3fU);
    }
    static const std::uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinimum[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

TEST(CollectorTest, Utf8CheckerAgreesWithGo) {
  EXPECT_TRUE(valid_utf8("bash"));
  EXPECT_TRUE(valid_utf8("caf\xc3\xa9"));
  EXPECT_TRUE(valid_utf8("\xf0\x9f\x98\x80"));
  EXPECT_FALSE(valid_utf8("\xff"));
  EXPECT_FALSE(valid_utf8("caf\xc3"));       // cut mid-character
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));      // overlong
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));  // surrogate
}

// comm is raw kernel bytes: the kernel cuts a file name at 15 bytes, possibly
// mid-character, and PR_SET_NAME takes any bytes. Prometheus rejects a whole
// scrape over one invalid UTF-8 label value, so the drainer passes comms
// through to_valid_utf8 before they become labels.
TEST(CollectorTest, CommsMadeValidUtf8AreValidLabelValues) {
  // "éééééééé" (16 bytes) as the kernel stores it: 15 bytes, the last é cut.
  const std::string truncated = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3";
  ASSERT_EQ(truncated.size(), 15U);
  EXPECT_FALSE(valid_utf8(truncated));
  Snapshot s;
  s.totals.execs.series[{to_valid_utf8(truncated)}].value = 1;
  s.totals.execs.series[{to_valid_utf8("\xff\xfe")}].value = 1;
  Exposition e = scrape(s);
  ASSERT_EQ(e.samples("execmond_process_execs_total").size(), 2U);
  for (const test::Sample& sample : e.all()) {
    for (const auto& [name, value] : sample.labels) {
      EXPECT_TRUE(valid_utf8(value)) << sample.name << test::format_labels(sample.labels);
    }
  }
}

TEST(ToValidUtf8Test, ReplacesEachBadRunWithOneReplacementCharacter) {
  EXPECT_EQ(to_valid_utf8("bash"), "bash");
  EXPECT_EQ(to_valid_utf8("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(to_valid_utf8("caf\xc3"), "caf\xef\xbf\xbd");
  EXPECT_EQ(to_valid_utf8("\xff\xfe"), "\xef\xbf\xbd");
  EXPECT_EQ(to_valid_utf8("a\xff"
                          "b\xfe"),
            "a\xef\xbf\xbd"
            "b\xef\xbf\xbd");
  EXPECT_EQ(to_valid_utf8("\xc0\xaf"), "\xef\xbf\xbd");              // overlong
  EXPECT_EQ(to_valid_utf8("\xed\xa0\x80"), "\xef\xbf\xbd");          // surrogate
  EXPECT_EQ(to_valid_utf8("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");  // U+1F600
  EXPECT_EQ(to_valid_utf8(std::string("a\0b", 3)), std::string("a\0b", 3));
  for (int b = 0; b < 256; ++b) {
    EXPECT_TRUE(valid_utf8(to_valid_utf8(std::string(1, static_cast<char>(b))))) << b;
  }
}

TEST(CollectorTest, EmptyCommIsAValidLabelValue) {
  Snapshot s;
  s.totals.forks.series[{""}].value = 1;
  Exposition e = scrape(s);
  EXPECT_EQ(e.value("execmond_process_forks_total", {{"comm", ""}}), 1);
}

TEST(CollectorTest, LargeCountsAreExactUpToTwoToThe53) {
  Snapshot s;
  const std::uint64_t big = std::uint64_t{1} << 53;
  s.totals.execs.series[{"a"}].value = big;
  Exposition e = scrape(s);
  EXPECT_EQ(e.value("execmond_process_execs_total", {{"comm", "a"}}), static_cast<double>(big));
}

// ---------------------------------------------------------------------------
// Lifetime histogram

struct Bucket {
  double le;
  double count;
};

std::vector<Bucket> buckets_of(const Exposition& e, const std::string& comm) {
  std::vector<Bucket> out;
  for (const test::Sample& sample : e.samples("execmond_process_lifetime_seconds_bucket")) {
    if (sample.labels.at("comm") != comm) continue;
    EXPECT_EQ(label_names(sample), (std::set<std::string>{"comm", "le"}));
    out.push_back({std::stod(sample.labels.at("le")), sample.value});
  }
  return out;
}

TEST(CollectorTest, HistogramBucketsAreCumulativeAndEndAtInf) {
  Exposition e = scrape(sample_snapshot());
  EXPECT_EQ(e.type("execmond_process_lifetime_seconds"), "histogram");
  auto buckets = buckets_of(e, "bash");
  ASSERT_EQ(buckets.size(), kBounds.size() + 1);
  for (std::size_t i = 0; i < kBounds.size(); ++i) EXPECT_EQ(buckets[i].le, kBounds[i]) << i;
  EXPECT_TRUE(std::isinf(buckets.back().le) && buckets.back().le > 0);

  // Per-bucket {1, 0, 1, 0, 0, 1} becomes cumulative {1, 1, 2, 2, 2, 3}.
  const std::vector<double> cumulative = {1, 1, 2, 2, 2, 3};
  for (std::size_t i = 0; i < buckets.size(); ++i) EXPECT_EQ(buckets[i].count, cumulative[i]) << i;
  EXPECT_EQ(e.value("execmond_process_lifetime_seconds_bucket", {{"comm", "bash"}, {"le", "+Inf"}}),
            e.value("execmond_process_lifetime_seconds_count", {{"comm", "bash"}}));
  EXPECT_EQ(e.value("execmond_process_lifetime_seconds_count", {{"comm", "bash"}}), 3);
  EXPECT_DOUBLE_EQ(e.value("execmond_process_lifetime_seconds_sum", {{"comm", "bash"}}), 100.25);
}

TEST(CollectorTest, EveryLifetimeSeriesIsMonotonicWithInfEqualToCount) {
  Exposition e = scrape(sample_snapshot());
  for (const std::string comm : {"bash", "sleep", "crash"}) {
    SCOPED_TRACE(comm);
    auto buckets = buckets_of(e, comm);
    ASSERT_EQ(buckets.size(), kBounds.size() + 1);
    for (std::size_t i = 1; i < buckets.size(); ++i) {
      EXPECT_LT(buckets[i - 1].le, buckets[i].le);
      EXPECT_LE(buckets[i - 1].count, buckets[i].count);
    }
    EXPECT_EQ(e.samples("execmond_process_lifetime_seconds_bucket").size(),
              3 * (kBounds.size() + 1))
        << "exactly one +Inf bucket per series";
    EXPECT_EQ(buckets.back().count,
              e.value("execmond_process_lifetime_seconds_count", {{"comm", comm}}));
  }
  EXPECT_EQ(e.value("execmond_process_lifetime_seconds_bucket", {{"comm", "sleep"}, {"le", "2.5"}}),
            0);
  EXPECT_EQ(
      e.value("execmond_process_lifetime_seconds_bucket", {{"comm", "sleep"}, {"le", "86400"}}), 1);
  EXPECT_DOUBLE_EQ(e.value("execmond_process_lifetime_seconds_sum", {{"comm", "sleep"}}), 3600);
  EXPECT_DOUBLE_EQ(e.value("execmond_process_lifetime_seconds_sum", {{"comm", "crash"}}), 0.001);
}

TEST(CollectorTest, HistogramStructureHasOneBucketPerBoundPlusInf) {
  auto families = build_families(sample_snapshot());
  const MetricFamily* f = find_family(families, "execmond_process_lifetime_seconds");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(f->metric.size(), 3U);
  for (const auto& m : f->metric) {
    ASSERT_EQ(m.histogram.bucket.size(), kBounds.size() + 1);
    EXPECT_EQ(m.histogram.bucket.back().upper_bound, std::numeric_limits<double>::infinity());
    EXPECT_EQ(m.histogram.bucket.back().cumulative_count, m.histogram.sample_count);
  }
}

TEST(CollectorTest, MissingBucketSlotsCountAsZero) {
  Snapshot s;
  s.lifetime_bounds = {1, 2};
  s.totals.lifetimes.series[{"a"}].value = {{}, 0, 0};
  s.totals.lifetimes.series[{"b"}].value = {{2}, 2, 1.0};  // shorter than bounds + 1
  Exposition e = scrape(s);
  EXPECT_EQ(e.value("execmond_process_lifetime_seconds_bucket", {{"comm", "a"}, {"le", "+Inf"}}),
            0);
  EXPECT_EQ(e.value("execmond_process_lifetime_seconds_bucket", {{"comm", "b"}, {"le", "1"}}), 2);
  EXPECT_EQ(e.value("execmond_process_lifetime_seconds_bucket", {{"comm", "b"}, {"le", "2"}}), 2);
  EXPECT_EQ(e.value("execmond_process_lifetime_seconds_bucket", {{"comm", "b"}, {"le", "+Inf"}}),
            2);
}

TEST(CollectorTest, NoBoundsGivesOnlyTheInfBucket) {
  Snapshot s;
  s.totals.lifetimes.series[{"a"}].value = {{4}, 4, 2.0};
  Exposition e = scrape(s);
  auto buckets = e.samples("execmond_process_lifetime_seconds_bucket");
  ASSERT_EQ(buckets.size(), 1U);
  EXPECT_EQ(buckets[0].labels.at("le"), "+Inf");
  EXPECT_EQ(buckets[0].value, 4);
  EXPECT_EQ(e.value("execmond_process_lifetime_seconds_count", {{"comm", "a"}}), 4);
}

// ---------------------------------------------------------------------------
// Gauges and kernel-side counters

TEST(CollectorTest, LiveGaugeHasASeriesForEveryCommSeen) {
  Exposition e = scrape(sample_snapshot());
  EXPECT_EQ(e.type("execmond_processes"), "gauge");
  EXPECT_EQ(e.value("execmond_processes", {{"comm", "bash"}}), 4);
  EXPECT_EQ(e.value("execmond_processes", {{"comm", "cron"}}), 1) << "live only";
  EXPECT_EQ(e.value("execmond_processes", {{"comm", "sleep"}}), 0) << "only in exits";
  EXPECT_EQ(e.value("execmond_processes", {{"comm", "crash"}}), 0) << "only in exits";
  EXPECT_EQ(e.value("execmond_processes", {{"comm", "sh"}}), 0) << "only in execs";
  EXPECT_EQ(e.value("execmond_processes", {{"comm", "systemd"}}), 0) << "only in forks";
  EXPECT_EQ(e.samples("execmond_processes").size(), 6U);
}

TEST(CollectorTest, LiveGaugeFallsToZeroWhenTheLastProcessIsGone) {
  Aggregator aggregator(AggregatorOptions{LabelConfig{}, kBounds, 10000});
  aggregator.set_live({{named("worker"), 3}}, 1);
  EXPECT_EQ(scrape(snapshot_of(aggregator)).value("execmond_processes", {{"comm", "worker"}}), 3);
  aggregator.add({{EXECMOND_KIND_EXIT, named("worker"), 0, 0, 3, 0}}, 2);
  aggregator.set_live({}, 2);
  Exposition e = scrape(snapshot_of(aggregator));
  EXPECT_EQ(e.value("execmond_processes", {{"comm", "worker"}}), 0);
  EXPECT_EQ(e.value("execmond_process_exits_total",
                    {{"comm", "worker"}, {"reason", "exited"}, {"code", "0"}}),
            3);
}

TEST(CollectorTest, LiveGaugeShowsExactlyTheSnapshotsLiveSeries) {
  // The collector adds no series of its own: zeros for comms seen only in
  // counters come from the aggregator.
  Snapshot s;
  s.totals.exits.series[{"worker", "exited", "0"}].value = 7;
  Exposition e = scrape(s);
  EXPECT_TRUE(e.samples("execmond_processes").empty());
  EXPECT_EQ(e.type("execmond_processes"), "gauge");
}

TEST(CollectorTest, LostEventsHaveEveryReasonEvenAtZero) {
  Exposition e = scrape(sample_snapshot());
  EXPECT_EQ(e.type("execmond_events_lost_total"), "counter");
  EXPECT_EQ(e.value("execmond_events_lost_total", {{"reason", "exec_counts_map_full"}}), 0);
  EXPECT_EQ(e.value("execmond_events_lost_total", {{"reason", "fork_counts_map_full"}}), 3);
  EXPECT_EQ(e.value("execmond_events_lost_total", {{"reason", "exit_counts_map_full"}}), 0);
  EXPECT_EQ(e.value("execmond_events_lost_total", {{"reason", "procs_map_full"}}), 0);
  EXPECT_EQ(e.value("execmond_events_lost_total", {{"reason", "oom_scope_not_recorded"}}), 0);
  EXPECT_EQ(e.value("execmond_events_lost_total", {{"reason", "reap_costs_map_full"}}), 0);
  EXPECT_EQ(e.value("execmond_events_lost_total", {{"reason", "reap_cost_counts_map_full"}}), 0);
  EXPECT_EQ(e.value("execmond_events_lost_total", {{"reason", "reap_not_seen"}}), 0);
  EXPECT_EQ(e.samples("execmond_events_lost_total").size(), 8U);
}

TEST(CollectorTest, OomMarkWaitsAreCountedByOutcomeEvenAtZero) {
  Snapshot s;
  s.oom_mark_waits[EXECMOND_OOM_WAIT_DEADLINE] = 2;
  s.oom_mark_waits[EXECMOND_OOM_WAIT_MARKED] = 5;
  Exposition e = scrape(s);
  EXPECT_EQ(e.type("execmond_oom_mark_waits_total"), "counter");
  EXPECT_EQ(e.value("execmond_oom_mark_waits_total", {{"outcome", "marked"}}), 5);
  EXPECT_EQ(e.value("execmond_oom_mark_waits_total", {{"outcome", "unlocked"}}), 0);
  EXPECT_EQ(e.value("execmond_oom_mark_waits_total", {{"outcome", "deadline"}}), 2);
  EXPECT_EQ(e.samples("execmond_oom_mark_waits_total").size(), 3U);
}

TEST(CollectorTest, LostReasonLabelsFollowTheKernelEnum) {
  Snapshot s;
  for (std::size_t i = 0; i < s.lost_total.size(); ++i) s.lost_total[i] = 10 * (i + 1);
  Exposition e = scrape(s);
  EXPECT_EQ(std::string(lost_reason_names()[EXECMOND_LOST_EXEC_COUNTS_FULL]),
            "exec_counts_map_full");
  EXPECT_EQ(std::string(lost_reason_names()[EXECMOND_LOST_PROCS_FULL]), "procs_map_full");
  for (std::size_t i = 0; i < s.lost_total.size(); ++i) {
    EXPECT_EQ(e.value("execmond_events_lost_total", {{"reason", lost_reason_names()[i]}}),
              static_cast<double>(10 * (i + 1)))
        << lost_reason_names()[i];
  }
}

TEST(CollectorTest, MapEntriesAndCapacityAreGaugesByMap) {
  Exposition e = scrape(sample_snapshot());
  EXPECT_EQ(e.type("execmond_bpf_map_entries"), "gauge");
  EXPECT_EQ(e.type("execmond_bpf_map_capacity"), "gauge");
  EXPECT_EQ(e.value("execmond_bpf_map_entries", {{"map", "procs"}}), 10);
  EXPECT_EQ(e.value("execmond_bpf_map_entries", {{"map", "counts"}}), 5);
  EXPECT_EQ(e.value("execmond_bpf_map_capacity", {{"map", "procs"}}), 4096);
  EXPECT_EQ(e.value("execmond_bpf_map_capacity", {{"map", "counts"}}), 10240);
  EXPECT_EQ(e.samples("execmond_bpf_map_entries").size(), 2U);
  EXPECT_EQ(e.samples("execmond_bpf_map_capacity").size(), 2U);
}

TEST(CollectorTest, MapMemoryIsAGaugeOfBytesByMap) {
  Exposition e = scrape(sample_snapshot());
  EXPECT_EQ(e.type("execmond_bpf_map_memory_bytes"), "gauge");
  EXPECT_EQ(e.value("execmond_bpf_map_memory_bytes", {{"map", "counts_values"}}), 524'288);
  EXPECT_EQ(e.value("execmond_bpf_map_memory_bytes", {{"map", "procs_seeded"}}), 3'936'256);
  EXPECT_EQ(e.samples("execmond_bpf_map_memory_bytes").size(), 2U);
}

// ---------------------------------------------------------------------------
// Configurable labels and the overflow family

using test::mixed_labels;

Snapshot mixed_snapshot() {
  Snapshot s;
  s.labels = mixed_labels();
  s.lifetime_bounds = {1};
  s.totals.execs = counters({{{"nginx", "/usr/sbin/nginx"}, 2}});
  s.totals.forks = counters({{{"33"}, 3}});
  s.totals.exits = counters({{{"nginx.service", "signaled", "SIGTERM"}, 4}});
  set_lifetime(s, {"/system.slice/nginx.service", "abc"}, {{1, 3}, 4, 9.5});
  s.totals.live = counters({{{"www-data"}, 5}});
  return s;
}

TEST(CollectorLabelsTest, LabelNamesFollowTheSnapshotsLabelsPerFamily) {
  Exposition e = scrape(mixed_snapshot());
  auto names_of_only = [&](const std::string& name) {
    auto samples = e.samples(name);
    EXPECT_EQ(samples.size(), 1U) << name;
    return samples.empty() ? std::set<std::string>{} : label_names(samples[0]);
  };
  EXPECT_EQ(names_of_only("execmond_process_execs_total"), (std::set<std::string>{"comm", "exe"}));
  EXPECT_EQ(names_of_only("execmond_process_forks_total"), (std::set<std::string>{"uid"}));
  EXPECT_EQ(names_of_only("execmond_process_exits_total"),
            (std::set<std::string>{"unit", "reason", "code"}));
  EXPECT_EQ(names_of_only("execmond_process_lifetime_seconds_count"),
            (std::set<std::string>{"cgroup", "container_id"}));
  EXPECT_EQ(names_of_only("execmond_processes"), (std::set<std::string>{"user"}));

  EXPECT_EQ(
      e.value("execmond_process_execs_total", {{"comm", "nginx"}, {"exe", "/usr/sbin/nginx"}}), 2);
  EXPECT_EQ(e.value("execmond_process_forks_total", {{"uid", "33"}}), 3);
  EXPECT_EQ(e.value("execmond_process_exits_total",
                    {{"unit", "nginx.service"}, {"reason", "signaled"}, {"code", "SIGTERM"}}),
            4);
  const Exposition::LabelMap lifetime = {{"cgroup", "/system.slice/nginx.service"},
                                         {"container_id", "abc"}};
  EXPECT_EQ(e.value("execmond_process_lifetime_seconds_count", lifetime), 4);
  EXPECT_EQ(e.value("execmond_process_lifetime_seconds_sum", lifetime), 9.5);
  Exposition::LabelMap le1 = lifetime;
  le1["le"] = "1";
  EXPECT_EQ(e.value("execmond_process_lifetime_seconds_bucket", le1), 1);
  EXPECT_EQ(e.value("execmond_processes", {{"user", "www-data"}}), 5);
}

TEST(CollectorLabelsTest, LabelsComeInTheConfiguredOrderWithReasonAndCodeLast) {
  Snapshot s;
  s.labels.per_family[static_cast<std::size_t>(Family::Execs)] = {LabelSource::Exe,
                                                                  LabelSource::Comm};
  s.labels.per_family[static_cast<std::size_t>(Family::Exits)] = {LabelSource::User,
                                                                  LabelSource::Comm};
  s.totals.execs = counters({{{"/bin/true", "true"}, 1}});
  s.totals.exits = counters({{{"root", "true", "exited", "0"}, 1}});
  auto families = build_families(s);
  auto names_in_order = [&](const std::string& name) {
    std::vector<std::string> names;
    const MetricFamily* f = find_family(families, name);
    EXPECT_NE(f, nullptr) << name;
    if (f == nullptr || f->metric.size() != 1) return names;
    for (const auto& label : f->metric[0].label) names.push_back(label.name + "=" + label.value);
    return names;
  };
  EXPECT_EQ(names_in_order("execmond_process_execs_total"),
            (std::vector<std::string>{"exe=/bin/true", "comm=true"}));
  EXPECT_EQ(names_in_order("execmond_process_exits_total"),
            (std::vector<std::string>{"user=root", "comm=true", "reason=exited", "code=0"}));
}

TEST(CollectorLabelsTest, DefaultLabelsAreCommEverywhere) {
  Exposition e = scrape(sample_snapshot());
  for (const std::string name : {"execmond_process_execs_total", "execmond_process_forks_total",
                                 "execmond_processes", "execmond_process_lifetime_seconds_count"}) {
    for (const test::Sample& sample : e.samples(name)) {
      EXPECT_EQ(label_names(sample), (std::set<std::string>{"comm"})) << name;
    }
  }
}

TEST(CollectorLabelsTest, EverySourceHasItsDocumentedLabelName) {
  for (const auto& [source, name] : test::kDocumentedLabelNames) {
    Snapshot s;
    s.labels.per_family[static_cast<std::size_t>(Family::Forks)] = {source};
    s.totals.forks = counters({{{"v"}, 1}});
    Exposition e = scrape(s);
    EXPECT_EQ(e.value("execmond_process_forks_total", {{name, "v"}}), 1) << name;
  }
}

TEST(CollectorOverflowTest, OverflowFamilyHasTheCountedFamiliesWithoutResources) {
  Snapshot s;
  s.totals.execs.overflow_events = 1;
  s.totals.forks.overflow_events = 20;
  s.totals.exits.overflow_events = 300;
  s.totals.lifetimes.overflow_events = 4000;
  s.totals.oom_kills.overflow_events = 50000;
  s.totals.cpu_ns.overflow_events = 9;  // cpu is not accounted: not shown
  s.totals.live.overflow_events = 7;    // the gauge counts no events: not shown
  Exposition e = scrape(s);
  EXPECT_EQ(e.type("execmond_series_overflow_events_total"), "counter");
  auto samples = e.samples("execmond_series_overflow_events_total");
  std::map<std::string, double> by_family;
  for (const test::Sample& sample : samples) {
    EXPECT_EQ(label_names(sample), (std::set<std::string>{"family"}));
    by_family[sample.labels.at("family")] = sample.value;
  }
  EXPECT_EQ(
      by_family,
      (std::map<std::string, double>{
          {"execs", 1}, {"forks", 20}, {"exits", 300}, {"lifetime", 4000}, {"oom_kills", 50000}}));
  EXPECT_EQ(samples.size(), 5U);
}

TEST(CollectorOverflowTest, OverflowFamilyIsZeroWithoutOverflow) {
  Exposition e = scrape(sample_snapshot());
  for (const std::string family : {"execs", "forks", "exits", "lifetime"}) {
    EXPECT_EQ(e.value("execmond_series_overflow_events_total", {{"family", family}}), 0) << family;
  }
}

TEST(CollectorOverflowTest, CappedAggregatorShowsOverflowSeriesAndCounts) {
  LabelConfig labels = mixed_labels();
  Aggregator aggregator(AggregatorOptions{labels, {1}, 1});
  auto who = [](std::string comm, std::string unit) {
    Identity id = named(std::move(comm));
    id.exe = "/bin/" + id.comm;
    id.unit = std::move(unit);
    id.cgroup = "/system.slice/" + id.unit;
    id.uid = id.comm == "a" ? "0" : "1";
    id.user = id.comm == "a" ? "root" : "user";
    return id;
  };
  aggregator.add(
      {
          {EXECMOND_KIND_EXEC, who("a", "a.service"), 0, 0, 1, 0},
          {EXECMOND_KIND_EXEC, who("b", "b.service"), 0, 0, 2, 0},
          {EXECMOND_KIND_FORK, who("a", "a.service"), 0, 0, 3, 0},
          {EXECMOND_KIND_FORK, who("b", "b.service"), 0, 0, 4, 0},
          {EXECMOND_KIND_EXIT, who("a", "a.service"), 0, 0, 5, 0},
          {EXECMOND_KIND_EXIT, who("b", "b.service"), 9, 1, 6, 0},
      },
      0);
  aggregator.set_live({{who("b", "b.service"), 2}}, 0);
  Exposition e = scrape(snapshot_of(aggregator));

  const std::string o = kOverflowValue;
  EXPECT_EQ(e.value("execmond_series_overflow_events_total", {{"family", "execs"}}), 2);
  EXPECT_EQ(e.value("execmond_series_overflow_events_total", {{"family", "forks"}}), 4);
  EXPECT_EQ(e.value("execmond_series_overflow_events_total", {{"family", "exits"}}), 6);
  EXPECT_EQ(e.value("execmond_series_overflow_events_total", {{"family", "lifetime"}}), 6);

  EXPECT_EQ(e.value("execmond_process_execs_total", {{"comm", o}, {"exe", o}}), 2);
  EXPECT_EQ(e.value("execmond_process_forks_total", {{"uid", o}}), 4);
  EXPECT_EQ(e.value("execmond_process_exits_total", {{"unit", o}, {"reason", o}, {"code", o}}), 6);
  EXPECT_EQ(
      e.value("execmond_process_lifetime_seconds_count", {{"cgroup", o}, {"container_id", o}}), 6);
  EXPECT_EQ(e.value("execmond_processes", {{"user", o}}), 2);
  // Family totals are every event added.
  EXPECT_EQ(e.sum("execmond_process_execs_total"), 3);
  EXPECT_EQ(e.sum("execmond_process_forks_total"), 7);
  EXPECT_EQ(e.sum("execmond_process_exits_total"), 11);
  EXPECT_EQ(e.sum("execmond_process_lifetime_seconds_count"), 11);
}

// ---------------------------------------------------------------------------
// From the aggregator to the exposition

TEST(CollectorTest, AggregatedTotalsShowConsistentExitsAndLifetimes) {
  Aggregator aggregator(AggregatorOptions{LabelConfig{}, kBounds, 10000});
  aggregator.add(
      {
          {EXECMOND_KIND_EXEC, named("make"), 0, 0, 2, 0},
          {EXECMOND_KIND_FORK, named("make"), 0, 0, 5, 0},
          {EXECMOND_KIND_EXIT, named("make"), 0, 1, 3, 600'000'000},
          {EXECMOND_KIND_EXIT, named("cc1"), 9, 5, 1, 90'000'000'000'000},  // SIGKILL, +Inf
      },
      1);
  aggregator.add({{EXECMOND_KIND_EXIT, named("make"), 2 << 8, 3, 1, 2'000'000'000}}, 2);
  aggregator.set_live({{named("make"), 1}}, 2);

  Snapshot s = snapshot_of(aggregator);
  Exposition e = scrape(s);

  for (const std::string comm : {"make", "cc1"}) {
    SCOPED_TRACE(comm);
    double exits = e.sum("execmond_process_exits_total", {{"comm", comm}});
    EXPECT_EQ(e.value("execmond_process_lifetime_seconds_count", {{"comm", comm}}), exits);
    EXPECT_EQ(e.value("execmond_process_lifetime_seconds_bucket", {{"comm", comm}, {"le", "+Inf"}}),
              exits);
  }
  EXPECT_EQ(e.value("execmond_process_exits_total",
                    {{"comm", "make"}, {"reason", "exited"}, {"code", "0"}}),
            3);
  EXPECT_EQ(e.value("execmond_process_exits_total",
                    {{"comm", "make"}, {"reason", "exited"}, {"code", "2"}}),
            1);
  EXPECT_EQ(e.value("execmond_process_exits_total",
                    {{"comm", "cc1"}, {"reason", "signaled"}, {"code", "SIGKILL"}}),
            1);
  EXPECT_EQ(e.value("execmond_process_lifetime_seconds_bucket", {{"comm", "make"}, {"le", "0.5"}}),
            3);
  EXPECT_EQ(e.value("execmond_process_lifetime_seconds_bucket", {{"comm", "make"}, {"le", "2.5"}}),
            4);
  EXPECT_EQ(e.value("execmond_process_lifetime_seconds_bucket", {{"comm", "cc1"}, {"le", "86400"}}),
            0);
  EXPECT_DOUBLE_EQ(e.value("execmond_process_lifetime_seconds_sum", {{"comm", "make"}}), 2.6);
  EXPECT_DOUBLE_EQ(e.value("execmond_process_lifetime_seconds_sum", {{"comm", "cc1"}}), 90000);
  EXPECT_EQ(e.value("execmond_processes", {{"comm", "make"}}), 1);
  EXPECT_EQ(e.value("execmond_processes", {{"comm", "cc1"}}), 0);
}

// ---------------------------------------------------------------------------
// ProcessCollector

std::set<std::string> names_of(const std::vector<MetricFamily>& families) {
  std::set<std::string> out;
  for (const MetricFamily& f : families) out.insert(f.name);
  return out;
}

// The kernel side of sample_snapshot(), without its totals.
std::shared_ptr<const DrainView> sample_view() {
  return std::make_shared<DrainView>(static_cast<const DrainView&>(sample_snapshot()));
}

std::vector<Record> execs_and_forks(const std::string& comm, std::uint64_t n) {
  return {{EXECMOND_KIND_EXEC, named(comm), 0, 0, n, 0},
          {EXECMOND_KIND_FORK, named(comm), 0, 0, n, 0}};
}

TEST(CollectorTest, CollectBeforeAnyDrainShowsEveryFamilyEmpty) {
  ProcessCollector collector;
  auto families = collector.Collect();
  for (const auto& [name, type] : kAlwaysThere) {
    EXPECT_NE(find_family(families, name), nullptr) << name;
  }
  Exposition e = Exposition::parse(serialize(families));
  EXPECT_EQ(e.sum("execmond_events_lost_total"), 0);
  EXPECT_TRUE(e.samples("execmond_process_execs_total").empty());
  EXPECT_TRUE(e.has_family("process_cpu_seconds_total"));
}

TEST(CollectorTest, CollectShowsTheTotalsAndThePublishedViewPlusSelfMetrics) {
  ProcessCollector collector;
  collector.update([](Aggregator& a) {
    a.add(execs_and_forks("bash", 3), 1);
    a.set_live({{named("bash"), 4}}, 1);
  });
  collector.publish(sample_view());
  auto families = collector.Collect();

  std::set<std::string> expected = names_of(build_families(sample_snapshot()));
  for (const MetricFamily& f : collect_self_metrics()) expected.insert(f.name);
  EXPECT_EQ(names_of(families), expected);
  EXPECT_EQ(types_by_name(families).size(), families.size()) << "no family twice";
  EXPECT_TRUE(expected.contains("process_cpu_seconds_total"));
  EXPECT_TRUE(expected.contains("process_start_time_seconds"));

  Exposition e = Exposition::parse(serialize(families));
  EXPECT_EQ(e.value("execmond_process_execs_total", {{"comm", "bash"}}), 3);
  EXPECT_EQ(e.value("execmond_processes", {{"comm", "bash"}}), 4);
  EXPECT_EQ(e.value("execmond_events_lost_total", {{"reason", "fork_counts_map_full"}}), 3);
  EXPECT_EQ(e.type("process_cpu_seconds_total"), "counter");
  EXPECT_GT(e.value("process_start_time_seconds"), 0);
}

TEST(CollectorTest, ProcessFamiliesComeBeforeSelfMetrics) {
  ProcessCollector collector;
  collector.publish(sample_view());
  auto families = collector.Collect();
  auto built = build_families(sample_snapshot());
  ASSERT_GE(families.size(), built.size());
  for (std::size_t i = 0; i < built.size(); ++i) EXPECT_EQ(families[i].name, built[i].name) << i;
  for (std::size_t i = built.size(); i < families.size(); ++i) {
    EXPECT_EQ(families[i].name.rfind("process_", 0), 0U) << families[i].name;
  }
}

TEST(CollectorTest, PublishingANewViewReplacesTheOldOneAndTotalsAccumulate) {
  ProcessCollector collector;
  collector.update([](Aggregator& a) { a.add(execs_and_forks("bash", 3), 1); });
  collector.publish(sample_view());

  DrainView next;
  next.lost_total = {1, 1, 1, 1};
  next.program_stats_enabled = true;
  next.programs = {{"handle_fork", 9, 1'000'000'000}};
  collector.update([](Aggregator& a) { a.add(execs_and_forks("bash", 27), 2); });
  collector.publish(std::make_shared<DrainView>(next));

  Exposition e = Exposition::parse(serialize(collector.Collect()));
  EXPECT_EQ(e.value("execmond_process_execs_total", {{"comm", "bash"}}), 30);
  EXPECT_EQ(e.value("execmond_process_forks_total", {{"comm", "bash"}}), 30);
  EXPECT_EQ(e.sum("execmond_events_lost_total"), 4);
  EXPECT_TRUE(e.samples("execmond_bpf_map_entries").empty());
  EXPECT_EQ(e.value("execmond_bpf_program_runs_total", {{"program", "handle_fork"}}), 9);
}

TEST(CollectorTest, PublishedViewOutlivesThePublishersReference) {
  ProcessCollector collector;
  {
    auto view = sample_view();
    collector.publish(view);
  }
  Exposition e = Exposition::parse(serialize(collector.Collect()));
  EXPECT_EQ(e.value("execmond_events_lost_total", {{"reason", "fork_counts_map_full"}}), 3);
}

TEST(CollectorTest, ScrapesDuringDrainsSeeWholeDrains) {
  // Each drain adds one exec and one fork; a scrape that saw half a drain
  // would see them differ.
  ProcessCollector collector;
  constexpr int kDrains = 300;
  std::atomic<bool> done{false};
  std::thread drainer([&] {
    for (int i = 1; i <= kDrains; ++i) {
      collector.update([&](Aggregator& a) { a.add(execs_and_forks("a", 1), i); });
    }
    done = true;
  });
  double last = 0;
  int scrapes = 0;
  bool consistent = true;
  while ((!done || scrapes == 0) && consistent) {
    auto collected = collector.Collect();
    const MetricFamily* execs = find_family(collected, "execmond_process_execs_total");
    const MetricFamily* forks = find_family(collected, "execmond_process_forks_total");
    consistent =
        execs != nullptr && forks != nullptr && execs->metric.size() == forks->metric.size();
    if (consistent && !execs->metric.empty()) {
      double seen = execs->metric[0].counter.value;
      consistent = seen == forks->metric[0].counter.value && seen >= last;
      EXPECT_EQ(seen, forks->metric[0].counter.value) << "a scrape saw half a drain";
      EXPECT_GE(seen, last) << "drains are seen in order";
      last = seen;
    }
    ++scrapes;
  }
  drainer.join();
  Exposition e = Exposition::parse(serialize(collector.Collect()));
  EXPECT_EQ(e.value("execmond_process_execs_total", {{"comm", "a"}}), kDrains);
}

}  // namespace
}  // namespace execmond
