// OOM kills with the real tracer and a real memory cgroup: a holder touches
// half of a small limit, a bystander a quarter, a trigger then asks for more
// than is left, and the OOM killer chooses the holder (see workload.h for the
// bystander). Victims are counted, never the trigger; a plain kill -9 of the
// holder's program stays "signaled".
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <utility>

#include "execmond.h"
#include "kernel/kernel_btf.h"
#include "memory_cgroup.h"
#include "oom_race.skel.h"
#include "shell.h"
#include "traced_test.h"

namespace execmond::test {
namespace {

// tests/helpers/oom_race.bpf.c, loaded and attached: holds the kernel's
// SIGKILLs back so that OOM victims tend to exit before they are marked; with
// `mark_hold_ns`, holds the mark instead.
class OomRace {
 public:
  explicit OomRace(std::uint64_t mark_hold_ns = 0)
      : skel_(oom_race_bpf__open(), &oom_race_bpf__destroy) {
    if (!skel_) throw std::runtime_error("cannot open oom_race.bpf.c");
    // Longer than a tick: a timer interrupt is pending when the killer lets go,
    // and it takes the killer's CPU before the mark, not the victim's.
    skel_->rodata->delay_ns =
        mark_hold_ns != 0 ? 0 : static_cast<std::uint64_t>(2.5 * scheduler_tick_seconds() * 1e9);
    skel_->rodata->mark_hold_ns = mark_hold_ns;
    skel_->rodata->test_tgid = static_cast<std::uint32_t>(getpid());
    if (oom_race_bpf__load(skel_.get()) != 0) {
      throw std::runtime_error("cannot load oom_race.bpf.c");
    }
    if (oom_race_bpf__attach(skel_.get()) != 0) {
      throw std::runtime_error(std::string("cannot attach oom_race.bpf.c: ") +
                               std::strerror(errno));
    }
  }
  std::uint64_t delayed() const { return __atomic_load_n(&skel_->bss->delayed, __ATOMIC_RELAXED); }
  std::uint64_t exited_before_mark() const {
    return __atomic_load_n(&skel_->bss->exited_before_mark, __ATOMIC_RELAXED);
  }
  std::uint64_t exited_while_marking() const {
    return __atomic_load_n(&skel_->bss->exited_while_marking, __ATOMIC_RELAXED);
  }

