// The command lines of processes that ran before the tracer was loaded:
// filled in from /proc after seeding, hashed as the kernel would, so that
// their exits carry the same id the sink was handed the text of.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "execmond.h"
#include "kernel/cmdline_id.h"
#include "kernel/drainer.h"
#include "kernel/seeded_cmdlines.h"
#include "kernel/tracer.h"
#include "traced_test.h"

namespace execmond::test {
namespace {

class SeededCmdlineTest : public TracedTest {};

TEST_F(SeededCmdlineTest,
       ProcessesRunningBeforeTheTracerGetTheirCommandLinesFromProcAndTheirParent) {
  const std::string h = workload_as("csd");
  std::filesystem::remove(h);
  std::filesystem::create_symlink(EXECMOND_CMDLINE_HOLDER, h);
  auto before = launch(h, {"running", "before the tracer"});
  ASSERT_TRUE(before->await_lines("held", 1));
  std::ifstream in("/proc/" + std::to_string(before->pid()) + "/cmdline", std::ios::binary);
  const std::string shown{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  ASSERT_EQ(shown, h + '\0' + "running" + '\0' + "before the tracer" + '\0');

  TracerOptions options{
      .max_processes = 4096, .max_keys = 1024, .lifetime_buckets = default_lifetime_buckets()};
  options.capture_cmdline = true;
  options.record_parent = true;
  Result<std::unique_ptr<Tracer>> loaded = Tracer::load(options);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  Tracer& tracer = **loaded;
  ASSERT_TRUE(tracer.seed_running_processes().ok());
  std::map<std::uint64_t, std::string> handed;
  Result<SeededCmdlines> filled = fill_seeded_cmdlines(
      tracer, [&handed](const CmdlineRecord& r) { handed[r.id] = std::string(r.args); });
  ASSERT_TRUE(filled.ok()) << filled.error().message;
  const std::uint64_t id = cmdline_id_of(shown, false);
  EXPECT_EQ(handed[id], shown);
  EXPECT_GE(filled->filled, 2U) << "this test and its holder at least";
  EXPECT_GE(filled->filled, handed.size()) << "equal command lines share an id";

  // A second fill finds every entry filled: nothing is handed twice.
  std::map<std::uint64_t, std::string> again;
  Result<SeededCmdlines> refill = fill_seeded_cmdlines(
      tracer, [&again](const CmdlineRecord& r) { again[r.id] = std::string(r.args); });
  ASSERT_TRUE(refill.ok());
  EXPECT_EQ(refill->filled, 0U);
  EXPECT_TRUE(again.empty());

  Drainer drainer(tracer);
  drainer.drain();
  before->close_stdin();
  before->wait();
  std::ifstream comm_file("/proc/self/comm");
  std::string self_comm;
  std::getline(comm_file, self_comm);
  std::uint64_t exits = 0;
  for (const CountRecord& r : drainer.drain().counts) {
    if (r.kind == EXECMOND_KIND_EXIT && r.ids.comm == comm_of(h)) {
      EXPECT_EQ(r.ids.cmdline_id, id);
      // Seeded with the comm of its parent as it was then: this test's.
      EXPECT_EQ(r.ids.parent, self_comm);
      exits += r.count;
    }
  }
  EXPECT_EQ(exits, 1U);
}

}  // namespace
}  // namespace execmond::test
