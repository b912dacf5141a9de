#include "exposition.h"

#include <charconv>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace execmond::test {
namespace {

using LabelMap = Exposition::LabelMap;

bool is_name_start(char c, bool allow_colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
}
bool is_name_char(char c, bool allow_colon) {
  return is_name_start(c, allow_colon) || (c >= '0' && c <= '9');
}

// The format's only escapes; '\0' for anything else, which Prometheus rejects.
char unescape(char escaped, bool allow_quote_escape) {
  switch (escaped) {
    case '\\':
      return '\\';
    case 'n':
      return '\n';
    case '"':
      return allow_quote_escape ? '"' : '\0';
    default:
      return '\0';
  }
}

std::string escape_label_value(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out;
}

// Go's strconv.ParseFloat, which Prometheus uses, takes a leading '+' and
// case-insensitive Inf/NaN; std::from_chars takes all of that but the '+'.
std::optional<double> parse_double(std::string_view text) {
  if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+') {
    text.remove_prefix(1);
  }
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// One line, consumed left to right; every failure names the line.
class LineReader {
 public:
  LineReader(std::string_view line, int number) : line_(line), number_(number) {}

  [[noreturn]] void fail(const std::string& why) const {
    throw std::runtime_error("exposition line " + std::to_string(number_) + ": " + why + ": " +
                             std::string(line_));
  }

  bool at_end() const { return pos_ >= line_.size(); }
  char peek() const { return at_end() ? '\0' : line_[pos_]; }
  void skip_blanks() {
    while (peek() == ' ' || peek() == '\t') ++pos_;
  }
  void expect(char c, const char* what) {
    if (peek() != c) fail(std::string("expected ") + what);
    ++pos_;
  }

  // Metric names may contain ':', label names may not.
  std::string name(bool allow_colon, const char* what) {
    std::size_t start = pos_;
    if (!is_name_start(peek(), allow_colon)) fail(std::string("invalid ") + what);
    while (is_name_char(peek(), allow_colon)) ++pos_;
    return std::string(line_.substr(start, pos_ - start));
  }

  std::string_view token() {
    std::size_t start = pos_;
    while (!at_end() && peek() != ' ' && peek() != '\t') ++pos_;
    return line_.substr(start, pos_ - start);
  }

  // Unescapes up to `terminator` (or the end of line when it is '\0').
  // Label values allow \\ \" \n; HELP text allows only \\ and \n.
  std::string escaped_text(char terminator, bool allow_quote_escape) {
    std::string out;
    for (;;) {
      if (at_end()) {
        if (terminator == '\0') return out;
        fail("unterminated label value");
      }
      char c = line_[pos_++];
      if (c == terminator) return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_end()) fail("backslash at end of line");
      char e = line_[pos_++];
      char plain = unescape(e, allow_quote_escape);
      if (plain == '\0') fail(std::string("invalid escape sequence '\\") + e + "'");
      out += plain;
    }
  }

 private:
  std::string_view line_;
  int number_;
  std::size_t pos_ = 0;
};

// Accumulates the exposition plus what is needed to check ordering rules.
class Parser {
 public:
  std::vector<Sample> samples;
  LabelMap help;
  LabelMap type;

  void line(std::string_view text, int number) {
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    LineReader in(text, number);
    in.skip_blanks();
    if (in.at_end()) return;
    if (in.peek() == '#') {
      comment(in);
    } else {
      sample(in);
    }
  }

 private:
  std::set<std::pair<std::string, LabelMap>> series_;
  std::set<std::string> sample_names_;

  void comment(LineReader& in) {
    in.expect('#', "'#'");
    in.skip_blanks();
    std::string_view keyword = in.token();
    if (keyword != "HELP" && keyword != "TYPE") return;  // a plain comment
    in.skip_blanks();
    std::string family = in.name(true, "metric name");
    if (!in.at_end() && in.peek() != ' ' && in.peek() != '\t') in.fail("invalid metric name");
    in.skip_blanks();
    if (keyword == "HELP") {
      help_line(in, family);
    } else {
      type_line(in, family);
    }
  }

  void help_line(LineReader& in, const std::string& family) {
    if (help.contains(family)) in.fail("second HELP line for " + family);
    help[family] = in.escaped_text('\0', false);
  }

  void type_line(LineReader& in, const std::string& family) {
    static const std::set<std::string_view> kTypes = {"counter", "gauge", "histogram", "summary",
                                                      "untyped"};
    std::string kind(in.token());
    in.skip_blanks();
    if (!kTypes.contains(kind) || !in.at_end()) in.fail("invalid metric type");
    if (type.contains(family)) in.fail("second TYPE line for " + family);
    // The format requires TYPE before the family's first sample.
    for (const char* suffix : {"", "_bucket", "_sum", "_count"}) {
      if (sample_names_.contains(family + suffix)) in.fail("TYPE after samples of " + family);
    }
    type[family] = kind;
  }

