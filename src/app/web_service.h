// The HTTP server across reloads. A reload that keeps the TLS settings only
// swaps the basic-auth users; one that changes them makes a new server on
// the same address, so the port is free for a moment and something else may
// take it. Then there is no server: counting goes on, and every drain tries
// to serve the web config in effect again until it works.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/collectable.h>

#include "config/config.h"
#include "util/error.h"
#include "web/http_server.h"
#include "web/web_config.h"

namespace execmond {

// The web config `config` names: read and checked, TLS files and all (no
// file: plain HTTP without auth).
Result<WebConfig> web_config_of(const Config& config);

class WebService {
 public:
  // Makes a server, or the Error when it cannot bind. The default starts an
  // HttpServer for the collectables.
  using Bind = std::function<Result<std::unique_ptr<HttpServer>>(const HttpOptions&)>;

  // `options` without its web config: serve() gives one.
  WebService(HttpOptions options, std::vector<std::weak_ptr<prometheus::Collectable>> collectables,
             Bind bind = {});

  // Serves `web`, replacing a running server; the Error when it cannot bind.
  Status serve(const WebConfig& web);
  // Applies a reloaded web config; the Error, and no server, when its new
  // server cannot bind: the caller logs it and calls serve_again().
  Status reload(const WebConfig& web);
  // With no server: tries to serve the web config in effect again. Logs the
  // first failure of a kind (counting goes on; the next drain tries again)
  // and the recovery.
  void serve_again();
  // Stops answering.
  void stop() { http_.reset(); }

  bool serving() const { return http_ != nullptr; }
  std::uint16_t port() const { return http_ ? http_->port() : 0; }
  // Why there is no server; "" while there is one.
  const std::string& not_serving() const { return not_serving_; }
  // The web config in effect, served or to be served.
  const WebConfig& web() const { return web_; }

 private:
  HttpOptions options_;
  Bind bind_;
  std::unique_ptr<HttpServer> http_;
  WebConfig web_;
  std::string not_serving_;
};

}  // namespace execmond
