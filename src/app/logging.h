// spdlog set-up: plain lines on stderr (journald adds time and unit), or the
// journald sink with structured priority; libbpf's messages go in at debug.
#pragma once

#include <string>

#include "config/config.h"

namespace execmond {

void setup_logging(LogTarget target, const std::string& level);
void set_log_level(const std::string& level);

}  // namespace execmond