  void sample(LineReader& in) {
    Sample s{in.name(true, "metric name"), {}, 0.0};
    if (in.peek() == '{') label_set(in, s.labels);
    if (in.peek() != ' ' && in.peek() != '\t') in.fail("expected a blank before the value");
    in.skip_blanks();
    std::optional<double> v = parse_double(in.token());
    if (!v) in.fail("invalid value");
    s.value = *v;
    timestamp(in);
    check_family_labels(in, s);
    if (!series_.emplace(s.name, s.labels).second) {
      in.fail("duplicate series " + s.name + format_labels(s.labels));
    }
    sample_names_.insert(s.name);
    samples.push_back(std::move(s));
  }

  void label_set(LineReader& in, LabelMap& labels) {
    in.expect('{', "'{'");
    in.skip_blanks();
    while (in.peek() != '}') {
      std::string label = in.name(false, "label name");
      in.skip_blanks();
      in.expect('=', "'=' after label name");
      in.skip_blanks();
      in.expect('"', "'\"' opening label value");
      std::string value = in.escaped_text('"', true);
      if (!labels.emplace(label, std::move(value)).second) in.fail("duplicate label " + label);
      in.skip_blanks();
      if (in.peek() == ',') {  // a trailing comma before '}' is allowed
        in.expect(',', "','");
        in.skip_blanks();
      } else if (in.peek() != '}') {
        in.fail("expected ',' or '}' after label value");
      }
    }
    in.expect('}', "'}'");
  }

  // Optional milliseconds since the epoch; nothing may follow it.
  static void timestamp(LineReader& in) {
    in.skip_blanks();
    if (in.at_end()) return;
    std::string_view text = in.token();
    std::int64_t ms = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (ec != std::errc() || end != text.data() + text.size()) in.fail("invalid timestamp");
    in.skip_blanks();
    if (!in.at_end()) in.fail("unexpected text after timestamp");
  }

  // Buckets and quantiles are meaningless without their bound.
  void check_family_labels(LineReader& in, const Sample& s) const {
    auto typed = [&](std::string_view suffix, const char* kind) {
      if (!s.name.ends_with(suffix)) return false;
      auto it = type.find(s.name.substr(0, s.name.size() - suffix.size()));
      return it != type.end() && it->second == kind;
    };
    if (typed("_bucket", "histogram") && !s.labels.contains("le")) {
      in.fail("histogram bucket without le label");
    }
    if (typed("", "summary") && !s.labels.contains("quantile")) {
      in.fail("summary quantile without quantile label");
    }
  }
};

bool includes(const LabelMap& labels, const LabelMap& subset) {
  for (const auto& [k, v] : subset) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return true;
}

}  // namespace

Exposition Exposition::parse(const std::string& text) {
  Parser parser;
  std::string_view rest = text;
  for (int number = 1; !rest.empty(); ++number) {
    std::size_t eol = rest.find('\n');
    parser.line(rest.substr(0, eol), number);
    rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 1);
  }
  Exposition exp;
  exp.samples_ = std::move(parser.samples);
  exp.help_ = std::move(parser.help);
  exp.type_ = std::move(parser.type);
  return exp;
}

std::optional<double> Exposition::find(const std::string& name, const LabelMap& labels) const {
  for (const Sample& s : samples_) {
    if (s.name == name && s.labels == labels) return s.value;
  }
  return std::nullopt;
}

double Exposition::value(const std::string& name, const LabelMap& labels) const {
  if (auto v = find(name, labels)) return *v;
  std::string msg = "no sample " + name + format_labels(labels);
  std::string existing;
  for (const Sample& s : samples_) {
    if (s.name == name) existing += (existing.empty() ? "" : ", ") + format_labels(s.labels);
  }
  msg += existing.empty() ? "; no samples of that name" : "; " + name + " has " + existing;
  throw std::runtime_error(msg);
}

double Exposition::sum(const std::string& name, const LabelMap& label_subset) const {
  double total = 0;
  for (const Sample& s : samples_) {
    if (s.name == name && includes(s.labels, label_subset)) total += s.value;
  }
  return total;
}

std::vector<Sample> Exposition::samples(const std::string& name) const {
  std::vector<Sample> out;
  for (const Sample& s : samples_) {
    if (s.name == name) out.push_back(s);
  }
  return out;
}

std::string Exposition::help(const std::string& family) const {
  auto it = help_.find(family);
  if (it == help_.end()) throw std::runtime_error("no HELP line for " + family);
  return it->second;
}

std::string Exposition::type(const std::string& family) const {
  auto it = type_.find(family);
  if (it == type_.end()) throw std::runtime_error("no TYPE line for " + family);
  return it->second;
}

bool Exposition::has_family(const std::string& family) const {
  return help_.contains(family) || type_.contains(family);
}

std::string format_labels(const std::map<std::string, std::string>& labels) {
  std::string out = "{";
  for (const auto& [k, v] : labels) {
    if (out.size() > 1) out += ',';
    out += k + "=\"" + escape_label_value(v) + '"';
  }
  return out + "}";
}

}  // namespace execmond::test
