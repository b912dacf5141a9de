// --web.config.file: TLS and basic authentication in the format of the
// Prometheus exporter-toolkit (what node_exporter and process-exporter read),
// parsed into a plain struct and validated here; http_server.cpp applies it.
// Error messages name the file, line and key and never show a secret.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "util/error.h"

namespace execmond {

// exporter-toolkit's client_auth_type values, in its spelling.
enum class ClientAuth {
  kNoClientCert,
  kRequestClientCert,
  kRequireAnyClientCert,
  kVerifyClientCertIfGiven,
  kRequireAndVerifyClientCert,
};

enum class TlsVersion { kTls10 = 10, kTls11 = 11, kTls12 = 12, kTls13 = 13 };

struct TlsConfig {
  std::string cert_file;  // absolute: relative paths are resolved against the file's directory
  std::string key_file;
  std::string client_ca_file;  // "" unless client certificates are verified
  ClientAuth client_auth = ClientAuth::kNoClientCert;
  TlsVersion min_version = TlsVersion::kTls12;
  TlsVersion max_version = TlsVersion::kTls13;
  bool operator==(const TlsConfig&) const = default;
};

struct WebConfig {
  std::optional<TlsConfig> tls;
  std::map<std::string, std::string> basic_auth_users;  // user -> bcrypt hash
};

// `source` names the text in errors; relative file names are resolved
// against `base_dir`. Files it names must be readable, and a certificate, its key
// and a client CA usable by OpenSSL (checked on a throwaway context). The
// Error is one line: file:line: key: what is wrong; what to do.
Result<WebConfig> parse_web_config(const std::string& yaml_text, const std::string& source,
                                   const std::string& base_dir);
Result<WebConfig> load_web_config(const std::string& path);

// "TLS 1.2 and 1.3, client certificates required and verified; basic auth for 2 users".
std::string describe(const WebConfig& config);

}  // namespace execmond
