#include "bench_headline.h"

#include <algorithm>
#include <array>
#include <sstream>
#include <string_view>

namespace execmond::test {

namespace {

constexpr std::string_view kResultsBegin = "<!-- bench:results:begin";
constexpr std::string_view kResultsEnd = "<!-- bench:results:end -->";
constexpr std::string_view kHeadlineBegin =
    "<!-- bench:headline:begin (make bench writes this from docs/benchmarks.md; "
    "a unit test fails when they differ) -->";
constexpr std::string_view kHeadlineEnd = "<!-- bench:headline:end -->";

// The rows README quotes whatever their verdict, by the start of their
// figure; missed rows are quoted too.
constexpr std::array<std::string_view, 5> kHeadlineFigures = {
    "process start → READY=1", "daemon RSS", "events lost", "daemon CPU per 1 000 events",
    "spawn throughput"};

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(' ');
  if (first == std::string_view::npos) return "";
  const auto last = text.find_last_not_of(' ');
  return std::string(text.substr(first, last - first + 1));
}

// "| a | b | c |" as its cells; empty unless it is a table row.
std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  if (line.size() < 2 || line.front() != '|' || line.back() != '|') return out;
  std::size_t start = 1;
  for (std::size_t bar = line.find('|', start); bar != std::string::npos;
       bar = line.find('|', start)) {
    out.push_back(trim(std::string_view(line).substr(start, bar - start)));
    start = bar + 1;
  }
  return out;
}

bool is_headline(const BenchRow& row) {
  return row.verdict == "**missed**" ||
         std::ranges::any_of(kHeadlineFigures, [&](std::string_view figure) {
           return row.figure.starts_with(figure);
         });
}

}  // namespace

Result<BenchResults> parse_bench_results(const std::string& benchmarks_md) {
  const auto begin = benchmarks_md.find(kResultsBegin);
  const auto end = benchmarks_md.find(kResultsEnd);
  if (begin == std::string::npos || end == std::string::npos || end < begin) {
    return Error{"docs/benchmarks.md: no bench:results markers; restore them and run make bench"};
  }
  BenchResults results;
  std::istringstream lines(benchmarks_md.substr(begin, end - begin));
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("Measured ")) {
      results.measured_on = line.substr(9, line.rfind(", with") - 9);
      continue;
    }
    std::vector<std::string> row = cells(line);
    if (row.size() != 5 || row[0] == "figure" || row[0].starts_with("---")) continue;
    results.rows.push_back({row[0], row[1], row[2], row[3], row[4]});
  }
  if (results.measured_on.empty() || results.rows.empty()) {
    return Error{
        "docs/benchmarks.md: the results section has no \"Measured …\" line or no table; "
        "run make bench"};
  }
  return results;
}

Result<std::string> readme_headline(const std::string& benchmarks_md) {
  Result<BenchResults> results = parse_bench_results(benchmarks_md);
  if (!results) return results.error();
  for (std::string_view figure : kHeadlineFigures) {
    if (std::ranges::none_of(results->rows,
                             [&](const BenchRow& row) { return row.figure.starts_with(figure); })) {
      return Error{"docs/benchmarks.md: no results row starts with \"" + std::string(figure) +
                   "\"; run the full make bench, or update kHeadlineFigures in "
                   "tests/support/bench_headline.cpp"};
    }
  }
  std::ostringstream out;
  out << "Measured " << results->measured_on
      << " ([docs/benchmarks.md](docs/benchmarks.md) has every figure and how it is taken):\n\n"
      << "| figure | target | execmond | |\n|---|---|---|---|\n";
  std::vector<std::string> missed;
  int judged = 0;
  for (const BenchRow& row : results->rows) {
    judged += row.verdict == "met" || row.verdict == "**missed**" ? 1 : 0;
    if (!is_headline(row)) continue;
    out << "| " << row.figure << " | " << row.target << " | " << row.measured << " | "
        << row.verdict << " |\n";
    // The figure's name without its parenthesised method.
    if (row.verdict == "**missed**") missed.push_back(row.figure.substr(0, row.figure.find(" (")));
  }
  out << "\n";
  if (missed.empty()) {
    out << "Every one of the " << judged << " targets was met in that run.\n";
  } else {
    out << "Targets missed in that run, " << missed.size() << " of " << judged << ":";
    for (std::size_t i = 0; i < missed.size(); ++i) out << (i == 0 ? " " : "; ") << missed[i];
    out << ".\n";
  }
  return out.str();
}

Result<std::string> with_readme_headline(const std::string& readme, const std::string& headline) {
  const auto begin = readme.find(kHeadlineBegin);
  const auto end = readme.find(kHeadlineEnd);
  if (begin == std::string::npos || end == std::string::npos || end < begin) {
    return Error{"README.md: no bench:headline markers; restore the lines " +
                 std::string(kHeadlineBegin) + " and " + std::string(kHeadlineEnd)};
  }
  return readme.substr(0, begin) + std::string(kHeadlineBegin) + "\n\n" + headline + "\n" +
         readme.substr(end);
}

Status check_readme_headline(const std::string& readme, const std::string& benchmarks_md) {
  Result<std::string> headline = readme_headline(benchmarks_md);
  if (!headline) return headline.error();
  Result<std::string> wanted = with_readme_headline(readme, *headline);
  if (!wanted) return wanted.error();
  if (*wanted == readme) return {};
  std::istringstream have(readme);
  std::istringstream want(*wanted);
  std::string a;
  std::string b;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(have, a));
    const bool more_b = static_cast<bool>(std::getline(want, b));
    if (!more_a && !more_b) break;
    if (a != b || more_a != more_b) {
      return Error{"README.md:" + std::to_string(line) +
                   ": the benchmark figures differ from "
                   "docs/benchmarks.md's: has \"" +
                   (more_a ? a : "") + "\", the results give \"" + (more_b ? b : "") +
                   "\"; run make readme-figures (or make bench)"};
    }
  }
  return Error{"README.md: the benchmark figures differ from docs/benchmarks.md's"};
}

}  // namespace execmond::test
