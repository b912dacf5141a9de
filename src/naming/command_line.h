// A command line as the kernel side reads it at exec (bpf/execmond.h's
// execmond_cmdline_record) and as /proc/PID/cmdline shows it: the arguments,
// each ended by a NUL. The views here are the ones process-exporter's rules
// were written against, so that a rule reads the same in both.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace execmond::naming {

// The arguments of NUL-separated bytes, split the way process-exporter's
// /proc reader (prometheus/procfs) splits them, so that its users' cmdline
// patterns see the same text: no bytes, no arguments; otherwise every
// trailing NUL is dropped and the rest is split at each NUL. So "a\0b\0"
// and "a\0b\0\0" are both {a, b}, "\0" is one empty argument (the kernel
// gives a process started with no arguments at all an empty argv[0]), and
// bytes without a NUL (a record cut inside its first argument) are one
// argument.
std::vector<std::string> split_command_line(std::string_view bytes);

// The arguments joined by single spaces: what `cmdline` patterns match.
std::string join_arguments(std::span<const std::string> argv);

// The last element of a slash-separated path, as Go's filepath.Base gives it
// (process-exporter's ExeBase and `exe` selector use it): trailing slashes
// are ignored, "" is ".", and a path of only slashes is "/".
std::string_view path_base(std::string_view path);

}  // namespace execmond::naming
