// The HTTP server on real loopback sockets: which paths it answers.
#include "web/http_server.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "bcrypt.h"
#include "http_client.h"

namespace execmond {
namespace {

using test::http_get;

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest() {
    prometheus::BuildCounter()
        .Name("served_total")
        .Help("h")
        .Register(*registry_)
        .Add({})
        .Increment();
  }

  Result<std::unique_ptr<HttpServer>> start(const HttpOptions& options) {
    return HttpServer::start(options, {registry_});
  }

  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
};

TEST_F(HttpServerTest, ServesExactlyTheTelemetryPathAndTheLandingPage) {
  auto server = start(HttpOptions{"127.0.0.1:0", "/metrics", 4, {}});
  ASSERT_TRUE(server) << server.error().message;
  const std::uint16_t port = (*server)->port();

  const test::HttpResponse metrics = http_get(port, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("served_total 1"), std::string::npos) << metrics.body;
  EXPECT_EQ(http_get(port, "/metrics?name[]=served_total").status, 200);  // a query is not the path
  EXPECT_EQ(http_get(port, "/").status, 200);

  // civetweb hands a handler every URI under its path and matches case-
  // insensitively; none of these is the telemetry path.
  for (const char* path : {"/metrics/x", "/metrics/", "/Metrics", "/METRICS", "/metricsx",
                           "/metrics.txt", "/other", "/index.html"}) {
    const test::HttpResponse other = http_get(port, path);
    EXPECT_EQ(other.status, 404) << path;
    EXPECT_EQ(other.body.find("served_total"), std::string::npos) << path;
  }
}

TEST_F(HttpServerTest, AnotherTelemetryPathIsTheOnlyOneServed) {
  auto server = start(HttpOptions{"127.0.0.1:0", "/x/metrics", 4, {}});
  ASSERT_TRUE(server) << server.error().message;
  const std::uint16_t port = (*server)->port();
  EXPECT_EQ(http_get(port, "/x/metrics").status, 200);
  for (const char* path : {"/metrics", "/x", "/x/", "/x/metrics/y", "/X/Metrics"}) {
    EXPECT_EQ(http_get(port, path).status, 404) << path;
  }
}

TEST_F(HttpServerTest, AuthenticationComesBeforeTheNotFound) {
  WebConfig web;
  web.basic_auth_users = {{"alice", test::bcrypt("wonderland")}};
  auto server = start(HttpOptions{"127.0.0.1:0", "/metrics", 4, web});
  ASSERT_TRUE(server) << server.error().message;
  const std::uint16_t port = (*server)->port();
  // Without credentials nothing tells which paths exist.
  EXPECT_EQ(http_get(port, "/metricsx").status, 401);
  EXPECT_EQ(http_get(port, "/metrics").status, 401);
  const std::map<std::string, std::string> alice{
      {"Authorization", "Basic YWxpY2U6d29uZGVybGFuZA=="}};  // alice:wonderland
  EXPECT_EQ(http_get(port, "/metricsx", alice).status, 404);
  EXPECT_EQ(http_get(port, "/metrics", alice).status, 200);
}

}  // namespace
}  // namespace execmond
