// Basic authentication: header parsing, base64, bcrypt verification.
#include "web/http_auth.h"

#include <gtest/gtest.h>
#include <ctime>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "bcrypt.h"

namespace execmond {
namespace {

using test::bcrypt;

TEST(Base64Test, DecodesWithAndWithoutPadding) {
  EXPECT_EQ(base64_decode("YWxpY2U6c2VjcmV0"), "alice:secret");
  EXPECT_EQ(base64_decode("YQ=="), "a");
  EXPECT_EQ(base64_decode("YQ"), "a");
  EXPECT_EQ(base64_decode(""), "");
  EXPECT_FALSE(base64_decode("Y"));
  EXPECT_FALSE(base64_decode("YW*="));
  EXPECT_FALSE(base64_decode("YWx pY2U="));
}

TEST(BasicAuthorizationTest, ParsesTheSchemeCaseInsensitively) {
  auto p = parse_basic_authorization("Basic YWxpY2U6c2VjcmV0");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->first, "alice");
  EXPECT_EQ(p->second, "secret");
  EXPECT_TRUE(parse_basic_authorization("basic   YWxpY2U6c2VjcmV0 "));
  // A password may hold colons; the user may not.
  p = parse_basic_authorization("Basic YTpiOmM=");  // a:b:c
  ASSERT_TRUE(p);
  EXPECT_EQ(p->first, "a");
  EXPECT_EQ(p->second, "b:c");
  for (const char* bad : {"", "Basic", "Basic ", "Bearer YWxpY2U6c2VjcmV0", "BasicYWxpY2U6",
                          "Basic YWxpY2U=" /* no colon */, "Basic !!!!"}) {
    EXPECT_FALSE(parse_basic_authorization(bad)) << bad;
  }
}

TEST(BasicAuthTest, WithoutUsersEveryRequestIsAllowed) {
  BasicAuth none;
  EXPECT_FALSE(none.enabled());
  EXPECT_TRUE(none.allows(""));
}

TEST(BasicAuthTest, OnlyTheRightPasswordOfAKnownUserGetsIn) {
  BasicAuth auth({{"alice", bcrypt("wonderland")}, {"bob", bcrypt("builder")}});
  EXPECT_TRUE(auth.enabled());
  EXPECT_TRUE(auth.allows("Basic YWxpY2U6d29uZGVybGFuZA=="));   // alice:wonderland
  EXPECT_TRUE(auth.allows("Basic YWxpY2U6d29uZGVybGFuZA=="));   // again, from the cache
  EXPECT_TRUE(auth.allows("Basic Ym9iOmJ1aWxkZXI="));           // bob:builder
  EXPECT_FALSE(auth.allows("Basic YWxpY2U6YnVpbGRlcg=="));      // alice:builder
  EXPECT_FALSE(auth.allows("Basic bWFsbG9yeTp3b25kZXJsYW5k"));  // mallory:wonderland
  EXPECT_FALSE(auth.allows("Basic YWxpY2U6"));                  // alice:
  EXPECT_FALSE(auth.allows(""));
  EXPECT_FALSE(auth.allows("Bearer token"));
}

// "Basic <base64 of user:password>".
std::string basic(const std::string& user, const std::string& password) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::string in = user + ":" + password;
  std::string out;
  for (std::size_t i = 0; i < in.size(); i += 3) {
    std::uint32_t bits = static_cast<std::uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) bits |= static_cast<std::uint8_t>(in[i + 1]) << 8;
    if (i + 2 < in.size()) bits |= static_cast<std::uint8_t>(in[i + 2]);
    out += kAlphabet[(bits >> 18) & 63];
    out += kAlphabet[(bits >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(bits >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[bits & 63] : '=';
  }
  return "Basic " + out;
}

// The CPU time this thread spends deciding on `authorization`: what bcrypt
// costs, unaffected by the other work on a busy machine.
double cpu_seconds_to_decide(const BasicAuth& auth, const std::string& authorization) {
  timespec before{};
  timespec after{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &before);
  EXPECT_FALSE(auth.allows(authorization));
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &after);
  return static_cast<double>(after.tv_sec - before.tv_sec) +
         static_cast<double>(after.tv_nsec - before.tv_nsec) / 1e9;
}

// Whether a user exists must not show in the time a wrong password takes,
// whatever cost the configured hash has (the decoy once had a fixed cost of
// 10). One cost is below 10 and one above, each far enough from it that a
// decoy of cost 10 is a ratio of 4 or more off.
TEST(BasicAuthTest, AnUnknownUserCostsWhatAKnownUserCosts) {
  for (const auto& [cost, rounds] : {std::pair{5, 16}, std::pair{12, 2}}) {
    const BasicAuth auth({{"alice", test::bcrypt("wonderland", "$2y$", cost)}});
    double known = 0;
    double unknown = 0;
    // Interleaved, so that what the machine does meanwhile weighs on both alike.
    for (int i = 0; i < rounds; ++i) {
      known += cpu_seconds_to_decide(auth, basic("alice", "guess" + std::to_string(i)));
      unknown += cpu_seconds_to_decide(auth, basic("mallory", "guess" + std::to_string(i)));
    }
    const double ratio = unknown / known;
    ::testing::Test::RecordProperty("unknown_to_known_cpu_ratio_cost_" + std::to_string(cost),
                                    std::to_string(ratio));
    EXPECT_GT(ratio, 0.6) << "cost " << cost << ": known " << known << " s, unknown " << unknown
                          << " s";
    EXPECT_LT(ratio, 1.6) << "cost " << cost << ": known " << known << " s, unknown " << unknown
                          << " s";
  }
}

// "$2y$12$": the variant and cost a hash is checked with.
std::string variant_and_cost(const std::string& hash) { return hash.substr(0, 7); }

TEST(BasicAuthTest, AKnownUserIsCheckedAgainstTheirOwnHash) {
  const std::string hash = test::bcrypt("wonderland");
  const BasicAuth auth({{"alice", hash}});
  EXPECT_EQ(auth.hash_checked_for("alice"), hash);
}

// With users of several costs, an unknown user is checked at the cost of one
// of them, chosen by their name: the same each time, as a real user's is,
// and spread over the configured costs as the users are.
TEST(BasicAuthTest, AnUnknownUserTakesTheCostOfAConfiguredUser) {
  const std::map<std::string, std::string> users{{"alice", "$2b$04$" + std::string(53, 'a')},
                                                 {"bob", "$2y$06$" + std::string(53, 'b')},
                                                 {"carol", "$2a$08$" + std::string(53, 'c')}};
  const BasicAuth auth(users);
  std::set<std::string> seen;
  for (int i = 0; i < 60; ++i) {
    const std::string name = "unknown" + std::to_string(i);
    const std::string decoy = auth.hash_checked_for(name);
    ASSERT_EQ(decoy.size(), 60U);
    EXPECT_EQ(decoy, auth.hash_checked_for(name)) << "the same user, the same decoy";
    EXPECT_EQ(decoy, BasicAuth(users).hash_checked_for(name)) << "and after a reload";
    for (const auto& [user, hash] : users) EXPECT_NE(decoy, hash);
    seen.insert(variant_and_cost(decoy));
  }
  EXPECT_EQ(seen, (std::set<std::string>{"$2b$04$", "$2y$06$", "$2a$08$"}));
}

}  // namespace
}  // namespace execmond
