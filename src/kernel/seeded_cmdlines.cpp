#include "kernel/seeded_cmdlines.h"

#include <bpf/bpf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include "execmond.h"
#include "kernel/cmdline_id.h"
#include "util/small_file.h"
#include "util/unique_fd.h"

namespace execmond {

namespace {

// Field 22 of /proc/PID/stat, the start time in clock ticks after boot
// (task->start_boottime, which the entry's key holds in nanoseconds). The
// fields are counted after the command name's closing parenthesis, since
// the name may hold spaces and parentheses itself.
std::optional<std::uint64_t> start_ticks(const std::string& stat) {
  const std::size_t close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::string_view rest = std::string_view(stat).substr(close + 1);
  constexpr int kFieldsBefore = 19;  // fields 3 to 21
  for (int i = 0; i < kFieldsBefore; ++i) {
    rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));
    rest.remove_prefix(std::min(rest.find(' '), rest.size()));
  }
  rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));
  std::uint64_t ticks = 0;
  const auto [end, err] = std::from_chars(rest.data(), rest.data() + rest.size(), ticks);
  if (err != std::errc{} || end == rest.data()) return std::nullopt;
  return ticks;
}

// The first `limit` bytes of a file, and whether there were more.
std::optional<std::string> read_head(const std::string& path, std::size_t limit) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return std::nullopt;
  std::string out(limit + 1, '\0');
  std::size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = read(fd.get(), out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  out.resize(got);
  return out;
}

std::vector<execmond_proc_key> seeded_keys(int map_fd) {
  std::vector<execmond_proc_key> keys;
  execmond_proc_key key{};
  const void* previous = nullptr;
  while (bpf_map_get_next_key(map_fd, previous, &key) == 0) {
    keys.push_back(key);
    previous = &keys.back();
  }
  return keys;
}

}  // namespace

Result<SeededCmdlines> fill_seeded_cmdlines(const Tracer& tracer, const CmdlineRing::Sink& sink,
                                            const std::string& proc_root) {
  SeededCmdlines out;
  const int prog = tracer.fill_seeded_cmdline_fd();
  if (prog < 0) return out;
  const long hz = sysconf(_SC_CLK_TCK);
  const std::uint64_t ns_per_tick =
      1'000'000'000ULL / static_cast<std::uint64_t>(hz > 0 ? hz : 100);
  for (const execmond_proc_key& key : seeded_keys(tracer.tables().procs_seeded)) {
    const std::string dir = proc_root + "/" + std::to_string(key.tgid);
    Result<std::string> stat = read_small_file(dir + "/stat", 4096);
    const std::optional<std::uint64_t> ticks = stat ? start_ticks(*stat) : std::nullopt;
    // Read after the stat: a PID reused in between has a later start, and the
    // fill below finds no entry for the process the text would be taken from.
    const std::optional<std::string> text = read_head(dir + "/cmdline", tracer.cmdline_max_bytes());
    if (!ticks || *ticks != key.start_boottime_ns / ns_per_tick || !text) {
      ++out.gone;
      continue;
    }
    const KeptCmdline kept = keep_cmdline(*text, tracer.cmdline_max_bytes());
    execmond_cmdline_fill fill{key.tgid, 0, key.start_boottime_ns,
                               cmdline_id_of(kept.args, kept.truncated)};
    LIBBPF_OPTS(bpf_test_run_opts, run, .ctx_in = &fill, .ctx_size_in = sizeof fill);
    if (bpf_prog_test_run_opts(prog, &run) != 0) {
      return Error{std::string("cannot run fill_seeded_cmdline: ") + std::strerror(errno)};
    }
    if (run.retval == EXECMOND_CMDLINE_FILLED) {
      ++out.filled;
      if (sink) sink({fill.cmdline_id, kept.args, kept.truncated});
    } else if (run.retval == EXECMOND_CMDLINE_FILL_EXECED) {
      ++out.execed;
    } else {
      ++out.gone;
    }
  }
  return out;
}

}  // namespace execmond
