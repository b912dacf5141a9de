// CgroupDirectory: paths learned as cgroups are made, kept for two drains
// after they are removed, bounded, and seeded from a mount's directory tree.
#include "identity/cgroup_directory.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include <gtest/gtest.h>

namespace execmond {
namespace {

constexpr std::uint64_t kRoot = 1;
constexpr std::uint64_t kSystemSlice = 2;

// Parents the directory does not know, as CgroupResolver would find them.
std::string outside(std::uint64_t id) {
  static const std::map<std::uint64_t, std::string> kPaths{{kRoot, "/"},
                                                           {kSystemSlice, "/system.slice"}};
  const auto it = kPaths.find(id);
  return it == kPaths.end() ? std::string() : it->second;
}

TEST(CgroupDirectoryTest, AMadeCgroupIsItsParentsPathAndItsName) {
  CgroupDirectory directory;
  directory.made(10, kSystemSlice, "xmshort0.service", outside);
  directory.made(11, 10, "payload", outside);  // under a parent it learned
  directory.made(12, kRoot, "user.slice", outside);
  EXPECT_EQ(directory.path_of(10), "/system.slice/xmshort0.service");
  EXPECT_EQ(directory.path_of(11), "/system.slice/xmshort0.service/payload");
  EXPECT_EQ(directory.path_of(12), "/user.slice");
  EXPECT_EQ(directory.path_of(13), std::nullopt);
}

TEST(CgroupDirectoryTest, AParentWithoutAPathOrABadNameLearnsNothing) {
  CgroupDirectory directory;
  directory.made(10, 99, "lost.service", outside);
  directory.made(11, kRoot, "", outside);
  directory.made(12, kRoot, "a/b", outside);
  EXPECT_EQ(directory.size(), 0U);
}

TEST(CgroupDirectoryTest, ARemovedCgroupOutlivesItsRemovalByTwoDrains) {
  CgroupDirectory directory;
  directory.made(10, kSystemSlice, "a.service", outside);
  directory.made(11, kSystemSlice, "b.service", outside);
  directory.removed(10);
  directory.removed(10);  // a repeated record does not restart the grace
  directory.drain_finished();
  EXPECT_EQ(directory.path_of(10), "/system.slice/a.service");
  directory.drain_finished();
  EXPECT_EQ(directory.path_of(10), std::nullopt);
  EXPECT_EQ(directory.path_of(11), "/system.slice/b.service");  // live: kept
  directory.removed(99);                                        // never known: nothing to keep
  EXPECT_EQ(directory.size(), 1U);
}

TEST(CgroupDirectoryTest, FullItForgetsTheOldestRemovedCgroupThenRefuses) {
  CgroupDirectory directory(3);
  directory.made(10, kRoot, "a", outside);
  directory.made(11, kRoot, "b", outside);
  directory.made(12, kRoot, "c", outside);
  directory.removed(11);
  directory.removed(10);
  directory.made(13, kRoot, "d", outside);  // room made by forgetting 11
  EXPECT_EQ(directory.path_of(11), std::nullopt);
  EXPECT_EQ(directory.path_of(10), "/a");
  EXPECT_EQ(directory.path_of(13), "/d");
  directory.made(14, kRoot, "e", outside);  // forgets 10
  EXPECT_EQ(directory.path_of(10), std::nullopt);
  directory.made(15, kRoot, "f", outside);  // every entry is live: refused
  EXPECT_EQ(directory.path_of(15), std::nullopt);
  EXPECT_EQ(directory.size(), 3U);
}

TEST(CgroupDirectoryTest, SeedLearnsEveryDirectoryBelowTheMountByInode) {
  char dir[] = "/tmp/execmond-cgroup-directory-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string mount = dir;
  std::filesystem::create_directories(mount + "/system.slice/cron.service");
  std::filesystem::create_directories(mount + "/user.slice");
  { std::ofstream(mount + "/cgroup.procs") << ""; }  // files are not cgroups
  auto inode = [&](const std::string& relative) {
    struct stat st {};
    EXPECT_EQ(::stat((mount + relative).c_str(), &st), 0);
    return static_cast<std::uint64_t>(st.st_ino);
  };
  CgroupDirectory directory;
  EXPECT_EQ(directory.seed(mount), 3U);
  EXPECT_EQ(directory.path_of(inode("/system.slice/cron.service")), "/system.slice/cron.service");
  EXPECT_EQ(directory.path_of(inode("/system.slice")), "/system.slice");
  EXPECT_EQ(directory.path_of(inode("/user.slice")), "/user.slice");
  EXPECT_EQ(directory.path_of(inode("/cgroup.procs")), std::nullopt);
  EXPECT_EQ(directory.seed("/nonexistent/cgroup2"), 0U);
  std::filesystem::remove_all(mount);
}

}  // namespace
}  // namespace execmond
