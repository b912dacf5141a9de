// The one line a person reads about an exit: the journal's MESSAGE, the
// landing page. Everything a program needs is in the fields; this is prose.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "records/exit_record.h"

namespace execmond {

// "backup.py (pid 4242, python3, cron.service) was killed by the OOM killer
// after 3.2 s at 1.9 GiB peak RSS", "… was killed by SIGSEGV (core dumped)
// after 12 ms", "… exited with status 1 after 2.1 min". The name is the
// program (the comm when there is none); the parentheses hold the pid, the
// comm when it differs from the name, and the unit, or the pod as
// namespace/pod, when known. Always one line: see escape_for_line.
std::string record_message(const ExitRecord& record);

// `text` safe inside one line of prose: control characters (C0, DEL, C1),
// U+2028/U+2029 and bytes that are not UTF-8 become \xNN, each byte, and a
// backslash becomes \\ so that what is shown is unambiguous.
std::string escape_for_line(std::string_view text);

// A duration for people, one decimal: "0.4 ms", "12 ms", "3.2 s", "2.1 min",
// "5.0 h", "3.5 d".
std::string human_duration(std::uint64_t ns);

// A size for people, one decimal from KiB on: "512 B", "1.5 KiB", "1.9 GiB".
std::string human_size(std::uint64_t bytes);

}  // namespace execmond
