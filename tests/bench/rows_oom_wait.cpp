// What the exit handler's wait for the OOM killer's mark (oom_await_mark() in
// bpf/oom.bpf.h) costs where it could show: a cgroup.kill of many processes
// at once, and SIGKILLs of a process whose task lock a busy /proc reader keeps
// taking. Each beside the same kills without execmond. Per exit, the handler's
// run is timed by tests/helpers/exit_timing.bpf.c (probes attached before and
// after execmond's); the killed processes' own CPU comes from wait4().
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench.h"
#include "bpf_programs.h"
#include "exit_timing.skel.h"
#include "identity/label_resolver.h"

namespace execmond::bench {

namespace {

using test::difference;
using test::loaded_programs;
using test::Programs;
using test::RunTimeStats;

void check(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what + ": " + std::strerror(errno));
}

// A cgroup v2 directory the killed processes live in; removed at the end.
class KillCgroup {
 public:
  KillCgroup()
      : path_(CgroupResolver::find_cgroup2_mount() + "/execmond-bench-kill-" +
              std::to_string(getpid())) {
    check(mkdir(path_.c_str(), 0755) == 0 || errno == EEXIST, "mkdir " + path_);
    struct stat st {};
    check(stat(path_.c_str(), &st) == 0, "stat " + path_);
    id_ = st.st_ino;
  }
  ~KillCgroup() { rmdir(path_.c_str()); }
  KillCgroup(const KillCgroup&) = delete;
  KillCgroup& operator=(const KillCgroup&) = delete;
  const std::string& path() const { return path_; }
  std::uint64_t id() const { return id_; }

 private:
  std::string path_;
  std::uint64_t id_ = 0;
};

// exit_timing.bpf.c, loaded; its two probes are attached around a tracer's.
class ExitTiming {
 public:
  explicit ExitTiming(std::uint64_t cgroup_id)
      : skel_(exit_timing_bpf__open(), &exit_timing_bpf__destroy) {
    if (!skel_) throw std::runtime_error("cannot open exit_timing.bpf.c");
    skel_->rodata->cgroup_id = cgroup_id;
    if (exit_timing_bpf__load(skel_.get()) != 0) {
      throw std::runtime_error("cannot load exit_timing.bpf.c");
    }
  }
  void attach_start() { attach(skel_->progs.exit_started, skel_->links.exit_started); }
  void attach_end() { attach(skel_->progs.exit_ended, skel_->links.exit_ended); }
  std::uint64_t timed() const { return load(skel_->bss->timed); }
  std::uint64_t total_ns() const { return load(skel_->bss->total_ns); }
  std::uint64_t longest_ns() const { return load(skel_->bss->longest_ns); }
  std::uint64_t found_locked() const { return load(skel_->bss->found_locked); }

