// The exe label with the real tracer: a file that reuses a deleted
// executable's inode number is labelled with its own path, and an executable
// whose path the kernel no longer holds is counted as a label failure.
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "bpf_programs.h"
#include "execmond.h"
#include "shell.h"
#include "traced_test.h"

namespace execmond::test {
namespace {

namespace fs = std::filesystem;

// Run with each program set: both resolve paths at exec and seeding.
class ExeLabelTest : public ProgramSetTest {
 protected:
  void TearDown() override {
    // The last mounted first: an overlay before the file system below it.
    for (; !mounted_.empty(); mounted_.pop_back()) umount2(mounted_.back().c_str(), MNT_DETACH);
    ProgramSetTest::TearDown();
  }

  Config exe_labelled() const {
    Config c = test_config();
    for (auto& family : c.labels.per_family) family = {LabelSource::Comm, LabelSource::Exe};
    return c;
  }

  // A fresh ext4 file system: it hands a freed inode number to the next file
  // it creates, as the file systems packages are installed on do.
  std::string mount_ext4() {
    const std::string image = dir_ + "/ext4.img";
    std::string mnt = dir_ + "/ext4";
    fs::create_directory(mnt);
    mount_with("truncate -s 16M " + image + " && mkfs.ext4 -q -F " + image + " && mount -o loop " +
                   image + " " + mnt,
               mnt);
    fs::permissions(dir_, fs::perms(0755));
    return mnt;
  }

  // An overlay as containers run from, its layers on a fresh ext4: its
  // inodes have the upper layer's numbers and no generation.
  std::string mount_overlay() {
    const std::string ext4 = mount_ext4();
    for (const char* d : {"/lower", "/upper", "/work", "/merged"}) fs::create_directory(ext4 + d);
    std::string mnt = ext4 + "/merged";
    mount_with("mount -t overlay overlay -o lowerdir=" + ext4 + "/lower,upperdir=" + ext4 +
                   "/upper,workdir=" + ext4 + "/work " + mnt,
               mnt);
    return mnt;
  }

  void mount_with(const std::string& command, const std::string& mnt) {
    auto [status, output] = run_shell(command);
    ASSERT_EQ(status, 0) << command << ": " << output;
    mounted_.push_back(mnt);
  }

  static std::string copy_workload(const std::string& path) {
    fs::copy_file(EXECMOND_WORKLOAD, path);
    fs::permissions(path, fs::perms(0755));
    return path;
  }

  static ino_t inode_of(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
    return st.st_ino;
  }

  // The execs of `path` under its own command name, by exe label value.
  static std::map<std::string, double> execs_by_exe(const Exposition& m, const std::string& path) {
    std::map<std::string, double> out;
    for (const Sample& s : m.samples("execmond_process_execs_total")) {
      auto comm = s.labels.find("comm");
      if (comm == s.labels.end() || comm->second != comm_of(path)) continue;
      out[s.labels.at("exe")] += s.value;
    }
    return out;
  }

  // Runs a program from `dir`, deletes it, then runs another one at another
  // path in `dir` that got the same inode number.
  void expect_the_reused_inode_labelled_anew(const std::string& dir) {
    start_daemon(exe_labelled());
    const std::string tag = std::to_string(getpid() % 100000);
    const std::string old_path = copy_workload(dir + "/old" + tag);
    ASSERT_EQ(run(old_path, {"fork-only", "1"}), (Outcomes{{"exited 0", 1}}));
    // The old path is now in the kernel's map and in the daemon's cache.
    EXPECT_EQ(execs_by_exe(scrape(), old_path), (std::map<std::string, double>{{old_path, 1}}));
    const ino_t reused = inode_of(old_path);
    ASSERT_EQ(unlink(old_path.c_str()), 0);

    // ext4 gives the freed number to the next file: the loop only waits for
    // the old file's last reference to go.
    std::string new_path;
    for (int attempt = 0; attempt < 100 && new_path.empty(); ++attempt) {
      std::string name = dir;
      name += "/new" + tag;
      name += "-" + std::to_string(attempt);
      const std::string candidate = copy_workload(name);
      if (inode_of(candidate) == reused) {
        new_path = candidate;
      } else {
        ASSERT_EQ(unlink(candidate.c_str()), 0);
        usleep(20000);
      }
    }
    ASSERT_FALSE(new_path.empty()) << "no new file got inode " << reused;
    ASSERT_EQ(run(new_path, {"fork-only", "1"}), (Outcomes{{"exited 0", 1}}));
    EXPECT_EQ(execs_by_exe(scrape(), new_path), (std::map<std::string, double>{{new_path, 1}}))
        << scrape_text();
  }

