// The command lines the kernel side read at exec, by the id it gave each
// (bpf/cmdline.bpf.h), and the names made of them: a command line is split
// once and named once per (comm, user), however many processes ran it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "naming/namer.h"

namespace execmond::naming {

class NameCache {
 public:
  // Holds at most about `max_command_lines` command lines: past that, the
  // ones used least recently are forgotten after a drain.
  explicit NameCache(std::shared_ptr<const Namer> namer, std::size_t max_command_lines = 16384);

  // New rules (a reload): every name is made anew from the command lines kept.
  void set_namer(std::shared_ptr<const Namer> namer);

  // A command line the kernel read: `args` as /proc/PID/cmdline holds it,
  // `truncated` when it was cut at naming.cmdline_max_bytes.
  void learn(std::uint64_t id, std::string_view args, bool truncated = false);

  // The names of a process that ran command line `cmdline_id` (0: none was
  // read) as `comm`, as `user`. An id never learned (its record was lost, or
  // forgotten) is named as if it had no command line, and counted.
  Names names_of(std::uint64_t cmdline_id, std::string_view comm, std::string_view user);

  // What an exit record says of a process that ran `cmdline_id` as `comm`,
  // as `user`: its names, and its arguments unless the id is unknown (not
  // counted as an unknown lookup: no label was named by it).
  struct Described {
    Names names;
    std::optional<std::vector<std::string>> argv;
    bool truncated = false;
  };
  Described describe(std::uint64_t cmdline_id, std::string_view comm, std::string_view user);

  // Called once a drain has named everything: when over the bound, forgets
  // the command lines used least recently, and returns their ids, which the
  // kernel side must forget too so that it sends them again when they run.
  std::vector<std::uint64_t> drain_finished();

  // Lookups of ids that were not known (see names_of), since the start.
  std::uint64_t unknown_lookups() const;
  std::size_t size() const;

 private:
  struct CommandLine {
    std::vector<std::string> argv;
    bool truncated = false;
    std::uint64_t last_used = 0;  // the drain that last named it
    // Names by comm and user ("comm\0user"): few per command line.
    std::unordered_map<std::string, Names> names;
  };
  Names name(const CommandLine* line, std::string_view comm, std::string_view user) const;
  Names cached_name(CommandLine* line, std::string_view comm, std::string_view user);

  mutable std::mutex mutex_;
  std::shared_ptr<const Namer> namer_;
  std::size_t max_command_lines_;
  std::uint64_t drain_ = 1;
  std::uint64_t unknown_lookups_ = 0;
  std::unordered_map<std::uint64_t, CommandLine> lines_;
  // Names of processes with no known command line, by comm and user.
  std::unordered_map<std::string, Names> without_line_;
};

}  // namespace execmond::naming
