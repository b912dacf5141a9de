// The web configuration file: exporter-toolkit's format, errors that name
// file, line and key, and secrets never repeated.
#include "web/web_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "shell.h"

namespace execmond {
namespace {

constexpr const char* kHash = "$2y$10$C6UzMDM.H6dfI/f/IKcEeO7wSvvn6Dk6ENyQ9s8QxpBXnbUjmJZOe";

class WebConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/execmond-webcfg-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // Real ones: the loader checks that OpenSSL can serve with them.
    auto [status, out] = test::run_shell(std::string(EXECMOND_SOURCE_DIR) +
                                         "/tests/support/make-test-certs.sh " + dir_);
    ASSERT_EQ(status, 0) << out;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<WebConfig> parse(const std::string& yaml) {
    return parse_web_config(yaml, "web.yml", dir_);
  }
  std::string error_of(const std::string& yaml) {
    Result<WebConfig> r = parse(yaml);
    EXPECT_FALSE(r) << yaml;
    return r.error().message;
  }

  std::string dir_;
};

TEST_F(WebConfigTest, EmptyMeansPlainHttpWithoutAuth) {
  Result<WebConfig> r = parse("");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->tls);
  EXPECT_TRUE(r->basic_auth_users.empty());
  EXPECT_EQ(describe(*r), "plain HTTP");
}

TEST_F(WebConfigTest, TlsAndUsersAsExporterToolkitWritesThem) {
  Result<WebConfig> r = parse(std::string("tls_server_config:\n"
                                          "  cert_file: server.crt\n"
                                          "  key_file: ") +
                              dir_ + "/server.key\n" +
                              "  client_auth_type: RequireAndVerifyClientCert\n"
                              "  client_ca_file: ca.crt\n"
                              "  min_version: TLS13\n"
                              "basic_auth_users:\n"
                              "  alice: " +
                              kHash + "\n  bob: '" + kHash + "'\n");
  ASSERT_TRUE(r) << r.error().message;
  const TlsConfig& t = *r->tls;
  EXPECT_EQ(t.cert_file, dir_ + "/server.crt") << "relative to the file's directory";
  EXPECT_EQ(t.key_file, dir_ + "/server.key");
  EXPECT_EQ(t.client_ca_file, dir_ + "/ca.crt");
  EXPECT_EQ(t.client_auth, ClientAuth::kRequireAndVerifyClientCert);
  EXPECT_EQ(t.min_version, TlsVersion::kTls13);
  EXPECT_EQ(t.max_version, TlsVersion::kTls13);
  EXPECT_EQ(r->basic_auth_users.size(), 2U);
  EXPECT_EQ(r->basic_auth_users.at("alice"), kHash);
  EXPECT_EQ(describe(*r),
            "TLS 1.3, client_auth_type RequireAndVerifyClientCert; basic auth for 2 users");
}

