// A command line the cmdlines ring has no room for: counted as lost, its
// exec still counted under its id, and sent again at its next exec instead
// of being remembered as sent.
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "execmond.h"
#include "kernel/cmdline_id.h"
#include "kernel/drainer.h"
#include "kernel/tracer.h"
#include "traced_test.h"

namespace execmond::test {
namespace {

class CmdlineLossTest : public TracedTest {};

TEST_F(CmdlineLossTest, ARecordTheRingCannotHoldIsCountedLostAndTriedAgain) {
  TracerOptions options{
      .max_processes = 4096, .max_keys = 1024, .lifetime_buckets = default_lifetime_buckets()};
  options.capture_cmdline = true;
  options.cmdline_max_bytes = EXECMOND_CMDLINE_MAX;
  // A ring of one page: a record of 8 KiB can never fit, whatever else is in it.
  Result<std::unique_ptr<Tracer>> loaded = Tracer::load(options, [](bpf_object* object) {
    ASSERT_EQ(bpf_map__set_max_entries(bpf_object__find_map_by_name(object, "cmdlines"), 4096), 0);
  });
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  Drainer drainer(**loaded);
  std::vector<std::uint64_t> sent;
  drainer.set_cmdline_sink([&sent](const CmdlineRecord& r) { sent.push_back(r.id); });
  const std::uint64_t lost_before = drainer.drain().cmdline_events.records_lost;

  const std::string h = workload_as("clo");
  std::filesystem::remove(h);
  std::filesystem::create_symlink(EXECMOND_CMDLINE_HOLDER, h);
  const std::vector<std::string> args{std::string(8000, 'q')};
  const std::string bytes = h + '\0' + args[0] + '\0';
  const std::uint64_t id = cmdline_id_of(bytes, false);
  for (int i = 0; i < 2; ++i) {
    auto w = launch(h, args);
    ASSERT_TRUE(w->await_lines("held", 1));
    w->close_stdin();
    w->wait();
  }
  const DrainResult result = drainer.drain();
  EXPECT_EQ(std::count(sent.begin(), sent.end(), id), 0);
  // Both execs tried to send it: it was not remembered as sent after the first.
  EXPECT_GE(result.cmdline_events.records_lost - lost_before, 2U);
  std::uint64_t execs = 0;
  for (const CountRecord& r : result.counts) {
    if (r.kind == EXECMOND_KIND_EXEC && r.ids.cmdline_id == id) execs += r.count;
  }
  EXPECT_EQ(execs, 2U) << "the execs are counted under the id all the same";
}

}  // namespace
}  // namespace execmond::test
