// The HTTP server on real loopback sockets: which paths it answers, and why
// it says it cannot listen.
#include "web/http_server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "bcrypt.h"
#include "http_client.h"
#include "util/unique_fd.h"

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

// A socket listening on [::1], and the port the kernel gave it.
std::pair<UniqueFd, std::uint16_t> listen_on_ipv6_loopback() {
  UniqueFd fd(socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_loopback;
  socklen_t len = sizeof(addr);
  if (!fd.valid() || bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      listen(fd.get(), 1) != 0 ||
      getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ADD_FAILURE() << "cannot listen on [::1]: " << std::strerror(errno);
    return {UniqueFd(), 0};
  }
  return {std::move(fd), ntohs(addr.sin6_port)};
}

TEST_F(HttpServerTest, AnIpv6PortTakenIsNamed) {
  auto [holder, port] = listen_on_ipv6_loopback();
  ASSERT_NE(port, 0);
  const std::string address = "[::1]:" + std::to_string(port);
  auto server = start(HttpOptions{address, "/metrics", 4, {}});
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().message,
            "cannot listen on " + address +
                ": Address already in use; stop what holds the port or choose another with "
                "--web.listen-address");
}

TEST_F(HttpServerTest, AnAddressNotOfThisHostIsNamed) {
  // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never an address of this host.
  auto server = start(HttpOptions{"192.0.2.1:9765", "/metrics", 4, {}});
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().message,
            "cannot listen on 192.0.2.1:9765: Cannot assign requested address; use an address "
            "of this host with --web.listen-address");
}

// With no descriptor left, neither civetweb nor the check of why it failed
// can open a socket; the error says so instead of blaming bind().
TEST_F(HttpServerTest, NoSocketLeftIsNamed) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // The sanitizers' runtime opens a pipe of its own to check memory (UBSan's
  // vptr check): with no descriptor left it reports a false error. The plain
  // build (make test) runs this test.
  GTEST_SKIP() << "needs a descriptor the sanitizer runtime takes; run by make test";
#endif
  int to_child[2];
  ASSERT_EQ(pipe2(to_child, O_CLOEXEC), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(to_child[0]);
    // The lowest free descriptor becomes the limit: no new one can be opened.
    const int lowest_free = dup(0);
    close(lowest_free);
    const rlimit none{static_cast<rlim_t>(lowest_free), static_cast<rlim_t>(lowest_free)};
    setrlimit(RLIMIT_NOFILE, &none);
    auto server = start(HttpOptions{"127.0.0.1:0", "/metrics", 4, {}});
    const std::string message = server ? "started" : server.error().message;
    const ssize_t written = write(to_child[1], message.data(), message.size());
    _exit(written == static_cast<ssize_t>(message.size()) ? 0 : 1);
  }
  close(to_child[1]);
  std::string message;
  char buf[512];
  for (ssize_t n; (n = read(to_child[0], buf, sizeof(buf))) > 0;) message.append(buf, n);
  close(to_child[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(message,
            "cannot listen on 127.0.0.1:0: cannot open a socket: Too many open files; raise the "
            "daemon's limit on open files (LimitNOFILE=)");
}

}  // namespace
}  // namespace execmond
