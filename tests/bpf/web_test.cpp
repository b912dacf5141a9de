// --web.config.file with real clients: curl and openssl s_client against
// the real binary over TLS (client certificates, TLS 1.1 refused) and basic
// auth (right and wrong passwords, 401 with WWW-Authenticate), secrets kept
// out of the log, and the file re-read on SIGHUP.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <memory>

#include "bcrypt.h"
#include "daemon_process.h"
#include "http_client.h"
#include "shell.h"
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
    auto [status, out] =
        run_shell(std::string(EXECMOND_SOURCE_DIR) + "/tests/support/make-test-certs.sh " + dir_);
    ASSERT_EQ(status, 0) << out;
  }
  void TearDown() override {
    daemon_process_.reset();
    TracedTest::TearDown();
  }

  void write_web_config(const std::string& yaml) { std::ofstream(dir_ + "/web.yml") << yaml; }

  void launch() {
    daemon_process_ = std::make_unique<DaemonProcess>(
        EXECMOND_DAEMON, dir_,
        std::vector<std::string>{"--web.listen-address=127.0.0.1:0",
                                 "--web.config.file=" + dir_ + "/web.yml", "--log.level=debug",
                                 "--config.file=" + config_file()},
        std::map<std::string, std::string>{}, dir_ + "/execmond.log");
    port_ = daemon_process_->await_ready();
  }

  std::string config_file() {
    const std::string path = dir_ + "/execmond.yaml";
    std::ofstream(path) << "tracer:\n  drain_interval: 100ms\n";
    return path;
  }

  // curl's HTTP status ("000" when no response) and exit code.
  std::pair<std::string, int> curl(const std::string& options, const std::string& path = "/metrics",
                                   bool tls = true) {
    const std::string url =
        std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
    auto [status, out] =
        run_shell("cd " + dir_ + " && curl -s -o /dev/null -w '%{http_code}' --max-time 10 " +
                  options + " " + url);
    return {out, status};
  }

  std::unique_ptr<DaemonProcess> daemon_process_;
  std::uint16_t port_ = 0;
};

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
      run_shell("echo | openssl s_client -connect 127.0.0.1:" + std::to_string(port_) +
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
  HttpResponse none = http_get(port_, "/metrics");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.headers["www-authenticate"], "Basic realm=\"execmond\"");
  EXPECT_EQ(http_get(port_, "/").status, 401) << "the landing page too";
  EXPECT_EQ(curl("-u 'prometheus:" + password + "'", "/metrics", false).first, "200");
  EXPECT_EQ(curl("-u 'prometheus:guess'", "/metrics", false).first, "401");
  EXPECT_EQ(curl("-u 'root:" + password + "'", "/metrics", false).first, "401");
  // prometheus:guess, as Prometheus would send it.
  HttpResponse wrong =
      http_get(port_, "/metrics", {{"Authorization", "Basic cHJvbWV0aGV1czpndWVzcw=="}});
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
      dir_ + "/client.key https://127.0.0.1:" + std::to_string(port_) + "/metrics");
  EXPECT_EQ(got, 0);
  EXPECT_NE(body.find("\nexecmond_config_last_reload_successful 0\n"), std::string::npos);
  EXPECT_NE(daemon_process_->log().find("web.yml:2: tls_server_config.cert_file: cannot read"),
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

}  // namespace
}  // namespace execmond::test
