// The command lines of the processes that ran before the daemon started:
// the exec handler never saw them, so their procs_seeded entries hold
// cmdline_id 0. The daemon reads each one's /proc/PID/cmdline (checking its
// start time against the entry's, so a reused PID is not taken for it),
// keeps and hashes it as the kernel would (kernel/cmdline_id.h), stores the
// id in the entry through the fill_seeded_cmdline program, and hands the
// text to the same sink as the cmdlines ring's records.
#pragma once

#include <cstdint>
#include <string>

#include "kernel/cmdline_ring.h"
#include "kernel/tracer.h"
#include "util/error.h"

namespace execmond {

struct SeededCmdlines {
  std::uint64_t filled = 0;  // entries given their command line (and the sink its text)
  std::uint64_t gone = 0;    // processes that ended, or whose /proc could not be read
  std::uint64_t execed = 0;  // entries an exec since seeding had given one already
};

// Once, after Tracer::seed_running_processes(); nothing to do unless the
// tracer captures command lines. `proc_root` is where procfs is mounted.
Result<SeededCmdlines> fill_seeded_cmdlines(const Tracer& tracer, const CmdlineRing::Sink& sink,
                                            const std::string& proc_root = "/proc");

}  // namespace execmond
