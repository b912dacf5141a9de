// The TLS context behind --web.config.file: which files can serve, the
// problem (key and one line) for those that cannot, and the versions and
// client verification a served context gets.
#include "web/tls_context.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "shell.h"

namespace execmond {
namespace {

class TlsContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/execmond-tls-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto [status, out] = test::run_shell(std::string(EXECMOND_SOURCE_DIR) +
                                         "/tests/support/make-test-certs.sh " + dir_);
    ASSERT_EQ(status, 0) << out;
    std::ofstream(dir_ + "/notes.txt") << "not a certificate\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string file(const std::string& name) const { return dir_ + "/" + name; }
  // The test CA's server certificate with its own key.
  TlsConfig server() const {
    TlsConfig tls;
    tls.cert_file = file("server.crt");
    tls.key_file = file("server.key");
    return tls;
  }
  // The problem check_tls_config finds; OpenSSL's error queue must be empty after it.
  TlsProblem check(const TlsConfig& tls) {
    TlsProblem p = check_tls_config(tls);
    EXPECT_EQ(ERR_peek_error(), 0UL) << "OpenSSL's error queue left behind";
    return p;
  }

  std::string dir_;
};

using Context = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;

Context new_context() { return {SSL_CTX_new(TLS_server_method()), SSL_CTX_free}; }

TEST_F(TlsContextTest, ACertificateWithItsOwnKeyIsNoProblem) {
  const TlsProblem p = check(server());
  EXPECT_FALSE(p);
  EXPECT_EQ(p.key, "");
  EXPECT_EQ(p.what, "");
}

TEST_F(TlsContextTest, AKeyOfAnotherCertificateIsAKeyFileProblem) {
  TlsConfig tls = server();
  tls.key_file = file("stranger.key");
  const TlsProblem p = check(tls);
  EXPECT_TRUE(p);
  EXPECT_EQ(p.key, "tls_server_config.key_file");
  EXPECT_EQ(p.what,
            file("stranger.key") + ": key values mismatch; give the PEM private key of cert_file");
}

TEST_F(TlsContextTest, AFileThatIsNoPemIsAProblemOfItsKey) {
  TlsConfig bad_cert = server();
  bad_cert.cert_file = file("notes.txt");
  TlsProblem p = check(bad_cert);
  EXPECT_EQ(p.key, "tls_server_config.cert_file");
  EXPECT_EQ(p.what, file("notes.txt") + ": no start line; give a PEM certificate (chain)");

  TlsConfig bad_key = server();
  bad_key.key_file = file("notes.txt");
  p = check(bad_key);
  EXPECT_EQ(p.key, "tls_server_config.key_file");
  EXPECT_EQ(p.what, file("notes.txt") + ": unsupported; give the PEM private key of cert_file");

  // A key where the certificate belongs is no certificate either.
  TlsConfig swapped = server();
  swapped.cert_file = file("server.key");
  p = check(swapped);
  EXPECT_EQ(p.key, "tls_server_config.cert_file");
  EXPECT_EQ(p.what, file("server.key") + ": no start line; give a PEM certificate (chain)");
}

// OpenSSL has no reason string for a failed fopen(): the web config finds
// such a file first ("cannot read"), this is what stands behind it.
TEST_F(TlsContextTest, AMissingFileIsAProblemOfItsKey) {
  TlsConfig no_cert = server();
  no_cert.cert_file = file("absent.crt");
  TlsProblem p = check(no_cert);
  EXPECT_EQ(p.key, "tls_server_config.cert_file");
  EXPECT_EQ(p.what, file("absent.crt") + ": unusable; give a PEM certificate (chain)");

  TlsConfig no_key = server();
  no_key.key_file = file("absent.key");
  p = check(no_key);
  EXPECT_EQ(p.key, "tls_server_config.key_file");
  EXPECT_EQ(p.what, file("absent.key") + ": unusable; give the PEM private key of cert_file");
}

TEST_F(TlsContextTest, MinAndMaxVersionAreTheContextsProtocolRange) {
  const Context defaults = new_context();
  ASSERT_FALSE(configure_tls_context(defaults.get(), server()));
  EXPECT_EQ(SSL_CTX_get_min_proto_version(defaults.get()), TLS1_2_VERSION);
  EXPECT_EQ(SSL_CTX_get_max_proto_version(defaults.get()), TLS1_3_VERSION);

  const struct {
    TlsVersion min;
    TlsVersion max;
    long openssl_min;
    long openssl_max;
  } ranges[] = {
      {TlsVersion::kTls13, TlsVersion::kTls13, TLS1_3_VERSION, TLS1_3_VERSION},
      {TlsVersion::kTls10, TlsVersion::kTls11, TLS1_VERSION, TLS1_1_VERSION},
      {TlsVersion::kTls11, TlsVersion::kTls12, TLS1_1_VERSION, TLS1_2_VERSION},
  };
  for (const auto& r : ranges) {
    TlsConfig tls = server();
    tls.min_version = r.min;
    tls.max_version = r.max;
    EXPECT_FALSE(check(tls));
    const Context ctx = new_context();
    ASSERT_FALSE(configure_tls_context(ctx.get(), tls));
    EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx.get()), r.openssl_min);
    EXPECT_EQ(SSL_CTX_get_max_proto_version(ctx.get()), r.openssl_max);
  }
}

