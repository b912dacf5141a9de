// The records' writer thread: write() never waits on an output, overflow is
// counted record by record, a failing output is logged once and retried in
// order, and stopping is bounded.
#include "records/record_writer.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "records/record_json.h"

namespace execmond {
namespace {

using namespace std::chrono_literals;

// What a fake output does and saw; shared with the test, as the output
// itself belongs to RecordOutputs (and may outlive it, left behind).
struct Sink {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::uint64_t> written;  // sequence numbers
  int attempts = 0;
  int reopens = 0;
  int failures_left = 0;  // the next attempts that fail
  bool blocked = false;   // write() waits while set
  bool in_write = false;

  void set_blocked(bool value) {
    std::lock_guard lock(mutex);
    blocked = value;
    changed.notify_all();
  }
  // Waits (up to 5 s) for `done` to hold, the lock held while it is asked.
  template <typename Predicate>
  bool wait_for(Predicate done) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 5s, done);
  }
};

class FakeOutput final : public RecordOutput {
 public:
  explicit FakeOutput(std::shared_ptr<Sink> sink) : sink_(std::move(sink)) {}
  Status write(const ExitRecord& record) override {
    std::unique_lock lock(sink_->mutex);
    ++sink_->attempts;
    sink_->in_write = true;
    sink_->changed.notify_all();
    sink_->changed.wait(lock, [&] { return !sink_->blocked; });
    sink_->in_write = false;
    if (sink_->failures_left > 0) {
      --sink_->failures_left;
      sink_->changed.notify_all();
      return Error{"the disk is on fire"};
    }
    sink_->written.push_back(record.sequence);
    sink_->changed.notify_all();
    return {};
  }
  Status reopen() override {
    std::lock_guard lock(sink_->mutex);
    ++sink_->reopens;
    sink_->changed.notify_all();
    return {};
  }

 private:
  std::shared_ptr<Sink> sink_;
};

ExitRecord record(std::uint64_t seq) {
  ExitRecord r;
  r.sequence = seq;
  r.comm = "worker";
  return r;
}

double counter(prometheus::Registry& registry, const std::string& name, const std::string& output) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      if (metric.label.size() == 1 && metric.label[0].value == output) return metric.counter.value;
    }
  }
  return -1;
}

// The counter once it reaches `value` (up to 5 s): the thread counts a
// write after the output returned it.
double counter_at(prometheus::Registry& registry, const std::string& name,
                  const std::string& output, double value) {
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  double now = counter(registry, name, output);
  while (now != value && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(1ms);
    now = counter(registry, name, output);
  }
  return now;
}

// The default logger's lines, for the test's life.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text_);
    sink->set_pattern("%l %v");
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", sink));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;
  std::string text() const { return text_.str(); }
  int count(const std::string& needle) const {
    const std::string all = text();
    int n = 0;
    for (std::size_t at = all.find(needle); at != std::string::npos;
         at = all.find(needle, at + 1)) {
      ++n;
    }
    return n;
  }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> previous_;
};

class RecordOutputsTest : public ::testing::Test {
 protected:
  RecordOutputsOptions options(std::size_t capacity = 100) {
    RecordOutputsOptions o;
    o.capacity = capacity;
    o.retry_after = 20ms;
    o.make_output = [this](RecordOutputKind kind, const std::string& json_file) {
      made.emplace_back(std::string(to_string(kind)) + ":" + json_file);
      return std::make_unique<FakeOutput>(sink);
    };
    return o;
  }

  std::shared_ptr<Sink> sink = std::make_shared<Sink>();
  std::vector<std::string> made;
  prometheus::Registry registry;
};

