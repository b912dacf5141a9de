#include "http_server.h"

#include <CivetServer.h>
#include <arpa/inet.h>
#include <civetweb.h>
#include <netinet/in.h>
#include <prometheus/exposer.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "landing_page.h"

namespace execmond {

namespace {

// civetweb's callbacks carry no user pointer of ours; the page is one per process.
std::mutex g_page_mutex;
std::string g_landing_page;

int serve_landing_page(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  if (info == nullptr || info->local_uri == nullptr || std::strcmp(info->local_uri, "/") != 0) {
    return 0;  // not ours: let the Exposer's handlers (or a 404) answer
  }
  std::string page;
  {
    std::lock_guard lock(g_page_mutex);
    page = g_landing_page;
  }
  mg_send_http_ok(conn, "text/html; charset=utf-8", static_cast<long long>(page.size()));
  mg_write(conn, page.data(), page.size());
  return 200;
}

int log_civetweb_message(const mg_connection* /*conn*/, const char* message) {
  spdlog::debug("http: {}", message);
  return 1;
}

// Why binding failed, from a bind() of our own: civetweb only says it failed.
std::string bind_failure(const std::string& listen_address) {
  std::string host = "0.0.0.0";
  std::string port = listen_address;
  if (auto colon = listen_address.rfind(':'); colon != std::string::npos) {
    host = listen_address.substr(0, colon);
    port = listen_address.substr(colon + 1);
  }
  if (host.empty()) host = "0.0.0.0";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(std::atoi(port.c_str())));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) return "cannot bind";
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  int rc = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  int err = errno;
  close(fd);
  return rc == 0 ? "cannot bind" : std::strerror(err);
}

}  // namespace

std::string civetweb_listening_ports(const std::string& listen_address) {
  if (!listen_address.empty() && listen_address.front() == ':') return listen_address.substr(1);
  return listen_address;
}

HttpServer::HttpServer(const std::string& listen_address, const std::string& telemetry_path,
                       const std::vector<std::weak_ptr<prometheus::Collectable>>& collectables) {
  {
    std::lock_guard lock(g_page_mutex);
    g_landing_page = landing_page_html(telemetry_path, EXECMOND_VERSION);
  }
  static CivetCallbacks callbacks;
  callbacks.begin_request = serve_landing_page;
  callbacks.log_message = log_civetweb_message;
  std::vector<std::string> options{"listening_ports",    civetweb_listening_ports(listen_address),
                                   "num_threads",        "4",
                                   "request_timeout_ms", "10000"};
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(options, &callbacks);
  } catch (const std::exception&) {
    throw HttpError("cannot listen on " + listen_address + ": " + bind_failure(listen_address) +
                    "; stop what holds the port or choose another with --web.listen-address");
  }
  for (const auto& c : collectables) exposer_->RegisterCollectable(c, telemetry_path);
}

HttpServer::~HttpServer() = default;

std::uint16_t HttpServer::port() const {
  std::vector<int> ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : static_cast<std::uint16_t>(ports.front());
}

}  // namespace execmond