TEST_F(TlsContextTest, ClientAuthTypeSetsTheVerificationItAsksFor) {
  const struct {
    ClientAuth auth;
    int mode;
    bool verifies;  // false: any certificate is accepted, unverified
  } kinds[] = {
      {ClientAuth::kNoClientCert, SSL_VERIFY_NONE, true},
      {ClientAuth::kRequestClientCert, SSL_VERIFY_PEER, false},
      {ClientAuth::kRequireAnyClientCert, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, false},
      {ClientAuth::kVerifyClientCertIfGiven, SSL_VERIFY_PEER, true},
      {ClientAuth::kRequireAndVerifyClientCert, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
       true},
  };
  for (const std::string& ca : {file("ca.crt"), std::string()}) {
    for (const auto& k : kinds) {
      SCOPED_TRACE("client_auth_type " + std::to_string(static_cast<int>(k.auth)) +
                   ", client_ca_file \"" + ca + "\"");
      TlsConfig tls = server();
      tls.client_auth = k.auth;
      tls.client_ca_file = ca;
      // Without a CA file too: requiring one is the web config's rule, with its line.
      EXPECT_FALSE(check(tls));
      const Context ctx = new_context();
      ASSERT_FALSE(configure_tls_context(ctx.get(), tls));
      EXPECT_EQ(SSL_CTX_get_verify_mode(ctx.get()), k.mode);
      EXPECT_EQ(SSL_CTX_get_verify_callback(ctx.get()) == nullptr, k.verifies);
    }
  }
}

TEST_F(TlsContextTest, AClientCaFileThatIsNoPemOrMissingIsAClientCaFileProblem) {
  TlsConfig tls = server();
  tls.client_auth = ClientAuth::kRequireAndVerifyClientCert;
  tls.client_ca_file = file("notes.txt");
  TlsProblem p = check(tls);
  EXPECT_EQ(p.key, "tls_server_config.client_ca_file");
  EXPECT_EQ(p.what, file("notes.txt") + ": no certificate or crl found; give PEM CA certificates");

  tls.client_ca_file = file("absent-ca.crt");
  p = check(tls);
  EXPECT_EQ(p.key, "tls_server_config.client_ca_file");
  EXPECT_EQ(p.what, file("absent-ca.crt") + ": unusable; give PEM CA certificates");
}

TEST_F(TlsContextTest, TheFirstProblemIsTheOneReported) {
  TlsConfig tls;
  tls.cert_file = file("absent.crt");
  tls.key_file = file("stranger.key");
  tls.client_ca_file = file("notes.txt");
  EXPECT_EQ(check(tls).key, "tls_server_config.cert_file");
  tls.cert_file = file("server.crt");
  EXPECT_EQ(check(tls).key, "tls_server_config.key_file");
  tls.key_file = file("server.key");
  EXPECT_EQ(check(tls).key, "tls_server_config.client_ca_file");
}

}  // namespace
}  // namespace execmond
