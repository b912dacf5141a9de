// The records section's rows of the settings table: how each key is read,
// checked, shown and taken on a reload. What the kernel hands over (the
// channel's size, command lines or not) and whether records exist at all are
// set when the tracer loads; what is picked, redacted, kept, limited and where
// it goes changes at run time.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"
#include "config/naming_reader.h"
#include "config/records_config.h"
#include "config/regex.h"
#include "config/settings.h"
#include "config/settings_checks.h"
#include "config/signal_names.h"
#include "config/values.h"

namespace execmond::detail {
namespace {

constexpr std::string_view kSignalsAllowed =
    "use a list of signal names as kill -l gives them, with or without SIG, or numbers from 1 "
    "to 64, each signal at most once (e.g. [SIGSEGV, abrt, 7])";
constexpr std::string_view kProgramAllowed =
    "use program names as naming: gives them, without control characters (e.g. [nginx, "
    "backup.sh])";
constexpr std::string_view kProcessUnitAllowed =
    "use systemd unit names that processes run in, ending in .service, .scope, .socket, .mount "
    "or .swap (e.g. [cron.service, session-1.scope])";
constexpr std::string_view kRedactAllowed =
    R"(use up to 64 patterns in RE2 syntax; each match in a command-line argument becomes *** )"
    R"((e.g. ["(?i)password=\S+"]))";
constexpr std::string_view kKeepAllowed =
    "use an integer from 1 to 1000000: the most recent records GET /exits returns";
constexpr std::string_view kRateAllowed =
    "use a number of records per second from 0 (no limit) to 1000000 (e.g. 20, 0.5)";
constexpr std::string_view kBurstAllowed =
    "use an integer from 1 to 1000000: the records let through at once before the rate applies";
constexpr std::string_view kJsonFileAllowed =
    R"(use "" for none, "-" for standard output, or an absolute path without control characters)";
constexpr std::string_view kKernelBufferAllowed =
    "use a power of two from 4096 to 1073741824 (1 GiB): the bytes of the kernel's buffer for "
    "records";

constexpr std::uint64_t kMaxKeep = 1'000'000;
constexpr double kMaxRate = 1'000'000;
constexpr std::uint64_t kMaxBurst = 1'000'000;
constexpr std::uint64_t kMinKernelBuffer = 4096;  // a page: the least a BPF ring buffer takes
constexpr std::uint64_t kMaxKernelBuffer = std::uint64_t{1} << 30;

// The units a process's cgroup can name (identity/cgroup_path.cpp reads the
// same five): a timer's or a target's processes run in the service it starts,
// so a selector naming one would never match.
constexpr std::array<std::string_view, 5> kProcessUnitSuffixes = {".service", ".scope", ".socket",
                                                                  ".mount", ".swap"};

// ---- Scalars ----------------------------------------------------------------

template <bool RecordsConfig::*kField>
Status apply_records_switch(Config& config, const std::string& text) {
  return apply_bool(config.records.*kField, text);
}

Status apply_keep(Config& config, const std::string& text) {
  return apply_count(config.records.keep, text, 1, kMaxKeep, kKeepAllowed);
}

template <std::uint32_t RecordsConfig::*kField>
Status apply_burst(Config& config, const std::string& text) {
  return apply_count(config.records.*kField, text, 1, kMaxBurst, kBurstAllowed);
}

template <double RecordsConfig::*kField>
Status apply_rate(Config& config, const std::string& text) {
  const std::optional<double> rate = parse_number(text);
  if (!rate || !std::isfinite(*rate)) {
    return Error{problem(quote(text) + " is not a number", kRateAllowed)};
  }
  if (*rate < 0 || *rate > kMaxRate) {
    return Error{problem(quote(text) + " is out of range", kRateAllowed)};
  }
  config.records.*kField = *rate;
  return {};
}

Status apply_json_file(Config& config, const std::string& text) {
  if (has_control(text)) {
    return Error{problem(quote(text) + " has control characters", kJsonFileAllowed)};
  }
  if (!text.empty() && text != "-" && !text.starts_with('/')) {
    return Error{problem(quote(text) + " is not an absolute path", kJsonFileAllowed)};
  }
  config.records.json_file = text;
  return {};
}

Status apply_kernel_buffer_bytes(Config& config, const std::string& text) {
  const std::optional<std::uint64_t> bytes = parse_unsigned(text);
  if (!bytes) return Error{problem(quote(text) + " is not an integer", kKernelBufferAllowed)};
  if (*bytes < kMinKernelBuffer || *bytes > kMaxKernelBuffer) {
    return Error{problem(quote(text) + " is out of range", kKernelBufferAllowed)};
  }
  // The kernel refuses a ring buffer of any other size.
  if ((*bytes & (*bytes - 1)) != 0) {
    return Error{problem(quote(text) + " is not a power of two", kKernelBufferAllowed)};
  }
  config.records.kernel_buffer_bytes = static_cast<std::uint32_t>(*bytes);
  return {};
}

// ---- List items -------------------------------------------------------------

Status check_signal(const std::string& text, const Items& before) {
  const std::optional<int> signal = parse_signal(text);
  if (!signal) {
    return Error{quote(text) + (all_digits(text) ? " is out of range" : " is not a signal")};
  }
  for (const std::string& earlier : before) {
    if (parse_signal(earlier) != signal) continue;
    const std::string name = signal_text(*signal);
    return Error{quote(text) + (earlier == text ? " is" : " is " + name + ",") + " given twice"};
  }
  return {};
}

Status check_program(const std::string& text, const Items& /*before*/) {
  if (text.empty()) return Error{"\"\" is empty"};
  if (has_control(text)) return Error{quote(text) + " has control characters"};
  return {};
}

// Filters' unit rule, and a suffix of a unit that holds processes.
Status check_process_unit(const std::string& text, const Items& before) {
  if (Status unit = check_unit(text, before); !unit) return unit;
  const bool holds_processes = std::any_of(
      kProcessUnitSuffixes.begin(), kProcessUnitSuffixes.end(), [&](std::string_view suffix) {
        return text.size() > suffix.size() && text.ends_with(suffix);
      });
  if (!holds_processes) return Error{quote(text) + " is not a unit processes run in"};
  return {};
}

// ---- Storing, showing and taking --------------------------------------------

void store_signals(Config& config, Draft& /*draft*/, Items&& items) {
  config.records.signals.clear();
  for (const std::string& item : items) config.records.signals.push_back(*parse_signal(item));
}

void store_redact(Config& config, Draft& /*draft*/, Items&& items) {
  config.records.redact = std::move(items);
}

template <ProcessSelector RecordsConfig::*kSelector,
          std::vector<std::string> ProcessSelector::*kList>
void store_selected(Config& config, Draft& /*draft*/, Items&& items) {
  config.records.*kSelector.*kList = std::move(items);
}

std::string show_switch(bool on) { return on ? "true" : "false"; }

template <bool RecordsConfig::*kField>
std::string show_records_switch(const Config& config) {
  return show_switch(config.records.*kField);
}

template <std::uint32_t RecordsConfig::*kField>
std::string show_count(const Config& config) {
  return std::to_string(config.records.*kField);
}

template <double RecordsConfig::*kField>
std::string show_rate(const Config& config) {
  return format_number(config.records.*kField);
}

// In brackets, so that an empty list still shows: it records no crashes.
std::string show_signals(const Config& config) {
  std::string out;
  for (int signal : config.records.signals) out += (out.empty() ? "" : ", ") + signal_text(signal);
  return "[" + out + "]";
}

std::string show_redact(const Config& config) { return show_texts(config.records.redact); }

template <ProcessSelector RecordsConfig::*kSelector,
          std::vector<std::string> ProcessSelector::*kList>
std::string show_selected(const Config& config) {
  return show_texts(config.records.*kSelector.*kList);
}

std::string show_json_file(const Config& config) {
  const std::string& path = config.records.json_file;
  return path.empty() || has_space_or_control(path) ? quote(path, kUnlimited) : path;
}

template <auto kField>
void take_records(Config& running, const Config& wanted) {
  running.records.*kField = wanted.records.*kField;
}

template <ProcessSelector RecordsConfig::*kSelector,
          std::vector<std::string> ProcessSelector::*kList>
void take_selected(Config& running, const Config& wanted) {
  running.records.*kSelector.*kList = wanted.records.*kSelector.*kList;
}

// comm, program and unit: the same three keys under failures_of and exits_of.
template <ProcessSelector RecordsConfig::*kSelector>
void add_selector(std::vector<Setting>& table, std::string_view section) {
  auto add = [&](std::string_view name, std::string_view allowed, std::string_view item,
                 Status (*check)(const std::string&, const Items&),
                 void (*store)(Config&, Draft&, Items &&), std::string (*show)(const Config&),
                 void (*take)(Config&, const Config&)) {
    table.push_back(reloadable(list(section, name, allowed, Restart::No, item, 0, kUnlimited, check,
                                    store, show, /*omit_when_empty=*/true),
                               take));
  };
  add("comm", kCommAllowed, "a command name", check_comm,
      store_selected<kSelector, &ProcessSelector::comm>,
      show_selected<kSelector, &ProcessSelector::comm>,
      take_selected<kSelector, &ProcessSelector::comm>);
  add("program", kProgramAllowed, "a program name", check_program,
      store_selected<kSelector, &ProcessSelector::program>,
      show_selected<kSelector, &ProcessSelector::program>,
      take_selected<kSelector, &ProcessSelector::program>);
  add("unit", kProcessUnitAllowed, "a unit name", check_process_unit,
      store_selected<kSelector, &ProcessSelector::unit>,
      show_selected<kSelector, &ProcessSelector::unit>,
      take_selected<kSelector, &ProcessSelector::unit>);
}

}  // namespace

// Restart: enabled (whether the kernel hands records over at all), cmdline
// (whether it captures command lines for them) and the channel's size, all set
// when the tracer loads. The rest is read by records/ record by record.
void add_records_settings(std::vector<Setting>& table) {
  table.push_back(scalar("records", "enabled", kBoolAllowed, Restart::Yes,
                         apply_records_switch<&RecordsConfig::enabled>,
                         show_records_switch<&RecordsConfig::enabled>));
  table.push_back(reloadable(
      list("records", "signals", kSignalsAllowed, Restart::No, "a signal", 0,
           static_cast<std::size_t>(kMaxSignal), check_signal, store_signals, show_signals),
      take_records<&RecordsConfig::signals>));
  add_selector<&RecordsConfig::failures_of>(table, "records.failures_of");
  add_selector<&RecordsConfig::exits_of>(table, "records.exits_of");
  table.push_back(scalar("records", "cmdline", kBoolAllowed, Restart::Yes,
                         apply_records_switch<&RecordsConfig::cmdline>,
                         show_records_switch<&RecordsConfig::cmdline>));
  // Each pattern holds up to kRegexMaxMem: their number is bounded.
  table.push_back(reloadable(
      list("records", "redact", kRedactAllowed, Restart::No, "a regular expression", 0,
           kMaxRegexesPerList, check_regex, store_redact, show_redact, /*omit_when_empty=*/true),
      take_records<&RecordsConfig::redact>));
  table.push_back(reloadable(scalar("records", "keep", kKeepAllowed, Restart::No, apply_keep,
                                    show_count<&RecordsConfig::keep>),
                             take_records<&RecordsConfig::keep>));
  table.push_back(reloadable(scalar("records", "rate_per_second", kRateAllowed, Restart::No,
                                    apply_rate<&RecordsConfig::rate_per_second>,
                                    show_rate<&RecordsConfig::rate_per_second>),
                             take_records<&RecordsConfig::rate_per_second>));
  table.push_back(
      reloadable(scalar("records", "burst", kBurstAllowed, Restart::No,
                        apply_burst<&RecordsConfig::burst>, show_count<&RecordsConfig::burst>),
                 take_records<&RecordsConfig::burst>));
  table.push_back(reloadable(scalar("records", "program_rate_per_second", kRateAllowed, Restart::No,
                                    apply_rate<&RecordsConfig::program_rate_per_second>,
                                    show_rate<&RecordsConfig::program_rate_per_second>),
                             take_records<&RecordsConfig::program_rate_per_second>));
  table.push_back(reloadable(
      scalar("records", "program_burst", kBurstAllowed, Restart::No,
             apply_burst<&RecordsConfig::program_burst>, show_count<&RecordsConfig::program_burst>),
      take_records<&RecordsConfig::program_burst>));
  table.push_back(reloadable(scalar("records", "journal", kBoolAllowed, Restart::No,
                                    apply_records_switch<&RecordsConfig::journal>,
                                    show_records_switch<&RecordsConfig::journal>),
                             take_records<&RecordsConfig::journal>));
  table.push_back(reloadable(scalar("records", "json_file", kJsonFileAllowed, Restart::No,
                                    apply_json_file, show_json_file),
                             take_records<&RecordsConfig::json_file>));
  table.push_back(scalar("records", "kernel_buffer_bytes", kKernelBufferAllowed, Restart::Yes,
                         apply_kernel_buffer_bytes,
                         show_count<&RecordsConfig::kernel_buffer_bytes>));
}

}  // namespace execmond::detail