TEST_F(RecordOutputsTest, WritesEachRecordToTheOutputsThatAreOn) {
  RecordOutputs outputs(registry, options());
  outputs.write(record(0));  // nothing on yet: nowhere to go
  outputs.configure(false, "/var/log/exits.json");
  EXPECT_EQ(made, std::vector<std::string>{"json:/var/log/exits.json"});
  for (std::uint64_t i = 1; i <= 3; ++i) outputs.write(record(i));
  ASSERT_TRUE(sink->wait_for([&] { return sink->written.size() == 3; }));
  EXPECT_EQ(sink->written, (std::vector<std::uint64_t>{1, 2, 3}));
  outputs.configure(true, "/var/log/exits.json");  // the same file: kept
  EXPECT_EQ(made, (std::vector<std::string>{"json:/var/log/exits.json", "journal:"}));
  outputs.write(record(4));
  ASSERT_TRUE(sink->wait_for([&] { return sink->written.size() == 5; }));
  EXPECT_EQ(counter_at(registry, "execmond_exit_record_writes_total", "json", 4), 4);
  EXPECT_EQ(counter_at(registry, "execmond_exit_record_writes_total", "journal", 1), 1);
  EXPECT_EQ(counter(registry, "execmond_exit_records_unwritten_total", "json"), 0);
}

TEST_F(RecordOutputsTest, ABlockedOutputDoesNotBlockWriteAndOverflowIsCountedExactly) {
  RecordOutputs outputs(registry, options(/*capacity=*/5));
  outputs.configure(false, "-");
  sink->set_blocked(true);
  outputs.write(record(1));
  ASSERT_TRUE(sink->wait_for([&] { return sink->in_write; }));  // record 1 is in hand
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t i = 2; i <= 21; ++i) outputs.write(record(i));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  // Five fit behind record 1: 2 to 16 were given up, the oldest first.
  EXPECT_EQ(counter(registry, "execmond_exit_records_unwritten_total", "json"), 15);
  sink->set_blocked(false);
  ASSERT_TRUE(sink->wait_for([&] { return sink->written.size() == 6; }));
  EXPECT_EQ(sink->written, (std::vector<std::uint64_t>{1, 17, 18, 19, 20, 21}));
  EXPECT_EQ(counter_at(registry, "execmond_exit_record_writes_total", "json", 6), 6);
}

TEST_F(RecordOutputsTest, AFailingOutputIsLoggedOnceAndRetriedInOrder) {
  CapturedLog log;
  {
    RecordOutputs outputs(registry, options());
    outputs.configure(true, "");
    {
      std::lock_guard lock(sink->mutex);
      sink->failures_left = 4;
    }
    for (std::uint64_t i = 1; i <= 3; ++i) outputs.write(record(i));
    ASSERT_TRUE(sink->wait_for([&] { return sink->written.size() == 3; }));
    EXPECT_EQ(sink->written, (std::vector<std::uint64_t>{1, 2, 3}));
    EXPECT_EQ(sink->attempts, 7);
    EXPECT_EQ(counter(registry, "execmond_exit_record_write_failures_total", "journal"), 4);
    EXPECT_EQ(counter_at(registry, "execmond_exit_record_writes_total", "journal", 3), 3);
    EXPECT_EQ(counter(registry, "execmond_exit_records_unwritten_total", "journal"), 0);
  }  // joined: every line is logged
  EXPECT_EQ(log.count("cannot write exit records to the journal output: the disk is on fire; "
                      "retrying every 20 ms"),
            1)
      << log.text();
  EXPECT_EQ(log.count("warn"), 1) << log.text();
  EXPECT_EQ(log.count("info exit records are written to the journal output again"), 1)
      << log.text();
}

