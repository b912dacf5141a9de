// The real execmond binary under a fake service manager: a NOTIFY_SOCKET
// datagram socket receives what systemd would, in order.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "daemon_process.h"
#include "http_client.h"
#include "traced_test.h"

namespace execmond::test {
namespace {

class NotifyTest : public TracedTest {
 protected:
  void TearDown() override {
    daemon_process_.reset();
    TracedTest::TearDown();
  }

  void launch_daemon(const std::string& watchdog_usec) {
    std::string config = dir_ + "/execmond.yaml";
    std::ofstream(config) << "web:\n  listen_address: 127.0.0.1:0\ntracer:\n"
                             "  drain_interval: 100ms\n";
    daemon_process_ = std::make_unique<DaemonProcess>(
        EXECMOND_DAEMON, dir_, std::vector<std::string>{"--config.file=" + config},
        std::map<std::string, std::string>{{"WATCHDOG_USEC", watchdog_usec}});
  }

  // Receives until a datagram contains `what`.
  std::string await(const std::string& what) {
    std::string message = daemon_process_->await(what);
    if (message.empty()) ADD_FAILURE() << "no notification containing " << what;
    return message;
  }

  // The lifecycle states in the order they were notified.
  std::vector<std::string> states() const {
    std::vector<std::string> out;
    for (const std::string& message : daemon_process_->received()) {
      for (const char* state : {"READY=1", "WATCHDOG=1", "RELOADING=1", "STOPPING=1"}) {
        if (message.find(state) != std::string::npos) out.emplace_back(state);
      }
    }
    return out;
  }

  std::unique_ptr<DaemonProcess> daemon_process_;
};

TEST_F(NotifyTest, ReadyWatchdogReloadingStoppingInOrder) {
  launch_daemon("200000");  // pings every 100 ms

  // READY=1 means the tracer is attached and the port is bound: scrape at once.
  const std::uint16_t port = daemon_process_->await_ready();
  HttpResponse metrics = http_get(port, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("execmond_processes{"), std::string::npos);

  // Attached and serving, and naming no cgroups, the daemon keeps no capability.
  EXPECT_EQ(effective_capabilities_of(daemon_process_->pid()), 0ULL);

  await("WATCHDOG=1");
  kill(daemon_process_->pid(), SIGHUP);
  await("RELOADING=1");
  std::string reloaded = await("READY=1");
  EXPECT_NE(reloaded.find("STATUS="), std::string::npos);
  // Still draining and serving without the capabilities it dropped.
  EXPECT_EQ(http_get(port, "/metrics").status, 200);
  await("WATCHDOG=1");
  kill(daemon_process_->pid(), SIGTERM);
  await("STOPPING=1");
  const std::vector<std::string> seen = states();
  int status = daemon_process_->stop(0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;

  // Watchdog pings may interleave; the lifecycle states must come in this order.
  std::vector<std::string> lifecycle;
  for (const std::string& s : seen) {
    if (s != "WATCHDOG=1") lifecycle.push_back(s);
  }
  EXPECT_EQ(lifecycle,
            (std::vector<std::string>{"READY=1", "RELOADING=1", "READY=1", "STOPPING=1"}));
  EXPECT_EQ(seen.front(), "READY=1");  // no ping before ready
}

TEST_F(NotifyTest, NoWatchdogPingsUnlessAsked) {
  launch_daemon("0");
  const std::string ready = await("READY=1");
  ASSERT_NE(ready.find("STATUS=Tracing with "), std::string::npos) << ready;
  EXPECT_NE(ready.find(", serving 127.0.0.1:0 (port "), std::string::npos) << ready;

  // Ten drain intervals: each drain's status arrives, and never a ping. What
  // arrives is counted, so a daemon that notified nothing would fail here.
  int statuses = 0;
  const auto window_end = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        window_end - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    const std::string message = daemon_process_->receive(static_cast<int>(left.count()));
    if (message.empty()) break;  // the window is over
    EXPECT_EQ(message.find("WATCHDOG=1"), std::string::npos) << message;
    if (message.rfind("STATUS=Tracing with ", 0) == 0) ++statuses;
  }
  // Drains every 100 ms; a busy host may delay a few.
  EXPECT_GE(statuses, 5) << "status updates in one second of 100 ms drains";
  EXPECT_EQ(states(), std::vector<std::string>{"READY=1"});
}

}  // namespace
}  // namespace execmond::test
