// GET /exits and the landing page's table on a real HttpServer: the answers
// over the wire, and /exits guarded exactly as the metrics are (basic auth;
// TLS with client certificates, through curl).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <nlohmann/json.hpp>

#include "bcrypt.h"
#include "exit_record_fixtures.h"
#include "http_client.h"
#include "shell.h"
#include "test_certs.h"
#include "web/http_server.h"

namespace execmond {
namespace {

using test::http_get;

class ExitsServerTest : public ::testing::Test {
 protected:
  ExitsServerTest() {
    prometheus::BuildCounter().Name("served_total").Help("h").Register(*registry_).Add({});
    for (std::uint64_t s = 1; s <= 3; ++s) ring_->push(test::plain_record(s));
  }

  std::unique_ptr<HttpServer> start(WebConfig web = {}, bool records = true) {
    HttpOptions options{"127.0.0.1:0", "/metrics", 4, std::move(web)};
    if (records) options.exits = ExitsSource{ring_, test::fixture_record_json};
    auto server = HttpServer::start(options, {registry_});
    EXPECT_TRUE(server) << server.error().message;
    return server ? std::move(server).value() : nullptr;
  }

  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  std::shared_ptr<RecordRing> ring_ = std::make_shared<RecordRing>(10);
};

TEST_F(ExitsServerTest, ServesTheRecordsAsJson) {
  auto server = start();
  ASSERT_NE(server, nullptr);
  test::HttpResponse r = http_get(server->port(), "/exits?since=1&limit=1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "application/json");
  EXPECT_EQ(r.headers["x-content-type-options"], "nosniff");
  const nlohmann::json body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["schema"], 1);
  EXPECT_EQ(body["last_seq"], 2);
  ASSERT_EQ(body["records"].size(), 1U);
  EXPECT_EQ(body["records"][0]["seq"], 2);

  // Pushed after the server started: read at request time.
  ring_->push(test::plain_record(4));
  EXPECT_EQ(nlohmann::json::parse(http_get(server->port(), "/exits").body)["last_seq"], 4);

  // Only the exact path; the metrics are still there.
  for (const char* path : {"/exits/", "/exits/x", "/Exits", "/exitsx"}) {
    EXPECT_EQ(http_get(server->port(), path).status, 404) << path;
  }
  EXPECT_EQ(http_get(server->port(), "/metrics").status, 200);
}

TEST_F(ExitsServerTest, ABadParameterIs400WithOneLine) {
  auto server = start();
  ASSERT_NE(server, nullptr);
  test::HttpResponse r = http_get(server->port(), "/exits?kind=crash");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.headers["content-type"], "text/plain; charset=utf-8");
  EXPECT_EQ(r.body,
            "Bad Request: kind: \"crash\" is not a kind; use oom_killed, core_dumped, crashed, "
            "failed, exited\n");
  EXPECT_EQ(http_get(server->port(), "/exits?limit=10001").status, 400);
  EXPECT_EQ(http_get(server->port(), "/exits?since=x").status, 400);
  EXPECT_EQ(http_get(server->port(), "/exits?color=red").status, 400);
}

TEST_F(ExitsServerTest, RecordsOffIs404AndTheLandingPageHasNoTable) {
  auto server = start({}, /*records=*/false);
  ASSERT_NE(server, nullptr);
  test::HttpResponse r = http_get(server->port(), "/exits");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body,
            "exit records are disabled in the config (records.enabled: false); turn them on and "
            "restart execmond to serve /exits\n");
  test::HttpResponse page = http_get(server->port(), "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body.find("Recent exits"), std::string::npos);
}

TEST_F(ExitsServerTest, TheLandingPageShowsTheNewestRecordsEscaped) {
  for (const ExitRecord& r : test::hostile_records(4)) ring_->push(r);
  auto server = start();
  ASSERT_NE(server, nullptr);
  test::HttpResponse page = http_get(server->port(), "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_NE(page.headers["content-security-policy"].find("default-src 'none'"), std::string::npos);
  EXPECT_NE(page.body.find("<h2>Recent exits</h2>"), std::string::npos);
  EXPECT_EQ(page.body.find("<script"), std::string::npos);
  EXPECT_EQ(page.body.find("<img"), std::string::npos);
  EXPECT_NE(page.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  // The newest first: the last hostile record, then the others.
  const std::uint64_t newest = ring_->last_sequence();
  EXPECT_LT(page.body.find("id=\"exit-" + std::to_string(newest) + "\""),
            page.body.find("id=\"exit-1\""));
}

TEST_F(ExitsServerTest, BasicAuthGuardsExitsAsItGuardsTheMetrics) {
  WebConfig web;
  web.basic_auth_users = {{"alice", test::bcrypt("wonderland")}};
  auto server = start(web);
  ASSERT_NE(server, nullptr);
  const std::map<std::string, std::string> alice{
      {"Authorization", "Basic YWxpY2U6d29uZGVybGFuZA=="}};  // alice:wonderland
  const std::map<std::string, std::string> wrong{
      {"Authorization", "Basic YWxpY2U6Z3Vlc3M="}};  // alice:guess
  for (const char* path : {"/metrics", "/exits", "/exits?limit=0", "/"}) {
    test::HttpResponse none = http_get(server->port(), path);
    EXPECT_EQ(none.status, 401) << path;
    EXPECT_EQ(none.headers["www-authenticate"], "Basic realm=\"execmond\"") << path;
    EXPECT_EQ(none.body.find("seq"), std::string::npos) << path;
    EXPECT_EQ(http_get(server->port(), path, wrong).status, 401) << path;
  }
  EXPECT_EQ(http_get(server->port(), "/metrics", alice).status, 200);
  EXPECT_EQ(http_get(server->port(), "/exits", alice).status, 200);
  EXPECT_EQ(http_get(server->port(), "/exits?limit=0", alice).status, 400);
}

TEST_F(ExitsServerTest, TlsGuardsExitsAsItGuardsTheMetrics) {
  std::string dir = "/tmp/execmond-exits-tls-XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  const Status certs = test::make_test_certs(dir);
  ASSERT_TRUE(certs) << certs.error().message;
  WebConfig web;
  web.basic_auth_users = {{"alice", test::bcrypt("wonderland")}};
  TlsConfig tls;
  tls.cert_file = dir + "/server.crt";
  tls.key_file = dir + "/server.key";
  tls.client_auth = ClientAuth::kRequireAndVerifyClientCert;
  tls.client_ca_file = dir + "/ca.crt";
  web.tls = tls;
  auto server = start(web);
  ASSERT_NE(server, nullptr);

  const std::string port = std::to_string(server->port());
  // curl's HTTP status for `path` with `options` ("000": no HTTP at all).
  auto status = [&](const std::string& options, const std::string& path) {
    auto [rc, out] = test::run_shell("cd " + dir + " && curl -s -o /dev/null -w '%{http_code}' " +
                                     "--max-time 10 " + options + " '" + path + "'");
    return out;
  };
  const std::string https = "https://127.0.0.1:" + port;
  const std::string client = "--cacert ca.crt --cert client.crt --key client.key";
  struct Client {
    std::string who, options, base, expected;
  };
  const std::vector<Client> clients = {
      {"no client certificate", "--cacert ca.crt", https, "000"},
      {"another CA's certificate", "--cacert ca.crt --cert stranger.crt --key stranger.key", https,
       "000"},
      {"plain HTTP", "", "http://127.0.0.1:" + port, "000"},
      {"no password", client, https, "401"},
      {"the wrong password", client + " -u alice:guess", https, "401"},
      {"everything right", client + " -u alice:wonderland", https, "200"},
  };
  // Each client gets from /exits what it gets from /metrics, and that is
  // what the guard means it to get.
  for (const Client& c : clients) {
    const std::string metrics = status(c.options, c.base + "/metrics");
    EXPECT_EQ(metrics, c.expected) << c.who;
    EXPECT_EQ(status(c.options, c.base + "/exits"), metrics) << c.who;
    EXPECT_EQ(status(c.options, c.base + "/"), metrics) << c.who;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace execmond