TEST_F(RecordOutputsTest, RetriesWaitTheirTurn) {
  RecordOutputsOptions o = options();
  o.retry_after = 300ms;
  RecordOutputs outputs(registry, std::move(o));
  outputs.configure(true, "");
  {
    std::lock_guard lock(sink->mutex);
    sink->failures_left = 1;
  }
  const auto start = std::chrono::steady_clock::now();
  outputs.write(record(1));
  ASSERT_TRUE(sink->wait_for([&] { return sink->written.size() == 1; }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
  EXPECT_EQ(sink->attempts, 2);
}

TEST_F(RecordOutputsTest, AFailingRecordIsGivenUpWhenTheQueueFillsBehindIt) {
  RecordOutputs outputs(registry, options(/*capacity=*/2));
  outputs.configure(true, "");
  {
    std::lock_guard lock(sink->mutex);
    sink->failures_left = 1;
    sink->blocked = true;
  }
  outputs.write(record(1));
  ASSERT_TRUE(sink->wait_for([&] { return sink->in_write; }));
  outputs.write(record(2));
  outputs.write(record(3));  // the queue is full while 1 is in hand, and 1 fails
  sink->set_blocked(false);
  ASSERT_TRUE(sink->wait_for([&] { return sink->written.size() == 2; }));
  EXPECT_EQ(sink->written, (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(counter(registry, "execmond_exit_records_unwritten_total", "journal"), 1);
}

TEST_F(RecordOutputsTest, ReopenReachesTheOutputBeforeItsNextWrite) {
  RecordOutputs outputs(registry, options());
  outputs.configure(true, "/var/log/exits.json");
  outputs.reopen();
  ASSERT_TRUE(sink->wait_for([&] { return sink->reopens == 2; }));  // each output
  outputs.write(record(1));
  ASSERT_TRUE(sink->wait_for([&] { return sink->written.size() == 2; }));
}

TEST_F(RecordOutputsTest, ANewFileTakesOverAndTurningOffGivesUpWhatWasQueued) {
  RecordOutputs outputs(registry, options());
  outputs.configure(false, "/a.json");
  sink->set_blocked(true);
  outputs.write(record(1));
  ASSERT_TRUE(sink->wait_for([&] { return sink->in_write; }));
  outputs.write(record(2));
  outputs.configure(false, "/b.json");  // 2 is the new file's
  outputs.write(record(3));
  outputs.configure(false, "");  // off: 2 and 3 are given up
  sink->set_blocked(false);
  ASSERT_TRUE(sink->wait_for([&] { return sink->written.size() == 1; }));
  EXPECT_EQ(made, (std::vector<std::string>{"json:/a.json", "json:/b.json"}));
  EXPECT_EQ(counter(registry, "execmond_exit_records_unwritten_total", "json"), 2);
}

TEST_F(RecordOutputsTest, StoppingWritesWhatIsQueued) {
  {
    RecordOutputs outputs(registry, options(1000));
    outputs.configure(true, "");
    for (std::uint64_t i = 1; i <= 500; ++i) outputs.write(record(i));
  }
  EXPECT_EQ(sink->written.size(), 500U);
}

TEST_F(RecordOutputsTest, StoppingIsBoundedWhenAnOutputIsStuck) {
  CapturedLog log;
  sink->set_blocked(true);
  const auto start = std::chrono::steady_clock::now();
  {
    RecordOutputsOptions o = options();
    o.flush_timeout = 200ms;
    RecordOutputs outputs(registry, std::move(o));
    outputs.configure(true, "");
    outputs.write(record(1));
    outputs.write(record(2));
    ASSERT_TRUE(sink->wait_for([&] { return sink->in_write; }));
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(log.count("did not return within 200 ms"), 1) << log.text();
  // The thread left behind finishes on its own once the output returns.
  sink->set_blocked(false);
  ASSERT_TRUE(sink->wait_for([&] { return sink->written.size() == 1; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(sink->written.size(), 1U) << "nothing more after it was abandoned";
}

TEST(RecordOutputsFileTest, RecordsReachARealJsonLinesFile) {
  char dir[] = "/tmp/execmond-record-outputs-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/exits.json";
  prometheus::Registry registry;
  {
    RecordOutputs outputs(registry);
    outputs.configure(false, path);
    for (std::uint64_t i = 1; i <= 3; ++i) outputs.write(record(i));
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), record_json_line(record(1)) + record_json_line(record(2)) +
                            record_json_line(record(3)));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace execmond
