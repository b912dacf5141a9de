// The HTTP side: prometheus-cpp's Exposer (civetweb) serving the collectables
// on the telemetry path, a small landing page at "/", the exit records at
// "/exits" (web/exits_endpoint.h), and in front of them all one guard for every request: basic
// authentication, the limit on parallel scrapes (--web.max-requests) and, with a web config, TLS.
//
// Hostile clients are bounded by civetweb: a request's headers must arrive
// within kRequestTimeoutMs in all, a request is at most 16 KiB (larger gets
// 413), there is no keep-alive, and there are enough workers that slow or
// idle connections cannot keep a scrape from being answered.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/collectable.h>

#include "util/error.h"
#include "web/exits_endpoint.h"
#include "web/web_config.h"

namespace prometheus {
class Exposer;
}

namespace execmond {

struct HttpGuard;  // what every request is checked against (http_server.cpp)

struct HttpOptions {
  std::string listen_address = ":9765";
  std::string telemetry_path = "/metrics";
  std::uint32_t max_requests = 40;  // parallel scrapes; 0 no limit
  WebConfig web;                    // TLS and basic auth
  ExitsSource exits = {};           // GET /exits and the landing page's table; none: records off
};

inline constexpr int kRequestTimeoutMs = 5000;

class HttpServer {
 public:
  // Binds the listen address (":9765", "127.0.0.1:0") and serves the
  // collectables; the Error says why it cannot (the port is taken, TLS
  // cannot start) and what to do.
  static Result<std::unique_ptr<HttpServer>> start(
      const HttpOptions& options,
      const std::vector<std::weak_ptr<prometheus::Collectable>>& collectables);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const;
  // A reload's new users, in effect for the next request. TLS settings need
  // a new server (the daemon makes one).
  void set_basic_auth_users(const std::map<std::string, std::string>& users);

 private:
  explicit HttpServer(const HttpOptions& options);

  std::shared_ptr<const HttpGuard> guard_;  // this server's, published for civetweb's callbacks
  std::unique_ptr<prometheus::Exposer> exposer_;
};

// civetweb's form of a listen address: ":9765" → "9765", "s" appended for TLS.
std::string civetweb_listening_ports(const std::string& listen_address, bool tls = false);
// Workers civetweb runs for `max_requests` parallel scrapes: room beside them
// for slow and idle connections.
int civetweb_threads(std::uint32_t max_requests);

}  // namespace execmond
