// Which process it was: the real tracer hands over notable exits of real
// children, and each becomes exactly one record, on GET /exits and in the
// JSON lines file, with its pid, command line, parent, reason, code and a
// peak RSS in line with wait4()'s; ordinary exits get none, unless a
// selector picks them.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "http_client.h"
#include "memory_cgroup.h"
#include "traced_test.h"

namespace execmond::test {
namespace {

using nlohmann::json;

// One child as the workload's "notable" mode reported it.
struct Child {
  int pid = 0;
  long maxrss_kib = 0;
  std::string outcome;  // "signaled SIGSEGV", "dumped SIGSEGV", "exited 1"
};

std::vector<Child> children_of(const Outcomes& outcomes) {
  std::vector<Child> out;
  for (const auto& [line, n] : outcomes) {
    std::istringstream in(line);
    std::string word;
    std::string how;
    std::string what;
    Child c;
    if (!(in >> word >> c.pid) || word != "pid") continue;
    in >> word >> c.maxrss_kib >> how >> what;
    c.outcome = how + " " + what;
    out.push_back(c);
  }
  return out;
}

class ExitRecordsTest : public TracedTest {
 protected:
  Config records_config() {
    Config c = test_config();
    c.records.journal = false;  // no journald here; the system test reads the journal
    c.records.json_file = dir_ + "/exits.jsonl";
    c.resources = {Resource::Cpu, Resource::Memory};
    return c;
  }

