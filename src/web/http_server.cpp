#include "web/http_server.h"

#include <CivetServer.h>
#include <civetweb.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <prometheus/exposer.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>

#include "util/unique_fd.h"
#include "web/exits_table.h"
#include "web/http_auth.h"
#include "web/landing_page.h"
#include "web/tls_context.h"

namespace execmond {

// What every request is checked against. civetweb's callbacks carry no user
// pointer of ours; there is one server per process, so the guard they read
// is global. Never changed once published: a reload publishes a new one, and
// a request holds the one it started with (no copy of the landing page per
// request).
struct HttpGuard {
  std::string landing_page;
  std::string telemetry_path;
  std::uint32_t max_requests = 0;
  std::shared_ptr<const BasicAuth> auth;  // shared: it holds the cache of verified credentials
  std::optional<TlsConfig> tls;
  ExitsSource exits;
};

namespace {

std::mutex g_mutex;
std::shared_ptr<const HttpGuard> g_guard;
std::atomic<std::uint32_t> g_scrapes_in_flight{0};

std::shared_ptr<const HttpGuard> current_guard() {
  std::lock_guard lock(g_mutex);
  return g_guard;
}

void publish(std::shared_ptr<const HttpGuard> guard) {
  std::lock_guard lock(g_mutex);
  g_guard = std::move(guard);
}

// Marks a connection whose request holds a scrape slot, for end_request.
char g_holds_slot;

int answer(mg_connection* conn, int status, const char* reason, const std::string& extra_headers,
           const std::string& body, const char* content_type = "text/plain; charset=utf-8") {
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
            "Content-Length: %zu\r\nConnection: close\r\n%s\r\n",
            status, reason, content_type, body.size(), extra_headers.c_str());
  mg_write(conn, body.data(), body.size());
  return status;
}

// The pages show what processes chose (command lines): should any markup
// get past the escaping, the browser still runs no script and loads nothing.
constexpr const char* kPageHeaders =
    "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n";

int serve_landing_page(mg_connection* conn, const HttpGuard& guard) {
  if (!guard.exits.enabled()) {
    return answer(conn, 200, "OK", kPageHeaders, guard.landing_page, "text/html; charset=utf-8");
  }
  // Copied under the ring's lock, rendered and written after it.
  const std::string page = landing_page_html(guard.telemetry_path, EXECMOND_VERSION,
                                             guard.exits.ring->latest(kLandingPageExits));
  return answer(conn, 200, "OK", kPageHeaders, page, "text/html; charset=utf-8");
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    default:
      return "Internal Server Error";
  }
}

int serve_exits(mg_connection* conn, const mg_request_info& info, const HttpGuard& guard) {
  const WebAnswer exits =
      answer_exits(guard.exits, info.query_string != nullptr ? info.query_string : "");
  return answer(conn, exits.status, reason_phrase(exits.status), kPageHeaders, exits.body,
                exits.content_type.c_str());
}

// Every request passes here first: 0 lets the Exposer's handlers answer it.
// Only the telemetry path may reach them: civetweb hands a handler every URI
// under its path ("/metrics/x") and matches it case-insensitively, even as a
// bare prefix ("/Metricsx"), and none of those would hold a scrape slot.
int guard_request(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  if (info == nullptr || info->local_uri == nullptr) return 0;
  const std::shared_ptr<const HttpGuard> held = current_guard();
  const HttpGuard& guard = *held;
  if (guard.auth->enabled()) {
    const char* header = mg_get_header(conn, "Authorization");
    if (!guard.auth->allows(header != nullptr ? header : "")) {
      return answer(conn, 401, "Unauthorized", "WWW-Authenticate: Basic realm=\"execmond\"\r\n",
                    "Unauthorized\n");
    }
  }
  const std::string uri = info->local_uri;
  if (uri == "/") return serve_landing_page(conn, guard);
  // Behind the same authentication and TLS as the metrics; not counted as a
  // scrape, so that reading records never makes Prometheus's scrape wait.
  if (uri == kExitsPath && uri != guard.telemetry_path) return serve_exits(conn, *info, guard);
  if (uri != guard.telemetry_path) return answer(conn, 404, "Not Found", "", "Not Found\n");
  if (guard.max_requests != 0) {
    if (g_scrapes_in_flight.fetch_add(1) >= guard.max_requests) {
      g_scrapes_in_flight.fetch_sub(1);
      return answer(conn, 503, "Service Unavailable", "",
                    "Too many parallel scrapes; see --web.max-requests\n");
    }
    mg_set_user_connection_data(conn, &g_holds_slot);
  }
  return 0;
}

