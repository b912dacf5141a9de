#include "spawn_storm.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace execmond::bench {

namespace {

using Clock = std::chrono::steady_clock;

// Spawns until the budget is used up; runs inside the storm process.
StormResult storm(const StormOptions& options) {
  std::atomic<std::uint64_t> claimed{0};
  std::atomic<std::uint64_t> spawned{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> user_us{0};
  std::atomic<std::uint64_t> system_us{0};
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(options.seconds);
  auto worker = [&] {
    for (;;) {
      const std::uint64_t i = claimed.fetch_add(1);
      if (options.count != 0 ? i >= options.count : Clock::now() >= deadline) return;
      const std::string& program = options.programs[i % options.programs.size()];
      std::vector<char*> argv{const_cast<char*>(program.c_str())};
      for (const std::string& a : options.arguments) argv.push_back(const_cast<char*>(a.c_str()));
      std::string sequence = std::to_string(i);
      if (options.counter_argument) argv.push_back(sequence.data());
      argv.push_back(nullptr);
      pid_t pid = 0;
      int status = 0;
      rusage usage{};
      if (posix_spawn(&pid, program.c_str(), nullptr, nullptr, argv.data(), environ) != 0 ||
          wait4(pid, &status, 0, &usage) != pid || status != 0) {
        failed.fetch_add(1);
        continue;
      }
      spawned.fetch_add(1);
      user_us.fetch_add(static_cast<std::uint64_t>(usage.ru_utime.tv_sec) * 1000000 +
                        static_cast<std::uint64_t>(usage.ru_utime.tv_usec));
      system_us.fetch_add(static_cast<std::uint64_t>(usage.ru_stime.tv_sec) * 1000000 +
                          static_cast<std::uint64_t>(usage.ru_stime.tv_usec));
    }
  };
  std::vector<std::thread> threads;
  for (unsigned w = 0; w < options.workers; ++w) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  StormResult r;
  r.spawned = spawned.load();
  r.failed = failed.load();
  r.children_user_seconds = static_cast<double>(user_us.load()) / 1e6;
  r.children_system_seconds = static_cast<double>(system_us.load()) / 1e6;
  rusage own{};
  getrusage(RUSAGE_SELF, &own);
  r.own_cpu_seconds = static_cast<double>(own.ru_utime.tv_sec + own.ru_stime.tv_sec) +
                      static_cast<double>(own.ru_utime.tv_usec + own.ru_stime.tv_usec) / 1e6;
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return r;
}

}  // namespace

Storm::Storm(const StormOptions& options) {
  if (options.programs.empty() || options.workers == 0) {
    throw std::runtime_error("spawn storm: nothing to spawn");
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("spawn storm: pipe failed");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("spawn storm: fork failed");
  if (pid_ == 0) {
    close(fds[0]);
    prctl(PR_SET_NAME, options.comm.c_str());
    StormResult r = storm(options);
    _exit(write(fds[1], &r, sizeof(r)) == sizeof(r) ? 0 : 1);
  }
  close(fds[1]);
  result_fd_ = fds[0];
}

Storm::~Storm() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (result_fd_ >= 0) close(result_fd_);
}

bool Storm::done() const {
  pollfd p{result_fd_, POLLIN, 0};
  return poll(&p, 1, 0) > 0;
}

StormResult Storm::wait() {
  StormResult r;
  const bool got = read(result_fd_, &r, sizeof(r)) == sizeof(r);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (!got || status != 0) throw std::runtime_error("spawn storm process failed");
  return r;
}

StormResult run_storm(const StormOptions& options) { return Storm(options).wait(); }

}  // namespace execmond::bench
