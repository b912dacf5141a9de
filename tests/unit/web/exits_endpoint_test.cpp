// GET /exits's answers without sockets: the JSON envelope, the filters
// reaching the ring, and the statuses of refusals.
#include "web/exits_endpoint.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "exit_record_fixtures.h"

namespace execmond {
namespace {

using nlohmann::json;

class ExitsEndpointTest : public ::testing::Test {
 protected:
  ExitsEndpointTest() {
    for (std::uint64_t s = 1; s <= 5; ++s) {
      ExitRecord r = test::plain_record(s);
      if (s % 2 == 0) {
        r.kind = RecordKind::OomKilled;
        r.reason = "oom_killed";
        r.program = "java";
      }
      ring_->push(r);
    }
  }

  json ok(const std::string& query) {
    const WebAnswer a = answer_exits(source_, query);
    EXPECT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.content_type, "application/json");
    return json::parse(a.body);
  }

  static std::vector<std::uint64_t> seqs(const json& body) {
    std::vector<std::uint64_t> out;
    for (const json& r : body["records"]) out.push_back(r["seq"].get<std::uint64_t>());
    return out;
  }

  std::shared_ptr<RecordRing> ring_ = std::make_shared<RecordRing>(100);
  ExitsSource source_{ring_, test::fixture_record_json};
};

using Seqs = std::vector<std::uint64_t>;

TEST_F(ExitsEndpointTest, AnswersTheSchemaTheLastSequenceAndTheRecordsOldestFirst) {
  const WebAnswer a = answer_exits(source_, "");
  EXPECT_EQ(a.body.rfind("{\"schema\":1,\"last_seq\":5,\"records\":[{", 0), 0U) << a.body;
  const json body = json::parse(a.body);
  EXPECT_EQ(body["schema"], 1);
  EXPECT_EQ(body["last_seq"], 5);
  EXPECT_EQ(seqs(body), (Seqs{1, 2, 3, 4, 5}));
  EXPECT_EQ(body["records"][0], test::fixture_record_json(test::plain_record(1)))
      << "each record as the encoder gives it";
}

TEST_F(ExitsEndpointTest, FiltersSinceAndLimit) {
  EXPECT_EQ(seqs(ok("kind=oom_killed")), (Seqs{2, 4}));
  EXPECT_EQ(seqs(ok("program=worker&reason=signaled")), (Seqs{1, 3, 5}));
  EXPECT_EQ(seqs(ok("since=3")), (Seqs{4, 5}));
  const json page = ok("limit=2&since=1");
  EXPECT_EQ(seqs(page), (Seqs{2, 3}));
  EXPECT_EQ(page["last_seq"], 3) << "continue from the last record given";
  EXPECT_EQ(seqs(ok("since=3&limit=2")), (Seqs{4, 5}));
  EXPECT_EQ(ok("since=3&limit=2")["last_seq"], 5);
  EXPECT_EQ(seqs(ok("unit=worker.service&pod=x")), Seqs{});
  EXPECT_EQ(ok("since=99")["records"], json::array());
  EXPECT_EQ(ok("since=99")["last_seq"], 5);
}

TEST_F(ExitsEndpointTest, ABadParameterIs400WithItsLine) {
  const WebAnswer a = answer_exits(source_, "limit=0");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(a.body, "Bad Request: limit: \"0\" is not allowed; use an integer from 1 to 10000\n");
}

TEST_F(ExitsEndpointTest, RecordsOffIs404NamingTheSetting) {
  const WebAnswer a = answer_exits(ExitsSource{}, "");
  EXPECT_EQ(a.status, 404);
  EXPECT_NE(a.body.find("records.enabled"), std::string::npos) << a.body;
  EXPECT_EQ(std::count(a.body.begin(), a.body.end(), '\n'), 1);
  EXPECT_EQ(answer_exits(ExitsSource{}, "limit=0").status, 404) << "off before refused";
}

TEST_F(ExitsEndpointTest, InvalidUtf8BecomesReplacementCharacters) {
  ExitRecord r = test::plain_record(6);
  r.program = "bad\xff\xfe";
  r.cmdline = std::vector<std::string>{"\xc3("};
  ring_->push(r);
  const WebAnswer a = answer_exits(source_, "since=5");
  ASSERT_EQ(a.status, 200) << a.body;
  const json body = json::parse(a.body);  // throws on invalid UTF-8
  EXPECT_EQ(body["records"][0]["program"], "bad\xef\xbf\xbd\xef\xbf\xbd");
}

TEST_F(ExitsEndpointTest, AnEncoderThatThrowsIs500) {
  const ExitsSource failing{ring_,
                            [](const ExitRecord&) -> json { throw std::runtime_error("no"); }};
  const WebAnswer a = answer_exits(failing, "");
  EXPECT_EQ(a.status, 500);
  EXPECT_EQ(a.body, "Internal Server Error: cannot encode a record: no\n");
}

}  // namespace
}  // namespace execmond
