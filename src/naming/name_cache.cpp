#include "naming/name_cache.h"

#include <algorithm>
#include <utility>

#include "naming/command_line.h"

namespace execmond::naming {

namespace {

std::string names_key(std::string_view comm, std::string_view user) {
  std::string key(comm);
  key.push_back('\0');
  key.append(user);
  return key;
}

}  // namespace

NameCache::NameCache(std::shared_ptr<const Namer> namer, std::size_t max_command_lines)
    : namer_(std::move(namer)), max_command_lines_(std::max<std::size_t>(max_command_lines, 1)) {}

void NameCache::set_namer(std::shared_ptr<const Namer> namer) {
  std::lock_guard lock(mutex_);
  namer_ = std::move(namer);
  for (auto& [id, line] : lines_) line.names.clear();
  without_line_.clear();
}

void NameCache::learn(std::uint64_t id, std::string_view args, bool truncated) {
  std::lock_guard lock(mutex_);
  CommandLine& line = lines_[id];
  // The same id is the same bytes: a record sent again changes nothing.
  if (line.last_used != 0) return;
  line.argv = split_command_line(args);
  line.truncated = truncated;
  line.last_used = drain_;
}

Names NameCache::name(const CommandLine* line, std::string_view comm, std::string_view user) const {
  static const std::vector<std::string> kNoArgs;
  const std::vector<std::string>& argv = line != nullptr ? line->argv : kNoArgs;
  return namer_->name(ProcessFacts{.comm = comm, .argv = argv, .username = user});
}

Names NameCache::names_of(std::uint64_t cmdline_id, std::string_view comm, std::string_view user) {
  std::lock_guard lock(mutex_);
  CommandLine* line = nullptr;
  if (cmdline_id != 0) {
    auto it = lines_.find(cmdline_id);
    if (it != lines_.end()) {
      line = &it->second;
      line->last_used = drain_;
    } else {
      ++unknown_lookups_;
    }
  }
  return cached_name(line, comm, user);
}

Names NameCache::cached_name(CommandLine* line, std::string_view comm, std::string_view user) {
  auto& names = line != nullptr ? line->names : without_line_;
  std::string key = names_key(comm, user);
  auto found = names.find(key);
  if (found != names.end()) return found->second;
  Names made = name(line, comm, user);
  names.emplace(std::move(key), made);
  return made;
}

NameCache::Described NameCache::describe(std::uint64_t cmdline_id, std::string_view comm,
                                         std::string_view user) {
  std::lock_guard lock(mutex_);
  CommandLine* line = nullptr;
  if (cmdline_id != 0) {
    auto it = lines_.find(cmdline_id);
    if (it != lines_.end()) line = &it->second;
  }
  Described out{cached_name(line, comm, user), std::nullopt, false};
  if (line != nullptr) {
    out.argv = line->argv;
    out.truncated = line->truncated;
  }
  return out;
}

std::vector<std::uint64_t> NameCache::drain_finished() {
  std::lock_guard lock(mutex_);
  std::vector<std::uint64_t> forgotten;
  const std::uint64_t this_drain = drain_++;
  if (without_line_.size() > max_command_lines_) without_line_.clear();
  if (lines_.size() <= max_command_lines_) return forgotten;
  // Down to three quarters, oldest first, but never what this drain used:
  // its records are named already, and the next drain's may name them again.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> by_age;  // (last used, id)
  by_age.reserve(lines_.size());
  for (const auto& [id, line] : lines_) by_age.emplace_back(line.last_used, id);
  std::sort(by_age.begin(), by_age.end());
  const std::size_t keep = max_command_lines_ - max_command_lines_ / 4;
  for (const auto& [last_used, id] : by_age) {
    if (lines_.size() <= keep || last_used >= this_drain) break;
    lines_.erase(id);
    forgotten.push_back(id);
  }
  return forgotten;
}

std::uint64_t NameCache::unknown_lookups() const {
  std::lock_guard lock(mutex_);
  return unknown_lookups_;
}

std::size_t NameCache::size() const {
  std::lock_guard lock(mutex_);
  return lines_.size();
}

}  // namespace execmond::naming
