// The cache between the kernel's command-line records and the labels: each
// command line named once per (comm, user), unknown ids counted, and the
// ones forgotten past the bound handed back for the kernel to forget too.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "naming/name_cache.h"

namespace execmond::naming {
namespace {

using namespace std::string_literals;

std::shared_ptr<const Namer> namer_of(NamingConfig config) {
  Result<Namer> namer = Namer::compile(config);
  EXPECT_TRUE(namer.ok()) << (namer.ok() ? "" : namer.error().message);
  return std::make_shared<const Namer>(std::move(*namer));
}

NamingConfig by_script_rule() {
  NamingConfig c;
  NamingRule r;
  r.name = "job:{{.Matches.job}}";
  r.comm = {"python3"};
  r.cmdline = {R"((?P<job>[^/\s]+)\.py)"};
  r.source = "test.yaml";
  r.line = 1;
  c.rules.push_back(r);
  return c;
}

TEST(NameCacheTest, AKnownCommandLineIsNamedByTheRules) {
  NameCache cache(namer_of(by_script_rule()));
  cache.learn(7, "python3\0/srv/backup.py\0"s);
  Names n = cache.names_of(7, "python3", "root");
  EXPECT_EQ(n.program, "job:backup");
  EXPECT_EQ(n.script, "backup.py");
  EXPECT_EQ(cache.unknown_lookups(), 0U);
}

TEST(NameCacheTest, NoCommandLineNamesByTheCommAndAnUnknownIdIsCounted) {
  NameCache cache(namer_of(by_script_rule()));
  EXPECT_EQ(cache.names_of(0, "python3", "root").program, "python3");
  EXPECT_EQ(cache.unknown_lookups(), 0U) << "id 0: no command line was read, nothing lost";
  EXPECT_EQ(cache.names_of(99, "python3", "root").program, "python3");
  EXPECT_EQ(cache.unknown_lookups(), 1U);
}

TEST(NameCacheTest, NewRulesNameEveryKeptCommandLineAnew) {
  NameCache cache(namer_of(by_script_rule()));
  cache.learn(7, "python3\0/srv/backup.py\0"s);
  EXPECT_EQ(cache.names_of(7, "python3", "root").program, "job:backup");
  NamingConfig fixed;
  fixed.unmatched = Unmatched::Script;
  cache.set_namer(namer_of(fixed));
  EXPECT_EQ(cache.names_of(7, "python3", "root").program, "backup.py");
}

TEST(NameCacheTest, TheSameIdLearnedTwiceKeepsItsFirstText) {
  NameCache cache(namer_of(by_script_rule()));
  cache.learn(7, "python3\0a.py\0"s);
  cache.learn(7, "python3\0a.py\0"s);
  EXPECT_EQ(cache.size(), 1U);
  EXPECT_EQ(cache.names_of(7, "python3", "").program, "job:a");
}

TEST(NameCacheTest, PastTheBoundTheLeastRecentlyUsedAreForgottenAndReturned) {
  NameCache cache(namer_of(by_script_rule()), 4);
  for (std::uint64_t id = 1; id <= 4; ++id) {
    cache.learn(id, "python3\0j" + std::to_string(id) + ".py\0"s);
  }
  EXPECT_TRUE(cache.drain_finished().empty()) << "at the bound, nothing goes";
  // Ids 1 and 2 are used in the next drain; 5 and 6 are new there.
  cache.names_of(1, "python3", "");
  cache.names_of(2, "python3", "");
  cache.learn(5, "python3\0j5.py\0"s);
  cache.learn(6, "python3\0j6.py\0"s);
  std::vector<std::uint64_t> forgotten = cache.drain_finished();
  std::sort(forgotten.begin(), forgotten.end());
  EXPECT_EQ(forgotten, (std::vector<std::uint64_t>{3, 4}))
      << "the two not used since the first drain";
  EXPECT_EQ(cache.size(), 4U);
  EXPECT_EQ(cache.names_of(3, "python3", "").program, "python3") << "forgotten: named by comm";
  EXPECT_EQ(cache.unknown_lookups(), 1U);
}

TEST(NameCacheTest, WhatTheCurrentDrainUsedIsNeverForgotten) {
  NameCache cache(namer_of(by_script_rule()), 1);
  for (std::uint64_t id = 1; id <= 3; ++id) {
    cache.learn(id, "python3\0j" + std::to_string(id) + ".py\0"s);
  }
  EXPECT_TRUE(cache.drain_finished().empty()) << "all three came in this drain";
  EXPECT_EQ(cache.size(), 3U);
  EXPECT_EQ(cache.drain_finished().size(), 2U) << "unused for a whole drain: down to the bound";
}

}  // namespace
}  // namespace execmond::naming
