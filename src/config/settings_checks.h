// The rule of each setting: parse a scalar's text into the config, or check
// one list item, and say what is wrong. The table in settings.cpp names which
// rule a key uses and the text of what it allows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "util/error.h"

namespace execmond::detail {

inline constexpr std::string_view kListenAllowed =
    "use host:port, [ipv6]:port or :port with a port from 0 to 65535 (e.g. :9765)";
inline constexpr std::string_view kPathAllowed =
    R"(use a path that starts with "/", is not "/" alone and has no spaces (e.g. /metrics))";
inline constexpr std::string_view kDurationAllowed =
    "use a number with a unit: ms, s, m or h (e.g. 500ms, 1s)";
inline constexpr std::string_view kDurationRangeAllowed = "use a duration from 10ms to 1h";
inline constexpr std::string_view kProcessesAllowed = "use an integer from 64 to 4194304";
inline constexpr std::string_view kKeysAllowed = "use an integer from 16 to 1048576";
inline constexpr std::string_view kAttachAllowed = "use auto, tp_btf or tracepoint";
inline constexpr std::string_view kBoolAllowed = "use true or false";
inline constexpr std::string_view kBucketsAllowed =
    "use a list of 1 to 32 strictly ascending numbers of seconds, each > 0 and at most 1e9 "
    "(e.g. [0.001, 0.01, 0.1, 1])";
inline constexpr std::string_view kResourcesAllowed =
    "use a list of 0 to 5 of cpu, memory, io, faults and context_switches, each at most once "
    "(e.g. [cpu, memory])";
inline constexpr std::string_view kRssBucketsAllowed =
    "use a list of 1 to 15 strictly ascending numbers of bytes, each from 4096 to 1e15 "
    "(e.g. [1048576, 16777216, 268435456])";
inline constexpr std::string_view kLevelAllowed = "use trace, debug, info, warn, error or off";
inline constexpr std::string_view kTargetAllowed = "use stderr or journal";
inline constexpr std::string_view kLabelsAllowed =
    "use a list of 1 to 14 of comm, exe, unit, cgroup, container_id, uid, user, pod_uid, pod, "
    "namespace, container, program, script and parent, each at most once (e.g. [comm, unit])";
inline constexpr std::string_view kCommAllowed =
    "use command names of 1 to 15 bytes, as the kernel keeps them (e.g. [nginx, sshd])";
inline constexpr std::string_view kCommRegexAllowed =
    "use up to 64 patterns in RE2 syntax, e.g. ^python[0-9.]*$";
inline constexpr std::string_view kExeAllowed =
    R"(use absolute paths without empty, "." or ".." parts, as the kernel reports them )"
    "(e.g. [/usr/bin/python3.11])";
inline constexpr std::string_view kExeRegexAllowed =
    "use up to 64 patterns in RE2 syntax that match the whole path, e.g. ^/usr/lib/.*$";
inline constexpr std::string_view kUnitAllowed =
    R"(use systemd unit names without "/" (e.g. [cron.service, session-1.scope]))";
inline constexpr std::string_view kCgroupPrefixAllowed =
    R"(use cgroup path prefixes that start with "/" (e.g. [/system.slice/]))";
inline constexpr std::string_view kUidAllowed =
    "use integers from 0 to 4294967294 (e.g. [0, 1000])";
inline constexpr std::string_view kSeriesAllowed = "use an integer from 1 to 1000000";
inline constexpr std::string_view kWebConfigAllowed =
    "use the path of a web configuration file (TLS, basic auth), or \"\" for none";
inline constexpr std::string_view kMaxRequestsAllowed =
    "use an integer from 0 (no limit) to 1000: concurrent scrapes answered, others get 503";
inline constexpr std::string_view kRuntimeStateAllowed =
    "use the absolute path of the runtime's state directory, without spaces, or \"\" to leave "
    "that runtime out";
inline constexpr std::string_view kStaleAllowed =
    "use 0s (never) or a duration from 1m to 30d, in units of d, h, m and s (e.g. 1h, 7d)";

inline constexpr std::size_t kMaxBuckets = 32;     // kBucketsAllowed says 32 in words
inline constexpr std::size_t kMaxLabels = 14;      // kLabelsAllowed says 14
inline constexpr std::size_t kMaxResources = 5;    // kResourcesAllowed says 5
inline constexpr std::size_t kMaxRssBuckets = 15;  // kRssBucketsAllowed says 15

// A kind of filter rule whose include and exclude lists together name more
// distinct values than the kernel's filter map for it holds.
struct FilterMapOverflow {
  std::string_view kind;  // comm, exe, cgroup_prefix or uid: the key under each side
  std::string message;    // what is wrong and what to do, without file or key
};
std::optional<FilterMapOverflow> filter_map_overflow(const Config& config);

// The shared scalar rules: an integer in [low, high], and a YAML 1.2 core
// boolean; each stores into `field` only when the text is valid.
Status apply_count(std::uint32_t& field, const std::string& text, std::uint64_t low,
                   std::uint64_t high, std::string_view allowed);
Status apply_bool(bool& field, const std::string& text);

// Scalars: each parses one value into the config, or returns what is wrong
// (no file or key: the caller adds them).
Status apply_listen_address(Config& config, const std::string& text);
Status apply_telemetry_path(Config& config, const std::string& text);
Status apply_drain_interval(Config& config, const std::string& text);
Status apply_web_config_file(Config& config, const std::string& text);
Status apply_max_requests(Config& config, const std::string& text);
Status apply_max_processes(Config& config, const std::string& text);
Status apply_max_keys(Config& config, const std::string& text);
Status apply_attach_mode(Config& config, const std::string& text);
Status apply_bpf_stats(Config& config, const std::string& text);
Status apply_log_level(Config& config, const std::string& text);
Status apply_log_target(Config& config, const std::string& text);
Status apply_exclude_self(Config& config, const std::string& text);
Status apply_max_series(Config& config, const std::string& text);
Status apply_drop_stale_after(Config& config, const std::string& text);
// identity.runtime_state.<runtime>: the directory into `field`.
Status apply_runtime_state(std::string& field, const std::string& text);

// List items: a check returns what is wrong with one item; the reader adds
// the key's allowed text. `before` holds the items already accepted.
using Items = std::vector<std::string>;

Status check_bucket(const std::string& text, const Items& before);
Status check_rss_bucket(const std::string& text, const Items& before);
std::optional<Resource> resource_named(std::string_view name);
Status check_resource(const std::string& text, const Items& before);
std::optional<LabelSource> label_source(std::string_view name);
Status check_label(const std::string& text, const Items& before);
Status check_comm(const std::string& text, const Items& before);
Status check_regex(const std::string& text, const Items& before);
Status check_exe(const std::string& text, const Items& before);
Status check_unit(const std::string& text, const Items& before);
Status check_cgroup_prefix(const std::string& text, const Items& before);
Status check_uid(const std::string& text, const Items& before);

}  // namespace execmond::detail
