// A minimal blocking HTTP/1.1 client for tests that scrape the daemon on
// loopback. It speaks just enough HTTP to read what an exporter serves, so
// the tests depend on nothing but the sockets API.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <map>
#include <string>

namespace execmond::test {

// 127.0.0.1:`port`, for bind() or connect(); port 0 for one the kernel picks.
sockaddr_in loopback(std::uint16_t port);

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; repeats joined by ", "
  std::string body;                            // de-chunked, otherwise as sent
};

// GETs http://127.0.0.1:<port><path> with `Connection: close` and reads the
// response to EOF. `extra_headers` are sent as given; "Host" or "Connection"
// entries replace the defaults (a keep-alive one makes the read wait out the
// timeout). The whole exchange, connect included, must finish within
// `timeout_ms`. Throws std::runtime_error naming the URL on connection
// failure, timeout or a malformed response; HTTP error statuses are returned.
HttpResponse http_get(std::uint16_t port, const std::string& path,
                      const std::map<std::string, std::string>& extra_headers = {},
                      int timeout_ms = 5000);

}  // namespace execmond::test
