// The landing page's "Recent exits": the newest records as an HTML table a
// person reads without JavaScript. Every value a process chose passes
// through html_escape (web/html_text.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "records/exit_record.h"

namespace execmond {

// How many records the landing page shows.
inline constexpr std::size_t kLandingPageExits = 20;

// The table of `newest_first` (or one line saying there are none), with a
// link to /exits.
std::string exits_table_html(const std::vector<ExitRecord>& newest_first);

// The cells' text, unescaped.
// "2024-05-01 12:34:56.789 UTC".
std::string utc_time_ms(std::int64_t time_ns);
// "killed by SIGSEGV, core dumped", "OOM-killed (cgroup)", "exited 1".
std::string how_it_ended(const ExitRecord& record);
// "850 µs", "12 ms", "3.4 s", "4m 05s", "3h 02m", "2d 07h".
std::string human_duration(std::uint64_t ns);
// "512 B", "1.5 KiB", "12.3 MiB".
std::string human_bytes(std::uint64_t bytes);
// argv as a shell would take it back: arguments with spaces, quotes or
// other specials in single quotes.
std::string shell_words(const std::vector<std::string>& argv);

}  // namespace execmond
