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

#include "test_certs.h"

namespace execmond {
namespace {

class TlsContextTest : public ::testing::Test {
 protected:
  // The tests only read the files: one set for them all.
  static void SetUpTestSuite() {
    std::string dir = "/tmp/execmond-tls-XXXXXX";
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    dir_ = dir;
    const Status certs = test::make_test_certs(dir);
    ASSERT_TRUE(certs) << certs.error().message;
    std::ofstream(dir + "/notes.txt") << "not a certificate\n";
  }
  static void TearDownTestSuite() {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  void SetUp() override { ASSERT_FALSE(dir_.empty()) << "no directory for the certificates"; }

  static std::string file(const std::string& name) { return dir_ + "/" + name; }
  // The test CA's server certificate with its own key.
  TlsConfig server() const {
    TlsConfig tls;
    tls.cert_file = file("server.crt");
    tls.key_file = file("server.key");
    return tls;
  }
  TlsConfig with_cert(const std::string& name) const {
    TlsConfig tls = server();
    tls.cert_file = file(name);
    return tls;
  }
  TlsConfig with_key(const std::string& name) const {
    TlsConfig tls = server();
    tls.key_file = file(name);
    return tls;
  }
  TlsConfig with_client_ca(const std::string& name) const {
    TlsConfig tls = server();
    tls.client_auth = ClientAuth::kRequireAndVerifyClientCert;
    tls.client_ca_file = file(name);
    return tls;
  }
  // The problem check_tls_config finds; OpenSSL's error queue must be empty after it.
  Status check(const TlsConfig& tls) {
    Status p = check_tls_config(tls);
    EXPECT_EQ(ERR_peek_error(), 0UL) << "OpenSSL's error queue left behind";
    return p;
  }
  // `tls` cannot serve: the key at fault, and the line that says why.
  void expect_problem(const TlsConfig& tls, const std::string& key, const std::string& what) {
    const Status p = check(tls);
    EXPECT_FALSE(p) << what;
    EXPECT_EQ(p.error().message, key + ": " + what);
  }

  static inline std::string dir_;
};

constexpr const char* kCertFix = "give a PEM certificate (chain)";
constexpr const char* kKeyFix = "give the PEM private key of cert_file";
constexpr const char* kCaFix = "give PEM CA certificates";

// The key a problem starts with; "" when there is none.
std::string key_of(const Status& problem) {
  return problem ? "" : problem.error().message.substr(0, problem.error().message.find(": "));
}

using Context = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;

Context new_context() { return {SSL_CTX_new(TLS_server_method()), SSL_CTX_free}; }

TEST_F(TlsContextTest, ACertificateWithItsOwnKeyIsNoProblem) {
  const Status p = check(server());
  EXPECT_TRUE(p) << p.error().message;
}

// A key of another certificate, a file that is no PEM (a key where the
// certificate belongs is none either) and a missing file. OpenSSL has no
// reason string for a failed fopen(): the web config finds such a file
// first ("cannot read"), "unusable" is what stands behind it.
TEST_F(TlsContextTest, FilesThatCannotServeAreAProblemOfTheirKey) {
  const std::string cert = "tls_server_config.cert_file";
  const std::string key = "tls_server_config.key_file";
  const struct {
    TlsConfig tls;
    std::string key;
    std::string what;
  } cases[] = {
      {with_key("stranger.key"), key, file("stranger.key") + ": key values mismatch; " + kKeyFix},
      {with_cert("notes.txt"), cert, file("notes.txt") + ": no start line; " + kCertFix},
      {with_key("notes.txt"), key, file("notes.txt") + ": unsupported; " + kKeyFix},
      {with_cert("server.key"), cert, file("server.key") + ": no start line; " + kCertFix},
      {with_cert("absent.crt"), cert, file("absent.crt") + ": unusable; " + kCertFix},
      {with_key("absent.key"), key, file("absent.key") + ": unusable; " + kKeyFix},
  };
  for (const auto& c : cases) expect_problem(c.tls, c.key, c.what);
}

TEST_F(TlsContextTest, MinAndMaxVersionAreTheContextsProtocolRange) {
  const Context defaults = new_context();
  ASSERT_TRUE(configure_tls_context(defaults.get(), server()));
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
    EXPECT_TRUE(check(tls));
    const Context ctx = new_context();
    ASSERT_TRUE(configure_tls_context(ctx.get(), tls));
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
      EXPECT_TRUE(check(tls));
      const Context ctx = new_context();
      ASSERT_TRUE(configure_tls_context(ctx.get(), tls));
      EXPECT_EQ(SSL_CTX_get_verify_mode(ctx.get()), k.mode);
      EXPECT_EQ(SSL_CTX_get_verify_callback(ctx.get()) == nullptr, k.verifies);
    }
  }
}

TEST_F(TlsContextTest, AClientCaFileThatIsNoPemOrMissingIsAClientCaFileProblem) {
  expect_problem(with_client_ca("notes.txt"), "tls_server_config.client_ca_file",
                 file("notes.txt") + ": no certificate or crl found; " + kCaFix);
  expect_problem(with_client_ca("absent-ca.crt"), "tls_server_config.client_ca_file",
                 file("absent-ca.crt") + ": unusable; " + kCaFix);
}

TEST_F(TlsContextTest, TheFirstProblemIsTheOneReported) {
  TlsConfig tls;
  tls.cert_file = file("absent.crt");
  tls.key_file = file("stranger.key");
  tls.client_ca_file = file("notes.txt");
  EXPECT_EQ(key_of(check(tls)), "tls_server_config.cert_file");
  tls.cert_file = file("server.crt");
  EXPECT_EQ(key_of(check(tls)), "tls_server_config.key_file");
  tls.key_file = file("server.key");
  EXPECT_EQ(key_of(check(tls)), "tls_server_config.client_ca_file");
}

}  // namespace
}  // namespace execmond
