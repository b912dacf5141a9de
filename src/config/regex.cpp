#include "config/regex.h"

#include "config/config.h"

namespace execmond {

namespace {

// RE2's reason, and for the ECMAScript features it leaves out by design, which one.
std::string why_refused(const RE2& re) {
  // RE2 quotes what it stopped at, up to the rest of the pattern: cut it as
  // quote() cuts values, so the line stays readable.
  constexpr std::size_t kMaxShown = 96;
  std::string why = one_line(re.error().substr(0, kMaxShown));
  if (re.error().size() > kMaxShown) why += "...";
  const std::string& arg = re.error_arg();
  if (re.error_code() == RE2::ErrorBadEscape && arg.size() > 1 && arg[1] >= '1' && arg[1] <= '9') {
    why += ": RE2 has no backreferences";
  } else if (re.error_code() == RE2::ErrorBadPerlOp &&
             (arg == "(?=" || arg == "(?!" || arg == "(?<")) {
    why += ": RE2 has no lookahead or lookbehind";
  }
  return why;
}

}  // namespace

Result<std::shared_ptr<const RE2>> compile_regex(const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);  // the caller reports, once
  options.set_max_mem(kRegexMaxMem);
  auto re = std::make_shared<const RE2>(pattern, options);
  if (!re->ok()) return Error{why_refused(*re)};
  return std::shared_ptr<const RE2>(std::move(re));
}

}  // namespace execmond
