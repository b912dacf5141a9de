// The HTTP side: prometheus-cpp's Exposer (civetweb) serving the collectables
// on the telemetry path, plus a small landing page at "/".
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <prometheus/collectable.h>

namespace prometheus {
class Exposer;
}

namespace execmond {

class HttpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class HttpServer {
 public:
  // Binds `listen_address` (":9765", "127.0.0.1:0", "[::1]:9765"); throws HttpError.
  HttpServer(const std::string& listen_address, const std::string& telemetry_path,
             const std::vector<std::weak_ptr<prometheus::Collectable>>& collectables);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const;

 private:
  std::unique_ptr<prometheus::Exposer> exposer_;
};

// civetweb's form of a listen address: ":9765" → "9765".
std::string civetweb_listening_ports(const std::string& listen_address);

}  // namespace execmond
