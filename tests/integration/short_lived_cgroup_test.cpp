// Labels of cgroups that are gone before the drain reads their processes'
// events: transient units, short oneshot services, `--rm` containers,
// Kubernetes Jobs. The kernel reports each cgroup as it is made; the daemon
// keeps its path for a while after it is removed.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "identity/label_resolver.h"
#include "traced_test.h"

namespace execmond::test {
namespace {

namespace fs = std::filesystem;

constexpr int kCgroups = 6;
constexpr int kExecsEach = 5;

// Once per program set: tp_btf, and the raw_tp fallback for the cgroup tracepoints.
class ShortLivedCgroupTest : public ProgramSetTest {
 protected:
  void SetUp() override {
    ProgramSetTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    mount_ = CgroupResolver::find_cgroup2_mount();
    ASSERT_FALSE(mount_.empty()) << "no cgroup2 hierarchy mounted";
    slice_ = "/execmond-short-" + std::to_string(getpid()) + ".slice";
    ASSERT_EQ(mkdir((mount_ + slice_).c_str(), 0755), 0) << std::strerror(errno);
  }
  void TearDown() override {
    if (!slice_.empty()) {
      for (int i = 0; i < kCgroups; ++i) remove_cgroup(unit_cgroup(i));
      remove_cgroup(slice_);
    }
    ProgramSetTest::TearDown();
  }

  Config labelled() const {
    Config c = test_config();
    for (auto& family : c.labels.per_family) {
      family = {LabelSource::Comm, LabelSource::Cgroup, LabelSource::Unit};
    }
    return c;
  }

  static std::string unit(int i) { return "xmshort" + std::to_string(i) + ".service"; }
  std::string unit_cgroup(int i) const { return slice_ + "/" + unit(i); }

  // Removes mount/relative as soon as its last process is gone; false if it never went.
  bool remove_cgroup(const std::string& relative) const {
    const std::string path = mount_ + relative;
    for (int attempt = 0; attempt < 500; ++attempt) {
      if (rmdir(path.c_str()) == 0 || errno == ENOENT) return true;
      if (errno != EBUSY) return false;
      usleep(1000);  // the reaped processes leave the cgroup a moment later
    }
    return false;
  }

  // In cgroup i: the parent workload and kExecsEach children that exec, then
  // the cgroup removed at once.
  void run_and_remove(int i, const std::string& parent, const std::string& child) {
    ASSERT_EQ(run(parent, {"sleepers", std::to_string(kExecsEach), "0", child},
                  LaunchOptions{mount_ + unit_cgroup(i), -1, ""}),
              (Outcomes{{"exited 0", kExecsEach}}));
    ASSERT_TRUE(remove_cgroup(unit_cgroup(i))) << unit_cgroup(i) << ": " << std::strerror(errno);
    ASSERT_FALSE(fs::exists(mount_ + unit_cgroup(i)));
  }

  void expect_every_exec_labelled(const std::string& child) {
    Exposition m = scrape();
    for (int i = 0; i < kCgroups; ++i) {
      EXPECT_EQ(m.value("execmond_process_execs_total",
                        {{"comm", comm_of(child)}, {"cgroup", unit_cgroup(i)}, {"unit", unit(i)}}),
                kExecsEach)
          << unit(i) << "\n"
          << scrape_text();
    }
    EXPECT_EQ(m.sum("execmond_process_execs_total", {{"comm", comm_of(child)}}),
              kCgroups * kExecsEach);
    EXPECT_EQ(m.value("execmond_label_resolution_failures_total", {{"label", "unit"}}), 0);
    EXPECT_EQ(m.value("execmond_label_resolution_failures_total", {{"label", "cgroup"}}), 0);
    EXPECT_EQ(m.value("execmond_cgroup_changes_lost_total"), 0);
  }

  std::string mount_;
  std::string slice_;
};

TEST_P(ShortLivedCgroupTest, CgroupsMadeAndRemovedBetweenDrainsKeepTheirLabels) {
  start_daemon(labelled());
  const std::string parent = workload_as("shortp");
  const std::string child = workload_as("shortc");
  for (int i = 0; i < kCgroups; ++i) {
    ASSERT_EQ(mkdir((mount_ + unit_cgroup(i)).c_str(), 0755), 0) << std::strerror(errno);
    run_and_remove(i, parent, child);
  }
  expect_every_exec_labelled(child);
}

TEST_P(ShortLivedCgroupTest, CgroupsPresentAtStartAndRemovedBeforeTheFirstScrapeKeepTheirLabels) {
  for (int i = 0; i < kCgroups; ++i) {
    ASSERT_EQ(mkdir((mount_ + unit_cgroup(i)).c_str(), 0755), 0) << std::strerror(errno);
  }
  start_daemon(labelled());
  const std::string parent = workload_as("seedp");
  const std::string child = workload_as("seedc");
  for (int i = 0; i < kCgroups; ++i) run_and_remove(i, parent, child);
  expect_every_exec_labelled(child);
}

INSTANTIATE_TEST_SUITE_P(ProgramSets, ShortLivedCgroupTest,
                         ::testing::Values(AttachMode::TpBtf, AttachMode::Tracepoint),
                         [](const auto& param_info) { return to_string(param_info.param); });

}  // namespace
}  // namespace execmond::test
