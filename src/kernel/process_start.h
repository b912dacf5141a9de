// Whether /proc still shows the process a kernel table entry names, by its
// tgid and start time (task->start_boottime, in nanoseconds, as the procs
// and reap_costs entries hold it), against field 22 of /proc/<tgid>/stat, in
// clock ticks after boot. A reused PID has a later start.
#pragma once

#include <cstdint>
#include <string>

namespace execmond {

// False when /proc/<tgid>/stat cannot be read (the process was reaped; a
// zombie still has one) or shows another start (the PID went to another).
bool process_started_at(const std::string& proc_root, std::uint32_t tgid,
                        std::uint64_t start_boottime_ns);

}  // namespace execmond
