// The tracer's tables as the kernel holds them: the memory each map takes,
// exported as execmond_bpf_map_memory_bytes and planned before loading; and
// an event whose count cannot be stored, counted as lost.
#include "kernel/table_sizes.h"
#include "kernel/tracer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "execmond.h"
#include "kernel/drainer.h"
#include "kernel/kernel_filters.h"
#include "kernel/tracer.h"
#include "traced_test.h"

namespace execmond::test {
namespace {

class TableSizesTest : public TracedTest {};

// The memlock of every BPF map this process holds a descriptor of, by name,
// read straight from fdinfo as bpftool does.
std::map<std::string, std::uint64_t> memlock_of_maps_held() {
  std::map<std::string, std::uint64_t> held;
  DIR* fds = opendir("/proc/self/fd");
  if (fds == nullptr) return held;
  while (dirent* entry = readdir(fds)) {
    const int fd = atoi(entry->d_name);
    std::ifstream fdinfo("/proc/self/fdinfo/" + std::to_string(fd));
    std::string line;
    bool is_map = false;
    std::uint64_t memlock = 0;
    while (std::getline(fdinfo, line)) {
      if (line.rfind("map_type:", 0) == 0) is_map = true;
      if (line.rfind("memlock:", 0) == 0) memlock = std::stoull(line.substr(8));
    }
    bpf_map_info info{};
    std::uint32_t len = sizeof(info);
    if (is_map && bpf_obj_get_info_by_fd(fd, &info, &len) == 0) held[info.name] = memlock;
  }
  closedir(fds);
  return held;
}

TEST_F(TableSizesTest, EveryMapsKernelMemoryIsExportedAndWasPlannedBeforeLoading) {
  Config config = test_config();
  config.max_keys = 65'536;
  config.max_processes = 16'384;
  start_daemon(config);
  const std::map<std::string, std::uint64_t> held = memlock_of_maps_held();
  Exposition m = scrape();
  for (const char* map :
       {"counts_slots", "counts_costs", "counts_values", "counts_keys", "counts_index", "procs",
        "procs_dirty", "procs_seeded", "reap_costs", "lost", "filter_comm", "exe_paths"}) {
    ASSERT_TRUE(held.contains(map)) << map;
    EXPECT_EQ(m.value("execmond_bpf_map_memory_bytes", {{"map", map}}),
              static_cast<double>(held.at(map)))
        << map;
  }
  // What the loader checked against the host before creating the maps is
  // what the kernel took, within each map's header (a page at most).
  const TableSizes plan = plan_tables(tracer_options(config, "/sys/kernel/btf/vmlinux"),
                                      static_cast<std::uint32_t>(libbpf_num_possible_cpus()));
  for (const TableSizes::Map& planned : plan.maps()) {
    const double real = static_cast<double>(held.at(planned.name));
    EXPECT_NEAR(static_cast<double>(planned.bytes), real, 4096 + real * 0.01) << planned.name;
  }
  // counts_values: 16 B a key, per possible CPU and generation, and the header.
  const double values = 2.0 * libbpf_num_possible_cpus() * 65'536 * sizeof(execmond_count_value);
  EXPECT_GE(m.value("execmond_bpf_map_memory_bytes", {{"map", "counts_values"}}), values);
  EXPECT_LT(m.value("execmond_bpf_map_memory_bytes", {{"map", "counts_values"}}), values + 4096);
}

// With the maps the loader sizes, a handler always finds its count's value.
// Here counts_values is cut to one entry: after the first drain flips the
// generation, every value lookup misses, and every event must be counted lost.
TEST_F(TableSizesTest, AnEventWhoseCountCannotBeStoredIsCountedAsLost) {
  Result<std::unique_ptr<Tracer>> loaded =
      Tracer::load(TracerOptions{.max_processes = 4096, .max_keys = 64}, [](bpf_object* object) {
        ASSERT_EQ(
            bpf_map__set_max_entries(bpf_object__find_map_by_name(object, "counts_values"), 1), 0);
      });
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  Tracer& tracer = **loaded;
  const std::string program = workload_as("nval");
  Config only_ours;
  only_ours.include.comm = {comm_of(program)};  // dropped in the kernel: no one else's events
  ASSERT_TRUE(apply_kernel_filters(tracer, compile_kernel_filters(only_ours, "", getpid())).ok());
  Drainer drainer(tracer);
  const DrainResult before = drainer.drain();
  ASSERT_EQ(run(program, {"fork-only", "5"}).size(), 5U);
  const DrainResult after = drainer.drain();
  for (const CountRecord& r : after.counts) EXPECT_NE(r.ids.comm, comm_of(program));
  auto lost = [&](int reason) { return after.lost_total[reason] - before.lost_total[reason]; };
  EXPECT_EQ(lost(EXECMOND_LOST_EXEC_COUNTS_FULL), 1U);
  EXPECT_EQ(lost(EXECMOND_LOST_FORK_COUNTS_FULL), 5U);
  EXPECT_EQ(lost(EXECMOND_LOST_EXIT_COUNTS_FULL), 6U);  // the 5 children and the parent
}

}  // namespace
}  // namespace execmond::test
