#include "records/record_writer.h"

#include <prometheus/counter.h>
#include <spdlog/spdlog.h>

#include <array>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "records/journal_output.h"
#include "records/json_lines_output.h"

namespace execmond {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kOutputCount = 2;

std::unique_ptr<RecordOutput> make_default_output(RecordOutputKind kind,
                                                  const std::string& json_file) {
  if (kind == RecordOutputKind::Journal) return std::make_unique<JournalOutput>();
  return std::make_unique<JsonLinesOutput>(json_file);
}

// An output that throws (none should; memory can run out) fails this
// attempt instead of ending the daemon through its thread.
template <typename Call>
Status guarded(Call call) {
  try {
    return call();
  } catch (const std::exception& e) {
    return Error{e.what()};
  }
}

}  // namespace

std::string_view to_string(RecordOutputKind kind) {
  return kind == RecordOutputKind::Journal ? "journal" : "json";
}

// Everything the thread touches. Shared with it, so that a thread left
// behind in a stuck write still has its output and its queue when it
// returns; once `abandoned`, it touches nothing else (the metrics'
// registry may be gone).
struct RecordOutputs::State {
  struct Slot {
    RecordOutputKind kind = RecordOutputKind::Journal;
    std::shared_ptr<RecordOutput> output;  // null: off
    std::string json_file;
    std::deque<std::shared_ptr<const ExitRecord>> queue;
    bool reopen_requested = false;
    bool failing = false;  // logged once; the next success is logged too
    Clock::time_point next_attempt{};
    prometheus::Counter* writes = nullptr;
    prometheus::Counter* failures = nullptr;
    prometheus::Counter* unwritten = nullptr;
  };

  RecordOutputsOptions options;
  std::mutex mutex;
  std::condition_variable wake;     // the thread: work, or stop
  std::condition_variable stopped;  // the destructor: `done`
  std::array<Slot, kOutputCount> slots;
  bool stopping = false;
  Clock::time_point flush_deadline{};
  bool done = false;
  bool abandoned = false;
  std::thread thread;
  // Lines to log, logged by the thread with the lock released: a logger
  // that blocks (stderr into a stuck journald) must not hold up write().
  std::vector<std::pair<spdlog::level::level_enum, std::string>> logs;

  void run();
  // One step of the thread's work for `slot`, the lock held on entry and on
  // return (released around the output's call); false when abandoned.
  bool reopen(std::unique_lock<std::mutex>& lock, Slot& slot);
  bool write_head(std::unique_lock<std::mutex>& lock, Slot& slot);
  static void give_up_queue(Slot& slot);
  bool log_pending(std::unique_lock<std::mutex>& lock);
};

bool RecordOutputs::State::log_pending(std::unique_lock<std::mutex>& lock) {
  if (logs.empty()) return true;
  auto lines = std::exchange(logs, {});
  lock.unlock();
  for (const auto& [level, line] : lines) spdlog::log(level, "{}", line);
  lock.lock();
  return !abandoned;
}

void RecordOutputs::State::give_up_queue(Slot& slot) {
  slot.unwritten->Increment(static_cast<double>(slot.queue.size()));
  slot.queue.clear();
}

bool RecordOutputs::State::reopen(std::unique_lock<std::mutex>& lock, Slot& slot) {
  slot.reopen_requested = false;
  const std::shared_ptr<RecordOutput> output = slot.output;
  lock.unlock();
  const Status reopened = guarded([&] { return output->reopen(); });
  lock.lock();
  if (abandoned) return false;
  if (!reopened && slot.output == output && !slot.failing) {
    // The next write tries to open it again, and logs when it works.
    logs.emplace_back(spdlog::level::warn,
                      fmt::format("cannot reopen the {} output of exit records: {}",
                                  to_string(slot.kind), reopened.error().message));
    slot.failing = true;
  }
  return true;
}

bool RecordOutputs::State::write_head(std::unique_lock<std::mutex>& lock, Slot& slot) {
  // Taken out while written, so that write() may drop the oldest of what is
  // left without touching the record in hand.
  std::shared_ptr<const ExitRecord> record = std::move(slot.queue.front());
  slot.queue.pop_front();
  const std::shared_ptr<RecordOutput> output = slot.output;
  lock.unlock();
  const Status written = guarded([&] { return output->write(*record); });
  lock.lock();
  if (abandoned) return false;
  if (written) {
    slot.writes->Increment();
    if (slot.failing && slot.output == output) {
      logs.emplace_back(
          spdlog::level::info,
          fmt::format("exit records are written to the {} output again", to_string(slot.kind)));
      slot.failing = false;
    }
    return true;
  }
  slot.failures->Increment();
  if (slot.output == output) {
    if (!slot.failing) {
      logs.emplace_back(
          spdlog::level::warn,
          fmt::format("cannot write exit records to the {} output: {}; retrying every {} ms, "
                      "holding up to {} records",
                      to_string(slot.kind), written.error().message, options.retry_after.count(),
                      options.capacity));
      slot.failing = true;
    }
    slot.next_attempt = Clock::now() + options.retry_after;
  }
  // Back at the head, in order, unless the output went or the queue filled
  // up meanwhile: then it is the oldest, the one to give up.
  if (!slot.output || slot.queue.size() >= options.capacity) {
    slot.unwritten->Increment();
  } else {
    slot.queue.push_front(std::move(record));
  }
  return true;
}

