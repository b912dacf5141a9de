// GET /exits's parameters: what each takes, and the one line a refused one
// gets.
#include "web/exits_query.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace execmond {
namespace {

RecordQuery parsed(const std::string& query_string) {
  Result<RecordQuery> q = parse_exits_query(query_string);
  EXPECT_TRUE(q) << query_string << ": " << q.error().message;
  return q ? *q : RecordQuery{};
}

std::string refused(const std::string& query_string) {
  Result<RecordQuery> q = parse_exits_query(query_string);
  EXPECT_FALSE(q) << query_string;
  return q ? "" : q.error().message;
}

using Strings = std::vector<std::string>;

TEST(ExitsQueryTest, NothingGivenIsEverything) {
  const RecordQuery q = parsed("");
  EXPECT_EQ(q.since, 0U);
  EXPECT_EQ(q.limit, 0U);
  EXPECT_TRUE(q.kinds.empty() && q.programs.empty() && q.reasons.empty());
  EXPECT_TRUE(q.pod.empty() && q.unit.empty());
  EXPECT_EQ(parsed("&&").limit, 0U);
}

TEST(ExitsQueryTest, ReadsEachParameter) {
  const RecordQuery q = parsed(
      "since=18446744073709551615&kind=oom_killed,crashed&kind=failed&program=nginx&"
      "program=java,cron&reason=signaled&pod=prod%2Fweb-1&unit=cron.service&limit=10000");
  EXPECT_EQ(q.since, UINT64_MAX);
  EXPECT_EQ(q.kinds, (std::vector<RecordKind>{RecordKind::OomKilled, RecordKind::Crashed,
                                              RecordKind::Failed}));
  EXPECT_EQ(q.programs, (Strings{"nginx", "java", "cron"}));
  EXPECT_EQ(q.reasons, (Strings{"signaled"}));
  EXPECT_EQ(q.pod, "prod/web-1");
  EXPECT_EQ(q.unit, "cron.service");
  EXPECT_EQ(q.limit, 10000U);
}

TEST(ExitsQueryTest, ValuesArePercentDecoded) {
  EXPECT_EQ(parsed("program=my+app").programs, (Strings{"my app"}));
  EXPECT_EQ(parsed("program=a%20b%2Cc").programs, (Strings{"a b", "c"}));
  EXPECT_EQ(parsed("%6bind=core_dumped").kinds, (std::vector<RecordKind>{RecordKind::CoreDumped}));
}

TEST(ExitsQueryTest, EveryKindAndReasonIsAccepted) {
  EXPECT_EQ(parsed("kind=oom_killed,core_dumped,crashed,failed,exited").kinds.size(), 5U);
  EXPECT_EQ(parsed("reason=exited,signaled,oom_killed").reasons.size(), 3U);
}

TEST(ExitsQueryTest, RefusalsNameTheParameterAndWhatItAllows) {
  EXPECT_EQ(refused("limit=0"), "limit: \"0\" is not allowed; use an integer from 1 to 10000");
  EXPECT_EQ(refused("limit=10001"),
            "limit: \"10001\" is not allowed; use an integer from 1 to 10000");
  EXPECT_EQ(refused("limit=ten"), "limit: \"ten\" is not allowed; use an integer from 1 to 10000");
  EXPECT_EQ(refused("limit="), "limit: \"\" is not allowed; use an integer from 1 to 10000");
  EXPECT_EQ(refused("since=-1"),
            "since: \"-1\" is not allowed; use an integer from 0 to 18446744073709551615");
  EXPECT_EQ(refused("since=18446744073709551616"),
            "since: \"18446744073709551616\" is not allowed; use an integer from 0 to "
            "18446744073709551615");
  EXPECT_EQ(refused("since=1+"),
            "since: \"1 \" is not allowed; use an integer from 0 to 18446744073709551615");
  EXPECT_EQ(refused("kind=crash"),
            "kind: \"crash\" is not a kind; use oom_killed, core_dumped, crashed, failed, exited");
  EXPECT_EQ(refused("reason=killed"),
            "reason: \"killed\" is not a reason; use exited, signaled, dumped, oom_killed");
  EXPECT_EQ(refused("kind=crashed,,failed"),
            "kind: an empty value; give one or more, comma-separated");
  EXPECT_EQ(refused("program="), "program: an empty value; give one or more, comma-separated");
  EXPECT_EQ(refused("pod=a&pod=b"), "pod: given twice; give it once");
  EXPECT_EQ(refused("unit="), "unit: empty; give a name");
  EXPECT_EQ(refused("since=1&since=2"), "since: given twice; give it once");
  EXPECT_EQ(refused("limit=5&limit=5"), "limit: given twice; give it once");
  EXPECT_EQ(refused("kinds=crashed"),
            "unknown parameter \"kinds\"; use since, kind, program, reason, pod, unit, limit");
  EXPECT_EQ(refused("program=%zz"),
            "a '%' in the query is not followed by two hex digits; encode it as %25");
  EXPECT_EQ(refused("program=%4"),
            "a '%' in the query is not followed by two hex digits; encode it as %25");
}

TEST(ExitsQueryTest, AnErrorLineStaysOneLineWhateverTheClientSent) {
  const std::string message = refused("kind=%0a%0d%ff<x>" + std::string(200, 'k'));
  EXPECT_EQ(message.find('\n'), std::string::npos);
  EXPECT_EQ(message.find('\r'), std::string::npos);
  EXPECT_LT(message.size(), 200U);
}

}  // namespace
}  // namespace execmond
