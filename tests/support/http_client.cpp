#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace execmond::test {
namespace {

using Clock = std::chrono::steady_clock;

// Everything a failure message needs: which URL, and when to give up.
struct Exchange {
  std::string url;
  Clock::time_point deadline;
  int timeout_ms;

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("GET " + url + ": " + what);
  }
  [[noreturn]] void fail_errno(const std::string& what) const {
    fail(what + ": " + std::strerror(errno));
  }
};

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

// Waits for `events` on the socket, bounded by the exchange's single deadline
// so that a slow connect cannot leave a full timeout for the read as well.
void wait_for(int fd, short events, const Exchange& ex, const char* waiting_for) {
  for (;;) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(ex.deadline - Clock::now());
    if (left.count() <= 0) {
      ex.fail("timed out after " + std::to_string(ex.timeout_ms) + " ms " + waiting_for);
    }
    pollfd pfd{fd, events, 0};
    int n = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (n > 0) return;
    if (n < 0 && errno != EINTR) ex.fail_errno("poll");
  }
}

void connect_loopback(int fd, std::uint16_t port, const Exchange& ex) {
  const sockaddr_in addr = loopback(port);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) return;
  if (errno != EINPROGRESS) ex.fail_errno("connect");
  wait_for(fd, POLLOUT, ex, "connecting");
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) ex.fail_errno("getsockopt");
  if (err != 0) {
    errno = err;
    ex.fail_errno("connect");
  }
}

void send_all(int fd, std::string_view data, const Exchange& ex) {
  while (!data.empty()) {
    // MSG_NOSIGNAL: a server that hangs up early must fail the test, not kill it.
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      wait_for(fd, POLLOUT, ex, "sending the request");
    } else if (errno != EINTR) {
      ex.fail_errno("send");
    }
  }
}

std::string read_to_eof(int fd, const Exchange& ex) {
  std::string data;
  char buf[16384];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      data.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0) {
      return data;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      wait_for(fd, POLLIN, ex, "reading the response");
    } else if (errno != EINTR) {
      ex.fail_errno("recv");
    }
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string build_request(std::uint16_t port, const std::string& path,
                          const std::map<std::string, std::string>& extra_headers) {
  std::map<std::string, std::string> given;
  for (const auto& [name, value] : extra_headers) given[lower(name)] = value;
  std::string req = "GET " + path + " HTTP/1.1\r\n";
  if (!given.contains("host")) req += "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
  // Reading to EOF is the simplest correct framing; close makes the server send it.
  if (!given.contains("connection")) req += "Connection: close\r\n";
  for (const auto& [name, value] : extra_headers) req += name + ": " + value + "\r\n";
  return req + "\r\n";
}

// "HTTP/1.1 200 OK" -> 200.
int parse_status_line(std::string_view line, const Exchange& ex) {
  if (!line.starts_with("HTTP/1.") || line.size() < 12 || line[8] != ' ') {
    ex.fail("malformed status line: " + std::string(line));
  }
  int status = 0;
  auto [end, ec] = std::from_chars(line.data() + 9, line.data() + 12, status);
  if (ec != std::errc() || end != line.data() + 12 || (line.size() > 12 && line[12] != ' ')) {
    ex.fail("malformed status line: " + std::string(line));
  }
  return status;
}

void parse_header_lines(std::string_view head, HttpResponse& resp, const Exchange& ex) {
  while (!head.empty()) {
    std::size_t eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    head = eol == std::string_view::npos ? std::string_view{} : head.substr(eol + 2);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      ex.fail("malformed header line: " + std::string(line));
    }
    std::string name = lower(line.substr(0, colon));
    std::string value(trim(line.substr(colon + 1)));
    auto [it, inserted] = resp.headers.emplace(name, value);
    if (!inserted) it->second += ", " + value;  // RFC 9110 §5.3: repeats combine
  }
}

std::string decode_chunked(std::string_view data, const Exchange& ex) {
  std::string body;
  for (;;) {
    std::size_t eol = data.find("\r\n");
    if (eol == std::string_view::npos) ex.fail("truncated chunked body");
    std::string_view size_line = data.substr(0, eol);
    std::string_view size_text = trim(size_line.substr(0, size_line.find(';')));
    std::size_t size = 0;
    auto [end, ec] =
        std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
    if (ec != std::errc() || end != size_text.data() + size_text.size()) {
      ex.fail("malformed chunk size: " + std::string(size_line));
    }
    data.remove_prefix(eol + 2);
    if (size == 0) return body;  // trailers, if any, carry nothing the tests need
    if (data.size() < size + 2 || data.substr(size, 2) != "\r\n") {
      ex.fail("truncated chunked body");
    }
    body.append(data.substr(0, size));
    data.remove_prefix(size + 2);
  }
}

std::string extract_body(std::string_view rest, const HttpResponse& resp, const Exchange& ex) {
  auto te = resp.headers.find("transfer-encoding");
  if (te != resp.headers.end() && lower(te->second).find("chunked") != std::string::npos) {
    return decode_chunked(rest, ex);
  }
  auto cl = resp.headers.find("content-length");
  if (cl == resp.headers.end()) return std::string(rest);  // delimited by the close
  std::size_t length = 0;
  const std::string& text = cl->second;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), length);
  if (ec != std::errc() || end != text.data() + text.size()) {
    ex.fail("malformed Content-Length: " + text);
  }
  if (rest.size() < length) {
    ex.fail("body truncated: Content-Length " + text + ", got " + std::to_string(rest.size()));
  }
  return std::string(rest.substr(0, length));
}

HttpResponse parse_response(std::string_view raw, const Exchange& ex) {
  if (raw.empty()) ex.fail("connection closed without a response");
  std::size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string_view::npos) ex.fail("response headers truncated");
  std::string_view head = raw.substr(0, head_end);
  std::size_t status_end = head.find("\r\n");
  HttpResponse resp;
  resp.status = parse_status_line(head.substr(0, status_end), ex);
  if (status_end != std::string_view::npos) {
    parse_header_lines(head.substr(status_end + 2), resp, ex);
  }
  resp.body = extract_body(raw.substr(head_end + 4), resp, ex);
  return resp;
}

}  // namespace

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

HttpResponse http_get(std::uint16_t port, const std::string& path,
                      const std::map<std::string, std::string>& extra_headers, int timeout_ms) {
  Exchange ex{"http://127.0.0.1:" + std::to_string(port) + path,
              Clock::now() + std::chrono::milliseconds(timeout_ms), timeout_ms};
  Socket sock(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (sock.fd() < 0) ex.fail_errno("socket");
  connect_loopback(sock.fd(), port, ex);
  send_all(sock.fd(), build_request(port, path, extra_headers), ex);
  return parse_response(read_to_eof(sock.fd(), ex), ex);
}

}  // namespace execmond::test
