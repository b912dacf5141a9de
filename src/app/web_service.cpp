#include "app/web_service.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace execmond {

Result<WebConfig> web_config_of(const Config& config) {
  if (config.web_config_file.empty()) return WebConfig{};
  return load_web_config(config.web_config_file);
}

WebService::WebService(HttpOptions options,
                       std::vector<std::weak_ptr<prometheus::Collectable>> collectables, Bind bind)
    : options_(std::move(options)), bind_(std::move(bind)) {
  if (!bind_) {
    bind_ = [collectables = std::move(collectables)](const HttpOptions& o) {
      return HttpServer::start(o, collectables);
    };
  }
}

Status WebService::serve(const WebConfig& web) {
  http_.reset();  // its port is free again for the new server (and none is left if this fails)
  HttpOptions options = options_;
  options.web = web;
  Result<std::unique_ptr<HttpServer>> bound = bind_(options);
  if (!bound) return bound.error();
  http_ = std::move(bound).value();
  web_ = web;
  return {};
}

Status WebService::reload(const WebConfig& web) {
  if (http_ && web.tls == web_.tls) {
    http_->set_basic_auth_users(web.basic_auth_users);
    web_ = web;
    return {};
  }
  // TLS settings are the server's: it is made anew on the same address. Its
  // files were checked as the web config was loaded, so this fails only when
  // something else took the port in the moment it was free.
  if (Status served = serve(web); !served) {
    not_serving_ = served.error().message;
    return served;
  }
  not_serving_.clear();
  spdlog::info("serving {} since the reload", describe(web));
  return {};
}

void WebService::serve_again() {
  if (http_) return;
  if (Status served = serve(web_); !served) {
    // Logged once; counting goes on and every drain tries again.
    if (not_serving_ != served.error().message) {
      spdlog::error("not serving metrics: {}; retrying", served.error().message);
    }
    not_serving_ = served.error().message;
    return;
  }
  spdlog::info("serving metrics again on {} ({})", options_.listen_address, describe(web_));
  not_serving_.clear();
}

}  // namespace execmond