void end_request(const mg_connection* conn, int /*status*/) {
  auto* c = const_cast<mg_connection*>(conn);
  if (mg_get_user_connection_data(c) == &g_holds_slot) {
    mg_set_user_connection_data(c, nullptr);
    g_scrapes_in_flight.fetch_sub(1);
  }
}

int log_civetweb_message(const mg_connection* /*conn*/, const char* message) {
  spdlog::debug("http: {}", message);
  return 1;
}

// Sets up civetweb's TLS context from the web config: 1 tells civetweb it is
// done, -1 that TLS cannot start (the files were checked when the web config
// was loaded; this fails only if they changed since).
int init_tls(void* ssl_ctx, void* /*user_data*/) {
  const std::shared_ptr<const HttpGuard> guard = current_guard();
  const std::optional<TlsConfig>& tls = guard->tls;
  if (!tls) return -1;
  if (Status ready = configure_tls_context(static_cast<SSL_CTX*>(ssl_ctx), *tls); !ready) {
    spdlog::error("TLS: {}", ready.error().message);
    return -1;
  }
  return 1;
}

// Why civetweb could not listen, and what to do about it.
struct ListenFailure {
  std::string why;
  std::string what_to_do;
};

ListenFailure listen_failure(const std::string& why, int err) {
  switch (err) {
    case EADDRINUSE:
      return {why, "stop what holds the port or choose another with --web.listen-address"};
    case EADDRNOTAVAIL:
      return {why, "use an address of this host with --web.listen-address"};
    case EACCES:
      return {why,
              "a port below 1024 needs CAP_NET_BIND_SERVICE; choose another with "
              "--web.listen-address"};
    case EAFNOSUPPORT:
      return {why, "IPv6 is off on this host; use an IPv4 address with --web.listen-address"};
    case EMFILE:
    case ENFILE:
      return {why, "raise the daemon's limit on open files (LimitNOFILE=)"};
    default:
      return {why, "choose another address with --web.listen-address"};
  }
}

// Why civetweb cannot listen on `listen_address` (civetweb only says that it
// cannot), from a socket and bind() of our own made as civetweb makes them:
// "[v6]:port" is IPv6 only, a bare name or address tries IPv4 before IPv6,
// ":port" is 0.0.0.0. Nothing when the address can be bound: the cause is
// elsewhere (TLS).
std::optional<ListenFailure> bind_failure(const std::string& listen_address) {
  const auto colon = listen_address.rfind(':');
  std::string host = colon == std::string::npos ? "" : listen_address.substr(0, colon);
  const std::string port =
      colon == std::string::npos ? listen_address : listen_address.substr(colon + 1);
  const bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";

  addrinfo* found = nullptr;
  int resolved = EAI_NONAME;
  const std::vector<int> families =
      bracketed ? std::vector<int>{AF_INET6} : std::vector<int>{AF_INET, AF_INET6};
  for (int family : families) {
    addrinfo hints{};
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    resolved = getaddrinfo(host.c_str(), port.c_str(), &hints, &found);
    if (resolved == 0) break;
  }
  if (resolved != 0) {
    const std::string why = resolved == EAI_SYSTEM ? std::strerror(errno) : gai_strerror(resolved);
    return ListenFailure{"cannot resolve " + host + ": " + why,
                         "use an address or a name this host resolves with --web.listen-address"};
  }
  const std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(found, freeaddrinfo);
  const UniqueFd fd(socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    const int err = errno;
    return listen_failure(std::string("cannot open a socket: ") + std::strerror(err), err);
  }
  const int on = 1;
  setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  if (found->ai_family == AF_INET6) {
    setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
  }
  if (bind(fd.get(), found->ai_addr, found->ai_addrlen) != 0) {
    const int err = errno;
    return listen_failure(std::strerror(err), err);
  }
  return std::nullopt;
}

}  // namespace

