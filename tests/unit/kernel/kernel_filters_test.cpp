// The part of the filters handed to the kernel: which rules become map
// entries (with INCLUDE/EXCLUDE flags), which active bits are set, and when
// the kernel may enforce the include rules itself.
#include "kernel/kernel_filters.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>

#include "config/config.h"
#include "execmond.h"
#include "temp_file.h"

namespace execmond {
namespace {

using test::TempFile;

constexpr std::uint8_t kInclude = EXECMOND_FILTER_INCLUDE;
constexpr std::uint8_t kExclude = EXECMOND_FILTER_EXCLUDE;
constexpr pid_t kSelf = 4242;

// A fresh directory, removed with everything in it when the object goes away.
class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/execmond_kfilter_XXXXXX";
    if (::mkdtemp(name) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = name;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // Makes `relative` (and its parents) below the directory; returns its full path.
  std::string mkdir(const std::string& relative) const {
    std::string full = path_ + "/" + relative;
    std::filesystem::create_directories(full);
    return full;
  }

 private:
  std::string path_;
};

struct stat stat_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw std::runtime_error("cannot stat " + path);
  return st;
}

bool has(std::uint32_t active, std::uint32_t bit) { return (active & bit) != 0; }

KernelFilters compile(const Config& config, const std::string& mount = "") {
  return compile_kernel_filters(config, mount, kSelf);
}

// ---------------------------------------------------------------------------
// Nothing to do

TEST(KernelFiltersTest, NoRulesGiveEmptyMapsAndNoActiveBits) {
  KernelFilters k = compile(Config{});
  EXPECT_TRUE(k.comm.empty());
  EXPECT_TRUE(k.uid.empty());
  EXPECT_TRUE(k.exe.empty());
  EXPECT_TRUE(k.cgroup.empty());
  EXPECT_EQ(k.active, 0U);
  EXPECT_EQ(k.self_tgid, 0U);
}

// ---------------------------------------------------------------------------
// comm and uid

TEST(KernelFiltersTest, CommAndUidRulesLandInTheirMapsWithTheirSide) {
  Config config;
  config.include.comm = {"cron", "sshd"};
  config.include.uid = {1000};
  config.exclude.comm = {"bash"};
  config.exclude.uid = {0, 65534};
  KernelFilters k = compile(config);
  EXPECT_EQ(k.comm, (std::map<std::string, std::uint8_t>{
                        {"bash", kExclude}, {"cron", kInclude}, {"sshd", kInclude}}));
  EXPECT_EQ(k.uid, (std::map<std::uint32_t, std::uint8_t>{
                       {0, kExclude}, {1000, kInclude}, {65534, kExclude}}));
  EXPECT_TRUE(has(k.active, EXECMOND_FILTER_COMM));
  EXPECT_TRUE(has(k.active, EXECMOND_FILTER_UID));
  EXPECT_FALSE(has(k.active, EXECMOND_FILTER_EXE));
  EXPECT_FALSE(has(k.active, EXECMOND_FILTER_CGROUP));
  EXPECT_TRUE(has(k.active, EXECMOND_FILTER_INCLUDE_IN_KERNEL))
      << "every include rule is in the maps";
  EXPECT_TRUE(k.exe.empty());
  EXPECT_TRUE(k.cgroup.empty());
}

TEST(KernelFiltersTest, OnlyTheMapsThatHoldRulesAreActive) {
  Config comm_only;
  comm_only.exclude.comm = {"bash"};
  EXPECT_EQ(compile(comm_only).active, static_cast<std::uint32_t>(EXECMOND_FILTER_COMM));

  Config uid_only;
  uid_only.include.uid = {7};
  EXPECT_EQ(compile(uid_only).active,
            static_cast<std::uint32_t>(EXECMOND_FILTER_UID | EXECMOND_FILTER_INCLUDE_IN_KERNEL));
}

TEST(KernelFiltersTest, ARuleOnBothSidesCarriesBothFlags) {
  Config config;
  config.include.comm = {"cron"};
  config.exclude.comm = {"cron"};
  config.include.uid = {5};
  config.exclude.uid = {5};
  KernelFilters k = compile(config);
  EXPECT_EQ(k.comm, (std::map<std::string, std::uint8_t>{{"cron", kInclude | kExclude}}));
  EXPECT_EQ(k.uid, (std::map<std::uint32_t, std::uint8_t>{{5, kInclude | kExclude}}));
}

TEST(KernelFiltersTest, ExcludeRulesAloneNeverEnforceIncludesInTheKernel) {
  Config config;
  config.exclude.comm = {"bash"};
  config.exclude.uid = {0};
  KernelFilters k = compile(config);
  EXPECT_FALSE(has(k.active, EXECMOND_FILTER_INCLUDE_IN_KERNEL));
}

// ---------------------------------------------------------------------------
// exe

TEST(KernelFiltersTest, ExeRuleIsKeyedByTheFilesInode) {
  TempFile file("#!/bin/sh\n");
  const struct stat st = stat_of(file.path());
  Config config;
  config.include.exe = {file.path()};
  KernelFilters k = compile(config);
  ASSERT_EQ(k.exe.size(), 1U);
  const auto& [key, flags] = *k.exe.begin();
  EXPECT_EQ(key.first, static_cast<std::uint64_t>(st.st_ino));
  EXPECT_EQ(flags, kInclude);
  EXPECT_TRUE(has(k.active, EXECMOND_FILTER_EXE));
  EXPECT_TRUE(has(k.active, EXECMOND_FILTER_INCLUDE_IN_KERNEL));
}

// The kernel side compares against inode->i_sb->s_dev, which is the kernel's
// internal dev_t (major << 20 | minor), not stat()'s st_dev (major << 8 |
// minor, split). They agree only for major 0 with minor < 256 (tmpfs,
// overlayfs, ...), so the rule must be keyed the kernel's way.
TEST(KernelFiltersTest, ExeRuleDeviceUsesTheKernelsDevTEncoding) {
  TempFile file("x");
  const struct stat st = stat_of(file.path());
  const auto kernel_dev =
      static_cast<std::uint32_t>((::major(st.st_dev) << 20) | ::minor(st.st_dev));
  Config config;
  config.include.exe = {file.path()};
  KernelFilters k = compile(config);
  ASSERT_EQ(k.exe.size(), 1U);
  EXPECT_EQ(k.exe.begin()->first.second, kernel_dev)
      << "st_dev " << st.st_dev << " (" << ::major(st.st_dev) << ":" << ::minor(st.st_dev) << ")";
}

TEST(KernelFiltersTest, MissingExeIsLeftOut) {
  TempDir dir;
  Config config;
  config.exclude.exe = {dir.path() + "/no-such-program"};
  KernelFilters k = compile(config);
  EXPECT_TRUE(k.exe.empty());
  EXPECT_FALSE(has(k.active, EXECMOND_FILTER_EXE));
}

TEST(KernelFiltersTest, MissingIncludedExeKeepsIncludesOutOfTheKernel) {
  TempDir dir;
  TempFile present("x");
  Config config;
  config.include.exe = {present.path(), dir.path() + "/not-yet-installed"};
  KernelFilters k = compile(config);
  EXPECT_EQ(k.exe.size(), 1U) << "the file that exists is still placed";
  EXPECT_TRUE(has(k.active, EXECMOND_FILTER_EXE));
  EXPECT_FALSE(has(k.active, EXECMOND_FILTER_INCLUDE_IN_KERNEL))
      << "the kernel would drop what the daemon-side rule keeps";
}

TEST(KernelFiltersTest, MissingExcludedExeDoesNotAffectIncludes) {
  TempDir dir;
  Config config;
  config.include.comm = {"cron"};
  config.exclude.exe = {dir.path() + "/gone"};
  KernelFilters k = compile(config);
  EXPECT_TRUE(has(k.active, EXECMOND_FILTER_INCLUDE_IN_KERNEL));
  EXPECT_TRUE(k.exe.empty());
}

TEST(KernelFiltersTest, TwoPathsToTheSameFileShareOneKey) {
  TempDir dir;
  TempFile file("x");
  const std::string link = dir.path() + "/link";
  ASSERT_EQ(::symlink(file.path().c_str(), link.c_str()), 0);
  Config config;
  config.include.exe = {file.path()};
  config.exclude.exe = {link};
  KernelFilters k = compile(config);
  ASSERT_EQ(k.exe.size(), 1U);
  EXPECT_EQ(k.exe.begin()->first.first, static_cast<std::uint64_t>(stat_of(file.path()).st_ino));
  EXPECT_EQ(k.exe.begin()->second, kInclude | kExclude);
}

// ---------------------------------------------------------------------------
// cgroup_prefix, against a fake cgroup2 mount

TEST(KernelFiltersTest, CgroupPrefixIsKeyedByTheDirectorysInode) {
  TempDir mount;
  const std::string slice = mount.mkdir("system.slice");
  mount.mkdir("system.slice/cron.service");
  const std::string user = mount.mkdir("user.slice");
  Config config;
  config.include.cgroup_prefix = {"/system.slice"};
  config.exclude.cgroup_prefix = {"/user.slice"};
  KernelFilters k = compile(config, mount.path());
  EXPECT_EQ(k.cgroup, (std::map<std::uint64_t, std::uint8_t>{{stat_of(slice).st_ino, kInclude},
                                                             {stat_of(user).st_ino, kExclude}}));
  EXPECT_TRUE(has(k.active, EXECMOND_FILTER_CGROUP));
  EXPECT_TRUE(has(k.active, EXECMOND_FILTER_INCLUDE_IN_KERNEL));
}

TEST(KernelFiltersTest, CgroupPrefixWithTrailingSlashOrNested) {
  TempDir mount;
  const std::string service = mount.mkdir("system.slice/cron.service");
  Config config;
  config.include.cgroup_prefix = {"/system.slice/cron.service/"};
  KernelFilters k = compile(config, mount.path());
  EXPECT_EQ(k.cgroup, (std::map<std::uint64_t, std::uint8_t>{{stat_of(service).st_ino, kInclude}}));
}

TEST(KernelFiltersTest, RootCgroupPrefixIsTheMountItself) {
  TempDir mount;
  Config config;
  config.exclude.cgroup_prefix = {"/"};
  KernelFilters k = compile(config, mount.path());
  EXPECT_EQ(k.cgroup,
            (std::map<std::uint64_t, std::uint8_t>{{stat_of(mount.path()).st_ino, kExclude}}));
}

TEST(KernelFiltersTest, UnresolvableCgroupPrefixesAreLeftOut) {
  TempDir mount;
  TempFile not_a_dir("x");
  const std::string file_in_mount = mount.path() + "/cgroup.procs";
  std::filesystem::copy_file(not_a_dir.path(), file_in_mount);
  for (const std::string prefix : {"/missing.slice", "/cgroup.procs"}) {
    SCOPED_TRACE(prefix);
    Config config;
    config.include.cgroup_prefix = {prefix};
    KernelFilters k = compile(config, mount.path());
    EXPECT_TRUE(k.cgroup.empty());
    EXPECT_FALSE(has(k.active, EXECMOND_FILTER_CGROUP));
    EXPECT_FALSE(has(k.active, EXECMOND_FILTER_INCLUDE_IN_KERNEL));
  }
}

TEST(KernelFiltersTest, NoCgroup2MountLeavesCgroupRulesOut) {
  TempDir mount;
  mount.mkdir("system.slice");
  Config config;
  config.include.comm = {"cron"};
  config.include.cgroup_prefix = {"/system.slice"};
  KernelFilters k = compile(config, "");
  EXPECT_TRUE(k.cgroup.empty());
  EXPECT_FALSE(has(k.active, EXECMOND_FILTER_CGROUP));
  EXPECT_FALSE(has(k.active, EXECMOND_FILTER_INCLUDE_IN_KERNEL));
  EXPECT_EQ(k.comm.size(), 1U) << "the rest is still placed";
}

// ---------------------------------------------------------------------------
// When the kernel may enforce the include rules

TEST(KernelFiltersTest, EveryPlaceableKindTogetherEnforcesIncludesInTheKernel) {
  TempDir mount;
  mount.mkdir("system.slice");
  TempFile file("x");
  Config config;
  config.include.comm = {"cron"};
  config.include.uid = {0};
  config.include.exe = {file.path()};
  config.include.cgroup_prefix = {"/system.slice"};
  KernelFilters k = compile(config, mount.path());
  EXPECT_EQ(k.active, static_cast<std::uint32_t>(EXECMOND_FILTER_COMM | EXECMOND_FILTER_UID |
                                                 EXECMOND_FILTER_EXE | EXECMOND_FILTER_CGROUP |
                                                 EXECMOND_FILTER_INCLUDE_IN_KERNEL));
}

TEST(KernelFiltersTest, IncludesTheKernelCannotHoldKeepIncludesInTheDaemon) {
  struct Case {
    const char* name;
    void (*add)(FilterRules&);
  };
  const Case cases[] = {
      {"comm_regex", [](FilterRules& r) { r.comm_regex = {"cr.*"}; }},
      {"exe_regex", [](FilterRules& r) { r.exe_regex = {"/usr/.*"}; }},
      {"unit", [](FilterRules& r) { r.unit = {"cron.service"}; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Config config;
    config.include.comm = {"cron"};
    c.add(config.include);
    KernelFilters k = compile(config);
    EXPECT_FALSE(has(k.active, EXECMOND_FILTER_INCLUDE_IN_KERNEL));
    EXPECT_EQ(k.comm, (std::map<std::string, std::uint8_t>{{"cron", kInclude}}))
        << "placeable rules are still placed";
    EXPECT_TRUE(has(k.active, EXECMOND_FILTER_COMM));

    Config alone;  // nothing placeable at all
    c.add(alone.include);
    EXPECT_EQ(compile(alone).active, 0U);

    Config excluded;  // on the exclude side they do not matter
    excluded.include.comm = {"cron"};
    c.add(excluded.exclude);
    EXPECT_TRUE(has(compile(excluded).active, EXECMOND_FILTER_INCLUDE_IN_KERNEL));
  }
}

// ---------------------------------------------------------------------------
// exclude_self

TEST(KernelFiltersTest, ExcludeSelfSetsSelfTgidToThePidPassed) {
  Config config;
  config.exclude_self = true;
  EXPECT_EQ(compile_kernel_filters(config, "", 4242).self_tgid, 4242U);
  EXPECT_EQ(compile_kernel_filters(config, "", ::getpid()).self_tgid,
            static_cast<std::uint32_t>(::getpid()));
  EXPECT_EQ(compile_kernel_filters(config, "", 4242).active, 0U) << "no map is involved";
}

TEST(KernelFiltersTest, WithoutExcludeSelfSelfTgidIsZero) {
  Config config;
  config.include.comm = {"cron"};
  EXPECT_EQ(compile_kernel_filters(config, "", 4242).self_tgid, 0U);
}

}  // namespace
}  // namespace execmond
