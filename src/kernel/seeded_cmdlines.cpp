#include "kernel/seeded_cmdlines.h"

#include <bpf/bpf.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "execmond.h"
#include "kernel/cmdline_id.h"
#include "kernel/process_start.h"
#include "util/small_file.h"
#include "util/unique_fd.h"

namespace execmond {

namespace {

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
  for (const execmond_proc_key& key : seeded_keys(tracer.tables().procs_seeded)) {
    const std::string dir = proc_root + "/" + std::to_string(key.tgid);
    const bool running = process_started_at(proc_root, key.tgid, key.start_boottime_ns);
    // Read after the stat: a PID reused in between has a later start, and the
    // fill below finds no entry for the process the text would be taken from.
    const std::optional<std::string> text = read_head(dir + "/cmdline", tracer.cmdline_max_bytes());
    if (!running || !text) {
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
