#include "traced_test.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "http_client.h"
#include "kernel/preflight.h"

namespace execmond {
void PrintTo(AttachMode mode, std::ostream* os) { *os << to_string(mode); }
}  // namespace execmond

namespace execmond::test {

std::string bpf_unavailable() {
  if (Status privileges = check_bpf_privileges(); !privileges) return privileges.error().message;
  if (Status btf = check_kernel_btf(); !btf) return btf.error().message;
  return "";
}

std::string ensure_tracefs() {
  if (access("/sys/kernel/tracing/events", F_OK) == 0) return "";
  if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, nullptr) == 0) return "";
  return std::string("cannot mount tracefs: ") + std::strerror(errno);
}

RunningWorkload::RunningWorkload(pid_t pid, int stdin_fd, int stdout_fd)
    : pid_(pid), stdin_fd_(stdin_fd), stdout_fd_(stdout_fd) {}

RunningWorkload::~RunningWorkload() {
  close_stdin();
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

void RunningWorkload::close_stdin() {
  if (stdin_fd_ >= 0) close(stdin_fd_);
  stdin_fd_ = -1;
}

bool RunningWorkload::await_lines(const std::string& line, int count) {
  std::string kept;
  std::string pending = std::move(unread_);
  unread_.clear();
  char buf[4096];
  for (;;) {
    for (std::size_t end = 0; count > 0 && (end = pending.find('\n')) != std::string::npos;) {
      std::string got = pending.substr(0, end);
      pending.erase(0, end + 1);
      if (got == line) {
        --count;
      } else {
        kept += got + "\n";
      }
    }
    if (count == 0) break;
    ssize_t n = read(stdout_fd_, buf, sizeof(buf));
    if (n <= 0) break;
    pending.append(buf, static_cast<size_t>(n));
  }
  unread_ = kept + pending;
  return count == 0;
}

Outcomes RunningWorkload::wait() {
  std::string out = std::move(unread_);
  unread_.clear();
  char buf[4096];
  ssize_t n = 0;
  while ((n = read(stdout_fd_, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "workload failed: " << status;
  Outcomes outcomes;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) ++outcomes[line];
  return outcomes;
}

void TracedTest::SetUp() {
  if (std::string why = bpf_unavailable(); !why.empty()) {
    if (bpf_required()) FAIL() << "EXECMOND_REQUIRE_BPF=1 but BPF is unavailable: " << why;
    GTEST_SKIP() << "BPF unavailable: " << why;
  }
  char tmpl[] = "/tmp/execmond-test-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  dir_ = tmpl;
}

void TracedTest::TearDown() {
  daemon_process_.reset();
  daemon_.reset();
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
}

Config TracedTest::test_config() const {
  Config c;
  c.listen_address = "127.0.0.1:0";
  c.log_level = "warn";
  return c;
}

void TracedTest::start_daemon(Config config) {
  daemon_ = start_daemon_with(dir_, std::move(config));
}

void TracedTest::start_daemon_reading(const std::string& yaml) {
  auto started = test::start_daemon_reading(dir_, yaml);
  ASSERT_TRUE(started) << started.error().message;
  daemon_ = std::move(started).value();
}

BinaryLaunch TracedTest::binary_launch(const std::string& yaml) const {
  BinaryLaunch launch;
  launch.binary = EXECMOND_DAEMON;
  launch.dir = dir_;
  launch.yaml = yaml;
  return launch;
}

void TracedTest::launch_daemon(const std::string& yaml, const std::vector<std::string>& flags,
                               const std::function<void()>& in_child) {
  BinaryLaunch launch = binary_launch(yaml);
  launch.flags = flags;
  launch.in_child = in_child;
  daemon_process_ = test::launch_daemon(launch);
}

std::uint16_t TracedTest::daemon_port() const {
  return daemon_process_ ? daemon_process_->port() : daemon_->port();
}

std::string TracedTest::scrape_text() {
  if (!daemon_process_) daemon_->drain_once();
  HttpResponse r = http_get(daemon_port(), "/metrics");
  EXPECT_EQ(r.status, 200);
  return r.body;
}

Exposition TracedTest::scrape() { return Exposition::parse(scrape_text()); }

std::string TracedTest::workload_as(const std::string& role) {
  static std::atomic<int> counter{0};
  // comm is at most 15 bytes: role (≤4) + pid + counter keeps it unique and short.
  std::string name =
      role.substr(0, 4) + std::to_string(getpid() % 100000) + "x" + std::to_string(counter++);
  std::string path = dir_ + "/" + name.substr(0, 15);
  std::filesystem::create_symlink(EXECMOND_WORKLOAD, path);
  return path;
}

std::string TracedTest::comm_of(const std::string& path) {
  return std::filesystem::path(path).filename().string().substr(0, 15);
}

std::unique_ptr<RunningWorkload> TracedTest::launch(const std::string& path,
                                                    const std::vector<std::string>& args,
                                                    const LaunchOptions& options) {
  int in[2];
  int out[2];
  EXPECT_EQ(pipe2(in, O_CLOEXEC), 0);
  EXPECT_EQ(pipe2(out, O_CLOEXEC), 0);
  std::vector<char*> argv{const_cast<char*>(path.c_str())};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    if (!options.cgroup.empty()) {
      int fd = open((options.cgroup + "/cgroup.procs").c_str(), O_WRONLY);
      if (fd < 0 || write(fd, "0", 1) != 1) _exit(124);
      close(fd);
    }
    if (!options.cwd.empty() && chdir(options.cwd.c_str()) != 0) _exit(125);
    if (options.uid >= 0 && (setgid(static_cast<gid_t>(options.uid)) != 0 ||
                             setuid(static_cast<uid_t>(options.uid)) != 0)) {
      _exit(126);
    }
    execv(path.c_str(), argv.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  return std::make_unique<RunningWorkload>(pid, in[1], out[0]);
}

Outcomes TracedTest::run(const std::string& path, const std::vector<std::string>& args,
                         const LaunchOptions& options) {
  auto w = launch(path, args, options);
  w->close_stdin();
  return w->wait();
}

std::map<std::pair<std::string, std::string>, int> by_reason_code(const Outcomes& outcomes) {
  std::map<std::pair<std::string, std::string>, int> out;
  for (const auto& [line, n] : outcomes) {
    auto space = line.find(' ');
    out[{line.substr(0, space), line.substr(space + 1)}] += n;
  }
  return out;
}

}  // namespace execmond::test
