// The HTTP server across reloads, on real sockets: a real HttpServer on
// 127.0.0.1. The bind serves a TLS config as plain HTTP (what matters here is
// that a TLS change makes a new server) and lets a test take the port in the
// moment the old server has let it go.
#include "app/web_service.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include <prometheus/registry.h>

#include "http_client.h"
#include "records/record_ring.h"
#include "util/unique_fd.h"

namespace execmond {
namespace {

using test::http_get;
using test::loopback;

// A socket listening on 127.0.0.1:`port` (0: one the kernel picks).
UniqueFd listen_on(std::uint16_t port) {
  UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr = loopback(port);
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(fd.get(), 1) != 0) {
    ADD_FAILURE() << "cannot listen on 127.0.0.1:" << port;
  }
  return fd;
}

std::uint16_t port_of(const UniqueFd& fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

WebConfig with_tls(const std::string& cert) {
  TlsConfig tls;
  tls.cert_file = cert;
  tls.key_file = cert + ".key";
  WebConfig web;
  web.tls = tls;
  return web;
}

class WebServiceTest : public ::testing::Test {
 protected:
  void make(const std::string& listen_address) {
    service_ = std::make_unique<WebService>(
        HttpOptions{listen_address, "/metrics", 4, {}},
        std::vector<std::weak_ptr<prometheus::Collectable>>{registry_},
        [this](const HttpOptions& options) {
          ++binds_;
          if (before_bind_) before_bind_();
          HttpOptions plain = options;
          plain.web.tls.reset();
          return HttpServer::start(plain,
                                   std::vector<std::weak_ptr<prometheus::Collectable>>{registry_});
        });
  }

  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  std::unique_ptr<WebService> service_;
  int binds_ = 0;
  std::function<void()> before_bind_;
};

TEST_F(WebServiceTest, ServesOnThePortTheKernelPicks) {
  make("127.0.0.1:0");
  EXPECT_FALSE(service_->serving());
  ASSERT_TRUE(service_->serve(WebConfig{}));
  EXPECT_TRUE(service_->serving());
  EXPECT_NE(service_->port(), 0);
  EXPECT_EQ(service_->not_serving(), "");
  EXPECT_EQ(http_get(service_->port(), "/metrics").status, 200);
}

TEST_F(WebServiceTest, AReloadThatKeepsTheTlsSettingsKeepsTheServer) {
  make("127.0.0.1:0");
  ASSERT_TRUE(service_->serve(WebConfig{}));
  const std::uint16_t port = service_->port();
  WebConfig users;
  users.basic_auth_users = {{"alice", "$2y$10$notareallyvalidhash"}};
  ASSERT_TRUE(service_->reload(users));
  EXPECT_EQ(binds_, 1);
  EXPECT_EQ(service_->port(), port);
  EXPECT_EQ(service_->web().basic_auth_users.size(), 1U);
  EXPECT_EQ(http_get(port, "/metrics").status, 401);  // the new users are asked for
}

TEST_F(WebServiceTest, AReloadThatChangesTheTlsSettingsBindsANewServer) {
  make("127.0.0.1:0");
  ASSERT_TRUE(service_->serve(WebConfig{}));
  ASSERT_TRUE(service_->reload(with_tls("/etc/execmond/a.pem")));
  EXPECT_EQ(binds_, 2);
  EXPECT_TRUE(service_->serving());
  ASSERT_TRUE(service_->web().tls.has_value());
  EXPECT_EQ(service_->web().tls->cert_file, "/etc/execmond/a.pem");
  EXPECT_EQ(http_get(service_->port(), "/metrics").status, 200);
}

TEST_F(WebServiceTest, APortTakenDuringTheRebindIsServedAgainOnceFree) {
  UniqueFd probe = listen_on(0);
  const std::uint16_t port = port_of(probe);
  probe.reset();
  const std::string address = "127.0.0.1:" + std::to_string(port);
  make(address);
  ASSERT_TRUE(service_->serve(WebConfig{}));
  ASSERT_EQ(service_->port(), port);

  UniqueFd thief;
  bool taken = false;  // once, by the rebind
  before_bind_ = [&] {
    if (!std::exchange(taken, true)) thief = listen_on(port);
  };
  Status reloaded = service_->reload(with_tls("/etc/execmond/a.pem"));
  ASSERT_FALSE(reloaded);
  EXPECT_EQ(
      reloaded.error().message.rfind("cannot listen on " + address + ": Address already in use", 0),
      0U)
      << reloaded.error().message;
  EXPECT_FALSE(service_->serving());
  EXPECT_EQ(service_->port(), 0);
  EXPECT_EQ(service_->not_serving(), reloaded.error().message);
  EXPECT_FALSE(service_->web().tls.has_value()) << "the running web config stays in effect";

  service_->serve_again();  // still taken
  EXPECT_FALSE(service_->serving());
  EXPECT_EQ(service_->not_serving(), reloaded.error().message);

  thief.reset();
  service_->serve_again();
  ASSERT_TRUE(service_->serving());
  EXPECT_EQ(service_->port(), port);
  EXPECT_EQ(service_->not_serving(), "");
  EXPECT_FALSE(service_->web().tls.has_value());
  EXPECT_EQ(http_get(port, "/metrics").status, 200);

  const int binds = binds_;
  service_->serve_again();  // serving: nothing to do
  EXPECT_EQ(binds_, binds);
}

// How the daemon gives the web service its records: in HttpOptions::exits,
// kept by every server it makes, the one a TLS change makes too.
TEST_F(WebServiceTest, ExitRecordsAreServedByEveryServerItMakes) {
  auto ring = std::make_shared<RecordRing>();
  ExitRecord record;
  record.sequence = 7;
  ring->push(record);
  HttpOptions options{"127.0.0.1:0", "/metrics", 4, {}};
  options.exits = ExitsSource{ring, [](const ExitRecord& r) {
                                return nlohmann::json{{"seq", r.sequence}};
                              }};
  WebService service(options, {registry_}, [this](const HttpOptions& o) {
    HttpOptions plain = o;
    plain.web.tls.reset();
    return HttpServer::start(plain, std::vector<std::weak_ptr<prometheus::Collectable>>{registry_});
  });
  ASSERT_TRUE(service.serve(WebConfig{}));
  EXPECT_EQ(http_get(service.port(), "/exits").body,
            "{\"schema\":1,\"last_seq\":7,\"records\":[{\"seq\":7}]}\n");
  ASSERT_TRUE(service.reload(with_tls("/etc/execmond/a.pem")));
  EXPECT_EQ(http_get(service.port(), "/exits").status, 200);
  EXPECT_NE(http_get(service.port(), "/").body.find("Recent exits"), std::string::npos);
}

}  // namespace
}  // namespace execmond
