#include "identity/label_resolver.h"

#include <linux/capability.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "bpf_required.h"

namespace execmond {
namespace {

// ------------------------------------------------------------------ UserResolver

TEST(UserResolverTest, RootIsRoot) {
  UserResolver users;
  EXPECT_EQ(users.name_of(0), "root");
}

TEST(UserResolverTest, UnknownUidIsItsNumber) {
  UserResolver users;
  EXPECT_EQ(users.name_of(3999999), "3999999");
  EXPECT_EQ(users.name_of(4294967294u), "4294967294");
}

// The host's passwd database, first entry of each uid, as getpwent() reads it.
std::map<std::uint32_t, std::string> passwd_entries() {
  std::map<std::uint32_t, std::string> entries;
  ::setpwent();
  while (const struct passwd* entry = ::getpwent()) entries.emplace(entry->pw_uid, entry->pw_name);
  ::endpwent();
  return entries;
}

// Every answer, first from the database and then from the cache, is the
// database's name for that uid, never another uid's (cached lookups are
// interleaved so that a cache keyed wrongly would show).
TEST(UserResolverTest, CachedNamesAreThePasswdDatabasesNames) {
  const std::map<std::uint32_t, std::string> entries = passwd_entries();
  ASSERT_GE(entries.size(), 2U) << "/etc/passwd has root and at least one other user";
  UserResolver users;
  for (int round = 0; round < 2; ++round) {
    for (const auto& [uid, name] : entries) {
      EXPECT_EQ(users.name_of(uid), name) << "uid " << uid << ", round " << round;
      EXPECT_EQ(users.name_of(3999999), "3999999") << "after uid " << uid;
    }
  }
}

TEST(UserResolverTest, TinyCacheStillAnswers) {
  for (const std::size_t max_entries : {std::size_t{0}, std::size_t{1}}) {
    UserResolver users(max_entries);
    for (int round = 0; round < 3; ++round) {
      EXPECT_EQ(users.name_of(0), "root");
      EXPECT_EQ(users.name_of(3999999), "3999999");
    }
  }
}

// ------------------------------------------------------------------ mountinfo parsing

TEST(CgroupMountinfoTest, HybridHierarchy) {
  const std::string mountinfo =
      "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
      "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
  EXPECT_EQ(CgroupResolver::parse_cgroup2_mount(mountinfo), "/sys/fs/cgroup/unified");
}

TEST(CgroupMountinfoTest, PureV2WithOptionalFields) {
  const std::string mountinfo =
      "24 30 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
      "27 24 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
      "rw,nsdelegate,memory_recursiveprot";  // no final newline
  EXPECT_EQ(CgroupResolver::parse_cgroup2_mount(mountinfo), "/sys/fs/cgroup");
}

TEST(CgroupMountinfoTest, PrefersTheMountOfTheWholeHierarchy) {
  const std::string mountinfo =
      "50 31 0:38 /system.slice /mnt/part rw - cgroup2 cgroup2 rw\n"
      "51 31 0:38 / /mnt/all rw - cgroup2 cgroup2 rw\n";
  EXPECT_EQ(CgroupResolver::parse_cgroup2_mount(mountinfo), "/mnt/all");
  EXPECT_EQ(CgroupResolver::parse_cgroup2_mount(
                "50 31 0:38 /system.slice /mnt/part rw - cgroup2 cgroup2 rw\n"),
            "/mnt/part");
}

TEST(CgroupMountinfoTest, DecodesOctalEscapes) {
  EXPECT_EQ(CgroupResolver::parse_cgroup2_mount(
                "51 31 0:38 / /mnt/my\\040cgroups\\134x rw - cgroup2 none rw\n"),
            "/mnt/my cgroups\\x");
}

TEST(CgroupMountinfoTest, NoCgroup2) {
  EXPECT_EQ(CgroupResolver::parse_cgroup2_mount(""), "");
  EXPECT_EQ(CgroupResolver::parse_cgroup2_mount(
                "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
                "garbage\n"
                "1 2 3 4 5 6 7 8 9 cgroup2\n"),
            "");
}

// ------------------------------------------------------------------ CgroupResolver

TEST(CgroupResolverTest, NoMountResolvesNothing) {
  CgroupResolver none("");
  EXPECT_EQ(none.path_of(1), "");
  CgroupResolver missing("/nonexistent/cgroup2");
  EXPECT_EQ(missing.path_of(1), "");
  EXPECT_EQ(missing.mount(), "");
}

bool host_has_cgroup2() {
  std::ifstream file("/proc/self/mountinfo");
  std::string line;
  while (std::getline(file, line)) {
    if (line.find(" - cgroup2 ") != std::string::npos) return true;
  }
  return false;
}

TEST(CgroupResolverTest, FindsTheCgroup2Mount) {
  if (!host_has_cgroup2()) {
    if (test::bpf_required()) FAIL() << "/proc/self/mountinfo lists no cgroup2 mount";
    GTEST_SKIP() << "/proc/self/mountinfo lists no cgroup2 mount";
  }
  const std::string mount = CgroupResolver::find_cgroup2_mount();
  ASSERT_FALSE(mount.empty());
  struct stat st {};
  EXPECT_EQ(::stat((mount + "/cgroup.procs").c_str(), &st), 0) << mount;
}

// Drops CAP_DAC_READ_SEARCH from the effective set, so open_by_handle_at() fails.
bool drop_dac_read_search() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
  if (::syscall(SYS_capget, &header, data) != 0) return false;
  data[CAP_TO_INDEX(CAP_DAC_READ_SEARCH)].effective &= ~CAP_TO_MASK(CAP_DAC_READ_SEARCH);
  return ::syscall(SYS_capset, &header, data) == 0;
}

// A real child cgroup (and one below it) in the host's cgroup2 hierarchy.
class CgroupResolverLiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string unavailable;
    if (::geteuid() != 0) {
      unavailable = "creating a cgroup needs root";
    } else if (!host_has_cgroup2()) {
      unavailable = "/proc/self/mountinfo lists no cgroup2 mount";
    } else {
      mount_ = CgroupResolver::find_cgroup2_mount();
      ASSERT_FALSE(mount_.empty());
      name_ = "/execmond-test-" + std::to_string(::getpid());
      if (::mkdir((mount_ + name_).c_str(), 0755) != 0) {
        unavailable = "cannot create a cgroup under " + mount_ + ": " + std::strerror(errno);
      }
    }
    if (!unavailable.empty()) {
      if (test::bpf_required()) FAIL() << "EXECMOND_REQUIRE_BPF=1 but " << unavailable;
      GTEST_SKIP() << unavailable;
    }
    created_ = true;
    ASSERT_EQ(::mkdir((mount_ + name_ + "/inner").c_str(), 0755), 0) << std::strerror(errno);
    root_id_ = inode_of(mount_);
    child_id_ = inode_of(mount_ + name_);
    inner_id_ = inode_of(mount_ + name_ + "/inner");
  }

  void TearDown() override {
    if (!created_) return;
    ::rmdir((mount_ + name_ + "/inner").c_str());
    ::rmdir((mount_ + name_).c_str());
  }

  static std::uint64_t inode_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_ino;
  }

  // An id no cgroup has: far above any id this boot will hand out.
  static constexpr std::uint64_t kBogusId = 0x7fff'ffff'0000'0001ULL;

  std::string mount_;
  std::string name_;
  bool created_ = false;
  std::uint64_t root_id_ = 0;
  std::uint64_t child_id_ = 0;
  std::uint64_t inner_id_ = 0;
};

