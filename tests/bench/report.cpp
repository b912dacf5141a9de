#include "report.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace execmond::bench {

namespace {

const char* verdict_text(Verdict v) {
  switch (v) {
    case Verdict::kMet:
      return "met";
    case Verdict::kMissed:
      return "**missed**";
    case Verdict::kNotMeasured:
      return "—";
  }
  return "—";
}

const char* command_name(const std::string& section) {
  return section == "soak" ? "make soak" : "make bench";
}

std::string today() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M UTC", std::gmtime(&t));
  return buf;
}

}  // namespace

Verdict verdict(bool met) { return met ? Verdict::kMet : Verdict::kMissed; }

std::string fixed(double value, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, value);
  return buf;
}

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::string joined(const std::vector<double>& values, int digits) {
  std::string s;
  for (double v : values) s += (s.empty() ? "" : " ") + fixed(v, digits);
  return s;
}

std::string Report::markdown() const {
  std::ostringstream out;
  out << "| figure | target | execmond | reference, same run | |\n|---|---|---|---|---|\n";
  for (const Row& r : rows_) {
    out << "| " << r.figure << " | " << r.target << " | " << r.measured << " | " << r.reference
        << " | " << verdict_text(r.verdict) << " |\n";
  }
  if (!notes_.empty()) {
    out << "\n";
    for (const std::string& n : notes_) out << "- " << n << "\n";
  }
  return out.str();
}

void Report::write(const std::string& path, const std::string& section, const std::string& machine,
                   const std::string& command) const {
  // Each section between its own markers: make bench and make soak write apart.
  const std::string kBegin =
      "<!-- bench:" + section + ":begin (written by " + command_name(section) + ") -->";
  const std::string kEnd = "<!-- bench:" + section + ":end -->";
  std::string before = "# Benchmarks\n\n";
  std::string after = "\n";
  if (std::ifstream in(path); in) {
    std::stringstream whole;
    whole << in.rdbuf();
    const std::string text = whole.str();
    auto b = text.find(kBegin);
    auto e = text.find(kEnd);
    if (b == std::string::npos || e == std::string::npos || e < b) {
      throw std::runtime_error(path + " has no results markers; restore the lines " + kBegin +
                               " and " + kEnd);
    }
    before = text.substr(0, b);
    after = text.substr(e + kEnd.size());
  }
  std::ofstream out(path);
  out << before << kBegin << "\n\nMeasured " << today() << " on " << machine << ", with\n\n```sh\n"
      << command << "\n```\n\n"
      << markdown() << "\n"
      << kEnd << after;
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace execmond::bench
