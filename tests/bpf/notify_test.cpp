// The real execmond binary under a fake service manager: a NOTIFY_SOCKET
// datagram socket receives what systemd would, in order.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "http_client.h"
#include "traced_test.h"

namespace execmond::test {
namespace {

unsigned long long effective_capabilities_of(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("CapEff:", 0) == 0) return std::stoull(line.substr(7), nullptr, 16);
  }
  return ~0ULL;
}

class NotifyTest : public TracedTest {
 protected:
  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (sock_ >= 0) close(sock_);
    TracedTest::TearDown();
  }

  void bind_notify_socket() {
    socket_path_ = dir_ + "/notify.sock";
    sock_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    socket_path_.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
    ASSERT_EQ(bind(sock_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  }

  void launch_daemon(const std::string& watchdog_usec) {
    std::string config = dir_ + "/execmond.yaml";
    std::ofstream(config) << "web:\n  listen_address: 127.0.0.1:0\ntracer:\n"
                             "  drain_interval: 100ms\n";
    pid_ = fork();
    if (pid_ == 0) {
      setenv("NOTIFY_SOCKET", socket_path_.c_str(), 1);
      setenv("WATCHDOG_USEC", watchdog_usec.c_str(), 1);
      execl(EXECMOND_DAEMON, EXECMOND_DAEMON, ("--config.file=" + config).c_str(), nullptr);
      _exit(127);
    }
  }

  // The next datagram, or "" after `timeout_ms`.
  std::string receive(int timeout_ms = 10000) {
    pollfd p{sock_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return "";
    char buf[4096];
    ssize_t n = recv(sock_, buf, sizeof(buf), 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  }

  // Receives until a datagram contains `what`; records every state change seen.
  std::string await(const std::string& what) {
    for (int i = 0; i < 200; ++i) {
      std::string message = receive();
      if (message.empty()) break;
      for (const char* state : {"READY=1", "WATCHDOG=1", "RELOADING=1", "STOPPING=1"}) {
        if (message.find(state) != std::string::npos) states_.push_back(state);
      }
      if (message.find(what) != std::string::npos) return message;
    }
    ADD_FAILURE() << "no notification containing " << what;
    return "";
  }

  std::string socket_path_;
  int sock_ = -1;
  pid_t pid_ = -1;
  std::vector<std::string> states_;
};

TEST_F(NotifyTest, ReadyWatchdogReloadingStoppingInOrder) {
  bind_notify_socket();
  launch_daemon("200000");  // pings every 100 ms

  std::string ready = await("READY=1");
  std::smatch port;
  ASSERT_TRUE(std::regex_search(ready, port, std::regex("port ([0-9]+)"))) << ready;
  // READY=1 means the tracer is attached and the port is bound: scrape at once.
  HttpResponse metrics = http_get(static_cast<std::uint16_t>(std::stoi(port[1])), "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("execmond_processes{"), std::string::npos);

  // Attached and serving, the daemon keeps only CAP_DAC_READ_SEARCH (2).
  EXPECT_EQ(effective_capabilities_of(pid_), 1ULL << 2);

  await("WATCHDOG=1");
  kill(pid_, SIGHUP);
  await("RELOADING=1");
  std::string reloaded = await("READY=1");
  EXPECT_NE(reloaded.find("STATUS="), std::string::npos);
  // Still draining and serving without the capabilities it dropped.
  EXPECT_EQ(http_get(static_cast<std::uint16_t>(std::stoi(port[1])), "/metrics").status, 200);
  await("WATCHDOG=1");
  kill(pid_, SIGTERM);
  await("STOPPING=1");
  int status = 0;
  ASSERT_EQ(waitpid(pid_, &status, 0), pid_);
  pid_ = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;

  // Watchdog pings may interleave; the lifecycle states must come in this order.
  std::vector<std::string> lifecycle;
  for (const std::string& s : states_) {
    if (s != "WATCHDOG=1") lifecycle.push_back(s);
  }
  EXPECT_EQ(lifecycle,
            (std::vector<std::string>{"READY=1", "RELOADING=1", "READY=1", "STOPPING=1"}));
  EXPECT_EQ(states_.front(), "READY=1");  // no ping before ready
}

TEST_F(NotifyTest, NoWatchdogPingsUnlessAsked) {
  bind_notify_socket();
  launch_daemon("0");
  await("READY=1");
  for (int i = 0; i < 5; ++i) {  // five drains' worth of status updates
    std::string message = receive(1000);
    EXPECT_EQ(message.find("WATCHDOG=1"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace execmond::test