TEST_F(CgroupResolverLiveTest, RootIsSlash) {
  CgroupResolver cgroups(mount_);
  EXPECT_EQ(cgroups.path_of(root_id_), "/");
}

TEST_F(CgroupResolverLiveTest, ChildCgroupsResolveToTheirPaths) {
  CgroupResolver cgroups(mount_);
  EXPECT_EQ(cgroups.path_of(child_id_), name_);
  EXPECT_EQ(cgroups.path_of(inner_id_), name_ + "/inner");
  EXPECT_EQ(cgroups.path_of(child_id_), name_);  // from the cache
  EXPECT_TRUE(cgroups.uses_file_handles()) << "open_by_handle_at() refused as root";
}

TEST_F(CgroupResolverLiveTest, DefaultMountIsFound) {
  CgroupResolver cgroups;
  EXPECT_EQ(cgroups.mount(), mount_);
  EXPECT_EQ(cgroups.path_of(child_id_), name_);
}

TEST_F(CgroupResolverLiveTest, UnknownIdIsEmpty) {
  CgroupResolver cgroups(mount_);
  EXPECT_EQ(cgroups.path_of(kBogusId), "");
  EXPECT_EQ(cgroups.path_of(kBogusId), "");
}

TEST_F(CgroupResolverLiveTest, RemovedCgroupIsEmptyUnlessCached) {
  CgroupResolver cached(mount_);
  EXPECT_EQ(cached.path_of(inner_id_), name_ + "/inner");
  ASSERT_EQ(::rmdir((mount_ + name_ + "/inner").c_str()), 0);
  EXPECT_EQ(cached.path_of(inner_id_), name_ + "/inner");
  CgroupResolver fresh(mount_);
  EXPECT_EQ(fresh.path_of(inner_id_), "");
}

TEST_F(CgroupResolverLiveTest, FullCacheIsEmptied) {
  CgroupResolver cgroups(mount_, 1);
  EXPECT_EQ(cgroups.path_of(inner_id_), name_ + "/inner");
  EXPECT_EQ(cgroups.path_of(root_id_), "/");  // evicts inner
  ASSERT_EQ(::rmdir((mount_ + name_ + "/inner").c_str()), 0);
  EXPECT_EQ(cgroups.path_of(inner_id_), "");
}

TEST_F(CgroupResolverLiveTest, WalksTheTreeWithoutCapDacReadSearch) {
  // In a child process: dropping the capability must not leak into other tests.
  EXPECT_EXIT(
      {
        if (!drop_dac_read_search()) std::_Exit(2);
        CgroupResolver cgroups(mount_);
        if (cgroups.path_of(inner_id_) != name_ + "/inner") std::_Exit(3);
        if (cgroups.uses_file_handles()) std::_Exit(4);
        if (cgroups.path_of(child_id_) != name_) std::_Exit(5);
        if (cgroups.path_of(root_id_) != "/") std::_Exit(6);
        if (cgroups.path_of(kBogusId) != "") std::_Exit(7);
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace execmond