TEST_F(WebConfigTest, DefaultsAreTls12OrNewerWithoutClientCertificates) {
  Result<WebConfig> r =
      parse("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->tls->min_version, TlsVersion::kTls12);
  EXPECT_EQ(r->tls->client_auth, ClientAuth::kNoClientCert);
  EXPECT_EQ(describe(*r), "TLS 1.2 to TLS 1.3, client_auth_type NoClientCert");
}

TEST_F(WebConfigTest, ErrorsNameFileLineAndKey) {
  const std::pair<std::string, std::string> cases[] = {
      {"tls_server_config:\n  cert_file: server.crt\n",
       "web.yml:2: tls_server_config: cert_file and key_file are both required"},
      {"tls_server_config:\n  cert_file: nope.crt\n  key_file: server.key\n",
       "web.yml:2: tls_server_config.cert_file: cannot read " + dir_ +
           "/nope.crt; check the path and its permissions"},
      {"tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
       "  client_auth_type: Always\n",
       "web.yml:4: tls_server_config.client_auth_type: \"Always\" is not one of NoClientCert, "
       "RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, "
       "RequireAndVerifyClientCert"},
      {"tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
       "  client_auth_type: RequireAndVerifyClientCert\n",
       "web.yml:2: tls_server_config.client_ca_file: required to verify client certificates"},
      {"tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
       "  min_version: TLS13\n  max_version: TLS12\n",
       "web.yml:2: tls_server_config.min_version: is above max_version"},
      {"tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
       "  min_version: SSL3\n",
       "web.yml:4: tls_server_config.min_version: \"SSL3\" is not one of TLS10, TLS11, TLS12, "
       "TLS13"},
      {"tls_server_config:\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n",
       "web.yml:2: tls_server_config.cipher_suites: not supported by execmond; remove it"},
      {"tls_server_config:\n  certfile: x\n",
       "web.yml:2: tls_server_config.certfile: unknown key; use cert_file, key_file, "
       "client_auth_type, client_ca_file, min_version, max_version"},
      {"http_server_config:\n  http2: false\n",
       "web.yml:1: http_server_config: not supported by execmond; remove it"},
      {"basic_auth:\n  alice: x\n",
       "web.yml:1: basic_auth: unknown key; use tls_server_config, basic_auth_users"},
      {"basic_auth_users: [alice]\n",
       "web.yml:1: basic_auth_users: expected a map of user: bcrypt hash"},
      {"tls_server_config: [\n", "web.yml:2: YAML syntax error: end of sequence flow not found"},
  };
  for (const auto& [yaml, error] : cases) EXPECT_EQ(error_of(yaml), error) << yaml;
}

// Checked as the file is loaded, so that a reload with them fails before the
// running server is replaced, and a start names the line to fix.
TEST_F(WebConfigTest, CertificatesAndKeysThatCannotServeAreErrorsOnTheirLine) {
  std::ofstream(dir_ + "/text.crt") << "not a certificate\n";
  const std::vector<std::pair<std::string, std::string>> cases{
      {"tls_server_config:\n  cert_file: text.crt\n  key_file: server.key\n",
       "web.yml:2: tls_server_config.cert_file: " + dir_ +
           "/text.crt: no start line; give a PEM certificate (chain)"},
      {"tls_server_config:\n  cert_file: server.crt\n  key_file: stranger.key\n",
       "web.yml:3: tls_server_config.key_file: " + dir_ +
           "/stranger.key: key values mismatch; give the PEM private key of cert_file"},
      {"tls_server_config:\n  cert_file: server.crt\n  key_file: server.crt\n",
       "web.yml:3: tls_server_config.key_file: " + dir_ +
           "/server.crt: unsupported; give the PEM private key of cert_file"},
      {"tls_server_config:\n  cert_file: /dev/zero\n  key_file: server.key\n",
       "web.yml:2: tls_server_config.cert_file: /dev/zero is not a regular file; name a PEM "
       "file"},
      {"tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
       "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: text.crt\n",
       "web.yml:5: tls_server_config.client_ca_file: " + dir_ +
           "/text.crt: no certificate or crl found; give PEM CA certificates"},
  };
  for (const auto& [yaml, error] : cases) EXPECT_EQ(error_of(yaml), error) << yaml;
}

TEST_F(WebConfigTest, APasswordOrHashIsNeverRepeatedInAnError) {
  const std::string secret = "hunter2-plaintext";
  std::string error = error_of("basic_auth_users:\n  alice: " + secret + "\n");
  EXPECT_EQ(error,
            "web.yml:2: basic_auth_users.alice: not a bcrypt hash; make one with htpasswd "
            "-nBC 10 \"\" | tr -d ':\\n'");
  EXPECT_EQ(error.find(secret), std::string::npos);
  // A hash cut short is no hash either, and is not shown.
  error = error_of(std::string("basic_auth_users:\n  alice: ") + std::string(kHash).substr(0, 40) +
                   "\n");
  EXPECT_EQ(error.find("C6UzMDM"), std::string::npos) << error;
}

TEST_F(WebConfigTest, ABcryptCostOutOfRangeIsRefused) {
  for (const char* cost : {"03", "32", "99", "1x"}) {
    std::string hash = kHash;
    hash.replace(4, 2, cost);
    EXPECT_EQ(error_of("basic_auth_users:\n  alice: " + hash + "\n"),
              "web.yml:2: basic_auth_users.alice: bcrypt cost " + std::string(cost) +
                  " is not from 04 to 31; make a hash with htpasswd -nBC 10 \"\" | tr -d ':\\n'")
        << cost;
  }
  for (const char* cost : {"04", "31"}) {
    std::string hash = kHash;
    hash.replace(4, 2, cost);
    Result<WebConfig> r = parse("basic_auth_users:\n  alice: " + hash + "\n");
    EXPECT_TRUE(r) << cost << ": " << r.error().message;
  }
}

// As in the main config: a stray "---" would hide the settings after it.
TEST_F(WebConfigTest, ASecondDocumentIsRefused) {
  EXPECT_EQ(error_of(std::string("basic_auth_users:\n  alice: ") + kHash +
                     "\n---\nbasic_auth_users:\n  bob: " + kHash + "\n"),
            "web.yml:4: top level: a second YAML document; put all settings in one document");
  // Empty documents after the first hide nothing.
  Result<WebConfig> r = parse(std::string("basic_auth_users:\n  alice: ") + kHash + "\n---\n---\n");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->basic_auth_users.size(), 1U);
}

TEST_F(WebConfigTest, FilesAreReadFromDisk) {
  const std::string path = dir_ + "/web.yml";
  std::ofstream(path) << "basic_auth_users:\n  alice: " << kHash << "\n";
  Result<WebConfig> r = load_web_config(path);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->basic_auth_users.size(), 1U);
  r = load_web_config(dir_ + "/absent.yml");
  EXPECT_EQ(r.error().message, "cannot open " + dir_ +
                                   "/absent.yml: No such file or directory; name a readable web "
                                   "config file with web.config_file or --web.config.file");
}

}  // namespace
}  // namespace execmond
