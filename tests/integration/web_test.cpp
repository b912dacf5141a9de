// --web.config.file with real clients: curl and openssl s_client against
// the real binary over TLS (client certificates, TLS 1.1 refused) and basic
// auth (right and wrong passwords, 401 with WWW-Authenticate), secrets kept
// out of the log, and the file re-read on SIGHUP.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <thread>

#include "bcrypt.h"
#include "daemon_launch.h"
#include "daemon_process.h"
#include "http_client.h"
#include "shell.h"
#include "test_certs.h"
#include "traced_test.h"

namespace execmond::test {
namespace {

// As htpasswd -nBC 5 writes them.
std::string htpasswd_bcrypt(const std::string& password) { return bcrypt(password, "$2y$", 5); }

class WebTest : public TracedTest {
 protected:
  void SetUp() override {
    TracedTest::SetUp();
    if (IsSkipped() || HasFailure()) return;
    const Status certs = make_test_certs(dir_);
    ASSERT_TRUE(certs) << certs.error().message;
  }

  void write_web_config(const std::string& yaml) { std::ofstream(dir_ + "/web.yml") << yaml; }

  // The binary with web.yml as its --web.config.file, READY=1 awaited.
  void launch(const std::string& listen_address = "127.0.0.1:0") {
    BinaryLaunch web = binary_launch(kFastDrains);
    web.listen_address = listen_address;
    web.flags = {"--web.config.file=" + dir_ + "/web.yml", "--log.level=debug"};
    daemon_process_ = test::launch_daemon(web);
  }

  // curl's HTTP status ("000" when no response) and exit code.
  std::pair<std::string, int> curl(const std::string& options, const std::string& path = "/metrics",
                                   bool tls = true) {
    const std::string url = std::string(tls ? "https" : "http") +
                            "://127.0.0.1:" + std::to_string(daemon_port()) + path;
    auto [status, out] =
        run_shell("cd " + dir_ + " && curl -s -o /dev/null -w '%{http_code}' --max-time 10 " +
                  options + " " + url);
    return {out, status};
  }
};

// Binds `fd` to 127.0.0.1:`port`.
bool bind_loopback(int fd, std::uint16_t port) {
  const sockaddr_in addr = loopback(port);
  return bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
}

// A port on 127.0.0.1 that nothing listens on now, from `first` up.
std::uint16_t free_port(std::uint16_t first) {
  for (std::uint16_t port = first; port < 65535; ++port) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const bool free = bind_loopback(fd, port);
    close(fd);
    if (free) return port;
  }
  return 0;
}

constexpr const char* kServerTls =
    "tls_server_config:\n"
    "  cert_file: server.crt\n"
    "  key_file: server.key\n";

constexpr const char* kMutualTls =
    "tls_server_config:\n"
    "  cert_file: server.crt\n"
    "  key_file: server.key\n"
    "  client_auth_type: RequireAndVerifyClientCert\n"
    "  client_ca_file: ca.crt\n";

TEST_F(WebTest, MutualTlsLetsInOnlyClientsWithACertificateFromTheCa) {
  write_web_config(kMutualTls);
  launch();
  EXPECT_EQ(curl("--cacert ca.crt --cert client.crt --key client.key").first, "200");
  auto [code, rc] = curl("--cacert ca.crt");
  EXPECT_EQ(code, "000") << "no client certificate: no HTTP at all";
  EXPECT_NE(rc, 0);
  EXPECT_EQ(curl("--cacert ca.crt --cert stranger.crt --key stranger.key").first, "000")
      << "a certificate from another CA";
  EXPECT_EQ(curl("", "/metrics", /*tls=*/false).first, "000") << "plain HTTP on the TLS port";
  // The server, not the client, refuses TLS 1.1: it answers with a protocol_version alert.
  auto [status, out] =
      run_shell("echo | openssl s_client -connect 127.0.0.1:" + std::to_string(daemon_port()) +
                " -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' -CAfile " + dir_ + "/ca.crt -cert " + dir_ +
                "/client.crt -key " + dir_ + "/client.key");
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("alert protocol version"), std::string::npos) << out;
  // TLS 1.2 is fine, and 1.3.
  EXPECT_EQ(
      curl("--tlsv1.2 --tls-max 1.2 --cacert ca.crt --cert client.crt --key client.key").first,
      "200");
  EXPECT_EQ(curl("--tlsv1.3 --cacert ca.crt --cert client.crt --key client.key").first, "200");
  EXPECT_EQ(kill(daemon_process_->pid(), 0), 0) << "still running after the refusals";
}

