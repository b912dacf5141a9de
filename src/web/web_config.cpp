#include "web/web_config.h"

#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <cctype>
#include <set>
#include <utility>

#include "config/config.h"
#include "config/yaml_document.h"
#include "util/small_file.h"
#include "web/tls_context.h"

namespace execmond {

namespace {

constexpr std::array<std::pair<const char*, ClientAuth>, 5> kClientAuth{{
    {"NoClientCert", ClientAuth::kNoClientCert},
    {"RequestClientCert", ClientAuth::kRequestClientCert},
    {"RequireAnyClientCert", ClientAuth::kRequireAnyClientCert},
    {"VerifyClientCertIfGiven", ClientAuth::kVerifyClientCertIfGiven},
    {"RequireAndVerifyClientCert", ClientAuth::kRequireAndVerifyClientCert},
}};

constexpr std::array<std::pair<const char*, TlsVersion>, 4> kVersions{{
    {"TLS10", TlsVersion::kTls10},
    {"TLS11", TlsVersion::kTls11},
    {"TLS12", TlsVersion::kTls12},
    {"TLS13", TlsVersion::kTls13},
}};

// exporter-toolkit keys execmond reads no further than to say so.
const std::set<std::string> kUnsupported{"cipher_suites", "curve_preferences",
                                         "prefer_server_cipher_suites", "client_allowed_sans",
                                         "http_server_config"};

// A failure carried up as an exception inside the parser only.
struct Invalid {
  std::string message;
};

class Reader {
 public:
  Reader(std::string source, std::string base_dir)
      : source_(std::move(source)), base_dir_(std::move(base_dir)) {}

  [[noreturn]] void fail(const YAML::Node& at, const std::string& key,
                         const std::string& what) const {
    const int line = at.Mark().line >= 0 ? at.Mark().line + 1 : 1;
    // Keys and values come from the file: control characters are escaped.
    throw Invalid{source_ + ":" + std::to_string(line) + ": " + one_line(key) + ": " +
                  one_line(what)};
  }

  std::string text(const YAML::Node& node, const std::string& key) const {
    if (!node.IsScalar()) fail(node, key, "expected a single value");
    return node.Scalar();
  }

  // A file named by the config: resolved against its directory, and readable.
  std::string file(const YAML::Node& node, const std::string& key) const {
    std::string path = text(node, key);
    if (path.empty()) fail(node, key, "empty; name a file");
    if (path.front() != '/') path = base_dir_ + "/" + path;
    if (access(path.c_str(), R_OK) != 0) {
      fail(node, key, "cannot read " + path + "; check the path and its permissions");
    }
    // OpenSSL would read /dev/zero or a FIFO for ever, at start-up or in a reload.
    struct stat st {};
    if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      fail(node, key, path + " is not a regular file; name a PEM file");
    }
    return path;
  }

  template <typename T, std::size_t N>
  T choice(const YAML::Node& node, const std::string& key,
           const std::array<std::pair<const char*, T>, N>& choices) const {
    const std::string value = text(node, key);
    std::string allowed;
    for (const auto& [name, v] : choices) {
      if (value == name) return v;
      allowed += std::string(allowed.empty() ? "" : ", ") + name;
    }
    fail(node, key, "\"" + value + "\" is not one of " + allowed);
  }

  TlsConfig tls(const YAML::Node& node) const {
    if (!node.IsMap()) fail(node, "tls_server_config", "expected a map of settings");
    TlsConfig t;
    bool cert = false;
    bool key = false;
    std::map<std::string, YAML::Node> at;  // where each key was given, for errors
    for (const auto& kv : node) {
      const std::string name = kv.first.Scalar();
      const std::string path = "tls_server_config." + name;
      const YAML::Node& value = kv.second;
      at.emplace(path, value);  // not operator=: on a YAML::Node that rebinds the node itself
      if (name == "cert_file") {
        t.cert_file = file(value, path);
        cert = true;
      } else if (name == "key_file") {
        t.key_file = file(value, path);
        key = true;
      } else if (name == "client_ca_file") {
        t.client_ca_file = file(value, path);
      } else if (name == "client_auth_type") {
        t.client_auth = choice(value, path, kClientAuth);
      } else if (name == "min_version") {
        t.min_version = choice(value, path, kVersions);
      } else if (name == "max_version") {
        t.max_version = choice(value, path, kVersions);
      } else if (kUnsupported.contains(name)) {
        fail(kv.first, path, "not supported by execmond; remove it");
      } else {
        fail(kv.first, path,
             "unknown key; use cert_file, key_file, client_auth_type, client_ca_file, "
             "min_version, max_version");
      }
    }
    if (!cert || !key) {
      fail(node, "tls_server_config", "cert_file and key_file are both required");
    }
    const bool verifies = t.client_auth == ClientAuth::kVerifyClientCertIfGiven ||
                          t.client_auth == ClientAuth::kRequireAndVerifyClientCert;
    if (verifies && t.client_ca_file.empty()) {
      fail(node, "tls_server_config.client_ca_file", "required to verify client certificates");
    }
    if (t.min_version > t.max_version) {
      fail(node, "tls_server_config.min_version", "is above max_version");
    }
    // The files must serve: checked now, not when a server is already replaced.
    if (Status usable = check_tls_config(t); !usable) {
      // The message starts with the key at fault: its line is the one to blame.
      const std::string& message = usable.error().message;
      const std::size_t colon = message.find(": ");
      const std::string at_fault = message.substr(0, colon);
      const auto where = at.find(at_fault);
      fail(where != at.end() ? where->second : node, at_fault,
           colon == std::string::npos ? message : message.substr(colon + 2));
    }
    return t;
  }