  std::vector<std::string> mounted_;
};

// ext4 changes the generation.
TEST_P(ExeLabelTest, AFileThatReusesADeletedExecutablesInodeIsLabelledWithItsOwnPath) {
  const std::string mnt = mount_ext4();
  if (HasFatalFailure()) return;
  expect_the_reused_inode_labelled_anew(mnt);
}

// Overlay leaves the generation 0: the new file's ctime tells it apart.
TEST_P(ExeLabelTest, OnAnOverlayAFileThatReusesAnInodeIsLabelledWithItsOwnPath) {
  const std::string mnt = mount_overlay();
  if (HasFatalFailure()) return;
  expect_the_reused_inode_labelled_anew(mnt);
}

TEST_P(ExeLabelTest, ARenamedExecutableIsLabelledWithItsNewPath) {
  start_daemon(exe_labelled());
  fs::permissions(dir_, fs::perms(0755));
  const std::string tag = std::to_string(getpid() % 100000);
  const std::string before = copy_workload(dir_ + "/befo" + tag);
  ASSERT_EQ(run(before, {"fork-only", "1"}), (Outcomes{{"exited 0", 1}}));
  EXPECT_EQ(execs_by_exe(scrape(), before), (std::map<std::string, double>{{before, 1}}));
  // The same file (inode, device, generation) under another name.
  const std::string after = dir_ + "/afte" + tag;
  fs::rename(before, after);
  ASSERT_EQ(run(after, {"fork-only", "1"}), (Outcomes{{"exited 0", 1}}));
  EXPECT_EQ(execs_by_exe(scrape(), after), (std::map<std::string, double>{{after, 1}}))
      << scrape_text();
}

// Deletes the entries of every loaded exe_paths map that name `path`;
// returns how many.
int forget_exe_path(const std::string& path) {
  int deleted = 0;
  for (std::uint32_t id : loaded_map_ids()) {
    int fd = bpf_map_get_fd_by_id(id);
    if (fd < 0) continue;
    bpf_map_info info{};
    std::uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && std::string(info.name) == "exe_paths") {
      execmond_exe_key key{};
      execmond_exe_key next{};
      execmond_exe_key* prev = nullptr;
      while (bpf_map_get_next_key(fd, prev, &next) == 0) {
        key = next;
        prev = &key;
        execmond_exe_path value{};
        if (bpf_map_lookup_elem(fd, &key, &value) == 0 && path == value.path &&
            bpf_map_delete_elem(fd, &key) == 0) {
          ++deleted;
        }
      }
    }
    close(fd);
  }
  return deleted;
}

TEST_P(ExeLabelTest, AnExecutableWhosePathTheKernelNoLongerHoldsCountsOnceAsALabelFailure) {
  start_daemon(exe_labelled());
  fs::permissions(dir_, fs::perms(0755));
  const std::string path = copy_workload(dir_ + "/evic" + std::to_string(getpid() % 100000));
  const std::map<std::string, std::string> exe_failures{{"label", "exe"}};
  // Whatever other processes did before the tracer was attached is drained first.
  const double failures_before =
      scrape().value("execmond_label_resolution_failures_total", exe_failures);

  ASSERT_EQ(run(path, {"fork-only", "1"}), (Outcomes{{"exited 0", 1}}));
  // As if evicted by more executables than the map holds (from every
  // execmond's map: others running on this host record the exec too).
  ASSERT_GE(forget_exe_path(path), 1);
  Exposition m = scrape();
  EXPECT_EQ(execs_by_exe(m, path), (std::map<std::string, double>{{"", 1}})) << scrape_text();
  EXPECT_EQ(m.value("execmond_label_resolution_failures_total", exe_failures) - failures_before, 1);
  EXPECT_EQ(m.value("execmond_bpf_map_update_failures_total", {{"map", "exe_paths"}}), 0);

  // Two more runs: the first exec stores the path again, and the file is not
  // counted again.
  ASSERT_EQ(run(path, {"fork-only", "1"}), (Outcomes{{"exited 0", 1}}));
  ASSERT_EQ(run(path, {"fork-only", "1"}), (Outcomes{{"exited 0", 1}}));
  m = scrape();
  EXPECT_EQ(execs_by_exe(m, path), (std::map<std::string, double>{{"", 1}, {path, 2}}));
  EXPECT_EQ(m.value("execmond_label_resolution_failures_total", exe_failures) - failures_before, 1);
}

INSTANTIATE_TEST_SUITE_P(ProgramSets, ExeLabelTest,
                         ::testing::Values(AttachMode::TpBtf, AttachMode::Tracepoint),
                         [](const auto& param_info) { return to_string(param_info.param); });

}  // namespace
}  // namespace execmond::test