TEST_F(WebTest, BasicAuthAnswers401WithWwwAuthenticateAndKeepsSecretsOutOfTheLog) {
  const std::string password = "correct horse battery staple";
  const std::string hash = htpasswd_bcrypt(password);
  write_web_config("basic_auth_users:\n  prometheus: '" + hash + "'\n");
  launch();
  HttpResponse none = http_get(daemon_port(), "/metrics");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.headers["www-authenticate"], "Basic realm=\"execmond\"");
  EXPECT_EQ(http_get(daemon_port(), "/").status, 401) << "the landing page too";
  EXPECT_EQ(curl("-u 'prometheus:" + password + "'", "/metrics", false).first, "200");
  EXPECT_EQ(curl("-u 'prometheus:guess'", "/metrics", false).first, "401");
  EXPECT_EQ(curl("-u 'root:" + password + "'", "/metrics", false).first, "401");
  // prometheus:guess, as Prometheus would send it.
  HttpResponse wrong =
      http_get(daemon_port(), "/metrics", {{"Authorization", "Basic cHJvbWV0aGV1czpndWVzcw=="}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.headers["www-authenticate"], "Basic realm=\"execmond\"");

  // A new password takes over on SIGHUP; the old one stops working.
  const std::string next = "tr0ub4dor&3";
  write_web_config("basic_auth_users:\n  prometheus: '" + htpasswd_bcrypt(next) + "'\n");
  kill(daemon_process_->pid(), SIGHUP);
  ASSERT_NE(daemon_process_->await("READY=1"), "");
  EXPECT_EQ(curl("-u 'prometheus:" + next + "'", "/metrics", false).first, "200");
  EXPECT_EQ(curl("-u 'prometheus:" + password + "'", "/metrics", false).first, "401");

  const std::string log = daemon_process_->log();
  EXPECT_EQ(log.find(password), std::string::npos) << log;
  EXPECT_EQ(log.find(next), std::string::npos) << log;
  EXPECT_EQ(log.find(hash.substr(7)), std::string::npos) << log;
}

TEST_F(WebTest, ABadWebConfigStopsTheStartAndABadReloadKeepsTheRunningOne) {
  write_web_config("tls_server_config:\n  cert_file: server.crt\n");
  auto [status, out] =
      run_shell(std::string(EXECMOND_DAEMON) +
                " --web.listen-address=127.0.0.1:0 --web.config.file=" + dir_ + "/web.yml");
  EXPECT_EQ(status, 1);
  EXPECT_NE(
      out.find(dir_ + "/web.yml:2: tls_server_config: cert_file and key_file are both required"),
      std::string::npos)
      << out;

  write_web_config(kMutualTls);
  launch();
  const std::string client = "--cacert ca.crt --cert client.crt --key client.key";
  write_web_config("tls_server_config:\n  cert_file: absent.crt\n  key_file: server.key\n");
  kill(daemon_process_->pid(), SIGHUP);
  ASSERT_NE(daemon_process_->await("READY=1"), "");
  EXPECT_EQ(curl(client).first, "200") << "still serving the old TLS settings";
  auto [got, body] = run_shell(
      "curl -s --max-time 10 --cacert " + dir_ + "/ca.crt --cert " + dir_ + "/client.crt --key " +
      dir_ + "/client.key https://127.0.0.1:" + std::to_string(daemon_port()) + "/metrics");
  EXPECT_EQ(got, 0);
  EXPECT_NE(body.find("\nexecmond_config_last_reload_successful 0\n"), std::string::npos);
  EXPECT_NE(daemon_process_->log().find("web.yml:2: tls_server_config.cert_file: cannot read"),
            std::string::npos)
      << daemon_process_->log();

  // Files that are there but cannot serve: the reload fails as the file is
  // read, and the running server is not touched (a server made anew would
  // listen on another port here, as the test listens on port 0).
  write_web_config("tls_server_config:\n  cert_file: server.crt\n  key_file: stranger.key\n");
  kill(daemon_process_->pid(), SIGHUP);
  ASSERT_NE(daemon_process_->await("READY=1"), "");
  EXPECT_EQ(curl(client).first, "200") << "the same server, on the same port";
  EXPECT_NE(daemon_process_->log().find(
                "web.yml:3: tls_server_config.key_file: " + dir_ +
                "/stranger.key: key values mismatch; give the PEM private key of cert_file"),
            std::string::npos)
      << daemon_process_->log();

  // From TLS to plain HTTP at run time: the server is made anew (on a new
  // port here, as the test listens on port 0).
  write_web_config("");
  kill(daemon_process_->pid(), SIGHUP);
  const std::string ready = daemon_process_->await("READY=1");
  const auto at = ready.find("(port ");
  ASSERT_NE(at, std::string::npos) << ready;
  const auto plain_port = static_cast<std::uint16_t>(std::stoi(ready.substr(at + 6)));
  EXPECT_EQ(http_get(plain_port, "/metrics").status, 200);
}

