// The real binary when things go wrong around it: killed, restarted, its
// configuration deleted before a reload, no tracefs, no BTF, read-only or
// full /tmp, bpf() refused, and `execmond doctor` saying what a host lacks.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iterator>
#include <thread>
#include <vector>

#include "bpf_programs.h"
#include "daemon_launch.h"
#include "daemon_process.h"
#include "exposition.h"
#include "shell.h"
#include "traced_test.h"

namespace execmond::test {
namespace {

// In the child: a private mount namespace, so that what it unmounts or
// mounts stays there.
void private_mounts() {
  if (unshare(CLONE_NEWNS) != 0 ||
      mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    _exit(120);
  }
}

class FaultsTest : public TracedTest {
 protected:
  // Runs a workload under a new name and waits until the daemon counted its exec.
  void expect_counted(const std::string& role) {
    const std::string path = workload_as(role);
    ASSERT_EQ(run(path, {"fork-only", "2"}).size(), 2U);
    double execs = 0;
    for (int i = 0; i < 50 && execs < 1; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      execs = scrape().sum("execmond_process_execs_total", {{"comm", comm_of(path)}});
    }
    EXPECT_EQ(execs, 1) << daemon_process_->log();
  }
};

TEST_F(FaultsTest, SigkillLeavesNoProgramOrMapBehindAndARestartWorks) {
  const Programs before = loaded_programs();
  const auto maps_before = loaded_map_ids();
  launch_daemon(kFastDrains);
  const Programs ours = added_since(before, loaded_programs());
  EXPECT_GE(ours.size(), 3U) << "fork, exec and exit";
  daemon_process_->stop(SIGKILL);
  // The kernel frees a program once its last descriptor closes, after a grace period.
  std::size_t left = ours.size();
  for (int i = 0; i < 100 && left != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    left = 0;
    const Programs now = loaded_programs();
    for (const auto& [id, info] : ours) left += now.contains(id) ? 1 : 0;
  }
  EXPECT_EQ(left, 0U) << "programs still loaded after SIGKILL";
  std::size_t maps_left = 0;
  for (int i = 0; i < 100; ++i) {
    maps_left = 0;
    for (std::uint32_t id : loaded_map_ids()) maps_left += maps_before.contains(id) ? 0 : 1;
    if (maps_left == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(maps_left, 0U) << "maps still there after SIGKILL";

  launch_daemon(kFastDrains);  // at once, on the same configuration
  expect_counted("kil");
}

TEST_F(FaultsTest, AReloadOfADeletedOrUnreadableFileKeepsTheRunningConfiguration) {
  launch_daemon(std::string(kFastDrains) + "log:\n  level: info\n");
  const double loaded_at = scrape().value("execmond_config_last_reload_success_timestamp_seconds");
  const std::string config = config_file();
  struct Spoil {
    const char* what;
    std::function<void()> apply;
  };
  const Spoil spoils[] = {
      {"deleted", [&] { std::filesystem::remove(config); }},
      // The daemon holds no capability after start-up: mode 000 stops it.
      {"mode 000", [&] { write_config(kFastDrains), chmod(config.c_str(), 0); }},
      {"a directory",
       [&] {
         std::filesystem::remove(config);
         std::filesystem::create_directory(config);
       }},
  };
  for (const Spoil& spoil : spoils) {
    std::filesystem::remove_all(config);
    write_config(kFastDrains);
    spoil.apply();
    kill(daemon_process_->pid(), SIGHUP);
    ASSERT_NE(daemon_process_->await("READY=1"), "") << spoil.what;
    Exposition m = scrape();
    EXPECT_EQ(m.value("execmond_config_last_reload_successful"), 0) << spoil.what;
    EXPECT_EQ(m.value("execmond_config_last_reload_success_timestamp_seconds"), loaded_at)
        << spoil.what;
    // One line: the decision, then the reader's reason naming the file.
    const std::string log = daemon_process_->log();
    const std::size_t line = log.find("reload failed, keeping the running configuration: ");
    ASSERT_NE(line, std::string::npos) << spoil.what << "\n" << log;
    const std::string reason = log.substr(line, log.find('\n', line) - line);
    EXPECT_NE(reason.find(config), std::string::npos) << spoil.what << "\n" << log;
  }
  expect_counted("rld");  // still draining and serving

  std::filesystem::remove_all(config);
  write_config(kFastDrains);
  kill(daemon_process_->pid(), SIGHUP);
  ASSERT_NE(daemon_process_->await("READY=1"), "");
  Exposition m = scrape();
  EXPECT_EQ(m.value("execmond_config_last_reload_successful"), 1);
  EXPECT_GT(m.value("execmond_config_last_reload_success_timestamp_seconds"), loaded_at);
}

TEST_F(FaultsTest, WithoutTracefsTpBtfStillTracesAndTheFallbackSaysWhatIsMissing) {
  auto no_tracefs = [] {
    private_mounts();
    umount2("/sys/kernel/tracing", MNT_DETACH);
    umount2("/sys/kernel/debug/tracing", MNT_DETACH);
    // Where debugfs is mounted, a look at debug/tracing mounts tracefs there
    // again (an automount): debugfs goes too.
    umount2("/sys/kernel/debug", MNT_DETACH);
    if (access("/sys/kernel/debug/tracing/events", F_OK) == 0) _exit(122);
    if (access("/sys/kernel/tracing/events", F_OK) == 0) _exit(121);
  };
  launch_daemon(kFastDrains, {}, no_tracefs);
  EXPECT_NE(daemon_process_->log().find("with tp_btf programs"), std::string::npos)
      << daemon_process_->log();
  expect_counted("ntf");
  daemon_process_->stop(SIGTERM);

  BinaryLaunch tracepoints = binary_launch("tracer:\n  attach_mode: tracepoint\n");
  tracepoints.in_child = no_tracefs;
  daemon_process_ = spawn_daemon(tracepoints);
  const int status = daemon_process_->wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status;
  EXPECT_NE(daemon_process_->log().find("classic tracepoints need tracefs: mount it with"),
            std::string::npos)
      << daemon_process_->log();
}

TEST_F(FaultsTest, NoUsableBtfIsOneLineNamingTheFlag) {
  for (const std::string& btf : {std::string("/dev/null"), std::string("/etc/passwd")}) {
    auto [status, output] = run_shell(std::string(EXECMOND_DAEMON) +
                                      " --web.listen-address=127.0.0.1:0 --btf.path=" + btf);
    EXPECT_EQ(status, 1) << output;
    EXPECT_NE(output.find("level=critical msg=" + btf +
                          " is not BTF (no BTF header): point --btf.path at the running kernel's "
                          "BTF, /sys/kernel/btf/vmlinux"),
              std::string::npos)
        << output;
  }
  auto [status, output] = run_shell(std::string(EXECMOND_DAEMON) +
                                    " --web.listen-address=127.0.0.1:0 --btf.path=/nonexistent");
  EXPECT_EQ(status, 1);
  EXPECT_NE(output.find("kernel BTF not found at /nonexistent"), std::string::npos) << output;
}

TEST_F(FaultsTest, AReadOnlyOrFullTmpMakesNoDifference) {
  auto hostile_tmp = [dir = dir_] {
    private_mounts();
    // The test's directory (config, notify socket) stays reachable through a
    // bind mount, and so does the build tree when it lies under /tmp.
    std::vector<std::string> keep = {dir};
    const std::string build = std::filesystem::path(EXECMOND_DAEMON).parent_path();
    if (build.rfind("/tmp/", 0) == 0) keep.push_back(build);
    std::vector<int> kept;
    for (const std::string& path : keep) kept.push_back(open(path.c_str(), O_PATH | O_DIRECTORY));
    if (std::count(kept.begin(), kept.end(), -1) != 0 ||
        mount("tmpfs", "/tmp", "tmpfs", 0, "size=16k") != 0) {
      _exit(122);
    }
    for (std::size_t i = 0; i < keep.size(); ++i) {
      std::error_code ignored;
      std::filesystem::create_directories(keep[i], ignored);
      if (mount(("/proc/self/fd/" + std::to_string(kept[i])).c_str(), keep[i].c_str(), nullptr,
                MS_BIND, nullptr) != 0) {
        _exit(123);
      }
    }
    // Full, then read-only: nothing can be written to /tmp either way.
    std::FILE* f = std::fopen("/tmp/filler", "w");
    while (f != nullptr && std::fputc('x', f) != EOF && std::fflush(f) == 0) {
    }
    if (f != nullptr) std::fclose(f);
    if (mount(nullptr, "/tmp", nullptr, MS_REMOUNT | MS_RDONLY, nullptr) != 0) _exit(124);
    setenv("TMPDIR", "/tmp", 1);
  };
  launch_daemon(kFastDrains, {}, hostile_tmp);
  expect_counted("rot");
  kill(daemon_process_->pid(), SIGHUP);
  EXPECT_NE(daemon_process_->await("READY=1"), "");
  EXPECT_EQ(scrape().value("execmond_config_last_reload_successful"), 1);
}

TEST_F(FaultsTest, CapabilitiesKeptFollowTheConfiguration) {
  launch_daemon(kFastDrains);
  EXPECT_EQ(effective_capabilities_of(daemon_process_->pid()), 0ULL)
      << "no cgroup names: nothing kept";
  daemon_process_->stop(SIGTERM);
  launch_daemon(std::string(kFastDrains) + "labels:\n  default: [unit]\n");
  EXPECT_EQ(effective_capabilities_of(daemon_process_->pid()), 1ULL << 2) << "CAP_DAC_READ_SEARCH";
}

TEST_F(FaultsTest, DoctorSaysThisHostCanRunExecmond) {
  ASSERT_EQ(ensure_tracefs(), "");
  auto [status, output] = run_shell(std::string(EXECMOND_DAEMON) + " doctor");
  EXPECT_EQ(status, 0) << output;
  for (const char* line :
       {"OK    kernel version", "OK    kernel BTF", "OK    BPF privileges", "OK    tp_btf programs",
        "OK    tracepoint programs", "execmond can run on this host."}) {
    EXPECT_NE(output.find(line), std::string::npos) << line << "\n" << output;
  }
  EXPECT_EQ(output.find("FAIL"), std::string::npos) << output;
}

TEST_F(FaultsTest, DoctorFailsWithoutPrivilegesOrBtf) {
  const passwd* nobody = getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  auto [status, output] = run_shell("setpriv --reuid=" + std::to_string(nobody->pw_uid) +
                                    " --regid=" + std::to_string(nobody->pw_gid) +
                                    " --clear-groups " + EXECMOND_DAEMON + " doctor");
  EXPECT_EQ(status, 1) << output;
  EXPECT_NE(output.find("FAIL  BPF privileges       cannot load BPF programs; fix: missing "
                        "CAP_BPF and CAP_PERFMON"),
            std::string::npos)
      << output;
  std::tie(status, output) =
      run_shell(std::string(EXECMOND_DAEMON) + " doctor --btf.path=/dev/null");
  EXPECT_EQ(status, 1) << output;
  EXPECT_NE(output.find("FAIL  kernel BTF"), std::string::npos) << output;
  EXPECT_NE(output.find("cannot run on this host until the FAIL lines are fixed"),
            std::string::npos);
}

// In the child: bpf() fails with EPERM, as under a container engine's
// default seccomp profile, though the capabilities are there.
void bpf_denied() {
  sock_filter deny_bpf[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_bpf, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog program{static_cast<unsigned short>(std::size(deny_bpf)), deny_bpf};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0) {
    _exit(125);
  }
}

// The kernel floor is 5.13, where CAP_BPF and CAP_PERFMON are what loading
// takes: the hint names those, and no older kernel's CAP_SYS_ADMIN.
TEST_F(FaultsTest, BpfRefusedIsOneLineNamingTheCapabilities) {
  BinaryLaunch launch = binary_launch(kFastDrains);
  launch.in_child = bpf_denied;
  daemon_process_ = spawn_daemon(launch);
  const int status = daemon_process_->wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << status;
  const std::string log = daemon_process_->log();
  EXPECT_NE(log.find("permission denied: run as root or grant CAP_BPF and CAP_PERFMON; the "
                     "verifier's reason is logged at --log.level=debug"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("CAP_SYS_ADMIN"), std::string::npos) << log;
}

}  // namespace
}  // namespace execmond::test
