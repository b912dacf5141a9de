#include "naming/command_line.h"

namespace execmond::naming {

std::vector<std::string> split_command_line(std::string_view bytes) {
  std::vector<std::string> argv;
  if (bytes.empty()) return argv;
  const auto last = bytes.find_last_not_of('\0');
  bytes = last == std::string_view::npos ? std::string_view{} : bytes.substr(0, last + 1);
  while (true) {
    const auto end = bytes.find('\0');
    argv.emplace_back(bytes.substr(0, end));
    if (end == std::string_view::npos) break;
    bytes.remove_prefix(end + 1);
  }
  return argv;
}

std::string join_arguments(std::span<const std::string> argv) {
  std::size_t size = argv.empty() ? 0 : argv.size() - 1;
  for (const auto& arg : argv) size += arg.size();
  std::string joined;
  joined.reserve(size);
  for (const auto& arg : argv) {
    if (&arg != argv.data()) joined += ' ';
    joined += arg;
  }
  return joined;
}

std::string_view path_base(std::string_view path) {
  if (path.empty()) return ".";
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path == "/") return path;
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace execmond::naming
