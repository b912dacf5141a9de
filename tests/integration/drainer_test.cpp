// The drainer on its own, against the real tracer: every event counted once
// across drains, and nothing left behind.
#include "kernel/drainer.h"

#include <gtest/gtest.h>

#include "identity/label_resolver.h"
#include "kernel/kernel_filters.h"
#include "kernel/tracer.h"
#include "traced_test.h"

#include <sys/stat.h>

#include <unistd.h>
#include <filesystem>

namespace execmond::test {
namespace {

class DrainerTest : public TracedTest {};

TEST_F(DrainerTest, CountsEveryEventOnceAcrossDrains) {
  Result<std::unique_ptr<Tracer>> loaded = Tracer::load(TracerOptions{
      .max_processes = 4096, .max_keys = 1024, .lifetime_buckets = default_lifetime_buckets()});
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  Tracer& tracer = **loaded;
  ASSERT_TRUE(tracer.seed_running_processes().ok());
  Drainer drainer(tracer);
  drainer.drain();

  std::string parent = workload_as("drnp");
  const std::string p = comm_of(parent);
  std::map<std::uint8_t, std::uint64_t> by_kind;  // our program's counts
  std::uint64_t lifetimes = 0;
  for (int round = 0; round < 3; ++round) {
    ASSERT_EQ(run(parent, {"fork-only", "7"}).size(), 7U);
    DrainResult result = drainer.drain();
    EXPECT_GT(result.procs_entries, 0U);
    for (const CountRecord& r : result.counts) {
      if (r.ids.comm != p) continue;
      by_kind[r.kind] += r.count;
      if (r.kind == EXECMOND_KIND_EXIT) lifetimes += r.lifetime_ns_sum > 0 ? r.count : 0;
    }
  }
  EXPECT_EQ(by_kind[EXECMOND_KIND_FORK], 21U);
  EXPECT_EQ(by_kind[EXECMOND_KIND_EXEC], 3U);
  EXPECT_EQ(by_kind[EXECMOND_KIND_EXIT], 24U);  // 21 children and 3 parents
  EXPECT_EQ(lifetimes, 24U);
  // A drain takes what the kernel recorded: a second one right after has nothing of ours.
  for (const CountRecord& r : drainer.drain().counts) EXPECT_NE(r.ids.comm, p);
}

}  // namespace
}  // namespace execmond::test

namespace execmond::test {
namespace {

// Filters the kernel can evaluate drop events before they are counted: the
// drained records never hold them.
class KernelFilterTest : public TracedTest {
 protected:
  std::map<std::string, std::uint64_t> execs_by_comm(Drainer& drainer) {
    std::map<std::string, std::uint64_t> out;
    for (const CountRecord& r : drainer.drain().counts) {
      if (r.kind == EXECMOND_KIND_EXEC) out[r.ids.comm] += r.count;
    }
    return out;
  }
};

TEST_F(KernelFilterTest, ExactNamesUidsAndCgroupSubtreesAreDroppedInTheKernel) {
  Result<std::unique_ptr<Tracer>> loaded = Tracer::load(TracerOptions{
      .max_processes = 4096, .max_keys = 1024, .lifetime_buckets = default_lifetime_buckets()});
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  Tracer& tracer = **loaded;
  Drainer drainer(tracer);
  std::string kept = workload_as("kkep");
  std::string by_name = workload_as("knam");
  std::string in_cgroup = workload_as("kcgr");
  const std::string mount = CgroupResolver::find_cgroup2_mount();
  ASSERT_FALSE(mount.empty());
  const std::string cgroup = mount + "/execmond-kfilter-" + std::to_string(getpid());
  ASSERT_EQ(mkdir(cgroup.c_str(), 0755), 0);

  Config config;
  config.exclude.comm = {comm_of(by_name)};
  config.exclude.cgroup_prefix = {cgroup.substr(mount.size())};
  config.exclude.uid = {65534};
  KernelFilters filters = compile_kernel_filters(config, mount, getpid());
  ASSERT_EQ(filters.active, static_cast<std::uint32_t>(EXECMOND_FILTER_COMM | EXECMOND_FILTER_UID |
                                                       EXECMOND_FILTER_CGROUP));
  ASSERT_TRUE(apply_kernel_filters(tracer, filters).ok());
  drainer.drain();
  run(kept, {"fork-only", "1"});
  run(by_name, {"fork-only", "1"});
  LaunchOptions options;
  options.cgroup = cgroup;
  run(in_cgroup, {"fork-only", "1"}, options);
  auto execs = execs_by_comm(drainer);
  EXPECT_EQ(execs[comm_of(kept)], 1U);
  EXPECT_EQ(execs.count(comm_of(by_name)), 0U);
  EXPECT_EQ(execs.count(comm_of(in_cgroup)), 0U);

  // Include-only with exact names: everything else is dropped in the kernel.
  config = Config{};
  config.include.comm = {comm_of(by_name)};
  filters = compile_kernel_filters(config, mount, getpid());
  EXPECT_NE(filters.active & EXECMOND_FILTER_INCLUDE_IN_KERNEL, 0U);
  ASSERT_TRUE(apply_kernel_filters(tracer, filters).ok());
  drainer.drain();
  run(kept, {"fork-only", "1"});
  run(by_name, {"fork-only", "1"});
  execs = execs_by_comm(drainer);
  EXPECT_EQ(execs, (std::map<std::string, std::uint64_t>{{comm_of(by_name), 1}}));
  rmdir(cgroup.c_str());
}

TEST_F(KernelFilterTest, ExecutablesAreDroppedByFileInTheKernel) {
  TracerOptions options{
      .max_processes = 4096, .max_keys = 1024, .lifetime_buckets = default_lifetime_buckets()};
  options.record_exe = true;
  Result<std::unique_ptr<Tracer>> loaded = Tracer::load(options);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  Tracer& tracer = **loaded;
  Drainer drainer(tracer);
  // A copy on this file system, excluded by path; the kept one runs via a symlink.
  const std::string excluded = dir_ + "/kexe" + std::to_string(getpid() % 10000);
  std::filesystem::copy_file(EXECMOND_WORKLOAD, excluded);
  std::string kept = workload_as("kexk");
  Config config;
  config.exclude.exe = {excluded};
  KernelFilters filters = compile_kernel_filters(config, "", getpid());
  ASSERT_EQ(filters.exe.size(), 1U);
  ASSERT_TRUE(apply_kernel_filters(tracer, filters).ok());
  drainer.drain();
  run(kept, {"fork-only", "1"});
  run(excluded, {"fork-only", "1"});
  auto execs = execs_by_comm(drainer);
  EXPECT_EQ(execs[comm_of(kept)], 1U);
  EXPECT_EQ(execs.count(comm_of(excluded)), 0U);

  // Without executables recorded, exe rules stay out of the kernel.
  EXPECT_TRUE(compile_kernel_filters(config, "", getpid(), false).exe.empty());
}

}  // namespace
}  // namespace execmond::test
