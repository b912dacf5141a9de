#include "web/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <memory>
#include <string>

namespace execmond {

namespace {

int openssl_version(TlsVersion v) {
  switch (v) {
    case TlsVersion::kTls10:
      return TLS1_VERSION;
    case TlsVersion::kTls11:
      return TLS1_1_VERSION;
    case TlsVersion::kTls12:
      return TLS1_2_VERSION;
    case TlsVersion::kTls13:
      return TLS1_3_VERSION;
  }
  return TLS1_2_VERSION;
}

// Accepts any certificate a client sends: the two client_auth_types that ask
// for one without verifying it.
int accept_any_certificate(int /*preverified*/, X509_STORE_CTX* /*store*/) { return 1; }

// OpenSSL's reason for the failure just seen ("no start line"), and
// an empty queue for whoever uses OpenSSL next on this thread.
std::string openssl_reason() {
  const unsigned long code = ERR_peek_error();  // the first: the most specific
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  ERR_clear_error();
  return reason != nullptr ? reason : "unusable";
}

Error problem(const char* key, const std::string& path, const char* fix) {
  return {std::string("tls_server_config.") + key + ": " + path + ": " + openssl_reason() + "; " +
          fix};
}

}  // namespace

Status configure_tls_context(ssl_ctx_st* ctx, const TlsConfig& tls) {
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(ctx, tls.cert_file.c_str()) != 1) {
    return problem("cert_file", tls.cert_file, "give a PEM certificate (chain)");
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    return problem("key_file", tls.key_file, "give the PEM private key of cert_file");
  }
  SSL_CTX_set_min_proto_version(ctx, openssl_version(tls.min_version));
  SSL_CTX_set_max_proto_version(ctx, openssl_version(tls.max_version));
  // The CA file verifies client certificates; its names are not announced
  // in the CertificateRequest: under civetweb that list goes out empty in
  // TLS 1.3, which Go clients (Prometheus) reject as a malformed message.
  if (!tls.client_ca_file.empty() &&
      SSL_CTX_load_verify_locations(ctx, tls.client_ca_file.c_str(), nullptr) != 1) {
    return problem("client_ca_file", tls.client_ca_file, "give PEM CA certificates");
  }
  switch (tls.client_auth) {
    case ClientAuth::kNoClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
      break;
    case ClientAuth::kRequestClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any_certificate);
      break;
    case ClientAuth::kRequireAnyClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                         accept_any_certificate);
      break;
    case ClientAuth::kVerifyClientCertIfGiven:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
      break;
    case ClientAuth::kRequireAndVerifyClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      break;
  }
  return {};
}

Status check_tls_config(const TlsConfig& tls) {
  const std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_server_method()),
                                                              SSL_CTX_free);
  if (!ctx)
    return Error{"tls_server_config: OpenSSL cannot make a TLS context: " + openssl_reason()};
  return configure_tls_context(ctx.get(), tls);
}

}  // namespace execmond
