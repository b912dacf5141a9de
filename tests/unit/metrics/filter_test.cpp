// The daemon-side filters: which identities the include/exclude rules keep,
// and cgroup prefixes compared by whole path components.
#include "metrics/filter.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "identity/identity.h"

namespace execmond {
namespace {

Identity cron() {
  Identity who;
  who.comm = "cron";
  who.exe = "/usr/sbin/cron";
  who.cgroup = "/system.slice/cron.service";
  who.unit = "cron.service";
  who.container_id = "";
  who.uid = "0";
  who.user = "root";
  return who;
}

Identity bash() {
  Identity who;
  who.comm = "bash";
  who.exe = "/usr/bin/bash";
  who.cgroup = "/user.slice/user-1000.slice/session-2.scope";
  who.unit = "session-2.scope";
  who.uid = "1000";
  who.user = "alice";
  return who;
}

// A filter with only include rules, or only exclude rules.
Filter include_only(const FilterRules& rules) { return Filter(rules, {}); }
Filter exclude_only(const FilterRules& rules) { return Filter({}, rules); }

FilterRules comm(std::vector<std::string> names) {
  FilterRules r;
  r.comm = std::move(names);
  return r;
}
FilterRules comm_regex(std::vector<std::string> patterns) {
  FilterRules r;
  r.comm_regex = std::move(patterns);
  return r;
}
FilterRules exe(std::vector<std::string> paths) {
  FilterRules r;
  r.exe = std::move(paths);
  return r;
}
FilterRules exe_regex(std::vector<std::string> patterns) {
  FilterRules r;
  r.exe_regex = std::move(patterns);
  return r;
}
FilterRules unit(std::vector<std::string> units) {
  FilterRules r;
  r.unit = std::move(units);
  return r;
}
FilterRules cgroup_prefix(std::vector<std::string> prefixes) {
  FilterRules r;
  r.cgroup_prefix = std::move(prefixes);
  return r;
}
FilterRules uid(std::vector<std::uint32_t> uids) {
  FilterRules r;
  r.uid = std::move(uids);
  return r;
}

// ---------------------------------------------------------------------------
// Empty filters

TEST(FilterTest, DefaultFilterIsEmptyAndKeepsEverything) {
  Filter filter;
  EXPECT_TRUE(filter.empty());
  EXPECT_TRUE(filter.keeps(cron()));
  EXPECT_TRUE(filter.keeps(bash()));
  EXPECT_TRUE(filter.keeps(Identity{}));
}

TEST(FilterTest, FilterFromEmptyRulesIsEmptyAndKeepsEverything) {
  Filter filter(FilterRules{}, FilterRules{});
  EXPECT_TRUE(filter.empty());
  EXPECT_TRUE(filter.keeps(cron()));
  EXPECT_TRUE(filter.keeps(Identity{}));
}

TEST(FilterTest, AnyRuleMakesTheFilterNonEmpty) {
  EXPECT_FALSE(include_only(comm({"cron"})).empty());
  EXPECT_FALSE(exclude_only(uid({0})).empty());
}

// ---------------------------------------------------------------------------
// Include rules, one kind at a time

TEST(FilterTest, IncludeCommIsAnExactMatch) {
  Filter filter = include_only(comm({"cron"}));
  EXPECT_TRUE(filter.keeps(cron()));
  EXPECT_FALSE(filter.keeps(bash()));
  Identity who = cron();
  who.comm = "crond";
  EXPECT_FALSE(filter.keeps(who)) << "no prefix match";
  who.comm = "cro";
  EXPECT_FALSE(filter.keeps(who));
  who.comm = "CRON";
  EXPECT_FALSE(filter.keeps(who)) << "case-sensitive";
}

TEST(FilterTest, IncludeCommRegexMustMatchTheWholeName) {
  Filter filter = include_only(comm_regex({"cr.n"}));
  EXPECT_TRUE(filter.keeps(cron()));
  Identity who = cron();
  who.comm = "crond";
  EXPECT_FALSE(filter.keeps(who)) << "a partial match is not enough";
  who.comm = "xcron";
  EXPECT_FALSE(filter.keeps(who));
  EXPECT_FALSE(filter.keeps(bash()));

  Filter open_ended = include_only(comm_regex({"cr.*"}));
  EXPECT_TRUE(open_ended.keeps(who = cron()));
  who.comm = "crond";
  EXPECT_TRUE(open_ended.keeps(who));
}

TEST(FilterTest, IncludeCommRegexAlternatives) {
  Filter filter = include_only(comm_regex({"(ba|z)sh", "kworker/[0-9]+:.*"}));
  EXPECT_TRUE(filter.keeps(bash()));
  Identity who = bash();
  who.comm = "zsh";
  EXPECT_TRUE(filter.keeps(who));
  who.comm = "kworker/3:1H";
  EXPECT_TRUE(filter.keeps(who));
  who.comm = "sh";
  EXPECT_FALSE(filter.keeps(who));
}

TEST(FilterTest, IncludeExeIsAnExactPath) {
  Filter filter = include_only(exe({"/usr/sbin/cron"}));
  EXPECT_TRUE(filter.keeps(cron()));
  EXPECT_FALSE(filter.keeps(bash()));
  Identity who = cron();
  who.exe = "/usr/sbin/cron2";
  EXPECT_FALSE(filter.keeps(who));
  who.exe = "/usr/sbin";
  EXPECT_FALSE(filter.keeps(who));
}

TEST(FilterTest, IncludeExeRegexMustMatchTheWholePath) {
  Filter filter = include_only(exe_regex({"/usr/s?bin/.*"}));
  EXPECT_TRUE(filter.keeps(cron()));
  EXPECT_TRUE(filter.keeps(bash()));
  Identity who = cron();
  who.exe = "/opt/usr/sbin/cron";
  EXPECT_FALSE(filter.keeps(who)) << "anchored at the start";

  Filter partial = include_only(exe_regex({"cron"}));
  EXPECT_FALSE(partial.keeps(cron())) << "a partial match is not enough";
}

// (a*)*b backtracks exponentially in std::regex on a long run of a's; RE2
// matches in time linear in the text, so a thousand such paths, each 4 KiB,
// are all answered (and none kept) where one used to take for ever.
TEST(FilterTest, NestedRepetitionOnALongPathIsAnsweredForEveryEvent) {
  Filter filter = include_only(exe_regex({"(a*)*b", "/(a|aa)*c"}));
  Identity who = cron();
  who.exe = "/" + std::string(4096, 'a');
  int answered = 0;
  int kept = 0;
  for (int i = 0; i < 1000; ++i) {
    kept += filter.keeps(who) ? 1 : 0;
    ++answered;
  }
  EXPECT_EQ(answered, 1000);
  EXPECT_EQ(kept, 0);
  who.exe += "b";
  EXPECT_FALSE(filter.keeps(who)) << "the leading / is not an a";
  who.exe = std::string(4096, 'a') + "b";
  EXPECT_TRUE(filter.keeps(who));
}

TEST(FilterTest, IncludeUnitIsAnExactName) {
  Filter filter = include_only(unit({"cron.service"}));
  EXPECT_TRUE(filter.keeps(cron()));
  EXPECT_FALSE(filter.keeps(bash()));
  Identity who = cron();
  who.unit = "cron";
  EXPECT_FALSE(filter.keeps(who));
}

TEST(FilterTest, IncludeCgroupPrefixCoversTheSubtree) {
  Filter filter = include_only(cgroup_prefix({"/system.slice"}));
  EXPECT_TRUE(filter.keeps(cron()));
  EXPECT_FALSE(filter.keeps(bash()));
  Identity who = cron();
  who.cgroup = "/system.slice";
  EXPECT_TRUE(filter.keeps(who)) << "the prefix directory itself";
  who.cgroup = "/system.slice/a.service/sub/deeper";
  EXPECT_TRUE(filter.keeps(who));
  who.cgroup = "/system.slice2/cron.service";
  EXPECT_FALSE(filter.keeps(who)) << "whole components only";
  who.cgroup = "/system.slice2";
  EXPECT_FALSE(filter.keeps(who));
}

TEST(FilterTest, IncludeCgroupPrefixWithTrailingSlash) {
  Filter filter = include_only(cgroup_prefix({"/system.slice/"}));
  EXPECT_TRUE(filter.keeps(cron()));
  Identity who = cron();
  who.cgroup = "/system.slice";
  EXPECT_TRUE(filter.keeps(who));
  who.cgroup = "/system.slice2/x";
  EXPECT_FALSE(filter.keeps(who));
}

TEST(FilterTest, IncludeRootCgroupCoversEveryKnownCgroup) {
  Filter filter = include_only(cgroup_prefix({"/"}));
  EXPECT_TRUE(filter.keeps(cron()));
  EXPECT_TRUE(filter.keeps(bash()));
  Identity who = cron();
  who.cgroup = "/";
  EXPECT_TRUE(filter.keeps(who));
  who.cgroup = "";
  EXPECT_FALSE(filter.keeps(who)) << "unknown cgroup";
}

TEST(FilterTest, IncludeUid) {
  Filter filter = include_only(uid({1000, 1001}));
  EXPECT_TRUE(filter.keeps(bash()));
  EXPECT_FALSE(filter.keeps(cron()));
  Identity who = cron();
  who.uid = "1001";
  EXPECT_TRUE(filter.keeps(who));
  who.uid = "10001";
  EXPECT_FALSE(filter.keeps(who));
}

TEST(FilterTest, UidRulesCompareNumbersNotNames) {
  Filter filter = include_only(uid({0}));
  Identity who = cron();
  who.user = "nobody";  // the user name plays no part
  EXPECT_TRUE(filter.keeps(who));
  who.uid = "";
  EXPECT_FALSE(filter.keeps(who)) << "unknown uid";
  who.uid = "root";
  EXPECT_FALSE(filter.keeps(who)) << "not a number";
  who.uid = "0x";
  EXPECT_FALSE(filter.keeps(who));
}

TEST(FilterTest, UidRulesAcceptTheWholeUnsignedRange) {
  Filter filter = include_only(uid({4294967294U}));
  Identity who = cron();
  who.uid = "4294967294";
  EXPECT_TRUE(filter.keeps(who));
  who.uid = "4294967295";
  EXPECT_FALSE(filter.keeps(who));
}

TEST(FilterTest, AnyIncludeRuleMatchingKeeps) {
  FilterRules rules;
  rules.comm = {"nothing"};
  rules.unit = {"cron.service"};
  rules.uid = {1000};
  Filter filter = include_only(rules);
  EXPECT_TRUE(filter.keeps(cron())) << "by unit";
  EXPECT_TRUE(filter.keeps(bash())) << "by uid";
  Identity other;
  other.comm = "other";
  other.uid = "5";
  EXPECT_FALSE(filter.keeps(other));
}

TEST(FilterTest, EveryRuleKindCanBeTheOneThatMatches) {
  FilterRules rules;
  rules.comm = {"c1"};
  rules.comm_regex = {"c2.*"};
  rules.exe = {"/e1"};
  rules.exe_regex = {"/e2/.*"};
  rules.unit = {"u.service"};
  rules.cgroup_prefix = {"/g"};
  rules.uid = {77};
  Filter filter = include_only(rules);
  auto only = [](auto set) {
    Identity who;
    who.comm = "none";
    who.uid = "1";
    set(who);
    return who;
  };
  EXPECT_FALSE(filter.keeps(only([](Identity&) {})));
  EXPECT_TRUE(filter.keeps(only([](Identity& w) { w.comm = "c1"; })));
  EXPECT_TRUE(filter.keeps(only([](Identity& w) { w.comm = "c2x"; })));
  EXPECT_TRUE(filter.keeps(only([](Identity& w) { w.exe = "/e1"; })));
  EXPECT_TRUE(filter.keeps(only([](Identity& w) { w.exe = "/e2/bin"; })));
  EXPECT_TRUE(filter.keeps(only([](Identity& w) { w.unit = "u.service"; })));
  EXPECT_TRUE(filter.keeps(only([](Identity& w) { w.cgroup = "/g/h"; })));
  EXPECT_TRUE(filter.keeps(only([](Identity& w) { w.uid = "77"; })));
}

// ---------------------------------------------------------------------------
// Exclude rules

TEST(FilterTest, ExcludeOnlyKeepsWhatNoRuleMatches) {
  Filter filter = exclude_only(comm({"cron"}));
  EXPECT_FALSE(filter.keeps(cron()));
  EXPECT_TRUE(filter.keeps(bash()));
}

TEST(FilterTest, ExcludeEveryKind) {
  EXPECT_FALSE(exclude_only(comm_regex({"c.*"})).keeps(cron()));
  EXPECT_FALSE(exclude_only(exe({"/usr/sbin/cron"})).keeps(cron()));
  EXPECT_FALSE(exclude_only(exe_regex({".*/cron"})).keeps(cron()));
  EXPECT_FALSE(exclude_only(unit({"cron.service"})).keeps(cron()));
  EXPECT_FALSE(exclude_only(cgroup_prefix({"/system.slice"})).keeps(cron()));
  EXPECT_FALSE(exclude_only(uid({0})).keeps(cron()));
  EXPECT_TRUE(exclude_only(cgroup_prefix({"/system.slice"})).keeps(bash()));
}

TEST(FilterTest, ExcludeBeatsInclude) {
  Filter filter(cgroup_prefix({"/system.slice"}), comm({"cron"}));
  EXPECT_FALSE(filter.keeps(cron())) << "included by cgroup, excluded by comm";
  Identity other = cron();
  other.comm = "atd";
  EXPECT_TRUE(filter.keeps(other));
  EXPECT_FALSE(filter.keeps(bash())) << "not included";

  Filter same_rule(comm({"cron"}), comm({"cron"}));
  EXPECT_FALSE(same_rule.keeps(cron()));
}

// ---------------------------------------------------------------------------
// Unknown values

TEST(FilterTest, EmptyExeUnitAndCgroupNeverMatchTheirRules) {
  Identity unknown;
  unknown.comm = "kthreadd";
  unknown.uid = "0";
  // Rules that an empty string would otherwise satisfy.
  EXPECT_FALSE(include_only(exe({""})).keeps(unknown));
  EXPECT_FALSE(include_only(exe_regex({".*"})).keeps(unknown));
  EXPECT_FALSE(include_only(unit({""})).keeps(unknown));
  EXPECT_FALSE(include_only(cgroup_prefix({"/"})).keeps(unknown));
  EXPECT_FALSE(include_only(cgroup_prefix({""})).keeps(unknown));
  // ... and so never exclude either.
  EXPECT_TRUE(exclude_only(exe({""})).keeps(unknown));
  EXPECT_TRUE(exclude_only(exe_regex({".*"})).keeps(unknown));
  EXPECT_TRUE(exclude_only(unit({""})).keeps(unknown));
  EXPECT_TRUE(exclude_only(cgroup_prefix({"/"})).keeps(unknown));
}

TEST(FilterTest, CopiesFilterLikeTheOriginal) {
  Filter original(comm_regex({"cr.n"}), exe_regex({".*/bash"}));
  Filter copy = original;
  Filter moved = std::move(original);
  for (const Filter* f : {&copy, &moved}) {
    EXPECT_TRUE(f->keeps(cron()));
    EXPECT_FALSE(f->keeps(bash()));
  }
}

// ---------------------------------------------------------------------------
// cgroup_under

TEST(CgroupUnderTest, ThePrefixItselfAndEverythingBelow) {
  EXPECT_TRUE(cgroup_under("/system.slice", "/system.slice"));
  EXPECT_TRUE(cgroup_under("/system.slice/cron.service", "/system.slice"));
  EXPECT_TRUE(cgroup_under("/system.slice/a/b/c", "/system.slice"));
  EXPECT_TRUE(cgroup_under("/a/b", "/a/b"));
  EXPECT_TRUE(cgroup_under("/a/b/c", "/a/b"));
}

TEST(CgroupUnderTest, WholeComponentsOnly) {
  EXPECT_FALSE(cgroup_under("/system.slice2", "/system.slice"));
  EXPECT_FALSE(cgroup_under("/system.slice2/x", "/system.slice"));
  EXPECT_FALSE(cgroup_under("/system.slic", "/system.slice"));
  EXPECT_FALSE(cgroup_under("/system", "/system.slice"));
  EXPECT_FALSE(cgroup_under("/a/bc", "/a/b"));
}

TEST(CgroupUnderTest, OtherSubtreesAreNotCovered) {
  EXPECT_FALSE(cgroup_under("/user.slice/cron.service", "/system.slice"));
  EXPECT_FALSE(cgroup_under("/", "/system.slice"));
  EXPECT_FALSE(cgroup_under("", "/system.slice"));
}

TEST(CgroupUnderTest, TrailingSlashesInThePrefixAreIgnored) {
  EXPECT_TRUE(cgroup_under("/system.slice", "/system.slice/"));
  EXPECT_TRUE(cgroup_under("/system.slice/cron.service", "/system.slice/"));
  EXPECT_TRUE(cgroup_under("/system.slice/cron.service", "/system.slice//"));
  EXPECT_FALSE(cgroup_under("/system.slice2", "/system.slice/"));
}

TEST(CgroupUnderTest, RootCoversEveryNonEmptyPath) {
  EXPECT_TRUE(cgroup_under("/", "/"));
  EXPECT_TRUE(cgroup_under("/system.slice", "/"));
  EXPECT_TRUE(cgroup_under("/a/b/c", "/"));
  EXPECT_TRUE(cgroup_under("/x", "//"));
  EXPECT_FALSE(cgroup_under("", "/"));
}

}  // namespace
}  // namespace execmond
