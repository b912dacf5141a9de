// Exits whose free the tracer never saw (kernel/reap_sweep.h): entries of the
// real reap_costs map, written here as the exit handler writes them, for a
// process that is gone, a zombie still waiting for its parent, and an exit
// too recent to judge. Only the first is taken, once, with its CPU time as
// read at the exit, and counted as lost.
#include <bpf/bpf.h>
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include "execmond.h"
#include "kernel/drainer.h"
#include "kernel/process_start.h"
#include "kernel/reap_sweep.h"
#include "kernel/tracer.h"
#include "traced_test.h"

namespace execmond::test {
namespace {

constexpr std::uint64_t kSecond = 1'000'000'000ULL;

// A process that has exited: a zombie until `reap()`.
struct Zombie {
  pid_t pid = fork();
  Zombie() {
    if (pid == 0) _exit(0);
    siginfo_t info{};
    waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT);
  }
  void reap() const { waitpid(pid, nullptr, 0); }
  // Its start time as the kernel's start_boottime, to the clock tick /proc shows.
  std::uint64_t start_boottime_ns() const {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream rest(stat.substr(stat.rfind(')') + 2));
    std::string field;
    for (int i = 3; i < 22; ++i) rest >> field;
    std::uint64_t ticks = 0;
    rest >> ticks;
    return ticks * (kSecond / static_cast<std::uint64_t>(sysconf(_SC_CLK_TCK)));
  }
};

execmond_reap_cost waiting_exit(const char* comm, std::uint32_t tgid, std::uint64_t start_ns,
                                std::uint64_t exited_ns) {
  execmond_reap_cost r{};
  std::strncpy(r.key.comm, comm, sizeof(r.key.comm) - 1);
  r.key.kind = EXECMOND_KIND_EXIT;
  r.tgid = tgid;
  r.start_boottime_ns = start_ns;
  r.exited_boottime_ns = exited_ns;
  r.exit_user_ns = 5'000'000;
  r.exit_system_ns = 2'000'000;
  return r;
}

class ReapSweepTest : public TracedTest {};

TEST_F(ReapSweepTest, AGoneProcessWhoseFreeWasNeverSeenIsTakenOnceWithItsExitsCpuTime) {
  TracerOptions options{
      .max_processes = 4096, .max_keys = 1024, .lifetime_buckets = default_lifetime_buckets()};
  options.resources = EXECMOND_RESOURCE_CPU;
  Result<std::unique_ptr<Tracer>> loaded = Tracer::load(options);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  Tracer& tracer = **loaded;
  const int map = tracer.tables().reap_costs;
  Drainer drainer(tracer);
  drainer.drain();

  Zombie gone;
  const std::uint64_t gone_start = gone.start_boottime_ns();
  gone.reap();
  const Zombie waiting;
  const std::uint64_t now = boottime_now_ns();
  const std::uint64_t long_ago = now - 2 * 60 * kSecond;
  // Keys no task_struct can have: the kernel side never touches them.
  const std::uint64_t gone_at = 1, zombie_at = 2, recent_at = 3;
  const execmond_reap_cost entries[] = {
      waiting_exit("ghost", static_cast<std::uint32_t>(gone.pid), gone_start, long_ago),
      waiting_exit("zombie", static_cast<std::uint32_t>(waiting.pid), waiting.start_boottime_ns(),
                   long_ago),
      waiting_exit("recent", static_cast<std::uint32_t>(gone.pid), gone_start, now - kSecond)};
  const std::uint64_t keys[] = {gone_at, zombie_at, recent_at};
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(bpf_map_update_elem(map, &keys[i], &entries[i], BPF_NOEXIST), 0);
  }

  DrainResult d = drainer.drain();
  int ghosts = 0;
  for (const CountRecord& r : d.counts) {
    EXPECT_NE(r.ids.comm, "zombie");
    EXPECT_NE(r.ids.comm, "recent");
    if (r.ids.comm != "ghost") continue;
    ++ghosts;
    EXPECT_EQ(r.kind, EXECMOND_KIND_EXIT);
    EXPECT_EQ(r.count, 0U) << "the exit was counted when it happened";
    EXPECT_EQ(r.cost.cpu_user_ns, 5'000'000U);
    EXPECT_EQ(r.cost.cpu_system_ns, 2'000'000U);
  }
  EXPECT_EQ(ghosts, 1);
  EXPECT_EQ(d.lost_total[EXECMOND_LOST_REAP_NOT_SEEN], 1U);
  execmond_reap_cost left{};
  EXPECT_NE(bpf_map_lookup_elem(map, &gone_at, &left), 0) << "taken";
  EXPECT_EQ(bpf_map_lookup_elem(map, &zombie_at, &left), 0) << "its parent has yet to reap it";
  EXPECT_EQ(bpf_map_lookup_elem(map, &recent_at, &left), 0) << "its free may yet come";
  EXPECT_GE(d.reap_cost_entries, 2U);

  // Taken once: the next drain finds it gone and counts nothing more.
  d = drainer.drain();
  for (const CountRecord& r : d.counts) EXPECT_NE(r.ids.comm, "ghost");
  EXPECT_EQ(d.lost_total[EXECMOND_LOST_REAP_NOT_SEEN], 1U);
  waiting.reap();
}

TEST(ProcessStartedAtTest, AZombieIsShownAPidReusedOrGoneIsNot) {
  const Zombie z;
  const std::uint64_t start = z.start_boottime_ns();
  const auto tgid = static_cast<std::uint32_t>(z.pid);
  EXPECT_TRUE(process_started_at("/proc", tgid, start)) << "a zombie";
  EXPECT_FALSE(process_started_at("/proc", tgid, start + 60 * kSecond))
      << "another process with that pid";
  z.reap();
  EXPECT_FALSE(process_started_at("/proc", tgid, start));
}

}  // namespace
}  // namespace execmond::test
