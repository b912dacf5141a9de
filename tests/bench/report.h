// The benchmark's results: one row per figure with its target, execmond's
// measurement and the peers' from the same run; printed as a table and
// written into docs/benchmarks.md between two marker lines, so the prose
// around the results stays as written.
#pragma once

#include <string>
#include <vector>

namespace execmond::bench {

enum class Verdict { kMet, kMissed, kNotMeasured };

struct Row {
  std::string figure;
  std::string target;
  std::string measured;   // execmond
  std::string reference;  // the peers, same run
  Verdict verdict = Verdict::kNotMeasured;
};

class Report {
 public:
  void add(Row row) { rows_.push_back(std::move(row)); }
  // A line of detail printed under the table (raw figures, what was run).
  void note(std::string line) { notes_.push_back(std::move(line)); }

  std::string markdown() const;
  // Replaces what lies between the markers in `path` (or creates the file).
  // Replaces what lies between the section's markers in `path`.
  void write(const std::string& path, const std::string& section, const std::string& machine,
             const std::string& command) const;
  const std::vector<Row>& rows() const { return rows_; }

 private:
  std::vector<Row> rows_;
  std::vector<std::string> notes_;
};

// "met" / "missed" / "—" for a comparison, for rows built inline.
Verdict verdict(bool met);
// Formats with `digits` decimals: fixed(0.51234, 2) == "0.51".
std::string fixed(double value, int digits);
// The median of rounds' figures; 0 for none.
double median(std::vector<double> values);
// The figures with `digits` decimals, space-separated: for a note's rounds.
std::string joined(const std::vector<double>& values, int digits = 3);

}  // namespace execmond::bench
