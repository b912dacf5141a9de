// Seeding with the real tracer: the processes already running when it starts
// are found by the task iterator, and one that exits while the iterator works
// on it is not left alive for good.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "kernel/drainer.h"
#include "kernel/tracer.h"
#include "seed_race.skel.h"
#include "traced_test.h"

namespace execmond::test {
namespace {

// The pids of `parent`'s children.
std::vector<pid_t> children_of(pid_t parent) {
  std::ifstream list("/proc/" + std::to_string(parent) + "/task/" + std::to_string(parent) +
                     "/children");
  std::vector<pid_t> out;
  for (pid_t child = 0; list >> child;) out.push_back(child);
  return out;
}

// How many of `parent`'s children run `comm` (their exec done).
int children_running(pid_t parent, const std::string& comm) {
  int n = 0;
  for (pid_t child : children_of(parent)) {
    std::ifstream name("/proc/" + std::to_string(child) + "/comm");
    std::string line;
    if (std::getline(name, line) && line == comm) ++n;
  }
  return n;
}

bool wait_for_children(pid_t parent, const std::string& comm, int n) {
  for (int attempt = 0; attempt < 5000 && children_running(parent, comm) != n; ++attempt) {
    usleep(1000);
  }
  return children_running(parent, comm) == n;
}

void pin(pid_t tid, int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(tid, sizeof(set), &set) != 0) {
    throw std::runtime_error("cannot pin " + std::to_string(tid) + " to CPU " +
                             std::to_string(cpu));
  }
}

// The first two CPUs this process may run on; empty when it has only one.
std::vector<int> two_cpus() {
  cpu_set_t set;
  std::vector<int> out;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return out;
  for (int cpu = 0; cpu < CPU_SETSIZE && out.size() < 2; ++cpu) {
    if (CPU_ISSET(cpu, &set)) out.push_back(cpu);
  }
  return out.size() == 2 ? out : std::vector<int>{};
}

// [start, end) of the JIT image of the seed_procs program that uses the map `map_fd`.
std::pair<std::uint64_t, std::uint64_t> seed_program_image(int map_fd) {
  bpf_map_info map{};
  std::uint32_t len = sizeof(map);
  if (bpf_obj_get_info_by_fd(map_fd, &map, &len) != 0) throw std::runtime_error("map info");
  for (std::uint32_t id = 0; bpf_prog_get_next_id(id, &id) == 0;) {
    int fd = bpf_prog_get_fd_by_id(id);
    if (fd < 0) continue;
    std::array<std::uint32_t, 64> map_ids{};
    std::uint64_t address = 0;
    std::uint32_t length = 0;
    bpf_prog_info info{};
    info.nr_map_ids = map_ids.size();
    info.map_ids = reinterpret_cast<std::uintptr_t>(map_ids.data());
    info.nr_jited_ksyms = 1;
    info.jited_ksyms = reinterpret_cast<std::uintptr_t>(&address);
    info.nr_jited_func_lens = 1;
    info.jited_func_lens = reinterpret_cast<std::uintptr_t>(&length);
    len = sizeof(info);
    const int got = bpf_obj_get_info_by_fd(fd, &info, &len);
    close(fd);
    if (got != 0 || std::string(info.name) != "seed_procs") continue;
    for (std::uint32_t i = 0; i < std::min<std::uint32_t>(info.nr_map_ids, map_ids.size()); ++i) {
      if (map_ids[i] == map.id && address != 0) return {address, address + length};
    }
  }
  throw std::runtime_error("the tracer's seed_procs program was not found");
}

// tests/helpers/seed_race.bpf.c: holds the seeding thread inside seed_procs
// until the children of `dying_parent` have exited.
class SeedRace {
 public:
  SeedRace() : skel_(seed_race_bpf__open_and_load(), &seed_race_bpf__destroy) {
    if (!skel_) throw std::runtime_error("cannot load seed_race.bpf.c");
    if (seed_race_bpf__attach(skel_.get()) != 0) {
      throw std::runtime_error("cannot attach seed_race.bpf.c");
    }
    // Samples of this thread's CPU time, every 20 µs of it.
    perf_event_attr attr{};
    attr.size = sizeof(attr);
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_CPU_CLOCK;
    attr.sample_period = 20000;
    perf_fd_ =
        static_cast<int>(syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC));
    if (perf_fd_ < 0) throw std::runtime_error("cannot open a CPU-clock perf event");
    link_ = bpf_program__attach_perf_event(skel_->progs.hold_seeder, perf_fd_);
    if (link_ == nullptr) throw std::runtime_error("cannot attach to the perf event");
  }
  ~SeedRace() {
    bpf_link__destroy(link_);
    close(perf_fd_);
  }
  SeedRace(const SeedRace&) = delete;
  SeedRace& operator=(const SeedRace&) = delete;

