// Attribution with the real tracer: which cgroup, unit, container, user and
// executable a process belongs to, filters, and the cardinality cap.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "identity/label_resolver.h"
#include "traced_test.h"

namespace execmond::test {
namespace {

namespace fs = std::filesystem;

LaunchOptions in_cgroup(const std::string& path) {
  LaunchOptions o;
  o.cgroup = path;
  return o;
}

LaunchOptions as_uid(int uid) {
  LaunchOptions o;
  o.uid = uid;
  return o;
}

LaunchOptions in_dir(const std::string& dir) {
  LaunchOptions o;
  o.cwd = dir;
  return o;
}

int count_lines(const std::string& file) {
  std::ifstream in(file);
  int n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

const char* const kContainerId = "3f2a9c0d5e6b7a8f91c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4";

class AttributionTest : public TracedTest {
 protected:
  void SetUp() override {
    TracedTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    mount_ = CgroupResolver::find_cgroup2_mount();
    ASSERT_FALSE(mount_.empty()) << "no cgroup2 hierarchy mounted";
  }
  void TearDown() override {
    // Deepest first: a cgroup directory goes only when empty, and a cgroup
    // whose last process just exited may stay busy for a moment.
    // NOLINTNEXTLINE(modernize-loop-convert): views::reverse fails with clang and libstdc++ 12
    for (auto it = cgroups_.rbegin(); it != cgroups_.rend(); ++it) {
      for (int attempt = 0; attempt < 100 && rmdir(it->c_str()) != 0 && errno == EBUSY; ++attempt) {
        usleep(10000);
      }
    }
    TracedTest::TearDown();
  }

  // Creates mount/relative (and its parents); returns the full path.
  std::string make_cgroup(const std::string& relative) {
    fs::path path = mount_;
    for (const auto& part : fs::path(relative).relative_path()) {
      path /= part;
      if (mkdir(path.c_str(), 0755) == 0) cgroups_.push_back(path.string());
    }
    return path.string();
  }

  // A slice of this test's own, so tear-down removes everything it made.
  static std::string slice() { return "/execmond-test-" + std::to_string(getpid()) + ".slice"; }

  Config labelled(const std::vector<LabelSource>& sources) {
    Config c = test_config();
    for (auto& family : c.labels.per_family) family = sources;
    return c;
  }

  // A copy of the workload that any user can run, whatever the build tree's permissions.
  std::string public_workload(const std::string& name) {
    fs::permissions(dir_, fs::perms(0755));
    std::string path = dir_ + "/" + name;
    fs::copy_file(EXECMOND_WORKLOAD, path);
    return path;
  }

  // systemd 254 and later start a service's process with clone3(CLONE_INTO_CGROUP):
  // it is born in the service's cgroup, not its parent's, and may never exec.
  void expect_cloned_child_counted_in_its_cgroup(AttachMode mode) {
    const std::string parent_relative = slice() + "/execmond-test-spawner.scope";
    const std::string child_unit = "execmond-test-" + std::to_string(getpid()) + "-cloned.service";
    const std::string child_relative = slice() + "/" + child_unit;
    const std::string parent_cgroup = make_cgroup(parent_relative);
    const std::string child_cgroup = make_cgroup(child_relative);
    Config config = labelled({LabelSource::Comm, LabelSource::Cgroup, LabelSource::Unit});
    config.attach_mode = mode;
    start_daemon(config);
    const std::string spawner = workload_as("clnp");
    const std::string c = comm_of(spawner);  // the children never exec: they keep the name
    auto w = launch(spawner, {"clone-into", child_cgroup, "3"}, in_cgroup(parent_cgroup));
    for (int attempt = 0; attempt < 3000 && count_lines(child_cgroup + "/cgroup.procs") < 3;
         ++attempt) {
      usleep(1000);
    }
    ASSERT_EQ(count_lines(child_cgroup + "/cgroup.procs"), 3);
    const std::map<std::string, std::string> in_child{
        {"comm", c}, {"cgroup", child_relative}, {"unit", child_unit}};
    const std::map<std::string, std::string> in_parent{
        {"comm", c}, {"cgroup", parent_relative}, {"unit", "execmond-test-spawner.scope"}};
    Exposition alive = scrape();
    EXPECT_EQ(alive.sum("execmond_processes", in_child), 3) << scrape_text();
    EXPECT_EQ(alive.sum("execmond_processes", in_parent), 1);  // the spawner alone

    w->close_stdin();
    EXPECT_EQ(w->wait(), (Outcomes{{"exited 0", 3}}));
    Exposition m = scrape();
    EXPECT_EQ(m.sum("execmond_processes", in_child), 0);
    auto exited = in_child;
    exited["reason"] = "exited";
    exited["code"] = "0";
    EXPECT_EQ(m.sum("execmond_process_exits_total", exited), 3);
    EXPECT_EQ(m.sum("execmond_process_lifetime_seconds_count", in_child), 3);
    // The fork is the spawner's act: counted where the spawner runs.
    EXPECT_EQ(m.sum("execmond_process_forks_total", in_parent), 3);
    EXPECT_FALSE(m.find("execmond_process_forks_total", in_child));
  }

  std::string mount_;
  std::vector<std::string> cgroups_;
};

TEST_F(AttributionTest, ProcessInATransientServiceCgroupGetsItsCgroupAndUnit) {
  const std::string unit = "execmond-test-" + std::to_string(getpid()) + ".service";
  const std::string relative = slice() + "/" + unit;
  const std::string cgroup = make_cgroup(relative);
  start_daemon(labelled(
      {LabelSource::Comm, LabelSource::Cgroup, LabelSource::Unit, LabelSource::ContainerId}));
  std::string parent = workload_as("svcp");
  std::string child = workload_as("svcc");
  ASSERT_EQ(run(parent, {"sleepers", "4", "1", child}, in_cgroup(cgroup)),
            (Outcomes{{"exited 0", 4}}));
  Exposition m = scrape();
  const std::map<std::string, std::string> who{
      {"comm", comm_of(child)}, {"cgroup", relative}, {"unit", unit}, {"container_id", ""}};
  EXPECT_EQ(m.value("execmond_process_execs_total", who), 4) << scrape_text();
  auto exits = who;
  exits["reason"] = "exited";
  exits["code"] = "0";
  EXPECT_EQ(m.value("execmond_process_exits_total", exits), 4);
  EXPECT_EQ(m.value("execmond_process_lifetime_seconds_count", who), 4);
  auto forks = who;
  forks["comm"] = comm_of(parent);
  EXPECT_EQ(m.value("execmond_process_forks_total", forks), 4);
}

TEST_F(AttributionTest, ChildClonedIntoAnotherCgroupIsCountedThere) {
  expect_cloned_child_counted_in_its_cgroup(AttachMode::TpBtf);
}

// The fallback reads the child through a raw pointer.
TEST_F(AttributionTest, ChildClonedIntoAnotherCgroupIsCountedThereByTheFallback) {
  ASSERT_EQ(ensure_tracefs(), "");
  expect_cloned_child_counted_in_its_cgroup(AttachMode::Tracepoint);
}

TEST_F(AttributionTest, ProcessInADockerScopeGetsItsContainerId) {
  const std::string scope = std::string("docker-") + kContainerId + ".scope";
  const std::string relative = slice() + "/" + scope;
  const std::string cgroup = make_cgroup(relative);
  start_daemon(labelled({LabelSource::Comm, LabelSource::ContainerId, LabelSource::Unit}));
  std::string child = workload_as("ctrc");
  ASSERT_EQ(run(workload_as("ctrp"), {"sleepers", "2", "1", child}, in_cgroup(cgroup)).size(), 1U);
  Exposition m = scrape();
  EXPECT_EQ(m.value("execmond_process_execs_total",
                    {{"comm", comm_of(child)}, {"container_id", kContainerId}, {"unit", scope}}),
            2);
}

TEST_F(AttributionTest, ChildRunUnderAnotherUidGetsItsUidAndUser) {
  start_daemon(labelled({LabelSource::Comm, LabelSource::Uid, LabelSource::User}));
  std::string parent = public_workload("uidp" + std::to_string(getpid() % 10000));
  std::string child = public_workload("uidc" + std::to_string(getpid() % 10000));
  ASSERT_EQ(run(parent, {"sleepers", "3", "1", child}, as_uid(65534)), (Outcomes{{"exited 0", 3}}));
  Exposition m = scrape();
  const std::map<std::string, std::string> nobody{
      {"comm", comm_of(child)}, {"uid", "65534"}, {"user", "nobody"}};
  EXPECT_EQ(m.value("execmond_process_execs_total", nobody), 3) << scrape_text();
  EXPECT_EQ(m.sum("execmond_process_exits_total", nobody), 3);
}

TEST_F(AttributionTest, ExeIsTheFullPathEvenForLongNamesRunRelatively) {
  Config config = labelled({LabelSource::Comm, LabelSource::Exe});
  start_daemon(config);
  const std::string name = "execmond-workload-with-a-long-name";
  std::string binary = public_workload(name);
  std::string parent = workload_as("exep");
  // The parent runs the child as "./<name>", relative to its working directory.
  ASSERT_EQ(run(parent, {"sleepers", "2", "1", "./" + name}, in_dir(dir_)),
            (Outcomes{{"exited 0", 2}}));
  Exposition m = scrape();
  const std::string canonical = fs::canonical(binary).string();
  EXPECT_EQ(
      m.value("execmond_process_execs_total", {{"comm", name.substr(0, 15)}, {"exe", canonical}}),
      2)
      << scrape_text();
  // The parent is a symlink to the build's workload: exe is the file itself.
  EXPECT_EQ(
      m.value("execmond_process_execs_total",
              {{"comm", comm_of(parent)}, {"exe", fs::canonical(EXECMOND_WORKLOAD).string()}}),
      1);
}

}  // namespace
}  // namespace execmond::test
