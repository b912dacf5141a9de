// The tables' sizes for a configuration, worked out in 64 bits before any
// map exists, and which configurations the host cannot hold.
#include "kernel/table_sizes.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include "execmond.h"

namespace execmond {
namespace {

constexpr std::uint64_t kGiB = std::uint64_t{1} << 30;
constexpr std::uint64_t kMiB = std::uint64_t{1} << 20;

std::map<std::string, TableSizes::Map> by_name(const TableSizes& t) {
  std::map<std::string, TableSizes::Map> maps;
  for (const TableSizes::Map& m : t.maps()) maps.emplace(m.name, m);
  return maps;
}

TEST(TableSizesTest, CountsValuesGrowAsPossibleCpusTimesKeys) {
  // The figure: 256 CPUs and the largest max_keys, 32 B a key and CPU.
  const TableSizes t = plan_tables(1'048'576, 32'768, 256, true);
  const auto maps = by_name(t);
  EXPECT_EQ(maps.at("counts_values").entries, 536'870'912U);  // 2^29: past 2^32 in bytes
  EXPECT_EQ(maps.at("counts_values").bytes, 8 * kGiB);
  EXPECT_EQ(maps.at("counts_slots").entries, 2U * 2'097'152U);
  EXPECT_EQ(maps.at("counts_slots").bytes, 2U * 2'097'152U * sizeof(execmond_count_slot));
  EXPECT_EQ(maps.at("counts_costs").entries, 2U * 1'048'576U);
  EXPECT_EQ(maps.at("counts_keys").bytes, 2U * 1'048'576U * sizeof(execmond_count_key));
  EXPECT_EQ(maps.at("counts_index").bytes, 2U * 1'048'576U * 8U);  // 4-byte values take 8
  EXPECT_EQ(maps.at("procs").entries, 65'536U);
  EXPECT_EQ(maps.at("procs_dirty").entries, 2U * 256U * 16U);
  EXPECT_EQ(maps.at("procs_seeded").entries, 32'768U);
  EXPECT_EQ(maps.at("reap_costs").entries, 32'768U);  // zombies are processes too
  std::uint64_t sum = 0;
  for (const auto& [name, m] : maps) sum += m.bytes;
  EXPECT_EQ(t.memory_bytes(), sum);
  EXPECT_EQ(maps.size(), 15U);
}

TEST(TableSizesTest, CommandLineMapsAreOneEntryUnlessAKnobIsOn) {
  auto maps = by_name(plan_tables(8192, 32'768, 2, true));
  EXPECT_EQ(maps.at("procs_origin").entries, 1U);
  EXPECT_EQ(maps.at("counts_origins").entries, 1U);
  EXPECT_EQ(maps.at("cmdline_scratch").entries, 1U);
  EXPECT_EQ(maps.at("cmdlines_known").entries, 1U);
  EXPECT_EQ(maps.at("cmdlines").entries, 4096U);

  // The parent alone keeps an origin per procs slot, and needs no ring.
  maps = by_name(plan_tables(8192, 32'768, 2, true, false, true));
  EXPECT_EQ(maps.at("procs_origin").entries, 65'536U);
  EXPECT_EQ(maps.at("procs_origin").bytes, 65'536U * sizeof(execmond_proc_origin));
  // and one per counts slot of both generations, beside the slots' cache lines
  EXPECT_EQ(maps.at("counts_origins").entries, 2U * 16'384U);
  EXPECT_EQ(maps.at("counts_origins").bytes, 2U * 16'384U * sizeof(execmond_proc_origin));
  EXPECT_EQ(maps.at("cmdlines_known").entries, 1U);

  const TableSizes t = plan_tables(8192, 32'768, 2, true, true, false);
  maps = by_name(t);
  EXPECT_EQ(maps.at("procs_origin").entries, 65'536U);
  EXPECT_EQ(maps.at("cmdline_scratch").entries, 2U);  // one record per CPU
  EXPECT_EQ(maps.at("cmdline_scratch").bytes, 2U * sizeof(execmond_cmdline_record));
  EXPECT_EQ(maps.at("cmdlines_known").entries, 16'384U);
  EXPECT_EQ(maps.at("cmdlines").entries, 2 * kMiB);  // 256 B per key
  EXPECT_GT(maps.at("cmdlines").bytes, 2 * kMiB);
  EXPECT_LT(t.memory_bytes(), 32 * kMiB);
}

TEST(TableSizesTest, TheCommandLineRingStaysWithinItsBounds) {
  EXPECT_EQ(by_name(plan_tables(64, 1024, 2, false, true)).at("cmdlines").entries, 256 * 1024U);
  EXPECT_EQ(by_name(plan_tables(1'048'576, 1024, 2, false, true)).at("cmdlines").entries,
            64 * kMiB);
  EXPECT_EQ(by_name(plan_tables(5000, 1024, 2, false, true)).at("cmdlines").entries,
            2 * kMiB);  // a power of two: 1.2 MiB rounds up
}

TEST(TableSizesTest, WithoutResourcesTheCostsMapIsOneEntry) {
  const auto maps = by_name(plan_tables(8192, 32'768, 2, false));
  EXPECT_EQ(maps.at("counts_costs").entries, 1U);
  EXPECT_EQ(maps.at("reap_costs").entries, 1U);
  EXPECT_EQ(maps.at("counts_values").entries, 2U * 2U * 8192U);
}

TEST(TableSizesTest, TheDefaultsFitASmallHost) {
  const TableSizes t = plan_tables(8192, 32'768, 2, true);
  EXPECT_LT(t.memory_bytes(), 24 * kMiB);
  EXPECT_TRUE(check_table_sizes(t, HostMemory{1 * kGiB, 0}).ok());
  EXPECT_TRUE(check_table_sizes(t, HostMemory{0, 0}).ok()) << "nothing known: nothing refused";
}

TEST(TableSizesTest, MoreThanHalfOfTheHostsMemoryIsRefusedWithWhatItNeeds) {
  const TableSizes t = plan_tables(1'048'576, 32'768, 256, true);
  Status refused = check_table_sizes(t, HostMemory{16 * kGiB, 0});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message,
            "tracer.max_keys 1048576 and tracer.max_processes 32768 need " +
                format_bytes(t.memory_bytes()) +
                " of kernel memory on 256 possible CPUs, more than half of this host's memory "
                "(MemTotal 16.0 GiB); lower tracer.max_keys (each key takes 32 B per possible "
                "CPU) or tracer.max_processes");
  EXPECT_EQ(format_bytes(t.memory_bytes()), "8.7 GiB");
  EXPECT_TRUE(check_table_sizes(t, HostMemory{t.memory_bytes() * 2, 0}).ok());
  EXPECT_FALSE(check_table_sizes(t, HostMemory{t.memory_bytes() * 2 - 2, 0}).ok());
}

TEST(TableSizesTest, MoreThanTheDaemonsMemoryCgroupAllowsIsRefused) {
  const TableSizes t = plan_tables(1'048'576, 32'768, 8, false);
  Status refused = check_table_sizes(t, HostMemory{64 * kGiB, 256 * kMiB});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message,
            "tracer.max_keys 1048576 and tracer.max_processes 32768 need " +
                format_bytes(t.memory_bytes()) +
                " of kernel memory on 8 possible CPUs, more than the daemon's memory cgroup "
                "allows (memory.max 256.0 MiB); lower tracer.max_keys (each key takes 32 B per "
                "possible CPU) or tracer.max_processes, or raise MemoryMax");
  EXPECT_TRUE(check_table_sizes(t, HostMemory{64 * kGiB, 4 * kGiB}).ok());
}

// 2 * ncpus * max_keys was a 32-bit product: 4096 CPUs wrapped it to 0.
TEST(TableSizesTest, AMapPastWhatABpfMapIndexesIsRefused) {
  const TableSizes t = plan_tables(1'048'576, 64, 4096, false);
  EXPECT_EQ(by_name(t).at("counts_values").entries, std::uint64_t{1} << 33);
  Status refused = check_table_sizes(t, HostMemory{});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message,
            "tracer.max_keys 1048576 and tracer.max_processes 64 need " +
                format_bytes(t.memory_bytes()) +
                " of kernel memory on 4096 possible CPUs, and map counts_values would need "
                "8589934592 entries, more than a BPF map holds (4294967295); lower "
                "tracer.max_keys (each key takes 32 B per possible CPU) or "
                "tracer.max_processes");
}

// MemTotal is the RAM the kernel manages, which sysinfo() also reports.
TEST(TableSizesTest, TheHostsMemoryIsMemTotal) {
  const HostMemory host = host_memory();
  EXPECT_EQ(host.mem_total, static_cast<std::uint64_t>(sysconf(_SC_PHYS_PAGES)) *
                                static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE)));
}

// A cgroup v2 tree laid out in a temporary directory, as the kernel shows it.
class CgroupTree {
 public:
  CgroupTree() {
    char name[] = "/tmp/execmond_cgroups_XXXXXX";
    if (::mkdtemp(name) == nullptr) throw std::runtime_error("mkdtemp failed");
    root_ = name;
  }
  ~CgroupTree() { std::filesystem::remove_all(root_); }
  CgroupTree(const CgroupTree&) = delete;
  CgroupTree& operator=(const CgroupTree&) = delete;
  void set_max(const std::string& cgroup, const std::string& max) const {
    std::filesystem::create_directories(root_ + cgroup);
    std::ofstream(root_ + cgroup + "/memory.max") << max << "\n";
  }
  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

TEST(TableSizesTest, TheLowestMemoryMaxUpToTheRootLimitsTheTables) {
  CgroupTree tree;
  tree.set_max("/system.slice", "1073741824");
  tree.set_max("/system.slice/execmond.service", "268435456");
  tree.set_max("/system.slice/execmond.service/daemon", "max");
  EXPECT_EQ(lowest_memory_max(tree.root(), "0::/system.slice/execmond.service/daemon\n"),
            256 * kMiB);
  // A hybrid host: the unified line comes after the v1 ones.
  EXPECT_EQ(lowest_memory_max(tree.root(), "4:memory:/x\n1:cpu:/\n0::/system.slice\n"), 1 * kGiB);
  tree.set_max("/user.slice", "max");
  EXPECT_EQ(lowest_memory_max(tree.root(), "0::/user.slice\n"), 0U) << "max everywhere: none";
  EXPECT_EQ(lowest_memory_max(tree.root(), "0::/\n"), 0U);
  EXPECT_EQ(lowest_memory_max(tree.root(), "1:name=systemd:/\n"), 0U) << "no unified hierarchy";
  EXPECT_EQ(lowest_memory_max("", "0::/system.slice\n"), 0U) << "no cgroup2 mount";
}

TEST(TableSizesTest, BytesAreShownInBinaryUnits) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(1023), "1023 B");
  EXPECT_EQ(format_bytes(1024), "1.0 KiB");
  EXPECT_EQ(format_bytes(3 * kMiB / 2), "1.5 MiB");
  EXPECT_EQ(format_bytes(8 * kGiB), "8.0 GiB");
  EXPECT_EQ(format_bytes(std::uint64_t{5} << 40), "5.0 TiB");
}

}  // namespace
}  // namespace execmond