  json exits(const std::string& query = "") {
    const HttpResponse r = http_get(daemon_port(), "/exits" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
  }

  // The JSON lines written so far, once at least `n` are (the writer is a thread of its own).
  std::vector<json> json_lines(std::size_t n) {
    std::vector<json> lines;
    for (int tries = 0; tries < 200; ++tries) {
      lines.clear();
      std::ifstream in(dir_ + "/exits.jsonl");
      std::string line;
      while (std::getline(in, line)) lines.push_back(json::parse(line));
      if (lines.size() >= n) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return lines;
  }
};

TEST_F(ExitRecordsTest, EachNotableChildHasExactlyOneRecordAndOrdinaryOnesNone) {
  start_daemon(records_config());
  const std::string path = workload_as("notable");
  const std::string comm = comm_of(path);
  const std::string core_dir = dir_;
  constexpr int kRounds = 4;
  const Outcomes outcomes = run(path, {"notable", std::to_string(kRounds), path, core_dir});
  const std::vector<Child> children = children_of(outcomes);
  ASSERT_EQ(children.size(), 5U * kRounds);
  Exposition m = scrape();

  const json got = exits("?program=" + comm);
  std::map<int, json> by_pid;
  for (const json& r : got["records"]) by_pid[r["pid"].get<int>()] = r;
  int notable = 0;
  for (const Child& c : children) {
    const bool exited = c.outcome.rfind("exited", 0) == 0;
    if (exited) {
      EXPECT_FALSE(by_pid.contains(c.pid)) << c.pid << " " << c.outcome << " has a record";
      continue;
    }
    ++notable;
    ASSERT_TRUE(by_pid.contains(c.pid)) << c.pid << " " << c.outcome << " has no record";
    const json& r = by_pid[c.pid];
    const bool dumped = c.outcome.rfind("dumped", 0) == 0;
    const std::string signal = c.outcome.substr(c.outcome.find(' ') + 1);
    EXPECT_EQ(r["kind"], dumped ? "core_dumped" : "crashed") << r.dump();
    EXPECT_EQ(r["reason"], dumped ? "dumped" : "signaled");
    EXPECT_EQ(r["signal"], signal);
    EXPECT_EQ(r["code"], signal == "SIGSEGV" ? 11 : 6);
    EXPECT_EQ(r["core_dumped"], dumped);
    EXPECT_EQ(r["comm"], comm);
    EXPECT_EQ(r["parent_comm"], comm);  // the workload forked it
    EXPECT_EQ(r["uid"], 0);
    EXPECT_EQ(r["host"], std::string(r["host"]).empty() ? "" : r["host"]);
    const std::vector<std::string> argv{path, "child", dumped ? "dump" : "crash",
                                        signal == "SIGSEGV" ? "11" : "6"};
    std::vector<std::string> want = argv;
    if (dumped) want.push_back(core_dir);
    EXPECT_EQ(r["cmdline"].get<std::vector<std::string>>(), want);
    EXPECT_EQ(r["exe"], std::filesystem::canonical(EXECMOND_WORKLOAD).string());
    // The kernel's maxrss is the wait4() figure, in pages rather than KiB.
    const double peak_kib = r["peak_rss_bytes"].get<double>() / 1024;
    EXPECT_NEAR(peak_kib, static_cast<double>(c.maxrss_kib), 8) << r.dump();
    EXPECT_GT(r["lifetime_seconds"].get<double>(), 0);
    EXPECT_TRUE(r.contains("cpu_user_seconds"));
  }
  EXPECT_EQ(notable, 3 * kRounds);
  EXPECT_EQ(by_pid.size(), static_cast<std::size_t>(notable));
  // Counted: at least these (other programs on the host may crash too), none
  // lost for want of room.
  EXPECT_GE(m.value("execmond_exit_records_total", {{"kind", "crashed"}}), 2 * kRounds);
  EXPECT_GE(m.value("execmond_exit_records_total", {{"kind", "core_dumped"}}), kRounds);
  EXPECT_EQ(m.value("execmond_exit_records_dropped_total", {{"reason", "kernel_buffer_full"}}), 0);
  // The same records in the JSON lines file, in the same order.
  const std::vector<json> lines = json_lines(static_cast<std::size_t>(notable));
  std::vector<int> file_pids;
  for (const json& l : lines) {
    if (l["comm"] == comm) file_pids.push_back(l["pid"].get<int>());
  }
  std::vector<int> ring_pids;
  for (const json& r : got["records"]) ring_pids.push_back(r["pid"].get<int>());
  EXPECT_EQ(file_pids, ring_pids);
}

TEST_F(ExitRecordsTest, EachOomKillInAMemoryCgroupHasARecordWithItsScope) {
  start_daemon(records_config());
  const std::string parent = workload_as("roomp");
  const std::string holder = workload_as("roomh");
  const std::string trigger = workload_as("roomt");
  const std::string bystander = workload_as("roomb");
  MemoryCgroup cgroup("execmond-records-oom-" + std::to_string(getpid()));
  ASSERT_EQ(cgroup.limit(40L << 20), "");
  // 20 and 10 MiB held, then 12 MiB asked for in a 40 MiB cgroup (workload.h).
  Outcomes outcomes =
      run(parent, {"oom-cgroup", holder, trigger, bystander, cgroup.path(), "20", "10", "12"});
  ASSERT_EQ(outcomes["holder signaled SIGKILL"], 1);
  Exposition m = scrape();
  // Every victim, whichever the kernel's race took (see OomTest), and nobody else.
  int records = 0;
  for (const std::string& path : {holder, trigger, bystander, parent}) {
    const json got = exits("?program=" + comm_of(path));  // outlives the loop
    for (const json& r : got["records"]) {
      ++records;
      EXPECT_EQ(r["kind"], "oom_killed") << r.dump();
      EXPECT_EQ(r["reason"], "oom_killed");
      EXPECT_EQ(r["signal"], "SIGKILL");
      EXPECT_EQ(r["oom_scope"], "cgroup");
      EXPECT_EQ(r["parent_comm"], comm_of(parent));
      EXPECT_EQ(r["cmdline"][1], "child");
      // It held at least what it touched before the trigger came.
      if (path == holder) {
        EXPECT_GE(r["peak_rss_bytes"].get<double>(), 20.0 * (1 << 20));
      }
    }
  }
  EXPECT_EQ(records, cgroup.oom_kills()) << exits().dump().substr(0, 4000);
  EXPECT_EQ(m.sum("execmond_oom_kills_total", {{"comm", comm_of(holder)}}),
            exits("?kind=oom_killed&program=" + comm_of(holder))["records"].size());
}

TEST_F(ExitRecordsTest, AFailuresSelectorRecordsTheNonZeroExitsOfItsProgramOnly) {
  Config c = records_config();
  const std::string path = workload_as("failing");
  const std::string comm = comm_of(path);
  c.records.failures_of.comm = {comm};
  start_daemon(c);
  const Outcomes outcomes = run(path, {"notable", "3", path, dir_});
  ASSERT_EQ(children_of(outcomes).size(), 15U);
  Exposition m = scrape();
  std::map<std::string, int> kinds;
  const json all = exits("?program=" + comm);
  for (const json& r : all["records"]) {
    ++kinds[r["kind"].get<std::string>()];
    if (r["kind"] == "failed") {
      EXPECT_EQ(r["reason"], "exited");
      EXPECT_EQ(r["code"], 1);
    }
  }
  EXPECT_EQ(kinds, (std::map<std::string, int>{{"crashed", 6}, {"core_dumped", 3}, {"failed", 3}}))
      << exits("").dump().substr(0, 3000) << m.sum("execmond_exit_records_dropped_total");
  EXPECT_EQ(m.value("execmond_exit_records_total", {{"kind", "failed"}}), 3);
  EXPECT_EQ(m.value("execmond_exit_records_total", {{"kind", "exited"}}), 0);
}

TEST_F(ExitRecordsTest, AnExitsSelectorRecordsEveryExitOfItsProgramOnly) {
  Config c = records_config();
  const std::string path = workload_as("every");
  const std::string other = workload_as("other");
  c.records.exits_of.program = {comm_of(path)};
  start_daemon(c);
  run(path, {"notable", "2", path, dir_});
  run(other, {"notable", "2", other, dir_});
  Exposition m = scrape();
  std::map<std::string, int> kinds;
  const json mine = exits("?program=" + comm_of(path));
  for (const json& r : mine["records"]) ++kinds[r["kind"].get<std::string>()];
  // Exited: the two children that exit 0, and the workload itself, which ran as that program.
  EXPECT_EQ(kinds, (std::map<std::string, int>{
                       {"crashed", 4}, {"core_dumped", 2}, {"failed", 2}, {"exited", 3}}));
  // The other program's ordinary exits were handed over too, and left out.
  std::map<std::string, int> theirs;
  const json others = exits("?program=" + comm_of(other));
  for (const json& r : others["records"]) ++theirs[r["kind"].get<std::string>()];
  EXPECT_EQ(theirs, (std::map<std::string, int>{{"crashed", 4}, {"core_dumped", 2}}));
  EXPECT_GE(m.value("execmond_exit_records_total", {{"kind", "exited"}}), 3);
}

TEST_F(ExitRecordsTest, ACrashStormPastTheRateLimitIsCountedExactly) {
  Config c = records_config();
  c.records.rate_per_second = 0;              // no overall limit: other crashes on the host
  c.records.program_rate_per_second = 0.001;  // cannot crowd this program out; no refill
  c.records.program_burst = 5;                // within the test
  start_daemon(c);
  const std::string path = workload_as("storm");
  constexpr int kRounds = 10;  // 30 notable exits
  run(path, {"notable", std::to_string(kRounds), path, dir_});
  Exposition m = scrape();
  const double dropped = m.value("execmond_exit_records_dropped_total", {{"reason", "rate_limit"}});
  EXPECT_EQ(exits("?program=" + comm_of(path))["records"].size(), 5U);
  EXPECT_EQ(m.value("execmond_exit_records_dropped_total", {{"reason", "kernel_buffer_full"}}), 0);
  // The drops count every program's: exact while no other program crashed meanwhile.
  const json all = exits();
  bool others = false;
  for (const json& r : all["records"]) others = others || r["comm"] != comm_of(path);
  if (others) {
    EXPECT_GE(dropped, 3 * kRounds - 5) << "other programs crashed meanwhile";
  } else {
    EXPECT_EQ(dropped, 3 * kRounds - 5);
  }
}

TEST_F(ExitRecordsTest, RedactedArgumentsAndNoCommandLineWhenTurnedOff) {
  Config c = records_config();
  c.records.redact = {"^[0-9]+$"};
  start_daemon(c);
  const std::string path = workload_as("redact");
  run(path, {"notable", "1", path, dir_});
  scrape();
  const json got = exits("?kind=crashed&program=" + comm_of(path));
  ASSERT_EQ(got["records"].size(), 2U);
  for (const json& r : got["records"]) {
    EXPECT_EQ(r["cmdline"].get<std::vector<std::string>>(),
              (std::vector<std::string>{path, "child", "crash", "***"}));
  }
  daemon_.reset();

  c.records.cmdline = false;
  start_daemon(c);
  run(path, {"notable", "1", path, dir_});
  scrape();
  const json without = exits("?kind=crashed&program=" + comm_of(path));
  ASSERT_EQ(without["records"].size(), 2U);
  for (const json& r : without["records"]) EXPECT_FALSE(r.contains("cmdline")) << r.dump();
}

TEST_F(ExitRecordsTest, TheDaemonsFiltersLeaveOutTheRecordsOfWhatTheyLeaveUncounted) {
  Config c = records_config();
  const std::string kept = workload_as("kept");
  const std::string left = workload_as("leftout");
  c.exclude.comm_regex = {comm_of(left)};  // a regex: applied by the daemon, not the kernel
  start_daemon(c);
  run(kept, {"notable", "1", kept, dir_});
  run(left, {"notable", "1", left, dir_});
  Exposition m = scrape();
  EXPECT_EQ(exits("?program=" + comm_of(kept))["records"].size(), 3U);
  EXPECT_EQ(exits("?program=" + comm_of(left))["records"].size(), 0U);
  EXPECT_EQ(m.sum("execmond_process_exits_total", {{"comm", comm_of(left)}}), 0);
}

TEST_F(ExitRecordsTest, SighupReopensTheJsonFileEvenWhenTheNewConfigIsBad) {
  const std::string file = dir_ + "/exits.jsonl";
  const std::string yaml =
      "tracer:\n  drain_interval: 100ms\nrecords:\n  journal: false\n"
      "  json_file: " +
      file + "\n";
  launch_daemon(yaml);
  const std::string path = workload_as("rotated");
  const std::string comm = comm_of(path);
  auto lines_of = [&](const std::string& name, std::size_t want) {
    std::size_t n = 0;
    for (int tries = 0; tries < 100 && n < want; ++tries) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      n = 0;
      std::ifstream in(name);
      std::string line;
      while (std::getline(in, line)) n += json::parse(line)["comm"] == comm ? 1 : 0;
    }
    return n;
  };
  run(path, {"notable", "1", path, dir_});
  ASSERT_EQ(lines_of(file, 3), 3U);
  std::filesystem::rename(file, file + ".1");  // as logrotate does
  write_config(yaml + "  redact: ['(']\n");    // does not compile: the reload fails
  kill(daemon_process_->pid(), SIGHUP);
  ASSERT_NE(daemon_process_->await("READY=1"), "");
  EXPECT_EQ(scrape().value("execmond_config_last_reload_successful"), 0);
  run(path, {"notable", "1", path, dir_});
  EXPECT_EQ(lines_of(file, 3), 3U) << "the new file holds the records made after the SIGHUP";
  EXPECT_EQ(lines_of(file + ".1", 3), 3U) << "and the rotated one only those before";
}

}  // namespace
}  // namespace execmond::test
