// A parser for the Prometheus text exposition format 0.0.4, strict enough
// that a scrape the tests accept is one Prometheus would accept too: bad
// names, bad escapes, duplicate series and misplaced HELP/TYPE lines are
// errors, not silently skipped.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace execmond::test {

struct Sample {
  std::string name;  // as written: a histogram gives name_bucket, name_sum, name_count
  std::map<std::string, std::string> labels;  // unescaped; `le` and `quantile` included
  double value;
};

class Exposition {
 public:
  using LabelMap = std::map<std::string, std::string>;

  // Throws std::runtime_error("exposition line N: <why>: <line>") on the first
  // malformed line. Timestamps are validated and dropped.
  static Exposition parse(const std::string& text);

  // The sample with exactly this name and label set; when there is none,
  // throws naming the label sets that do exist.
  double value(const std::string& name, const LabelMap& labels = {}) const;
  std::optional<double> find(const std::string& name, const LabelMap& labels = {}) const;
  // Sum over the samples whose labels include `label_subset`; 0 when none do,
  // as for a counter whose series has not been created yet.
  double sum(const std::string& name, const LabelMap& label_subset = {}) const;
  // All samples with this exact name, in exposition order.
  std::vector<Sample> samples(const std::string& name) const;

  // Unescaped HELP text and TYPE of a family; throw when the line is absent.
  std::string help(const std::string& family) const;
  std::string type(const std::string& family) const;
  bool has_family(const std::string& family) const;  // has a HELP or TYPE line

  const std::vector<Sample>& all() const { return samples_; }

 private:
  std::vector<Sample> samples_;
  LabelMap help_;  // family -> text
  LabelMap type_;  // family -> counter|gauge|histogram|summary|untyped
};

// `{a="1",b="x\"y"}`, escaped as in the exposition; for failure messages.
std::string format_labels(const std::map<std::string, std::string>& labels);

}  // namespace execmond::test
