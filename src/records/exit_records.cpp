#include "records/exit_records.h"

#include <spdlog/spdlog.h>

#include "kernel/counts_table.h"

#include <algorithm>
#include <utility>

namespace execmond {

namespace {

// How often at most the rate limit's drops are summed up in the log.
constexpr std::chrono::seconds kDropLogInterval{10};

bool holds(const std::vector<std::string>& names, const std::string& name) {
  return !name.empty() && std::find(names.begin(), names.end(), name) != names.end();
}

bool picks(const ProcessSelector& selector, const ExitRecord& r) {
  return holds(selector.comm, r.comm) || holds(selector.program, r.program) ||
         holds(selector.unit, r.unit);
}

std::uint32_t candidates_for(const RecordsConfig& config) {
  if (!config.exits_of.empty()) return EXECMOND_CANDIDATES_ALL;
  if (!config.failures_of.empty()) return EXECMOND_CANDIDATES_FAILED;
  return EXECMOND_CANDIDATES_NONE;
}

}  // namespace

ExitRecords::ExitRecords(const RecordsConfig& config, std::shared_ptr<RecordRing> ring,
                         std::string host, std::uint32_t resources,
                         std::shared_ptr<naming::NameCache> names, prometheus::Registry& registry)
    : config_(config),
      names_(std::move(names)),
      maker_(std::move(host), resources),
      limit_(config),
      ring_(std::move(ring)),
      outputs_(registry),
      crash_signal_bits_(execmond::crash_signal_bits(config.signals)),
      candidates_(candidates_for(config)) {
  if (Status made = maker_.configure(config); !made) throw Fatal(made.error().message);
  outputs_.configure(config.journal, config.json_file);
  auto& made = prometheus::BuildCounter()
                   .Name("execmond_exit_records_total")
                   .Help(
                       "Records made of notable exits (OOM kills, core dumps, crashes, and the "
                       "failures and exits records.failures_of and exits_of pick), by kind.")
                   .Register(registry);
  for (std::size_t i = 0; i < kRecordKindCount; ++i) {
    made_[i] = &made.Add({{"kind", std::string(kRecordKindNames[i])}});
  }
  auto& dropped = prometheus::BuildCounter()
                      .Name("execmond_exit_records_dropped_total")
                      .Help(
                          "Notable exits that got no record: the kernel's buffer was full "
                          "(records.kernel_buffer_bytes), or a rate limit held them back. "
                          "Records made plus these are the notable exits.")
                      .Register(registry);
  for (std::size_t i = 0; i < kRecordDropNames.size(); ++i) {
    dropped_[i] = &dropped.Add({{"reason", kRecordDropNames[i]}});
  }
}

Status ExitRecords::configure(const RecordsConfig& config) {
  if (Status made = maker_.configure(config); !made) return made;
  config_ = config;
  limit_.configure(config);
  ring_->set_capacity(config.keep);
  outputs_.configure(config.journal, config.json_file);
  crash_signal_bits_ = execmond::crash_signal_bits(config.signals);
  candidates_ = candidates_for(config);
  return {};
}

bool ExitRecords::selected(const ExitRecord& r) const {
  switch (r.kind) {
    case RecordKind::Failed:
      return picks(config_.failures_of, r) || picks(config_.exits_of, r);
    case RecordKind::Exited:
      return picks(config_.exits_of, r);
    default:
      return true;  // OOM kills, core dumps and crashes always matter
  }
}

void ExitRecords::take(const std::vector<execmond_exit_record>& kernel_records,
                       const ExitRecordDrops& drops, IdentityResolver& resolver,
                       const Counted& counted) {
  count_kernel_drops(drops);
  const WallClock clock = WallClock::now();
  for (const execmond_exit_record& k : kernel_records) {
    ProcessIds ids{comm_of(k.comm), k.cgroup_id, k.exe_ino, k.exe_dev, k.uid};
    ids.exe_generation = k.exe_generation;
    const Identity who = resolver.resolve(ids);
    if (!counted(who)) continue;  // filtered out: not counted, so not notable
    const naming::NameCache::Described what = names_->describe(k.cmdline_id, who.comm, who.user);
    ExitRecord record = maker_.make(k, who, what, clock);
    if (!selected(record)) continue;  // handed over for a selector that does not pick it
    if (!limit_.admit(record.program.empty() ? record.comm : record.program)) {
      dropped_[static_cast<std::size_t>(RecordDrop::RateLimit)]->Increment();
      continue;
    }
    record.sequence = ++sequence_;
    made_[static_cast<std::size_t>(record.kind)]->Increment();
    outputs_.write(record);
    ring_->push(std::move(record));
  }
  log_rate_limit_drops();
}

void ExitRecords::count_kernel_drops(const ExitRecordDrops& drops) {
  std::uint64_t total = 0;
  for (std::uint64_t n : drops) total += n;
  if (total <= kernel_drops_seen_) return;
  const std::uint64_t added = total - kernel_drops_seen_;
  kernel_drops_seen_ = total;
  dropped_[static_cast<std::size_t>(RecordDrop::KernelBufferFull)]->Increment(
      static_cast<double>(added));
  spdlog::warn(
      "{} notable exits got no record: the kernel's buffer was full (raise "
      "records.kernel_buffer_bytes, or shorten tracer.drain_interval)",
      added);
}

void ExitRecords::log_rate_limit_drops() {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_drop_log_ < kDropLogInterval) return;
  RecordRateLimit::Dropped dropped = limit_.take_dropped();
  if (dropped.total == 0) return;
  last_drop_log_ = now;
  spdlog::warn("{}", summarize(dropped));
}

}  // namespace execmond