  void arm(std::pair<std::uint64_t, std::uint64_t> image, pid_t dying_parent, int dying) {
    auto* bss = skel_->bss;
    bss->seed_prog_start = image.first;
    bss->seed_prog_end = image.second;
    bss->dying_parent = static_cast<std::uint32_t>(dying_parent);
    bss->dying_count = static_cast<std::uint32_t>(dying);
    bss->max_hold_ns = 250'000'000;
    bss->exited = 0;
    bss->exited_while_held = 0;
    __atomic_store_n(&bss->held, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&bss->armed, 1, __ATOMIC_SEQ_CST);
  }
  void disarm() { __atomic_store_n(&skel_->bss->armed, 0, __ATOMIC_SEQ_CST); }
  bool held() const { return __atomic_load_n(&skel_->bss->held, __ATOMIC_SEQ_CST) != 0; }
  std::uint32_t exited_while_held() const {
    return __atomic_load_n(&skel_->bss->exited_while_held, __ATOMIC_SEQ_CST);
  }

 private:
  std::unique_ptr<seed_race_bpf, decltype(&seed_race_bpf__destroy)> skel_;
  int perf_fd_ = -1;
  bpf_link* link_ = nullptr;
};

std::uint64_t live_of(const DrainResult& drained, const std::string& comm) {
  std::uint64_t n = 0;
  for (const auto& [ids, count] : drained.live) {
    if (ids.comm == comm) n += count;
  }
  return n;
}

class SeedingTest : public TracedTest {
 protected:
  void SetUp() override {
    TracedTest::SetUp();
    sched_getaffinity(0, sizeof(affinity_), &affinity_);
  }
  // The test pins this thread: the ones after it run where they would have.
  void TearDown() override {
    sched_setaffinity(0, sizeof(affinity_), &affinity_);
    TracedTest::TearDown();
  }
  cpu_set_t affinity_{};
};

// The iterator found each of them alive; they exit before it records them.
TEST_F(SeedingTest, ProcessesExitingWhileSeededAreNotLeftAlive) {
  constexpr int kRounds = 4;
  constexpr int kDying = 300;
  constexpr int kStaying = 5;
  const std::vector<int> cpus = two_cpus();
  ASSERT_EQ(cpus.size(), 2U) << "the race needs two CPUs: the iterator's and the exits'";
  pin(0, cpus[0]);
  SeedRace race;
  std::uint64_t left_alive = 0;
  int staged = 0;  // rounds in which every dying process exited while the iterator was held
  for (int round = 0; round < kRounds; ++round) {
    const std::string staying = workload_as("sstc");
    const std::string dying = workload_as("sdie");
    auto staying_workload =
        launch(workload_as("sstp"), {"hold", staying, std::to_string(kStaying)});
    // Born on the other CPU, and kept there: the held CPU never ran them, so
    // their exits send it nothing to wait for (no TLB shootdown).
    pin(0, cpus[1]);
    auto dying_workload = launch(workload_as("sdip"), {"hold", dying, std::to_string(kDying)});
    pin(0, cpus[0]);
    ASSERT_TRUE(wait_for_children(staying_workload->pid(), comm_of(staying), kStaying));
    ASSERT_TRUE(wait_for_children(dying_workload->pid(), comm_of(dying), kDying));
    // Each says "held" once it runs as the exec'd program: read here, so
    // that what the workloads report at their end is only how they exited.
    ASSERT_TRUE(staying_workload->await_lines("held", kStaying));
    ASSERT_TRUE(dying_workload->await_lines("held", kDying));

    // Loaded after the processes started: only the iterator can find them.
    Result<std::unique_ptr<Tracer>> loaded = Tracer::load(TracerOptions{
        .max_processes = 8192, .max_keys = 1024, .lifetime_buckets = default_lifetime_buckets()});
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    Tracer& tracer = **loaded;
    race.arm(seed_program_image(tracer.tables().procs_seeded), dying_workload->pid(), kDying);
    std::atomic<bool> releasing{false};
    std::atomic<bool> seeded{false};
    // On the other CPU before the iterator starts: the held CPU runs nothing else.
    std::thread release([&] {
      pin(0, cpus[1]);
      releasing = true;
      while (!race.held() && !seeded.load()) {
      }
      dying_workload->close_stdin();
    });
    while (!releasing.load()) usleep(100);
    EXPECT_TRUE(tracer.seed_running_processes().ok());
    seeded = true;
    release.join();
    race.disarm();
    if (race.held() && race.exited_while_held() == kDying) ++staged;
    EXPECT_EQ(dying_workload->wait(), (Outcomes{{"exited 0", kDying}}));

    DrainResult drained = Drainer(tracer).drain();
    left_alive += live_of(drained, comm_of(dying));
    EXPECT_EQ(live_of(drained, comm_of(staying)), static_cast<std::uint64_t>(kStaying));
    staying_workload->close_stdin();
    EXPECT_EQ(staying_workload->wait(), (Outcomes{{"exited 0", kStaying}}));
  }
  EXPECT_EQ(left_alive, 0U) << "exited processes the drain still reports alive";
  // The race was staged, not only attempted.
  EXPECT_GE(staged, kRounds / 2);
}

}  // namespace
}  // namespace execmond::test
