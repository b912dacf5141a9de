// The benchmark's load: a process whose worker threads posix_spawn() small
// programs and reap them, as fast as they can or an exact number of times.
// It runs as a child with its own command name, so every fork it makes is
// counted under that name and nothing else's.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace execmond::bench {

struct StormOptions {
  std::vector<std::string> programs;   // the i-th spawn runs programs[i % size]; comm = file name
  std::vector<std::string> arguments;  // given to every program
  // Gives each spawn one more argument, its sequence number: every command
  // line distinct, as a job started with a counter or an id in its argv.
  bool counter_argument = false;
  unsigned workers = 2;
  double seconds = 0;       // run this long, or
  std::uint64_t count = 0;  // when non-zero, exactly this many spawns
  std::string comm = "emb-storm";
};

struct StormResult {
  std::uint64_t spawned = 0;  // spawned and reaped with exit status 0
  std::uint64_t failed = 0;   // spawn failures or other exit statuses
  double seconds = 0;
  // What wait4() reported for the reaped children, summed: the truth a
  // process's CPU is measured against.
  double children_user_seconds = 0;
  double children_system_seconds = 0;
  double own_cpu_seconds = 0;  // the storm process's threads: spawning and reaping
  double rate() const { return seconds > 0 ? static_cast<double>(spawned) / seconds : 0; }
};

// A storm running in its own process while the caller does other things
// (scrapes, reads counters). Throws std::runtime_error when it cannot start.
class Storm {
 public:
  explicit Storm(const StormOptions& options);
  ~Storm();  // kills a storm that was not waited for
  Storm(const Storm&) = delete;
  Storm& operator=(const Storm&) = delete;

  bool done() const;  // true once the storm process has finished
  StormResult wait();

 private:
  int result_fd_ = -1;
  pid_t pid_ = -1;
};

// Runs a storm to its end.
StormResult run_storm(const StormOptions& options);

}  // namespace execmond::bench