std::string civetweb_listening_ports(const std::string& listen_address, bool tls) {
  std::string ports = listen_address;
  if (!ports.empty() && ports.front() == ':') ports = ports.substr(1);
  return tls ? ports + "s" : ports;
}

int civetweb_threads(std::uint32_t max_requests) {
  constexpr int kForSlowClients = 64;
  return static_cast<int>(max_requests == 0 ? 40 : max_requests) + kForSlowClients;
}

HttpServer::HttpServer(const HttpOptions& options)
    : guard_(std::make_shared<const HttpGuard>(HttpGuard{
          landing_page_html(options.telemetry_path, EXECMOND_VERSION), options.telemetry_path,
          options.max_requests, std::make_shared<const BasicAuth>(options.web.basic_auth_users),
          options.web.tls, options.exits})) {
  if (options.exits.enabled() && !options.exits.encode) {
    throw Fatal("exit records served without an encoder (HttpOptions::exits.encode)");
  }
  publish(guard_);
}

Result<std::unique_ptr<HttpServer>> HttpServer::start(
    const HttpOptions& options,
    const std::vector<std::weak_ptr<prometheus::Collectable>>& collectables) {
  std::unique_ptr<HttpServer> server(new HttpServer(options));  // private: only start() makes one
  static CivetCallbacks callbacks;
  callbacks.begin_request = guard_request;
  callbacks.end_request = end_request;
  callbacks.log_message = log_civetweb_message;
  callbacks.init_ssl = init_tls;
  const bool tls = options.web.tls.has_value();
  std::vector<std::string> civet{
      "listening_ports",    civetweb_listening_ports(options.listen_address, tls),
      "num_threads",        std::to_string(civetweb_threads(options.max_requests)),
      "request_timeout_ms", std::to_string(kRequestTimeoutMs),
      "enable_keep_alive",  "no",
      "max_request_size",   "16384",
  };
  // civetweb's failure to start comes out of prometheus-cpp as an exception:
  // it stops here and becomes the Error.
  try {
    server->exposer_ = std::make_unique<prometheus::Exposer>(civet, &callbacks);
  } catch (const std::exception&) {
    const std::optional<ListenFailure> failure = bind_failure(options.listen_address);
    if (failure) {
      return Error{"cannot listen on " + options.listen_address + ": " + failure->why + "; " +
                   failure->what_to_do};
    }
    if (tls) {
      return Error{"cannot serve TLS on " + options.listen_address +
                   ": check cert_file and key_file in the web config (--log.level=debug "
                   "shows civetweb's reason)"};
    }
    return Error{"cannot listen on " + options.listen_address +
                 ": civetweb cannot start (--log.level=debug shows its reason)"};
  }
  for (const auto& c : collectables) {
    server->exposer_->RegisterCollectable(c, options.telemetry_path);
  }
  return server;
}

HttpServer::~HttpServer() = default;

std::uint16_t HttpServer::port() const {
  std::vector<int> ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : static_cast<std::uint16_t>(ports.front());
}

void HttpServer::set_basic_auth_users(const std::map<std::string, std::string>& users) {
  auto guard = std::make_shared<HttpGuard>(*guard_);
  guard->auth = std::make_shared<const BasicAuth>(users);
  guard_ = std::move(guard);
  publish(guard_);
}

}  // namespace execmond