  std::map<std::string, std::string> users(const YAML::Node& node) const {
    if (!node.IsMap()) fail(node, "basic_auth_users", "expected a map of user: bcrypt hash");
    std::map<std::string, std::string> out;
    for (const auto& kv : node) {
      const std::string user = text(kv.first, "basic_auth_users");
      const std::string key = "basic_auth_users." + user;
      if (user.empty() || user.find(':') != std::string::npos) {
        fail(kv.first, "basic_auth_users", "a user name must be non-empty and hold no ':'");
      }
      const std::string hash = text(kv.second, key);
      // $2a$, $2b$ or $2y$, a two-digit cost, 53 characters of salt and hash.
      const bool bcrypt = hash.size() == 60 && hash[0] == '$' && hash[1] == '2' &&
                          (hash[2] == 'a' || hash[2] == 'b' || hash[2] == 'y') && hash[3] == '$' &&
                          hash[6] == '$';
      if (!bcrypt) {
        // The value is a secret: it is not repeated.
        fail(kv.second, key,
             R"(not a bcrypt hash; make one with htpasswd -nBC 10 "" | tr -d ':\n')");
      }
      // bcrypt takes costs 04 to 31; with any other the user could never log in.
      const std::string cost = hash.substr(4, 2);
      if (!std::isdigit(static_cast<unsigned char>(cost[0])) ||
          !std::isdigit(static_cast<unsigned char>(cost[1])) || cost < "04" || cost > "31") {
        fail(kv.second, key,
             "bcrypt cost " + cost +
                 R"( is not from 04 to 31; make a hash with htpasswd -nBC 10 "" | tr -d ':\n')");
      }
      if (!out.emplace(user, hash).second) fail(kv.first, key, "given twice");
    }
    return out;
  }

  WebConfig root(const YAML::Node& node) const {
    WebConfig c;
    if (node.IsNull()) return c;
    if (!node.IsMap()) fail(node, "top level", "expected a map of settings");
    for (const auto& kv : node) {
      const std::string name = kv.first.Scalar();
      if (name == "tls_server_config") {
        c.tls = tls(kv.second);
      } else if (name == "basic_auth_users") {
        c.basic_auth_users = users(kv.second);
      } else if (kUnsupported.contains(name)) {
        fail(kv.first, name, "not supported by execmond; remove it");
      } else {
        fail(kv.first, name, "unknown key; use tls_server_config, basic_auth_users");
      }
    }
    return c;
  }

 private:
  std::string source_;
  std::string base_dir_;
};

std::string version_name(TlsVersion v) {
  return "TLS 1." + std::to_string(static_cast<int>(v) - 10);
}

}  // namespace

Result<WebConfig> parse_web_config(const std::string& yaml_text, const std::string& source,
                                   const std::string& base_dir) {
  Reader reader(source, base_dir);
  try {
    YamlDocument document = load_single_document(yaml_text);
    // As in the main config: a stray "---" would silently hide what follows it.
    if (document.second) {
      const int line = document.second->line >= 0 ? document.second->line + 1 : 1;
      return Error{source + ":" + std::to_string(line) +
                   ": top level: a second YAML document; put all settings in one document"};
    }
    return reader.root(document.root);
  } catch (const Invalid& e) {
    return Error{e.message};
  } catch (const YAML::Exception& e) {
    const int line = e.mark.line >= 0 ? e.mark.line + 1 : 1;
    return Error{source + ":" + std::to_string(line) + ": YAML syntax error: " + one_line(e.msg)};
  } catch (const std::exception& e) {
    return Error{source + ": cannot parse web config file: " + e.what()};
  }
}

Result<WebConfig> load_web_config(const std::string& path) {
  Result<std::string> text = read_small_file(path, kMaxConfigBytes);
  if (!text) {
    return Error{text.error().message +
                 "; name a readable web config file with web.config_file or --web.config.file"};
  }
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
  return parse_web_config(*text, path, dir);
}

std::string describe(const WebConfig& config) {
  std::string out;
  if (config.tls) {
    const TlsConfig& t = *config.tls;
    out = t.min_version == t.max_version
              ? version_name(t.min_version)
              : version_name(t.min_version) + " to " + version_name(t.max_version);
    for (const auto& [name, value] : kClientAuth) {
      if (value == t.client_auth) out += ", client_auth_type " + std::string(name);
    }
  } else {
    out = "plain HTTP";
  }
  if (!config.basic_auth_users.empty()) {
    out += "; basic auth for " + std::to_string(config.basic_auth_users.size()) +
           (config.basic_auth_users.size() == 1 ? " user" : " users");
  }
  return out;
}

}  // namespace execmond
