// Command lines and parents captured by the kernel side, against the real
// tracer and the Drainer: each record's bytes are what /proc/PID/cmdline
// showed of the running process, one record per distinct command line, and
// the exec, exit and fork keys carry the records' ids and the parent's comm.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "execmond.h"
#include "kernel/cmdline_id.h"
#include "kernel/cmdline_ring.h"
#include "kernel/drainer.h"
#include "kernel/tracer.h"
#include "traced_test.h"

namespace execmond::test {
namespace {

struct Captured {
  std::string args;
  bool truncated = false;
};

// What drains handed over: records by id (how many times each came), and the keys.
struct Drained {
  std::map<std::uint64_t, Captured> records;
  std::map<std::uint64_t, int> sent;
  std::vector<CountRecord> counts;
  CmdlineEvents events;

  // Events of `kind` counted under command line `id`.
  std::uint64_t count(std::uint8_t kind, std::uint64_t id) const {
    std::uint64_t n = 0;
    for (const CountRecord& r : counts) {
      if (r.kind == kind && r.ids.cmdline_id == id) n += r.count;
    }
    return n;
  }
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class CmdlineCaptureTest : public ProgramSetTest {
 protected:
  // A tracer with these knobs and its drainer, drained once so that what
  // ran before the test is out of the way.
  void start_drained(bool capture, bool parent) {
    tracer_ = load(capture, parent);
    ASSERT_NE(tracer_, nullptr);
    drainer_ = std::make_unique<Drainer>(*tracer_);
    Drained before;
    drain(*drainer_, before);
  }

  std::unique_ptr<Tracer> load(bool capture, bool parent, std::uint32_t max_bytes = 4096) {
    TracerOptions options{.max_processes = 4096,
                          .max_keys = 1024,
                          .attach_mode = GetParam(),
                          .lifetime_buckets = default_lifetime_buckets()};
    options.capture_cmdline = capture;
    options.record_parent = parent;
    options.cmdline_max_bytes = max_bytes;
    Result<std::unique_ptr<Tracer>> loaded = Tracer::load(options);
    EXPECT_TRUE(loaded.ok()) << loaded.error().message;
    return loaded ? std::move(*loaded) : nullptr;
  }

  // Drains into `into`; a drain right after the tracer's load empties what came before.
  static void drain(Drainer& drainer, Drained& into) {
    drainer.set_cmdline_sink([&into](const CmdlineRecord& r) {
      into.records[r.id] = {std::string(r.args), r.truncated};
      ++into.sent[r.id];
    });
    DrainResult result = drainer.drain();
    EXPECT_TRUE(result.errors.empty()) << result.errors.front().message;
    into.counts.insert(into.counts.end(), result.counts.begin(), result.counts.end());
    into.events = result.cmdline_events;
  }

  // A link to the holder whose file name, hence comm, is unique to this test.
  std::string holder_as(const std::string& role) {
    std::string path = workload_as(role);
    std::filesystem::remove(path);
    std::filesystem::create_symlink(EXECMOND_CMDLINE_HOLDER, path);
    return path;
  }

  // Runs `path` with exactly `argv` (argv[0] included; empty: argc 0) and
  // `env` added to this process's environment.
  static std::unique_ptr<RunningWorkload> start(const std::string& path,
                                                const std::vector<std::string>& argv,
                                                const std::vector<std::string>& env = {}) {
    int in[2];
    int out[2];
    EXPECT_EQ(pipe2(in, O_CLOEXEC), 0);
    EXPECT_EQ(pipe2(out, O_CLOEXEC), 0);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<char*> envp;
    for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      execve(path.c_str(), args.data(), envp.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    return std::make_unique<RunningWorkload>(pid, in[1], out[0]);
  }

  // Runs `argv` until it holds, reads its /proc/PID/cmdline, and lets it exit.
  static std::string run_held(const std::string& path, const std::vector<std::string>& argv,
                              const std::vector<std::string>& env = {}) {
    auto w = start(path, argv, env);
    EXPECT_TRUE(w->await_lines("held", 1));
    std::string shown = read_file("/proc/" + std::to_string(w->pid()) + "/cmdline");
    w->close_stdin();
    w->wait();
    return shown;
  }

  std::unique_ptr<Tracer> tracer_;    // start_drained()'s,
  std::unique_ptr<Drainer> drainer_;  // reading it: destroyed first
};

std::string joined(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) out += a + '\0';
  return out;
}

TEST_P(CmdlineCaptureTest, RecordsAreWhatProcShowsOncePerCommandLineAndKeysCarryTheirIds) {
  ASSERT_NO_FATAL_FAILURE(start_drained(true, false));
  Drainer& drainer = *drainer_;
  Drained d;
  const std::string h = holder_as("cid");
  const std::vector<std::string> one{h, "alpha", "beta gamma", ""};
  const std::vector<std::string> two{h, "alpha"};
  const std::string shown_one = run_held(h, one);
  EXPECT_EQ(run_held(h, one), shown_one);
  const std::string shown_two = run_held(h, two);
  ASSERT_EQ(shown_one, joined(one));
  drain(drainer, d);

  const std::uint64_t id_one = cmdline_id_of(shown_one, false);
  const std::uint64_t id_two = cmdline_id_of(shown_two, false);
  ASSERT_TRUE(d.records.contains(id_one));
  ASSERT_TRUE(d.records.contains(id_two));
  EXPECT_EQ(d.records[id_one].args, shown_one);
  EXPECT_FALSE(d.records[id_one].truncated);
  EXPECT_EQ(d.records[id_two].args, shown_two);
  EXPECT_EQ(d.sent[id_one], 1) << "the second exec of the same command line sends nothing";
  EXPECT_EQ(d.sent[id_two], 1);
  EXPECT_EQ(d.count(EXECMOND_KIND_EXEC, id_one), 2U);
  EXPECT_EQ(d.count(EXECMOND_KIND_EXIT, id_one), 2U);
  EXPECT_EQ(d.count(EXECMOND_KIND_EXEC, id_two), 1U);
  EXPECT_EQ(d.count(EXECMOND_KIND_EXIT, id_two), 1U);
  for (const CountRecord& r : d.counts) {
    if (r.ids.comm == comm_of(h)) {
      EXPECT_NE(r.ids.cmdline_id, 0U);
    }
    EXPECT_EQ(r.ids.parent, "") << "record_parent is off";
  }
}

TEST_P(CmdlineCaptureTest, ForksCarryTheForkingProcesssCommandLineAndTheChildInheritsIt) {
  ASSERT_NO_FATAL_FAILURE(start_drained(true, false));
  Drainer& drainer = *drainer_;
  Drained d;
  const std::string parent = holder_as("cfk");
  const std::string child = holder_as("cfc");
  // The parent forks twice; each child execs `child`: until its exec it runs the parent's line.
  const std::vector<std::string> argv{parent, "forks"};
  auto w = start(parent, argv, {"HOLDER_SPAWN=" + child + ":" + child});
  ASSERT_TRUE(w->await_lines("spawned", 1));
  ASSERT_TRUE(w->await_lines("held", 2));
  w->close_stdin();
  w->wait();
  drain(drainer, d);
  const std::uint64_t parent_id = cmdline_id_of(joined(argv), false);
  const std::uint64_t child_id = cmdline_id_of(joined({child, "spawned"}), false);
  EXPECT_EQ(d.records[parent_id].args, joined(argv));
  EXPECT_EQ(d.records[child_id].args, joined({child, "spawned"}));
  EXPECT_EQ(d.count(EXECMOND_KIND_FORK, parent_id), 2U);
  EXPECT_EQ(d.count(EXECMOND_KIND_EXEC, parent_id), 1U);
  EXPECT_EQ(d.count(EXECMOND_KIND_EXIT, parent_id), 1U);
  EXPECT_EQ(d.count(EXECMOND_KIND_EXEC, child_id), 2U);
  EXPECT_EQ(d.count(EXECMOND_KIND_EXIT, child_id), 2U);
}

TEST_P(CmdlineCaptureTest, AnExecRenamesAndARewrittenArgvKeepsItsExecTimeId) {
  ASSERT_NO_FATAL_FAILURE(start_drained(true, false));
  Drainer& drainer = *drainer_;
  Drained d;
  const std::string wrapper = holder_as("cwr");
  const std::string real = holder_as("crl");
  const std::vector<std::string> wrapped{wrapper, "wrapping"};
  EXPECT_EQ(run_held(wrapper, wrapped, {"HOLDER_EXEC=" + real}), joined({real, "after", "exec"}));
  const std::vector<std::string> rewriting{real, "secret"};
  const std::string rewritten = run_held(real, rewriting, {"HOLDER_REWRITE=1"});
  EXPECT_NE(rewritten, joined(rewriting));
  drain(drainer, d);

  const std::uint64_t wrapper_id = cmdline_id_of(joined(wrapped), false);
  const std::uint64_t real_id = cmdline_id_of(joined({real, "after", "exec"}), false);
  EXPECT_EQ(d.count(EXECMOND_KIND_EXEC, wrapper_id), 1U);
  EXPECT_EQ(d.count(EXECMOND_KIND_EXIT, wrapper_id), 0U) << "the exec renamed it";
  EXPECT_EQ(d.count(EXECMOND_KIND_EXEC, real_id), 1U);
  EXPECT_EQ(d.count(EXECMOND_KIND_EXIT, real_id), 1U);
  const std::uint64_t exec_time_id = cmdline_id_of(joined(rewriting), false);
  EXPECT_EQ(d.records[exec_time_id].args, joined(rewriting));
  EXPECT_EQ(d.count(EXECMOND_KIND_EXIT, exec_time_id), 1U);
  EXPECT_EQ(d.count(EXECMOND_KIND_EXIT, cmdline_id_of(rewritten, false)), 0U);
}

TEST_P(CmdlineCaptureTest, HostileCommandLinesAreCutAtAnArgumentBoundaryAndCounted) {
  auto tracer = load(true, false);
  ASSERT_NE(tracer, nullptr);
  Drainer drainer(*tracer);
  Drained d;
  drain(drainer, d);
  const std::uint64_t truncated_before = d.events.truncated;
  d = {};
  const std::string h = holder_as("chs");
  // 1 MiB of arguments, 1000 bytes each.
  std::vector<std::string> huge{h};
  for (int i = 0; i < 1048; ++i) huge.push_back(std::string(999, static_cast<char>('a' + i % 26)));
  // Thousands of empty arguments.
  std::vector<std::string> empties{h};
  empties.resize(6000);
  // Bytes that are no UTF-8.
  const std::vector<std::string> invalid{h, "\xff\xfe", "ok\xc3", "\x80"};
  const std::string shown_huge = run_held(h, huge);
  const std::string shown_empties = run_held(h, empties);
  const std::string shown_invalid = run_held(h, invalid);
  // argc 0: the kernel makes it one empty argument.
  const std::string shown_none = run_held(h, {});
  drain(drainer, d);

  ASSERT_EQ(shown_huge.size(), 1048U * 1000 + h.size() + 1);
  const KeptCmdline kept = keep_cmdline(shown_huge, 4096);
  ASSERT_TRUE(kept.truncated);
  EXPECT_EQ(kept.args.size(), h.size() + 1 + 4 * 1000U) << "the last whole argument within 4096";
  const std::uint64_t huge_id = cmdline_id_of(kept.args, true);
  ASSERT_TRUE(d.records.contains(huge_id));
  EXPECT_EQ(d.records[huge_id].args, kept.args);
  EXPECT_TRUE(d.records[huge_id].truncated);
  EXPECT_EQ(d.count(EXECMOND_KIND_EXEC, huge_id), 1U);
  EXPECT_EQ(d.count(EXECMOND_KIND_EXIT, huge_id), 1U);

  const KeptCmdline kept_empties = keep_cmdline(shown_empties, 4096);
  ASSERT_TRUE(kept_empties.truncated);
  EXPECT_EQ(kept_empties.args.size(), 4096U);
  const std::uint64_t empties_id = cmdline_id_of(kept_empties.args, true);
  EXPECT_EQ(d.records[empties_id].args, kept_empties.args);
  EXPECT_EQ(d.count(EXECMOND_KIND_EXIT, empties_id), 1U);
  // Other programs on this host may be cut too: at least these two were.
  EXPECT_GE(d.events.truncated - truncated_before, 2U);

  EXPECT_EQ(shown_invalid, joined(invalid));
  const std::uint64_t invalid_id = cmdline_id_of(shown_invalid, false);
  EXPECT_EQ(d.records[invalid_id].args, shown_invalid);
  EXPECT_EQ(d.count(EXECMOND_KIND_EXIT, invalid_id), 1U);

  const std::uint64_t none_id = cmdline_id_of(shown_none, false);
  EXPECT_NE(none_id, 0U);
  EXPECT_EQ(d.records[none_id].args, shown_none);
  EXPECT_EQ(d.count(EXECMOND_KIND_EXEC, none_id), 1U);
  EXPECT_EQ(d.count(EXECMOND_KIND_EXIT, none_id), 1U);
}

TEST_P(CmdlineCaptureTest, AProgramExecdFromADescriptorIsCaptured) {
  ASSERT_NO_FATAL_FAILURE(start_drained(true, false));
  Drainer& drainer = *drainer_;
  Drained d;
  const std::string h = holder_as("cfd");
  const std::string shown = run_held(h, {h, "via", "fd"}, {"HOLDER_EXECVEAT=" + h});
  EXPECT_EQ(shown, joined({"by", "fd"}));
  drain(drainer, d);
  const std::uint64_t id = cmdline_id_of(shown, false);
  EXPECT_EQ(d.records[id].args, shown);
  EXPECT_EQ(d.count(EXECMOND_KIND_EXEC, id), 1U);
  EXPECT_EQ(d.count(EXECMOND_KIND_EXIT, id), 1U);
}

TEST_P(CmdlineCaptureTest, AForgottenIdIsSentAgainAtItsNextExec) {
  auto tracer = load(true, false);
  ASSERT_NE(tracer, nullptr);
  Drainer drainer(*tracer);
  Drained d;
  drain(drainer, d);
  const std::string h = holder_as("cfg");
  const std::vector<std::string> argv{h, "again"};
  const std::uint64_t id = cmdline_id_of(joined(argv), false);
  for (int i = 0; i < 2; ++i) run_held(h, argv);
  d = {};
  drain(drainer, d);
  EXPECT_EQ(d.sent[id], 1);
  run_held(h, argv);
  d = {};
  drain(drainer, d);
  EXPECT_EQ(d.sent.count(id), 0U) << "known: not sent again";
  ASSERT_TRUE(drainer.cmdlines().forget(id).ok());
  ASSERT_TRUE(drainer.cmdlines().forget(id).ok()) << "an id not remembered is fine";
  run_held(h, argv);
  d = {};
  drain(drainer, d);
  EXPECT_EQ(d.sent[id], 1);
  EXPECT_EQ(d.records[id].args, joined(argv));
}

TEST_P(CmdlineCaptureTest, ChildrenCarryTheirParentsCommThroughExecAndExit) {
  auto tracer = load(false, true);
  ASSERT_NE(tracer, nullptr);
  EXPECT_EQ(tracer->cmdline_maps().ring, -1) << "no ring without capture";
  Drainer drainer(*tracer);
  Drained d;
  drain(drainer, d);
  d = {};
  const std::string parent = holder_as("cpa");
  const std::string a = holder_as("cpx");
  const std::string b = holder_as("cpy");
  auto w = start(parent, {parent}, {"HOLDER_SPAWN=" + a + ":" + b + ":" + a});
  ASSERT_TRUE(w->await_lines("spawned", 1));
  ASSERT_TRUE(w->await_lines("held", 3));
  w->close_stdin();
  w->wait();
  drain(drainer, d);
  const std::string comm_text = read_file("/proc/self/comm");
  const std::string self_comm = comm_text.substr(0, comm_text.find('\n'));
  std::map<std::pair<std::uint8_t, std::string>, std::uint64_t> under_parent;
  for (const CountRecord& r : d.counts) {
    EXPECT_EQ(r.ids.cmdline_id, 0U) << "capture is off";
    if (r.ids.parent == comm_of(parent)) under_parent[{r.kind, r.ids.comm}] += r.count;
    if (r.ids.comm == comm_of(parent)) {
      // The parent's own keys carry the comm of what forked it: this test.
      EXPECT_EQ(r.ids.parent, self_comm) << int(r.kind);
    }
  }
  const std::map<std::pair<std::uint8_t, std::string>, std::uint64_t> expected{
      {{EXECMOND_KIND_EXEC, comm_of(a)}, 2},
      {{EXECMOND_KIND_EXEC, comm_of(b)}, 1},
      {{EXECMOND_KIND_EXIT, comm_of(a)}, 2},
      {{EXECMOND_KIND_EXIT, comm_of(b)}, 1}};
  EXPECT_EQ(under_parent, expected);
}

TEST_P(CmdlineCaptureTest, WithTheKnobsOffKeysCarryNeitherAndNoMapIsSized) {
  auto tracer = load(false, false);
  ASSERT_NE(tracer, nullptr);
  EXPECT_FALSE(tracer->tables().keeps_origin);
  const Tracer::CmdlineMaps maps = tracer->cmdline_maps();
  EXPECT_EQ(maps.ring, -1);
  EXPECT_EQ(maps.known, -1);
  EXPECT_EQ(maps.events, -1);
  for (const Tracer::MapMemory& m : tracer->map_memory()) {
    // One entry each (a page of ring): the sizes a loaded map cannot go below.
    if (m.name == "cmdlines") {
      EXPECT_LT(m.bytes, 20'000U);
    }
    if (m.name == "cmdlines_known" || m.name == "procs_origin" || m.name == "counts_origins" ||
        m.name == "cmdline_scratch") {
      EXPECT_LT(m.bytes, 20'000U) << m.name;
    }
  }
  Drainer drainer(*tracer);
  Drained d;
  drain(drainer, d);
  d = {};
  const std::string h = holder_as("cof");
  run_held(h, {h, "quiet"});
  drain(drainer, d);
  EXPECT_TRUE(d.records.empty());
  std::uint64_t ours = 0;
  for (const CountRecord& r : d.counts) {
    EXPECT_EQ(r.ids.cmdline_id, 0U);
    EXPECT_EQ(r.ids.parent, "");
    if (r.ids.comm == comm_of(h)) ours += r.count;
  }
  EXPECT_EQ(ours, 2U);  // its exec and its exit
  EXPECT_EQ(d.events, CmdlineEvents{});
}

INSTANTIATE_TEST_SUITE_P(ProgramSets, CmdlineCaptureTest,
                         ::testing::Values(AttachMode::TpBtf, AttachMode::Tracepoint),
                         [](const auto& param_info) { return to_string(param_info.param); });

}  // namespace
}  // namespace execmond::test
