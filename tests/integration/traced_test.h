// Fixture for the privileged tests: a Daemon with the real tracer loaded into
// the running kernel (in this process, or the real binary), a real HTTP
// listener on 127.0.0.1:0, and the workload program run under unique command
// names so other activity on the host does not touch the series a test
// asserts on.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app/daemon.h"
#include "bpf_required.h"
#include "config/config.h"
#include "daemon_launch.h"
#include "daemon_process.h"
#include "exposition.h"

namespace execmond {
// Readable parameter names in test output.
void PrintTo(AttachMode mode, std::ostream* os);
}  // namespace execmond

namespace execmond::test {

// Empty when this host can load the tracer, else why not.
std::string bpf_unavailable();
// Classic tracepoints are found through tracefs: mounts it where a minimal
// host (or container) has not, as an operator would. Empty, or why not.
std::string ensure_tracefs();

// Lines the workload printed ("exited 7", "signaled SIGKILL"), counted.
using Outcomes = std::map<std::string, int>;

// A running workload whose stdin the test holds; closing it releases `hold` children.
class RunningWorkload {
 public:
  RunningWorkload(pid_t pid, int stdin_fd, int stdout_fd);
  ~RunningWorkload();
  RunningWorkload(const RunningWorkload&) = delete;
  RunningWorkload& operator=(const RunningWorkload&) = delete;
  void close_stdin();
  // Reads the workload's output until `count` lines equal to `line` have
  // come (`hold` children print "held" once exec'd and running), then
  // returns; those lines are not among wait()'s outcomes. False if the
  // output ended first.
  bool await_lines(const std::string& line, int count);
  // Waits for the workload to end; returns its children's outcomes.
  Outcomes wait();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_;
  int stdin_fd_;
  int stdout_fd_;
  std::string unread_;  // read by await_lines() past the lines it waited for
};

// How to start a workload: in which cgroup, as which user, from which directory.
struct LaunchOptions {
  std::string cgroup;  // a directory under the cgroup2 mount to move into
  int uid = -1;        // switch to this uid (and its gid) before exec
  std::string cwd;
};

class TracedTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // In this process. Listen on 127.0.0.1:0; drains happen when a test calls scrape().
  Config test_config() const;
  void start_daemon(Config config);
  void start_daemon() { start_daemon(test_config()); }
  // Reading `yaml` from config_file(), as main() does, so that reload() re-reads it.
  void start_daemon_reading(const std::string& yaml);
  std::string config_file() const { return config_path(dir_); }
  std::string write_config(const std::string& yaml) const { return test::write_config(dir_, yaml); }

  // The real binary on 127.0.0.1:0 with `yaml` as its configuration file and
  // `flags` after; READY=1 awaited. It drains on its own timer.
  void launch_daemon(const std::string& yaml, const std::vector<std::string>& flags = {},
                     const std::function<void()>& in_child = nullptr);
  // The same launch, to change before test::launch_daemon() or spawn_daemon().
  BinaryLaunch binary_launch(const std::string& yaml) const;

  // The port of the daemon this test started, in this process or not.
  std::uint16_t daemon_port() const;
  // Drains what the kernel recorded (in this process), then scrapes /metrics over HTTP.
  Exposition scrape();
  std::string scrape_text();

  // A symlink to the workload whose file name, hence comm, is unique to this test.
  std::string workload_as(const std::string& role);
  static std::string comm_of(const std::string& path);
  // Runs the workload at `path` (from workload_as) to completion.
  Outcomes run(const std::string& path, const std::vector<std::string>& args,
               const LaunchOptions& options = {});
  std::unique_ptr<RunningWorkload> launch(const std::string& path,
                                          const std::vector<std::string>& args,
                                          const LaunchOptions& options = {});

  std::string dir_;
  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<DaemonProcess> daemon_process_;
};

// A TracedTest run once per program set (tp_btf, and the classic tracepoint
// fallback, for which tracefs is mounted): test_config() attaches that set.
class ProgramSetTest : public TracedTest, public ::testing::WithParamInterface<AttachMode> {
 protected:
  void SetUp() override {
    TracedTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (GetParam() == AttachMode::Tracepoint) {
      ASSERT_EQ(ensure_tracefs(), "");
    }
  }
  Config test_config() const {
    Config c = TracedTest::test_config();
    c.attach_mode = GetParam();
    return c;
  }
  void start_daemon(Config c) { TracedTest::start_daemon(std::move(c)); }
  void start_daemon() { start_daemon(test_config()); }
};

// The workload's outcome lines as (reason, code) label pairs.
std::map<std::pair<std::string, std::string>, int> by_reason_code(const Outcomes& outcomes);

}  // namespace execmond::test