 private:
  static std::uint64_t load(const __u64& v) { return __atomic_load_n(&v, __ATOMIC_RELAXED); }
  static void attach(bpf_program* prog, bpf_link*& link) {
    link = bpf_program__attach(prog);
    if (link == nullptr) throw std::runtime_error("cannot attach exit_timing.bpf.c");
  }
  std::unique_ptr<exit_timing_bpf, decltype(&exit_timing_bpf__destroy)> skel_;
};

// `n` children that move into the cgroup and pause; returns their pids.
std::vector<pid_t> spawn_paused(const KillCgroup& cgroup, std::size_t n) {
  const int procs = open((cgroup.path() + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
  check(procs >= 0, "open cgroup.procs");
  int ready[2];
  check(pipe2(ready, O_CLOEXEC) == 0, "pipe2");
  std::vector<pid_t> pids;
  for (std::size_t i = 0; i < n; ++i) {
    const pid_t pid = fork();
    check(pid >= 0, "fork");
    if (pid == 0) {
      const bool moved = write(procs, "0", 1) == 1;
      if (write(ready[1], moved ? "+" : "-", 1) != 1 || !moved) _exit(1);
      pause();
      _exit(0);
    }
    pids.push_back(pid);
  }
  close(procs);
  close(ready[1]);
  for (std::size_t got = 0; got < n;) {
    char c = 0;
    check(read(ready[0], &c, 1) == 1 && c == '+', "a child could not join " + cgroup.path());
    ++got;
  }
  close(ready[0]);
  return pids;
}

// The CPU the processes spent in all, as wait4() reports it (their precise runtime).
double reap_cpu_ns(const std::vector<pid_t>& pids) {
  double ns = 0;
  for (pid_t pid : pids) {
    int status = 0;
    rusage usage{};
    check(wait4(pid, &status, 0, &usage) == pid, "wait4");
    ns += (static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e9) +
          (static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e3);
  }
  return ns;
}

// A reader that keeps reading /proc/PID/stat, which takes the task lock
// twice (the ptrace access check, then the mm for the memory figures).
class ProcReader {
 public:
  explicit ProcReader(pid_t pid)
      : fd_(open(("/proc/" + std::to_string(pid) + "/stat").c_str(), O_RDONLY | O_CLOEXEC)) {
    check(fd_ >= 0, "open /proc/PID/stat");
    thread_ = std::thread([this] {
      char buf[4096];
      while (!stop_.load(std::memory_order_relaxed)) {
        if (pread(fd_, buf, sizeof(buf), 0) > 0) reads_.fetch_add(1, std::memory_order_relaxed);
      }
    });
    // Reading before the kill, so that the lock is being taken when it lands.
    while (reads_.load(std::memory_order_relaxed) < 50) std::this_thread::yield();
  }
  ~ProcReader() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  ProcReader(const ProcReader&) = delete;
  ProcReader& operator=(const ProcReader&) = delete;

 private:
  int fd_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> reads_{0};
  std::thread thread_;
};

struct KillFigures {
  std::uint64_t exits = 0;         // timed by exit_timing
  std::uint64_t found_locked = 0;  // of those, exits whose task lock was held
  double handler_ns_sum = 0;       // between the two probes
  double handler_ns_longest = 0;
  double process_cpu_ns = 0;  // the killed processes' own, wait4()
  double bpf_exit_ns = 0;     // execmond's exit program, BPF run statistics
  double waits = 0;           // execmond_oom_mark_waits_total, every outcome
  double deadline_waits = 0;
  double mean_ns() const { return exits != 0 ? handler_ns_sum / static_cast<double>(exits) : 0; }
  double cpu_per_process_ns() const {
    return exits != 0 ? process_cpu_ns / static_cast<double>(exits) : 0;
  }
};

enum class Kill { kCgroupKill, kBusyProcReader };

// One measurement: `n` processes killed the `how` way, with execmond or not.
KillFigures measure_kills(Bench& bench, Kill how, std::size_t n, bool with_execmond) {
  RunTimeStats stats;
  KillCgroup cgroup;
  ExitTiming timing(cgroup.id());
  timing.attach_start();
  std::unique_ptr<test::DaemonProcess> daemon;
  if (with_execmond) daemon = bench.start_execmond();
  timing.attach_end();
  KillFigures out;
  const Programs before = loaded_programs();
  if (how == Kill::kCgroupKill) {
    const std::vector<pid_t> pids = spawn_paused(cgroup, n);
    const int kill_fd = open((cgroup.path() + "/cgroup.kill").c_str(), O_WRONLY | O_CLOEXEC);
    check(kill_fd >= 0 && write(kill_fd, "1", 1) == 1, "cgroup.kill");
    close(kill_fd);
    out.process_cpu_ns = reap_cpu_ns(pids);
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      const std::vector<pid_t> pid = spawn_paused(cgroup, 1);
      ProcReader reader(pid[0]);
      check(kill(pid[0], SIGKILL) == 0, "kill");
      out.process_cpu_ns += reap_cpu_ns(pid);
    }
  }
  for (const auto& [id, gained] : difference(before, loaded_programs())) {
    if (with_execmond && gained.name == "tp_btf_exit") {
      out.bpf_exit_ns += static_cast<double>(gained.run_time_ns);
    }
  }
  out.exits = timing.timed();
  out.found_locked = timing.found_locked();
  out.handler_ns_sum = static_cast<double>(timing.total_ns());
  out.handler_ns_longest = static_cast<double>(timing.longest_ns());
  if (daemon) {
    const std::string waits = "execmond_oom_mark_waits_total";
    test::Exposition m = bench.settled(daemon->port(), waits, {{"outcome", "unlocked"}}, -1);
    out.waits = m.sum(waits);
    out.deadline_waits = m.find(waits, {{"outcome", "deadline"}}).value_or(0);
    daemon->stop(SIGTERM);
  }
  return out;
}

std::string describe(const KillFigures& f) {
  return fixed(f.mean_ns(), 0) + " ns mean, " + fixed(f.handler_ns_longest / 1e3, 1) +
         " µs longest; process CPU " + fixed(f.cpu_per_process_ns() / 1e3, 1) + " µs each";
}

void add_kill_row(Bench& bench, const std::string& what, Kill how, std::size_t n) {
  const KillFigures without = measure_kills(bench, how, n, false);
  const KillFigures with = measure_kills(bench, how, n, true);
  // What execmond adds to each killed process's CPU, beside its exit handler's own run.
  const double added = with.cpu_per_process_ns() - without.cpu_per_process_ns();
  Row row{
      what + ": execmond's exit handler per exit (mean, longest)",
      "longest ≤ the process's own CPU without execmond",
      describe(with) + "; " + fixed(with.waits, 0) + " waits, " + fixed(with.deadline_waits, 0) +
          " at the deadline",
      "without execmond: " + describe(without),
      verdict(with.handler_ns_longest <= without.cpu_per_process_ns() && with.deadline_waits == 0)};
  bench.report().add(row);
  bench.report().note(what + ": " + std::to_string(with.exits) + " exits timed with execmond (" +
                      std::to_string(with.found_locked) + " began with their task lock held), " +
                      std::to_string(without.exits) + " without (" +
                      std::to_string(without.found_locked) + "); BPF run time of tp_btf_exit " +
                      fixed(with.bpf_exit_ns / 1e3, 1) + " µs in all; CPU added per process " +
                      fixed(added / 1e3, 1) + " µs");
}

}  // namespace

void oom_wait_rows(Bench& bench) {
  const auto processes = static_cast<std::size_t>(bench.pick(1000, 100));
  add_kill_row(bench, "cgroup.kill of " + std::to_string(processes) + " processes",
               Kill::kCgroupKill, processes);
  const auto kills = static_cast<std::size_t>(bench.pick(300, 30));
  add_kill_row(bench, std::to_string(kills) + " SIGKILLs under a busy /proc/PID/stat reader",
               Kill::kBusyProcReader, kills);
}

}  // namespace execmond::bench
