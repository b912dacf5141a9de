// The configuration's enums by their YAML names: one table an enum, read by
// to_string() and by the parsers alike, so that each name is written once.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "config/config.h"

namespace execmond {

template <typename Enum>
struct EnumName {
  Enum value;
  std::string_view name;
};

inline constexpr EnumName<AttachMode> kAttachModeNames[] = {
    {AttachMode::Auto, "auto"},
    {AttachMode::TpBtf, "tp_btf"},
    {AttachMode::Tracepoint, "tracepoint"},
};

inline constexpr EnumName<LogTarget> kLogTargetNames[] = {
    {LogTarget::Stderr, "stderr"},
    {LogTarget::Journal, "journal"},
};

inline constexpr EnumName<LabelSource> kLabelSourceNames[] = {
    {LabelSource::Comm, "comm"},
    {LabelSource::Exe, "exe"},
    {LabelSource::Unit, "unit"},
    {LabelSource::Cgroup, "cgroup"},
    {LabelSource::ContainerId, "container_id"},
    {LabelSource::Uid, "uid"},
    {LabelSource::User, "user"},
    {LabelSource::PodUid, "pod_uid"},
    {LabelSource::Pod, "pod"},
    {LabelSource::Namespace, "namespace"},
    {LabelSource::Container, "container"},
    {LabelSource::Program, "program"},
    {LabelSource::Script, "script"},
    {LabelSource::Parent, "parent"},
};

inline constexpr EnumName<Family> kFamilyNames[] = {
    {Family::Execs, "execs"},
    {Family::Forks, "forks"},
    {Family::Exits, "exits"},
    {Family::Lifetime, "lifetime"},
    {Family::Processes, "processes"},
    {Family::Cpu, "cpu"},
    {Family::PeakRss, "peak_rss"},
    {Family::Io, "io"},
    {Family::PageFaults, "page_faults"},
    {Family::ContextSwitches, "context_switches"},
    {Family::OomKills, "oom_kills"},
};
static_assert(std::size(kFamilyNames) == kFamilyCount);

inline constexpr EnumName<Resource> kResourceNames[] = {
    {Resource::Cpu, "cpu"},
    {Resource::Memory, "memory"},
    {Resource::Io, "io"},
    {Resource::Faults, "faults"},
    {Resource::ContextSwitches, "context_switches"},
};

inline constexpr EnumName<InterpreterStyle> kInterpreterStyleNames[] = {
    {InterpreterStyle::Python, "python"}, {InterpreterStyle::Java, "java"},
    {InterpreterStyle::Node, "node"},     {InterpreterStyle::Shell, "shell"},
    {InterpreterStyle::Perl, "perl"},     {InterpreterStyle::Ruby, "ruby"},
    {InterpreterStyle::Php, "php"},       {InterpreterStyle::Rscript, "rscript"},
};

// Unmatched::Fixed has no name of its own: any other text is the fixed name.
inline constexpr EnumName<Unmatched> kUnmatchedNames[] = {
    {Unmatched::Comm, "comm"},
    {Unmatched::Script, "script"},
};

// The name of `value`; the table's first name for a value it lacks, which
// the static_asserts beside the tables and the unit tests rule out.
template <typename Enum, std::size_t N>
constexpr std::string_view name_in(const EnumName<Enum> (&table)[N], Enum value) {
  for (const EnumName<Enum>& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return table[0].name;
}

template <typename Enum, std::size_t N>
constexpr std::optional<Enum> value_in(const EnumName<Enum> (&table)[N], std::string_view name) {
  for (const EnumName<Enum>& entry : table) {
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

}  // namespace execmond
