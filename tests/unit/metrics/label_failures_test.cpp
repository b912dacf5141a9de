// execmond_label_resolution_failures_total: containers whose pod, namespace
// or container name the runtimes' state did not give, and executables whose
// path the kernel no longer held, for the labels that some family carries;
// execmond_bpf_map_update_failures_total beside it.
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "exposition.h"
#include "metrics/collector.h"

namespace execmond {
namespace {

using test::Exposition;

constexpr const char* kFailures = "execmond_label_resolution_failures_total";

Exposition scrape(const Snapshot& s) {
  return Exposition::parse(prometheus::TextSerializer().Serialize(build_families(s)));
}

Snapshot with_failures() {
  Snapshot s;
  s.label_failures = {
      {LabelSource::Pod, 3}, {LabelSource::Namespace, 2}, {LabelSource::Container, 1}};
  return s;
}

void set_labels(Snapshot& s, Family family, std::vector<LabelSource> labels) {
  s.labels.per_family[static_cast<std::size_t>(family)] = std::move(labels);
}

TEST(LabelFailuresTest, CountsByLabelForEveryConfiguredOne) {
  Snapshot s = with_failures();
  set_labels(s, Family::Execs, {LabelSource::Comm, LabelSource::Pod});
  set_labels(s, Family::Exits, {LabelSource::Namespace, LabelSource::Container});
  const Exposition e = scrape(s);
  EXPECT_EQ(e.type(kFailures), "counter");
  EXPECT_EQ(e.value(kFailures, {{"label", "pod"}}), 3);
  EXPECT_EQ(e.value(kFailures, {{"label", "namespace"}}), 2);
  EXPECT_EQ(e.value(kFailures, {{"label", "container"}}), 1);
  EXPECT_EQ(e.samples(kFailures).size(), 3U);
}

TEST(LabelFailuresTest, OnlyTheConfiguredLabelsAreShownEvenAtZero) {
  Snapshot s;
  s.label_failures = {
      {LabelSource::Pod, 0}, {LabelSource::Namespace, 4}, {LabelSource::Container, 0}};
  set_labels(s, Family::Processes, {LabelSource::Pod});
  const Exposition e = scrape(s);
  EXPECT_EQ(e.value(kFailures, {{"label", "pod"}}), 0);
  EXPECT_EQ(e.samples(kFailures).size(), 1U);
}

TEST(LabelFailuresTest, LeftOutWithoutKubernetesNameLabels) {
  Snapshot s = with_failures();
  set_labels(s, Family::Execs, {LabelSource::PodUid, LabelSource::ContainerId});
  const Exposition e = scrape(s);
  EXPECT_FALSE(e.has_family(kFailures));
  EXPECT_TRUE(e.has_family("execmond_process_execs_total"));
}

TEST(LabelFailuresTest, CgroupLabelsCountCgroupsWithoutAPath) {
  Snapshot s;
  s.label_failures = {{LabelSource::Unit, 30}, {LabelSource::Cgroup, 30}};
  set_labels(s, Family::Execs, {LabelSource::Comm, LabelSource::Unit});
  const Exposition e = scrape(s);
  EXPECT_EQ(e.value(kFailures, {{"label", "unit"}}), 30);
  EXPECT_EQ(e.samples(kFailures).size(), 1U);
}

TEST(LabelFailuresTest, CgroupChangesTheKernelCouldNotReportAreCounted) {
  Snapshot s;
  s.cgroup_changes_lost = 7;
  const Exposition e = scrape(s);
  EXPECT_EQ(e.type("execmond_cgroup_changes_lost_total"), "counter");
  EXPECT_EQ(e.value("execmond_cgroup_changes_lost_total"), 7);
}

TEST(LabelFailuresTest, ExecutablesWithoutAPathCountUnderExe) {
  Snapshot s = with_failures();
  s.label_failures[LabelSource::Exe] = 5;
  set_labels(s, Family::Execs, {LabelSource::Comm, LabelSource::Exe});
  const Exposition e = scrape(s);
  EXPECT_EQ(e.value(kFailures, {{"label", "exe"}}), 5);
  EXPECT_EQ(e.samples(kFailures).size(), 1U);
}

constexpr const char* kUpdateFailures = "execmond_bpf_map_update_failures_total";

TEST(LabelFailuresTest, MapUpdateFailuresByMapWhenExecutablesAreRecorded) {
  Snapshot s;
  s.map_update_failures = {{"exe_paths", 2}};
  const Exposition e = scrape(s);
  EXPECT_EQ(e.type(kUpdateFailures), "counter");
  EXPECT_EQ(e.value(kUpdateFailures, {{"map", "exe_paths"}}), 2);
  EXPECT_EQ(e.samples(kUpdateFailures).size(), 1U);
  EXPECT_FALSE(scrape(Snapshot{}).has_family(kUpdateFailures));
}

}  // namespace
}  // namespace execmond
