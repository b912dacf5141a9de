// Basic authentication: header parsing, base64, bcrypt verification.
#include "web/http_auth.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace execmond