void RecordOutputs::State::run() {
  std::unique_lock lock(mutex);
  while (true) {
    const Clock::time_point now = Clock::now();
    if (stopping && now >= flush_deadline) break;
    bool worked = false;
    std::optional<Clock::time_point> next_retry;
    for (Slot& slot : slots) {
      if (!slot.output) continue;
      if (slot.reopen_requested) {
        if (!reopen(lock, slot)) return;
        worked = true;
      }
      if (slot.queue.empty() || !slot.output) continue;
      if (slot.next_attempt > now) {
        if (!next_retry || slot.next_attempt < *next_retry) next_retry = slot.next_attempt;
        continue;
      }
      if (!write_head(lock, slot)) return;
      worked = true;
    }
    if (!log_pending(lock)) return;
    if (worked) continue;
    // Stopping does not wait out a failing output's pause: what is left is
    // given up below.
    if (stopping) break;
    if (next_retry) {
      wake.wait_until(lock, *next_retry);
    } else {
      wake.wait(lock);
    }
  }
  for (Slot& slot : slots) {
    if (slot.queue.empty()) continue;
    logs.emplace_back(spdlog::level::warn,
                      fmt::format("{} exit records were not written to the {} output before "
                                  "stopping",
                                  slot.queue.size(), to_string(slot.kind)));
    give_up_queue(slot);
  }
  auto lines = std::exchange(logs, {});
  done = true;
  stopped.notify_all();
  lock.unlock();
  for (const auto& [level, line] : lines) spdlog::log(level, "{}", line);
}

RecordOutputs::RecordOutputs(prometheus::Registry& registry, RecordOutputsOptions options)
    : state_(std::make_shared<State>()) {
  if (!options.make_output) options.make_output = make_default_output;
  if (options.capacity == 0) options.capacity = 1;
  state_->options = std::move(options);
  auto& writes = prometheus::BuildCounter()
                     .Name("execmond_exit_record_writes_total")
                     .Help("Exit records written, by output.")
                     .Register(registry);
  auto& failures = prometheus::BuildCounter()
                       .Name("execmond_exit_record_write_failures_total")
                       .Help("Writes of exit records that failed, by output; each is retried.")
                       .Register(registry);
  auto& unwritten = prometheus::BuildCounter()
                        .Name("execmond_exit_records_unwritten_total")
                        .Help(
                            "Exit records given up, by output: its queue was full, the output "
                            "was turned off, or the daemon stopped before they were written.")
                        .Register(registry);
  for (std::size_t i = 0; i < kOutputCount; ++i) {
    State::Slot& slot = state_->slots[i];
    slot.kind = static_cast<RecordOutputKind>(i);
    const prometheus::Labels labels{{"output", std::string(to_string(slot.kind))}};
    slot.writes = &writes.Add(labels);
    slot.failures = &failures.Add(labels);
    slot.unwritten = &unwritten.Add(labels);
  }
  // The thread holds the state: it may outlive this object (the destructor).
  state_->thread = std::thread([state = state_] { state->run(); });
}

RecordOutputs::~RecordOutputs() {
  std::unique_lock lock(state_->mutex);
  state_->stopping = true;
  state_->flush_deadline = Clock::now() + state_->options.flush_timeout;
  state_->wake.notify_all();
  // The thread stops itself at the deadline unless an output's call holds
  // it; allow that call a little more, then leave it behind.
  const auto give_up_at = state_->flush_deadline + std::chrono::milliseconds(200);
  if (state_->stopped.wait_until(lock, give_up_at, [&] { return state_->done; })) {
    lock.unlock();
    state_->thread.join();
    return;
  }
  state_->abandoned = true;
  lock.unlock();
  spdlog::warn("an exit record output did not return within {} ms; stopping without it",
               state_->options.flush_timeout.count());
  state_->thread.detach();
}

void RecordOutputs::configure(bool journal, const std::string& json_file) {
  std::lock_guard lock(state_->mutex);
  auto set = [&](State::Slot& slot, bool on, const std::string& file) {
    if (!on) {
      if (slot.output) state_->give_up_queue(slot);
      slot.output.reset();
      slot.json_file.clear();
      return;
    }
    if (slot.output && slot.json_file == file) return;
    slot.output = state_->options.make_output(slot.kind, file);
    slot.json_file = file;
    slot.failing = false;
    slot.next_attempt = {};
    if (!slot.output) state_->give_up_queue(slot);
  };
  set(state_->slots[static_cast<std::size_t>(RecordOutputKind::Journal)], journal, "");
  set(state_->slots[static_cast<std::size_t>(RecordOutputKind::Json)], !json_file.empty(),
      json_file);
  state_->wake.notify_all();
}

void RecordOutputs::write(const ExitRecord& record) {
  // Made before the lock is taken: the thread waits on the lock only briefly.
  auto shared = std::make_shared<const ExitRecord>(record);
  std::lock_guard lock(state_->mutex);
  for (State::Slot& slot : state_->slots) {
    if (!slot.output) continue;
    if (slot.queue.size() >= state_->options.capacity) {
      slot.queue.pop_front();
      slot.unwritten->Increment();
    }
    slot.queue.push_back(shared);
  }
  state_->wake.notify_all();
}

void RecordOutputs::reopen() {
  std::lock_guard lock(state_->mutex);
  for (State::Slot& slot : state_->slots) {
    if (slot.output) slot.reopen_requested = true;
  }
  state_->wake.notify_all();
}

}  // namespace execmond
