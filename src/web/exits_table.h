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
// Lifetimes and sizes read as in the records' messages (records/record_message.h).
// argv as a shell would take it back: arguments with spaces, quotes or
// other specials in single quotes.
std::string shell_words(const std::vector<std::string>& argv);

}  // namespace execmond
