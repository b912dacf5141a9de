// filters: every include and exclude key, the exact message for each invalid
// item, shape or key, and the bounds on regular expressions.
#include "config/config.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <fstream>
#include <sstream>
#include <string>

#include "config/regex.h"
#include "config_test_support.h"

namespace execmond::test {
namespace {

// ---- Filters ----------------------------------------------------------------

TEST(ConfigFilters, EveryKeyOnBothSides) {
  Config config = parse_ok(
      "filters:\n"
      "  exclude_self: true\n"
      "  include:\n"
      "    comm: [nginx, php-fpm, 123456789012345]\n"
      "    comm_regex: [\"^python[0-9.]*$\"]\n"
      "    exe: [/usr/bin/python3.11]\n"
      "    exe_regex: [\"^/usr/lib/.*\"]\n"
      "    unit: [cron.service, \"user@1000.service\"]\n"
      "    cgroup_prefix: [/system.slice/, /]\n"
      "    uid: [0, 1000, 4294967294]\n"
      "  exclude:\n"
      "    comm: [sshd]\n"
      "    comm_regex: [\"kworker/.*\"]\n"
      "    exe: [/usr/sbin/cron]\n"
      "    exe_regex: [\".*/bash\"]\n"
      "    unit: [session-1.scope]\n"
      "    cgroup_prefix: [/user.slice/user-0.slice]\n"
      "    uid: [65534]\n");
  EXPECT_TRUE(config.exclude_self);
  FilterRules include;
  include.comm = {"nginx", "php-fpm", "123456789012345"};
  include.comm_regex = {"^python[0-9.]*$"};
  include.exe = {"/usr/bin/python3.11"};
  include.exe_regex = {"^/usr/lib/.*"};
  include.unit = {"cron.service", "user@1000.service"};
  include.cgroup_prefix = {"/system.slice/", "/"};
  include.uid = {0, 1000, 4294967294u};
  EXPECT_EQ(config.include, include);
  FilterRules exclude;
  exclude.comm = {"sshd"};
  exclude.comm_regex = {"kworker/.*"};
  exclude.exe = {"/usr/sbin/cron"};
  exclude.exe_regex = {".*/bash"};
  exclude.unit = {"session-1.scope"};
  exclude.cgroup_prefix = {"/user.slice/user-0.slice"};
  exclude.uid = {65534};
  EXPECT_EQ(config.exclude, exclude);
  // Labels and cardinality are untouched.
  expect_same(config, [&] {
    Config expected;
    expected.exclude_self = true;
    expected.include = include;
    expected.exclude = exclude;
    return expected;
  }());
}

TEST(ConfigFilters, EmptyListsAndMapsMatchNothing) {
  Config config = parse_ok(
      "filters:\n  include:\n    comm: []\n    uid: []\n  exclude: {}\n  exclude_self: false\n");
  EXPECT_TRUE(config.include.empty());
  EXPECT_TRUE(config.exclude.empty());
  EXPECT_FALSE(config.exclude_self);
}

TEST(ConfigFilters, Empty) {
  FilterRules rules;
  EXPECT_TRUE(rules.empty());
  using Fill = void (*)(FilterRules&);
  for (Fill fill :
       {+[](FilterRules& r) { r.comm = {"a"}; }, +[](FilterRules& r) { r.comm_regex = {"a"}; },
        +[](FilterRules& r) { r.exe = {"/a"}; }, +[](FilterRules& r) { r.exe_regex = {"a"}; },
        +[](FilterRules& r) { r.unit = {"a.service"}; },
        +[](FilterRules& r) { r.cgroup_prefix = {"/"}; }, +[](FilterRules& r) { r.uid = {0}; }}) {
    FilterRules filled;
    fill(filled);
    EXPECT_FALSE(filled.empty());
  }
}

// What RE2 says about a pattern it refuses; the message quotes it, and its
// wording is RE2's, not ours.
std::string regex_what(const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(kRegexMaxMem);
  RE2 compiled(pattern, options);
  EXPECT_FALSE(compiled.ok()) << pattern << " compiles";
  return compiled.error();
}

std::string filter_error(const std::string& side, const std::string& key, const std::string& list) {
  return parse_error("filters:\n  " + side + ":\n    " + key + ": " + list + "\n");
}

TEST(ConfigFilters, InvalidItems) {
  constexpr const char* kComm =
      "; use command names of 1 to 15 bytes, as the kernel keeps them (e.g. [nginx, sshd])";
  constexpr const char* kCommRegex = "; use up to 64 patterns in RE2 syntax, e.g. ^python[0-9.]*$";
  constexpr const char* kExe =
      "; use absolute paths without empty, \".\" or \"..\" parts, as the kernel reports them "
      "(e.g. [/usr/bin/python3.11])";
  constexpr const char* kExeRegex =
      "; use up to 64 patterns in RE2 syntax that match the whole path, e.g. ^/usr/lib/.*$";
  constexpr const char* kUnit =
      "; use systemd unit names without \"/\" (e.g. [cron.service, session-1.scope])";
  constexpr const char* kCgroup =
      "; use cgroup path prefixes that start with \"/\" (e.g. [/system.slice/])";
  constexpr const char* kUid = "; use integers from 0 to 4294967294 (e.g. [0, 1000])";
  struct Case {
    const char* key;
    std::string list;
    std::string message;
    const char* allowed;
  };
  const Case cases[] = {
      {"comm", "[nginx, 1234567890123456]", "comm[1]: \"1234567890123456\" is 16 bytes long",
       kComm},
      {"comm", "[\"\"]", "comm[0]: \"\" is empty", kComm},
      {"comm", "[\"a\\0b\"]", "comm[0]: \"a\\x00b\" has a NUL byte", kComm},
      {"comm_regex", "[\"(\"]",
       "comm_regex[0]: \"(\" is not a valid regular expression (" + regex_what("(") + ")",
       kCommRegex},
      {"comm_regex", "[ok, \"[a-\"]",
       "comm_regex[1]: \"[a-\" is not a valid regular expression (" + regex_what("[a-") + ")",
       kCommRegex},
      {"comm_regex", "[\"\"]", "comm_regex[0]: \"\" is empty", kCommRegex},
      {"comm_regex", "[\"(a)\\\\1\"]",
       "comm_regex[0]: \"(a)\\\\1\" is not a valid regular expression (invalid escape sequence: "
       "\\1: RE2 has no backreferences)",
       kCommRegex},
      {"exe_regex", "[\"/usr/(?!lib)\"]",
       "exe_regex[0]: \"/usr/(?!lib)\" is not a valid regular expression (invalid perl operator: "
       "(?!: RE2 has no lookahead or lookbehind)",
       kExeRegex},
      {"exe_regex", "[\"a{2,1}\"]",
       "exe_regex[0]: \"a{2,1}\" is not a valid regular expression (" + regex_what("a{2,1}") + ")",
       kExeRegex},
      {"exe", "[python3]", "exe[0]: \"python3\" is not an absolute path", kExe},
      {"exe", "[\"\"]", "exe[0]: \"\" is not an absolute path", kExe},
      {"exe", "[/usr/bin/]", "exe[0]: \"/usr/bin/\" has an empty, \".\" or \"..\" part", kExe},
      {"exe", "[/usr//bin/x]", "exe[0]: \"/usr//bin/x\" has an empty, \".\" or \"..\" part", kExe},
      {"exe", "[/usr/bin/../x]", "exe[0]: \"/usr/bin/../x\" has an empty, \".\" or \"..\" part",
       kExe},
      {"exe", "[/./x]", "exe[0]: \"/./x\" has an empty, \".\" or \"..\" part", kExe},
      {"exe", "[/]", "exe[0]: \"/\" has an empty, \".\" or \"..\" part", kExe},
      {"unit", "[system.slice/cron.service]", "unit[0]: \"system.slice/cron.service\" has a \"/\"",
       kUnit},
      {"unit", "[\"\"]", "unit[0]: \"\" is empty", kUnit},
      {"cgroup_prefix", "[system.slice]",
       "cgroup_prefix[0]: \"system.slice\" does not start "
       "with \"/\"",
       kCgroup},
      {"cgroup_prefix", "[\"\"]", "cgroup_prefix[0]: \"\" does not start with \"/\"", kCgroup},
      {"uid", "[4294967295]", "uid[0]: \"4294967295\" is out of range", kUid},
      {"uid", "[0, 99999999999999999999999]", "uid[1]: \"99999999999999999999999\" is out of range",
       kUid},
      {"uid", "[-1]", "uid[0]: \"-1\" is not an integer", kUid},
      {"uid", "[root]", "uid[0]: \"root\" is not an integer", kUid},
      {"uid", "[1e3]", "uid[0]: \"1e3\" is not an integer", kUid},
  };
  for (const Case& c : cases) {
    for (std::string side : {"include", "exclude"}) {
      EXPECT_EQ(filter_error(side, c.key, c.list),
                "test.yaml:3: filters." + side + "." + c.message + c.allowed)
          << side << "." << c.key << ": " << c.list;
    }
  }
}

TEST(ConfigFilters, ErrorPointsAtTheItemLine) {
  EXPECT_EQ(
      parse_error("filters:\n  exclude:\n    comm_regex:\n      - ok\n      - \"(\"\n"),
      "test.yaml:5: filters.exclude.comm_regex[1]: \"(\" is not a valid regular expression (" +
          regex_what("(") + "); use up to 64 patterns in RE2 syntax, e.g. ^python[0-9.]*$");
}

// "[p0, p1, ...]": n values of `prefix` and a number, from `first` on.
std::string numbered(const std::string& prefix, int first, int n) {
  std::string list = "[";
  for (int i = first; i < first + n; ++i) {
    list += (i == first ? "" : ", ") + prefix + std::to_string(i);
  }
  return list + "]";
}

// Each kind of rule the kernel holds has a map of EXECMOND_FILTER_MAX_RULES
// (1024) entries, shared by include and exclude: a value on both is one entry.
TEST(ConfigFilters, RulesAreRefusedPastWhatTheKernelsFilterMapsHold) {
  EXPECT_EQ(parse_ok("filters:\n  include:\n    comm: " + numbered("c", 0, 1024) +
                     "\n  exclude:\n    comm: " + numbered("c", 0, 1024) + "\n")
                .include.comm.size(),
            1024U);
  EXPECT_EQ(parse_error("filters:\n  include:\n    comm: " + numbered("c", 0, 1025) + "\n"),
            "test.yaml:3: filters.include.comm: 1025 distinct command names under "
            "filters.include and filters.exclude together, more than the 1024 the kernel's "
            "filter map holds; name at most 1024, or match them with comm_regex");
  // The later list is the one that went past.
  EXPECT_EQ(parse_error("filters:\n  exclude:\n    uid: " + numbered("", 0, 600) +
                        "\n  include:\n    uid: " + numbered("", 500, 600) + "\n"),
            "test.yaml:5: filters.include.uid: 1100 distinct uids under filters.include and "
            "filters.exclude together, more than the 1024 the kernel's filter map holds; name "
            "at most 1024, or filter by unit or cgroup_prefix");
  EXPECT_EQ(parse_error("filters:\n  include:\n    exe: " + numbered("/bin/e", 0, 1000) +
                        "\n  exclude:\n    exe: " + numbered("/bin/x", 0, 25) + "\n"),
            "test.yaml:5: filters.exclude.exe: 1025 distinct executables under filters.include "
            "and filters.exclude together, more than the 1024 the kernel's filter map holds; "
            "name at most 1024, or match them with exe_regex");
  EXPECT_EQ(
      parse_error("filters:\n  exclude:\n    cgroup_prefix: " + numbered("/a", 0, 1025) + "\n"),
      "test.yaml:3: filters.exclude.cgroup_prefix: 1025 distinct cgroup prefixes under "
      "filters.include and filters.exclude together, more than the 1024 the kernel's filter map "
      "holds; name at most 1024, or name their common parent");
  // Regular expressions and units stay in the daemon: any number fits.
  EXPECT_EQ(parse_ok("filters:\n  include:\n    unit: " + numbered("u", 0, 2000) + "\n")
                .include.unit.size(),
            2000U);
}

TEST(ConfigFilters, WrongShapesAndKeys) {
  const BadValue cases[] = {
      {"filters:\n  exclude_self: yes\n",
       "test.yaml:2: filters.exclude_self: \"yes\" is not a boolean; use true or false"},
      {"filters:\n  exclude_self: [true]\n",
       "test.yaml:2: filters.exclude_self: expected a single value, found a list; use true or "
       "false"},
      {"filters: [comm]\n",
       "test.yaml:1: filters: expected a map, found a list; allowed keys under filters: "
       "exclude_self, include, exclude"},
      {"filters:\n  include: [nginx]\n",
       "test.yaml:2: filters.include: expected a map, found a list; allowed keys under "
       "filters.include: comm, comm_regex, exe, exe_regex, unit, cgroup_prefix, uid"},
      {"filters:\n  exclude:\n    comm: sshd\n",
       "test.yaml:3: filters.exclude.comm: expected a list, found a single value \"sshd\"; use "
       "command names of 1 to 15 bytes, as the kernel keeps them (e.g. [nginx, sshd])"},
      {"filters:\n  exclude:\n    uid:\n",
       "test.yaml:3: filters.exclude.uid: no value; use integers from 0 to 4294967294 (e.g. [0, "
       "1000])"},
      {"filters:\n  include:\n    uid: [[1]]\n",
       "test.yaml:3: filters.include.uid[0]: expected a uid, found a list; use integers from 0 "
       "to 4294967294 (e.g. [0, 1000])"},
      {"filters:\n  include:\n    unit: [{a: b}]\n",
       "test.yaml:3: filters.include.unit[0]: expected a unit name, found a map; use systemd "
       "unit names without \"/\" (e.g. [cron.service, session-1.scope])"},
      {"filters:\n  include:\n    user: [root]\n",
       "test.yaml:3: filters.include.user: unknown key; allowed keys under filters.include: "
       "comm, comm_regex, exe, exe_regex, unit, cgroup_prefix, uid"},
      {"filters:\n  includes:\n    comm: [a]\n",
       "test.yaml:2: filters.includes: unknown key; allowed keys under filters: exclude_self, "
       "include, exclude"},
      {"filters:\n  exclude:\n    comm: [a]\n    comm: [b]\n",
       "test.yaml:4: filters.exclude.comm: duplicate key; give each key once"},
      {"filters:\n  include:\n    [a]: 1\n",
       "test.yaml:3: filters.include: a key is a list, not a name; allowed keys under "
       "filters.include: comm, comm_regex, exe, exe_regex, unit, cgroup_prefix, uid"},
  };
  for (const BadValue& bad : cases) EXPECT_EQ(parse_error(bad.yaml), bad.message) << bad.yaml;
}

// Found by the fuzzer, when std::regex compiled a{n} into n copies and kept
// every state: large or nested counts, or many patterns, took gigabytes. RE2
// refuses counts above 1000 and programs above kRegexMaxMem, and a list holds
// at most kMaxRegexesPerList patterns.
TEST(ConfigErrors, RegularExpressionsThatCompileTooLargeAreRefused) {
  constexpr const char* kAllowed = "; use up to 64 patterns in RE2 syntax, e.g. ^python[0-9.]*$";
  std::string program_too_large;  // 25,000 instructions, each count within RE2's 1000
  for (int i = 0; i < 25; ++i) program_too_large += "[a-z]{1000}";
  EXPECT_EQ(regex_what(program_too_large), "pattern too large - compile failed");
  for (const std::string& big :
       {std::string("a{10000}"), std::string("[a-z]{400}{99}"), std::string("(c{40}){300}"),
        std::string("(ab){10}{10}"), program_too_large}) {
    const std::string yaml = "filters:\n  include:\n    comm_regex: [\"" + big + "\"]\n";
    EXPECT_EQ(parse_config(yaml, "test.yaml").error().message,
              "test.yaml:3: filters.include.comm_regex[0]: " +
                  (big.size() > 64 ? "\"" + big.substr(0, 64) + "...\"" : "\"" + big + "\"") +
                  " is not a valid regular expression (" + regex_what(big) + ")" + kAllowed);
  }
  for (const char* fine : {"x{1000}", "c{2,999}", "d\\\\{99999}", "((ab){10}){10}"}) {
    const std::string yaml =
        std::string("filters:\n  include:\n    exe_regex: [\"") + fine + "\"]\n";
    EXPECT_TRUE(parse_config(yaml, "test.yaml"))
        << fine << ": " << parse_config(yaml, "t").error().message;
  }
  // Numbers too long for a count are not counts in RE2: literal text, no overflow.
  for (const char* literal :
       {"x{99999999999999999999}", "y{1,66666666666666666666}", "z{6666666666"}) {
    const std::string yaml =
        std::string("filters:\n  include:\n    comm_regex: [\"") + literal + "\"]\n";
    EXPECT_TRUE(parse_config(yaml, "test.yaml")) << literal;
  }
  // Found by the fuzzer: libstdc++ overflowed a long reading this file's
  // backreference; RE2 reads it as an octal escape and digits.
  std::ifstream in(std::string(EXECMOND_SOURCE_DIR) +
                   "/tests/fuzz/corpus/config/regex-count-overflow");
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_FALSE(text.str().empty());
  const std::string error = parse_config(text.str(), "fuzz.yaml").error().message;
  EXPECT_NE(error.find("\" is not a valid regular expression (unexpected ): ^\\x01"),
            std::string::npos)
      << error;
  EXPECT_LT(error.size(), 400U) << "RE2's reason is cut like the value";
  // Many small patterns: the list is bounded by its length.
  std::string list = "filters:\n  exclude:\n    exe_regex:\n";
  for (int i = 0; i < 65; ++i) list += "      - \"^/opt/[a-z]{500}$\"\n";
  EXPECT_EQ(parse_error(list),
            "test.yaml:4: filters.exclude.exe_regex: has 65 entries; use up to 64 patterns in RE2 "
            "syntax that match the whole path, e.g. ^/usr/lib/.*$");
}

}  // namespace
}  // namespace execmond::test
