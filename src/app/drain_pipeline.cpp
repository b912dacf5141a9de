#include "app/drain_pipeline.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <utility>
#include <vector>

#include "kernel/seeded_cmdlines.h"
#include "util/label_text.h"
#include "util/sysctl.h"

namespace execmond {

namespace {

prometheus::Histogram& register_drain_duration(prometheus::Registry& registry) {
  using namespace prometheus;
  return BuildHistogram()
      .Name("execmond_drain_duration_seconds")
      .Help("Time taken by each drain of the kernel side's maps.")
      .Register(registry)
      .Add({}, Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                           0.25, 0.5, 1});
}

prometheus::Counter& register_drain_errors(prometheus::Registry& registry) {
  using namespace prometheus;
  return BuildCounter()
      .Name("execmond_drain_errors_total")
      .Help(
          "Reads and writes of the kernel side's maps that failed during drains (each is logged).")
      .Register(registry)
      .Add({});
}

bool kernel_bpf_stats_on() {
  Result<std::uint64_t> on = read_sysctl_uint("kernel/bpf_stats_enabled");
  return on && *on != 0;
}

}  // namespace

DrainPipeline::DrainPipeline(Tracer& tracer, IdentityResolver& resolver,
                             ProcessCollector& collector, prometheus::Registry& registry,
                             bool stats_enabled)
    : tracer_(tracer),
      resolver_(resolver),
      collector_(collector),
      drainer_(tracer),
      stats_enabled_(stats_enabled),
      duration_(register_drain_duration(registry)),
      errors_(register_drain_errors(registry)) {
  Result<std::unique_ptr<CgroupChanges>> changes = CgroupChanges::open(tracer.cgroup_changes_fd());
  if (!changes) {
    // Cgroups are still found by id while they exist; removed ones count as unresolved.
    spdlog::warn("{}", changes.error().message);
    changes = CgroupChanges::open(-1);
  }
  cgroup_changes_ = std::move(*changes);
}

void DrainPipeline::set_cmdline_sink(CmdlineRing::Sink sink) {
  drainer_.set_cmdline_sink(std::move(sink));
  Result<SeededCmdlines> seeded = fill_seeded_cmdlines(tracer_, drainer_.cmdline_sink());
  if (!seeded) {
    // Their keys keep cmdline_id 0; the processes' next execs are captured.
    spdlog::warn("command lines of processes running before start are unknown: {}",
                 seeded.error().message);
    return;
  }
  spdlog::debug("command lines of {} processes running before start read from /proc",
                seeded->filled);
}

void DrainPipeline::name_with(std::shared_ptr<naming::NameCache> names) {
  names_ = std::move(names);
  set_cmdline_sink(
      [cache = names_](const CmdlineRecord& r) { cache->learn(r.id, r.args, r.truncated); });
}

void DrainPipeline::name(const ProcessIds& ids, const Config& config, Identity& who) {
  who.parent = ids.parent;  // comm_of(): valid UTF-8 already
  if (names_ == nullptr ||
      !(config.labels.uses(LabelSource::Program) || config.labels.uses(LabelSource::Script))) {
    return;
  }
  const naming::Names names = names_->names_of(ids.cmdline_id, ids.comm, who.user);
  // Command lines are any bytes; Prometheus takes only UTF-8.
  who.program = to_valid_utf8(names.program);
  who.script = to_valid_utf8(names.script);
}

void DrainPipeline::record_exits_with(ExitRecords* records) {
  records_ = records;
  if (records_ != nullptr) {
    set_record_knobs(tracer_.globals(), records_->crash_signal_bits(), records_->candidates());
  }
}

void DrainPipeline::forget_cmdline(std::uint64_t id) {
  if (Status forgotten = drainer_.cmdlines().forget(id); !forgotten) {
    spdlog::error("{}", forgotten.error().message);
    errors_.Increment();
  }
}

void DrainPipeline::read_cgroup_changes() {
  Status read = cgroup_changes_->read([this](const CgroupChange& change) {
    if (change.kind == CgroupChange::Kind::Made) {
      resolver_.cgroup_made(change.id, change.parent_id, change.name);
    } else {
      resolver_.cgroup_removed(change.id);
    }
  });
  if (!read) {
    spdlog::error("{}", read.error().message);
    errors_.Increment();
  }
}