 private:
  std::unique_ptr<oom_race_bpf, decltype(&oom_race_bpf__destroy)> skel_;
};

// Since 6.16 the exit tracepoint comes before exit_mm(), in the change that
// gave it group_dead.
bool exit_tracepoint_before_exit_mm() {
  Result<KernelBtf> btf = KernelBtf::open("/sys/kernel/btf/vmlinux");
  return btf && btf->has_member("trace_event_raw_sched_process_exit", "group_dead");
}

double deadline_waits(const Exposition& m) {
  return m.find("execmond_oom_mark_waits_total", {{"outcome", "deadline"}}).value_or(-1);
}

class OomTest : public TracedTest {
 protected:
  // One OOM in a new cgroup under new command names, every count checked
  // exactly. Unless `mark_held` (OomRace's mark_hold_ns), no wait for a mark
  // may reach its deadline; returns the waits that did.
  double oom_round(int round, bool mark_held = false);
};

double OomTest::oom_round(int round, bool mark_held) {
  const double deadline_before = deadline_waits(scrape());
  EXPECT_GE(deadline_before, 0) << "no execmond_oom_mark_waits_total{outcome=\"deadline\"}";
  std::string parent = workload_as("oomp");
  std::string holder = workload_as("oomh");
  std::string trigger = workload_as("oomt");
  std::string bystander = workload_as("oomb");
  MemoryCgroup cgroup("execmond-oom-" + std::to_string(getpid()) + "-" + std::to_string(round));
  EXPECT_EQ(cgroup.limit(40L << 20), "");
  if (HasFailure()) return 0;

  // 20 and 10 MiB held, then 12 MiB asked for in a 40 MiB cgroup.
  Outcomes outcomes =
      run(parent, {"oom-cgroup", holder, trigger, bystander, cgroup.path(), "20", "10", "12"});
  EXPECT_EQ(outcomes["killed signaled SIGKILL"], 1);
  EXPECT_EQ(outcomes["holder signaled SIGKILL"], 1);
  if (HasFailure()) return 0;
  // In the cgroup only the OOM killer sends SIGKILL; the workload ends the
  // spared with SIGTERM. The kernel's race (see workload.h) can also take the
  // bystander and, rarely, the trigger: each is then a victim in its own right.
  std::map<std::string, int> victims;
  for (const auto& [role, path] :
       {std::pair{"holder", holder}, {"bystander", bystander}, {"trigger", trigger}}) {
    const std::string r = role;
    victims[comm_of(path)] = outcomes[r + " signaled SIGKILL"];
    EXPECT_EQ(
        victims[comm_of(path)] + outcomes[r + " signaled SIGTERM"] + outcomes[r + " exited 0"], 1)
        << r;
  }
  EXPECT_EQ(cgroup.oom_kills(),
            victims[comm_of(holder)] + victims[comm_of(bystander)] + victims[comm_of(trigger)]);
  if (HasFailure()) return 0;

  Exposition m = scrape();
  // A wait that ends at its deadline leaves the victim without the mark's
  // scope: oom_mm, set before mark_victim, still makes it oom_killed.
  const double deadline = deadline_waits(m) - deadline_before;
  if (!mark_held) {
    EXPECT_EQ(deadline, 0);
  }
  double unknown_scope = 0;
  // Exact also on kernels from 6.16, where a victim can reach the exit
  // tracepoint before the OOM killer has marked it (see oom_await_mark()):
  // no victim is counted as signaled. The holder's program is also ended by
  // one plain kill -9 below.
  const std::string h = comm_of(holder);
  double kills = 0;
  for (const auto& [comm, killed] : victims) {
    EXPECT_EQ(m.sum("execmond_process_exits_total",
                    {{"comm", comm}, {"reason", "signaled"}, {"code", "SIGKILL"}}),
              comm == h ? 1 : 0)
        << comm;
    EXPECT_EQ(m.sum("execmond_oom_kills_total", {{"comm", comm}}), killed) << comm;
    const double unknown =
        m.sum("execmond_oom_kills_total", {{"comm", comm}, {"scope", "unknown"}});
    EXPECT_EQ(m.sum("execmond_oom_kills_total", {{"comm", comm}, {"scope", "cgroup"}}),
              killed - unknown)
        << comm << ": global "
        << m.sum("execmond_oom_kills_total", {{"comm", comm}, {"scope", "global"}}) << ", unknown "
        << unknown;
    unknown_scope += unknown;
    EXPECT_EQ(m.sum("execmond_process_exits_total", {{"comm", comm}, {"reason", "oom_killed"}}),
              killed)
        << comm;
    kills += m.sum("execmond_oom_kills_total", {{"comm", comm}});
  }
  EXPECT_EQ(kills, cgroup.oom_kills());
  EXPECT_EQ(unknown_scope, deadline);
  // The trigger asked for the memory whose lack killed the holder: never blamed for it.
  const std::string t = comm_of(trigger);
  EXPECT_LE(m.sum("execmond_oom_kills_total", {{"comm", t}}), victims[t]);
  EXPECT_EQ(m.sum("execmond_process_exits_total", {{"comm", t}}), 1);
  EXPECT_EQ(m.sum("execmond_oom_kills_total", {{"comm", comm_of(parent)}}), 0);

  // The plain kill -9 of the holder's program stays signaled.
  EXPECT_EQ(m.sum("execmond_process_exits_total", {{"comm", h}, {"code", "SIGKILL"}}), 2);
  EXPECT_EQ(m.sum("execmond_process_exits_total", {{"comm", h}}), 2);
  EXPECT_EQ(m.sum("execmond_events_lost_total"), 0);
  return deadline;
}

TEST_F(OomTest, VictimsAreCountedAndTheTriggerIsNot) {
  start_daemon();
  oom_round(0);
}

// The race on purpose: with the kernel's SIGKILLs held back, a victim often
// reaches the exit tracepoint before its mark. Rounds until one has, each
// checked exactly. Before 6.16 no victim can: one round without the helper.
TEST_F(OomTest, AVictimThatExitsBeforeItsMarkIsStillOomKilled) {
  if (!exit_tracepoint_before_exit_mm()) {
    start_daemon();
    oom_round(1);  // the kernel marks every victim before its exit is seen
    return;
  }
  // Attached before the daemon, so its exit program runs before execmond's.
  OomRace race;
  start_daemon();
  // From 1 % to 7 % of rounds have raced on the machines measured, at some
  // 100 ms a round: 300 leave a few in 100 of finding none at the lowest.
  // Under a sanitizer the victim's way to its exit is too slow to win the
  // race (none in 300 rounds): there each round is still checked exactly,
  // for fewer rounds, and the race is left to the plain build (make test).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  constexpr int kRounds = 30;
  constexpr bool kRaceExpected = false;
#else
  constexpr int kRounds = 300;
  constexpr bool kRaceExpected = true;
#endif
  int rounds = 0;
  while (rounds < kRounds && race.exited_before_mark() == 0) {
    oom_round(++rounds);
    if (HasFailure()) return;
  }
  std::printf(
      "%d round(s); %llu kernel SIGKILLs held back, %llu victims exited before their mark\n",
      rounds, static_cast<unsigned long long>(race.delayed()),
      static_cast<unsigned long long>(race.exited_before_mark()));
  if (kRaceExpected) {
    EXPECT_GT(race.exited_before_mark(), 0U)
        << "no victim raced its mark in " << kRounds << " rounds";
  }
}

// A victim whose mark comes only after the exit handler's deadline: the
// helper holds the killer in mark_victim (after oom_mm, under the victim's
// task lock) for three deadlines. A victim that exits meanwhile waits until
// the deadline, which execmond_oom_mark_waits_total{outcome="deadline"}
// counts; it stays oom_killed, with scope unknown (checked in oom_round).
// Rounds until a victim has exited while its mark was held. Before 6.16 the
// exit comes after the mark and nothing waits.
TEST_F(OomTest, AWaitThatEndsAtItsDeadlineIsCounted) {
  if (!exit_tracepoint_before_exit_mm()) {
    start_daemon();
    EXPECT_EQ(oom_round(1), 0);
    return;
  }
  OomRace race(3 * EXECMOND_OOM_MARK_WAIT_NS);
  start_daemon();
  constexpr int kRounds = 10;
  double deadline = 0;
  int rounds = 0;
  while (rounds < kRounds && deadline == 0) {
    deadline += oom_round(++rounds, true);
    if (HasFailure()) return;
  }
  std::printf(
      "%d round(s); %llu victims exited while their mark was held, %.0f waits hit the "
      "deadline\n",
      rounds, static_cast<unsigned long long>(race.exited_while_marking()), deadline);
  EXPECT_GT(deadline, 0) << "no wait reached its deadline in " << kRounds << " rounds";
  // Only a victim whose exit came while its mark was held can wait that long.
  EXPECT_LE(deadline, static_cast<double>(race.exited_while_marking()));
}

}  // namespace
}  // namespace execmond::test
