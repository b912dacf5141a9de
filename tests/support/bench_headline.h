// The figures README.md quotes, made from docs/benchmarks.md's results
// section (the table `make bench` writes) so that the two cannot disagree:
// `make bench` rewrites README's block with readme_headline(), and a unit
// test fails when the block differs from what the results give.
#pragma once

#include <string>
#include <vector>

#include "util/error.h"

namespace execmond::test {

// One row of the results table: | figure | target | execmond | reference | verdict |.
struct BenchRow {
  std::string figure;
  std::string target;
  std::string measured;
  std::string reference;
  std::string verdict;  // "met", "**missed**" or "—"
};

struct BenchResults {
  std::string measured_on;  // "2026-12-04 03:33 UTC on Debian GNU/Linux 12 (…), kernel …"
  std::vector<BenchRow> rows;
};

// The rows between docs/benchmarks.md's bench:results markers.
Result<BenchResults> parse_bench_results(const std::string& benchmarks_md);

// The lines README.md holds between its bench:headline markers: the headline
// rows (start-up, memory, loss, throughput) and every missed target, as
// measured, and which targets were missed.
Result<std::string> readme_headline(const std::string& benchmarks_md);

// `readme` with its bench:headline block replaced by `headline`.
Result<std::string> with_readme_headline(const std::string& readme, const std::string& headline);

// Fails, naming README's first line that differs, unless README.md's block
// is exactly what docs/benchmarks.md gives.
Status check_readme_headline(const std::string& readme, const std::string& benchmarks_md);

}  // namespace execmond::test
