// A TLS server context set up from a TlsConfig, as exporter-toolkit would.
// One function serves two callers: the web config's validation, on a
// throwaway context, so that a certificate that is no certificate or a key
// that does not match is a line-numbered error when the file is loaded (at
// start-up, on a reload, in `execmond doctor`), before any running server is
// replaced; and civetweb's init_ssl callback, on the context it serves with.
#pragma once

#include "util/error.h"
#include "web/web_config.h"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace execmond {

// Loads certificate, key and client CA into `ctx` and sets the versions and
// client verification. OpenSSL's error queue is left empty. The Error starts
// with the key at fault, so the web config can blame that key's line:
// "tls_server_config.key_file: …/server.key: key values mismatch; give the
// PEM private key of cert_file".
Status configure_tls_context(ssl_ctx_st* ctx, const TlsConfig& tls);
// The same on a context of its own, thrown away: can `tls` be served?
Status check_tls_config(const TlsConfig& tls);

}  // namespace execmond
