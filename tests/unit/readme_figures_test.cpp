// README.md quotes the benchmark figures from docs/benchmarks.md's results
// (bench_headline.h): the block must be exactly what the results give, so a
// figure measured again, or edited by hand on one side only, fails here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "bench_headline.h"

namespace execmond::test {
namespace {

const std::filesystem::path kSource = EXECMOND_SOURCE_DIR;

std::string read_file(const std::filesystem::path& path) {
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  return text.str();
}

// A results section as `make bench` writes it.
const std::string kBenchmarks =
    "# Benchmarks\n\nprose\n\n<!-- bench:results:begin (written by make bench) -->\n\n"
    "Measured 2026-12-04 03:33 UTC on Debian 12, 2 × CPU, with\n\n```sh\nmake bench\n```\n\n"
    "| figure | target | execmond | reference, same run | |\n|---|---|---|---|---|\n"
    "| kernel cost per fork (median) | ≤ 0.5 × bpftrace | 1073 ns (1.09 ×) | bpftrace 981 ns | "
    "**missed** |\n"
    "| spawn throughput attached ÷ detached | ≥ 0.98 | 0.985 | bpftrace 0.971 | met |\n"
    "| events lost, 60 s at the maximum spawn rate (928/s) | 0 | 0 of 167107 events | — | met |\n"
    "| daemon CPU per 1 000 events (same run) | ≤ 2 ms | 0.491 ms | process-exporter | met |\n"
    "| daemon RSS: idle; 10017 series | ≤ 16 MiB at 10 k | 12.2 MiB; 15.2 MiB | — | met |\n"
    "| ground truth vs reported | exact | execs 5000 | — | met |\n"
    "| process start → READY=1 (p50 of 7 starts) | ≤ 300 ms | 225 ms | — | met |\n\n"
    "- a note\n\n<!-- bench:results:end -->\n\n## Soak\n";

std::string readme_with(const std::string& headline) {
  Result<std::string> readme = with_readme_headline(
      "# execmond\n\nintro\n\n<!-- bench:headline:begin (make bench writes this from "
      "docs/benchmarks.md; a unit test fails when they differ) -->\n<!-- bench:headline:end "
      "-->\n\n## Quick start\n",
      headline);
  EXPECT_TRUE(readme) << readme.error().message;
  return readme ? *readme : "";
}

TEST(ReadmeFiguresTest, QuotesTheHeadlineRowsAndNamesTheMissedTargets) {
  Result<std::string> headline = readme_headline(kBenchmarks);
  ASSERT_TRUE(headline) << headline.error().message;
  EXPECT_EQ(*headline,
            "Measured 2026-12-04 03:33 UTC on Debian 12, 2 × CPU ([docs/benchmarks.md]"
            "(docs/benchmarks.md) has every figure and how it is taken):\n\n"
            "| figure | target | execmond | |\n|---|---|---|---|\n"
            "| kernel cost per fork (median) | ≤ 0.5 × bpftrace | 1073 ns (1.09 ×) | **missed** |\n"
            "| spawn throughput attached ÷ detached | ≥ 0.98 | 0.985 | met |\n"
            "| events lost, 60 s at the maximum spawn rate (928/s) | 0 | 0 of 167107 events | "
            "met |\n"
            "| daemon CPU per 1 000 events (same run) | ≤ 2 ms | 0.491 ms | met |\n"
            "| daemon RSS: idle; 10017 series | ≤ 16 MiB at 10 k | 12.2 MiB; 15.2 MiB | met |\n"
            "| process start → READY=1 (p50 of 7 starts) | ≤ 300 ms | 225 ms | met |\n\n"
            "Targets missed in that run, 1 of 7: kernel cost per fork.\n");
}

TEST(ReadmeFiguresTest, AReadmeMadeFromTheResultsPasses) {
  Result<std::string> headline = readme_headline(kBenchmarks);
  ASSERT_TRUE(headline) << headline.error().message;
  Status check = check_readme_headline(readme_with(*headline), kBenchmarks);
  EXPECT_TRUE(check) << check.error().message;
}

TEST(ReadmeFiguresTest, AFigureThatDriftedFailsNamingTheLine) {
  Result<std::string> headline = readme_headline(kBenchmarks);
  ASSERT_TRUE(headline) << headline.error().message;
  std::string drifted = readme_with(*headline);
  drifted.replace(drifted.find("225 ms"), 6, "99 ms");
  Status check = check_readme_headline(drifted, kBenchmarks);
  ASSERT_FALSE(check);
  EXPECT_NE(check.error().message.find("README.md:"), std::string::npos) << check.error().message;
  EXPECT_NE(check.error().message.find("99 ms"), std::string::npos) << check.error().message;

  // Measured again: the same README no longer matches.
  std::string remeasured = kBenchmarks;
  remeasured.replace(remeasured.find("12.2 MiB"), 8, "13.0 MiB");
  EXPECT_FALSE(check_readme_headline(readme_with(*headline), remeasured));
}

TEST(ReadmeFiguresTest, AMissingHeadlineRowOrMarkerIsAnError) {
  std::string partial = kBenchmarks;
  const auto row = partial.find("| daemon RSS");
  partial.erase(row, partial.find('\n', row) + 1 - row);
  Result<std::string> headline = readme_headline(partial);
  ASSERT_FALSE(headline);
  EXPECT_NE(headline.error().message.find("daemon RSS"), std::string::npos);
  EXPECT_FALSE(with_readme_headline("# execmond\n", "x"));
  EXPECT_FALSE(readme_headline("# Benchmarks\n"));
}

// The real files of this tree.
TEST(ReadmeFiguresTest, ReadmeQuotesDocsBenchmarksExactly) {
  Status check = check_readme_headline(read_file(kSource / "README.md"),
                                       read_file(kSource / "docs" / "benchmarks.md"));
  EXPECT_TRUE(check) << check.error().message;
}

}  // namespace
}  // namespace execmond::test