// A change of TLS settings makes the server anew on the same port. Should
// something take the port in that moment, the daemon goes on counting and
// serves again (the configuration it had) once the port is free.
TEST_F(WebTest, APortTakenWhileAReloadReplacesTheServerIsServedAgainOnceFree) {
  const std::uint16_t port = free_port(20000);
  ASSERT_NE(port, 0);
  write_web_config("");
  launch("127.0.0.1:" + std::to_string(port));
  ASSERT_EQ(daemon_port(), port);

  // Switches between plain HTTP and TLS while a thread binds the port in a
  // tight loop, until it gets the port between the old server and the new.
  int thief = -1;
  std::string status;
  bool tls = false;
  for (int attempt = 0; attempt < 20 && thief < 0; ++attempt) {
    tls = !tls;
    write_web_config(tls ? kServerTls : "");
    std::atomic<bool> reloaded{false};
    std::thread steal([&] {
      const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      while (!reloaded) {
        if (bind_loopback(fd, port) && listen(fd, 1) == 0) {
          thief = fd;
          return;
        }
      }
      close(fd);
    });
    kill(daemon_process_->pid(), SIGHUP);
    status = daemon_process_->await("READY=1");
    reloaded = true;
    steal.join();
  }
  ASSERT_GE(thief, 0) << "the port was never free during 20 reloads";
  EXPECT_NE(status.find("not serving (cannot listen on 127.0.0.1:" + std::to_string(port) +
                        ": Address already in use"),
            std::string::npos)
      << status;
  EXPECT_EQ(kill(daemon_process_->pid(), 0), 0) << "still running";
  EXPECT_NE(daemon_process_->log().find("reload failed, keeping the running web configuration"),
            std::string::npos);

  // Counting goes on meanwhile; once the port is free the previous
  // configuration is served again, and the failed reload shows.
  close(thief);
  EXPECT_NE(daemon_process_->await("serving 127.0.0.1:" + std::to_string(port)), "");
  const std::string previous = tls ? "http" : "https";
  auto [got, body] = run_shell("curl -s --max-time 10 --cacert " + dir_ + "/ca.crt " + previous +
                               "://127.0.0.1:" + std::to_string(port) + "/metrics");
  EXPECT_EQ(got, 0) << body;
  EXPECT_NE(body.find("\nexecmond_config_last_reload_successful 0\n"), std::string::npos) << body;
  EXPECT_NE(daemon_process_->log().find("serving metrics again on 127.0.0.1:"), std::string::npos);
}

// Below ip_unprivileged_port_start (1024) binding takes CAP_NET_BIND_SERVICE:
// the daemon keeps that one so that a change of TLS settings can bind again.
TEST_F(WebTest, OnAPrivilegedPortTheBindCapabilityIsKeptForTlsReloads) {
  const std::uint16_t port = free_port(900);
  ASSERT_TRUE(port != 0 && port < 1024);
  write_web_config("");
  launch("127.0.0.1:" + std::to_string(port));
  EXPECT_EQ(effective_capabilities_of(daemon_process_->pid()), 1ULL << CAP_NET_BIND_SERVICE);
  write_web_config(kServerTls);
  kill(daemon_process_->pid(), SIGHUP);
  ASSERT_NE(daemon_process_->await("READY=1"), "");
  EXPECT_EQ(curl("--cacert ca.crt").first, "200") << daemon_process_->log();
}

}  // namespace
}  // namespace execmond::test
