// What the tracer's load and attach failures mean to an operator: libbpf's
// negative errno turned into one line that says what to do.
#pragma once

#include <string>

#include "config/config.h"

namespace execmond {

// strerror() of an errno, either sign.
std::string errno_text(int err);
// Why the object failed to load, and what to do.
std::string explain_load_error(int err);
// Why a program of the `mode` set failed to attach, and what to do.
std::string explain_attach_error(AttachMode mode, int err);

}  // namespace execmond
