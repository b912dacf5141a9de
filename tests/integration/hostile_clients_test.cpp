// Clients that are slow, idle, malformed or too many, against the real
// binary: a scrape is still answered, bad requests get 4xx, nothing wedges.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "daemon_launch.h"
#include "http_client.h"
#include "traced_test.h"
#include "web/http_server.h"

namespace execmond::test {
namespace {

using Clock = std::chrono::steady_clock;

class Connection {
 public:
  explicit Connection(std::uint16_t port) : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    const sockaddr_in addr = loopback(port);
    connected_ = connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~Connection() { close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool connected() const { return connected_; }
  bool send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // What the server sends until it closes, or until `timeout_ms` passes.
  std::string read_all(int timeout_ms) {
    std::string out;
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) {
        timed_out_ = true;
        return out;
      }
      char buf[4096];
      const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) return out;
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  bool timed_out() const { return timed_out_; }

 private:
  int fd_;
  bool connected_ = false;
  bool timed_out_ = false;
};

int status_of(const std::string& response) {
  if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12) return 0;
  return std::stoi(response.substr(9, 3));
}

class HostileClientsTest : public TracedTest {
 protected:
  // A scrape's status and how long it took.
  std::pair<int, double> timed_scrape() {
    const auto start = Clock::now();
    const int status = http_get(daemon_port(), "/metrics", {}, 30000).status;
    return {status, std::chrono::duration<double, std::milli>(Clock::now() - start).count()};
  }
};

TEST_F(HostileClientsTest, HalfOpenConnectionsNeitherDelayAScrapeNorStay) {
  launch_daemon(kFastDrains);
  std::vector<std::unique_ptr<Connection>> idle;
  for (int i = 0; i < 50; ++i) {
    idle.push_back(std::make_unique<Connection>(daemon_port()));
    ASSERT_TRUE(idle.back()->connected());
    // Headers begun and never finished.
    ASSERT_TRUE(idle.back()->send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  }
  auto [status, ms] = timed_scrape();
  EXPECT_EQ(status, 200);
  // Had it waited for one of them to time out, it would have taken longer.
  EXPECT_LT(ms, kRequestTimeoutMs) << "the scrape waited for a worker";
  // Each is closed once its request timeout passes.
  for (auto& c : idle) {
    c->read_all(kRequestTimeoutMs + 5000);
    EXPECT_FALSE(c->timed_out()) << "a half-open connection was kept open";
  }
}

TEST_F(HostileClientsTest, ASlowlorisClientIsCutOffAtTheRequestTimeout) {
  launch_daemon(kFastDrains);
  Connection slow(daemon_port());
  ASSERT_TRUE(slow.connected());
  ASSERT_TRUE(slow.send("GET /metrics HTTP/1.1\r\n"));
  const auto start = Clock::now();
  bool cut = false;
  // A header byte every 250 ms: each read succeeds, the request never completes.
  for (int i = 0; i < 4 * (kRequestTimeoutMs / 1000 + 5) && !cut; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    cut = !slow.send("X");
    if (i % 8 == 0) {
      EXPECT_EQ(timed_scrape().first, 200) << "others are still served";
    }
  }
  if (!cut) cut = slow.read_all(2000).empty() && !slow.timed_out();
  EXPECT_TRUE(cut) << "a drip-fed request was kept open";
  const double s = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_LT(s, kRequestTimeoutMs / 1000.0 + 5);
}

TEST_F(HostileClientsTest, OversizedAndMalformedRequestsGet4xxAndNothingWedges) {
  launch_daemon(kFastDrains);
  const std::string huge_header =
      "GET /metrics HTTP/1.1\r\nX-Pad: " + std::string(65536, 'a') + "\r\n\r\n";
  const std::pair<const char*, std::string> requests[] = {
      {"oversized headers", huge_header},
      {"not HTTP", "GARBAGE\r\n\r\n"},
      {"binary noise", std::string("\x16\x03\x01\x00\xff\x00\x01\x02\x00\r\n\r\n", 13)},
      {"bad version", "GET /metrics HTTP/9.9\r\n\r\n"},
      {"no path", "GET\r\n\r\n"},
      {"header without colon", "GET /metrics HTTP/1.1\r\nbroken header line\r\n\r\n"},
  };
  for (const auto& [what, bytes] : requests) {
    Connection c(daemon_port());
    ASSERT_TRUE(c.connected()) << what;
    c.send(bytes);
    const std::string response = c.read_all(kRequestTimeoutMs + 2000);
    const int status = status_of(response);
    // A 4xx, or for bytes that are no request at all, the connection closed.
    EXPECT_TRUE((status >= 400 && status < 500) || (status == 0 && !c.timed_out()))
        << what << ": " << response.substr(0, 80);
    EXPECT_EQ(timed_scrape().first, 200) << "after " << what;
  }
  EXPECT_EQ(kill(daemon_process_->pid(), 0), 0);
}

TEST_F(HostileClientsTest, TwoHundredClientsGetAnswersOrA503AndNeverWedgeIt) {
  launch_daemon(kFastDrains, {"--web.max-requests=4"});
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0};
  std::atomic<int> busy{0};
  std::atomic<int> other{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 200; ++i) {
    clients.emplace_back([&] {
      while (!stop) {
        try {
          const int status = http_get(daemon_port(), "/metrics", {}, 30000).status;
          (status == 200 ? ok : status == 503 ? busy : other)++;
        } catch (const std::exception&) {
          other++;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));
  auto [status, ms] = timed_scrape();
  stop = true;
  for (std::thread& t : clients) t.join();
  EXPECT_TRUE(status == 200 || status == 503) << status;
  EXPECT_GT(ok, 0);
  EXPECT_GT(busy, 0) << "200 clients against --web.max-requests=4";
  EXPECT_EQ(other, 0) << "only 200 and 503";
  // Once the storm is over, everything is answered again.
  EXPECT_EQ(timed_scrape().first, 200);
  EXPECT_EQ(kill(daemon_process_->pid(), 0), 0);
}

}  // namespace
}  // namespace execmond::test