bool DrainPipeline::counts_half_full() const {
  const Tracer::Globals& g = tracer_.globals();
  const std::uint32_t generation = std::atomic_ref<std::uint32_t>(*g.generation).load() & 1U;
  const std::uint64_t claimed = std::atomic_ref<std::uint32_t>(g.keys_claimed[generation]).load();
  return claimed * 2 >= tracer_.max_keys();
}

void DrainPipeline::drain(const Config& config) {
  auto started = std::chrono::steady_clock::now();
  const double now = std::chrono::duration<double>(started.time_since_epoch()).count();
  // Before the counts: a cgroup made and removed since the last drain is named from these.
  read_cgroup_changes();
  last_ = drainer_.drain();
  if (tracer_.exe_paths_fd() >= 0) {
    const std::uint64_t rewrites = tracer_.exe_paths_rewrites();
    if (rewrites != exe_paths_rewrites_) resolver_.forget_exe_paths();
    exe_paths_rewrites_ = rewrites;
  }
  for (const Error& error : last_.errors) spdlog::error("drain: {}", error.message);
  errors_.Increment(static_cast<double>(last_.errors.size()));
  std::vector<Record> records;
  records.reserve(last_.counts.size());
  for (const CountRecord& c : last_.counts) {
    Identity who = resolver_.resolve(c.ids);
    name(c.ids, config, who);
    records.push_back(
        {c.kind, std::move(who), c.status, c.bucket, c.count, c.lifetime_ns_sum, c.oom, c.cost});
  }
  // Before the drain's end: the names and paths it used are still known.
  if (records_ != nullptr) {
    records_->take(
        last_.exit_records, last_.exit_record_drops, resolver_,
        [this](const Identity& who) { return filter_ == nullptr || filter_->keeps(who); });
  }
  std::vector<LiveEntry> live;
  live.reserve(last_.live.size());
  for (const auto& [ids, n] : last_.live) {
    Identity who = resolver_.resolve(ids);
    name(ids, config, who);
    live.push_back({std::move(who), n});
  }
  resolver_.drain_finished();
  if (names_ != nullptr) {
    for (std::uint64_t id : names_->drain_finished()) forget_cmdline(id);
  }
  collector_.update([&](Aggregator& a) {
    a.add(records, now);
    a.set_live(live, now);
    a.drop_stale(now, static_cast<double>(config.drop_stale_after.count()));
  });

  auto view = std::make_shared<DrainView>();
  view->labels = config.labels;
  view->lifetime_bounds = config.lifetime_buckets;
  view->resources = tracer_.resources();
  view->peak_rss_bounds = config.peak_rss_buckets;
  view->lost_total = last_.lost_total;
  view->oom_mark_waits = last_.oom_mark_waits;
  view->maps = {{"procs", last_.procs_entries, tracer_.max_processes()},
                {"counts", last_.counts_entries, tracer_.max_keys()}};
  if (tracer_.tables().has_costs) {
    view->maps.push_back({"reap_costs", last_.reap_cost_entries, tracer_.max_processes()});
  }
  view->map_memory = tracer_.map_memory();
  view->programs = last_.programs;
  view->program_stats_enabled = stats_enabled_ || kernel_bpf_stats_on();
  for (LabelSource source :
       {LabelSource::Cgroup, LabelSource::Unit, LabelSource::ContainerId, LabelSource::PodUid,
        LabelSource::Exe, LabelSource::Pod, LabelSource::Namespace, LabelSource::Container}) {
    view->label_failures[source] = resolver_.failures(source);
  }
  if (names_ != nullptr) {
    // An id whose record was lost: named by the comm, as if no command line was read.
    view->label_failures[LabelSource::Program] = names_->unknown_lookups();
    view->label_failures[LabelSource::Script] = names_->unknown_lookups();
  }
  view->captures_cmdline = tracer_.captures_cmdline();
  view->cmdline_events = last_.cmdline_events;
  view->cgroup_changes_lost =
      std::atomic_ref<unsigned long long>(*tracer_.globals().cgroup_changes_lost).load();
  if (tracer_.exe_paths_fd() >= 0) {
    view->map_update_failures["exe_paths"] = tracer_.exe_paths_update_failures();
  }
  collector_.publish(std::move(view));
  duration_.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

}  // namespace execmond
