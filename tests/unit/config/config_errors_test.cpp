// Invalid files: every kind of invalid value, wrong node type, unknown or
// repeated key and YAML syntax error, each with its exact one-line message.
#include "config/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "config_test_support.h"

namespace execmond::test {
namespace {

// ---- Invalid values: exact messages -----------------------------------------

TEST(ConfigErrors, InvalidValues) {
  const BadValue cases[] = {
      {"web:\n  listen_address: \":abc\"\n",
       "test.yaml:2: web.listen_address: \":abc\" is not host:port; use host:port, [ipv6]:port "
       "or :port with a port from 0 to 65535 (e.g. :9765)"},
      {"web:\n  listen_address: \"9765\"\n",
       "test.yaml:2: web.listen_address: \"9765\" is not host:port; use host:port, [ipv6]:port "
       "or :port with a port from 0 to 65535 (e.g. :9765)"},
      {"web:\n  listen_address: \"::1:80\"\n",
       "test.yaml:2: web.listen_address: \"::1:80\" is not host:port; use host:port, "
       "[ipv6]:port or :port with a port from 0 to 65535 (e.g. :9765)"},
      {"web:\n  listen_address: \"host:\"\n",
       "test.yaml:2: web.listen_address: \"host:\" is not host:port; use host:port, [ipv6]:port "
       "or :port with a port from 0 to 65535 (e.g. :9765)"},
      {"web:\n  listen_address: \":65536\"\n",
       "test.yaml:2: web.listen_address: \":65536\" has port 65536, out of range; use "
       "host:port, [ipv6]:port or :port with a port from 0 to 65535 (e.g. :9765)"},
      {"web:\n  telemetry_path: metrics\n",
       "test.yaml:2: web.telemetry_path: \"metrics\" does not start with \"/\"; use a path that "
       "starts with \"/\", is not \"/\" alone and has no spaces (e.g. /metrics)"},
      {"web:\n  telemetry_path: /\n",
       "test.yaml:2: web.telemetry_path: \"/\" alone is not allowed; use a path that starts "
       "with \"/\", is not \"/\" alone and has no spaces (e.g. /metrics)"},
      {"web:\n  telemetry_path: /my metrics\n",
       "test.yaml:2: web.telemetry_path: \"/my metrics\" has spaces; use a path that starts "
       "with \"/\", is not \"/\" alone and has no spaces (e.g. /metrics)"},
      {"\n\ntracer:\n  max_processes: 10\n",
       "test.yaml:4: tracer.max_processes: \"10\" is out of range; use an integer from 64 to "
       "4194304"},
      {"tracer:\n  max_processes: 4194305\n",
       "test.yaml:2: tracer.max_processes: \"4194305\" is out of range; use an integer from 64 "
       "to 4194304"},
      {"tracer:\n  max_processes: 99999999999999999999999\n",
       "test.yaml:2: tracer.max_processes: \"99999999999999999999999\" is out of range; use an "
       "integer from 64 to 4194304"},
      {"tracer:\n  max_processes: 1e6\n",
       "test.yaml:2: tracer.max_processes: \"1e6\" is not an integer; use an integer from 64 to "
       "4194304"},
      {"tracer:\n  max_keys: -20\n",
       "test.yaml:2: tracer.max_keys: \"-20\" is not an integer; use an integer from 16 to "
       "1048576"},
      {"tracer:\n  max_keys: 15\n",
       "test.yaml:2: tracer.max_keys: \"15\" is out of range; use an integer from 16 to 1048576"},
      {"tracer:\n  attach_mode: kprobe\n",
       "test.yaml:2: tracer.attach_mode: \"kprobe\" is not an attach mode; use auto, tp_btf or "
       "tracepoint"},
      {"tracer:\n  bpf_stats: yes\n",
       "test.yaml:2: tracer.bpf_stats: \"yes\" is not a boolean; use true or false"},
      {"tracer:\n  drain_interval: 5x\n",
       "test.yaml:2: tracer.drain_interval: \"5x\" is not a duration; use a number with a unit: "
       "ms, s, m or h (e.g. 500ms, 1s)"},
      {"log:\n  level: verbose\n",
       "test.yaml:2: log.level: \"verbose\" is not a log level; use trace, debug, info, warn, "
       "error or off"},
      {"log:\n  target: syslog\n",
       "test.yaml:2: log.target: \"syslog\" is not a log target; use stderr or journal"},
  };
  for (const BadValue& bad : cases) EXPECT_EQ(parse_error(bad.yaml), bad.message) << bad.yaml;
}

TEST(ConfigErrors, ValueIsEscapedToStayOnOneLine) {
  EXPECT_EQ(parse_error("log:\n  level: |\n    two\n    lines\n"),
            "test.yaml:2: log.level: \"two\\x0alines\\x0a\" is not a log level; use trace, debug, "
            "info, warn, error or off");
}

TEST(ConfigErrors, MissingValues) {
  EXPECT_EQ(parse_error("web:\n  listen_address:\n"),
            "test.yaml:2: web.listen_address: no value; use host:port, [ipv6]:port or :port with "
            "a port from 0 to 65535 (e.g. :9765)");
  EXPECT_EQ(parse_error("log:\n  level: ~\n"),
            "test.yaml:2: log.level: no value; use trace, debug, info, warn, error or off");
  EXPECT_EQ(parse_error("web:\n  listen_address: \"\"\n"),
            "test.yaml:2: web.listen_address: \"\" is not host:port; use host:port, [ipv6]:port "
            "or :port with a port from 0 to 65535 (e.g. :9765)");
}

TEST(ConfigErrors, WrongNodeTypes) {
  const BadValue cases[] = {
      {"- web\n",
       "test.yaml:1: top level: expected a map of sections, found a list; allowed keys at the "
       "top level: web, tracer, metrics, log, labels, filters, cardinality, identity, naming, "
       "records"},
      {"just text\n",
       "test.yaml:1: top level: expected a map of sections, found a single value \"just "
       "text\"; allowed keys at the top level: web, tracer, metrics, log, labels, filters, "
       "cardinality, identity, naming, records"},
      {"web: 9765\n",
       "test.yaml:1: web: expected a map, found a single value \"9765\"; allowed keys under "
       "web: listen_address, telemetry_path, config_file, max_requests"},
      {"tracer:\n  - max_keys\n",
       "test.yaml:2: tracer: expected a map, found a list; allowed keys under tracer: "
       "drain_interval, max_processes, max_keys, attach_mode, bpf_stats"},
      {"tracer:\n  max_keys:\n    value: 100\n",
       "test.yaml:3: tracer.max_keys: expected a single value, found a map; use an integer "
       "from 16 to 1048576"},
      {"log:\n  level: [info]\n",
       "test.yaml:2: log.level: expected a single value, found a list; use trace, debug, info, "
       "warn, error or off"},
      {"metrics:\n  lifetime_buckets: 1\n",
       "test.yaml:2: metrics.lifetime_buckets: expected a list, found a single value \"1\"; use "
       "a list of 1 to 32 strictly ascending numbers of seconds, each > 0 and at most 1e9 "
       "(e.g. [0.001, 0.01, 0.1, 1])"},
      {"metrics:\n  lifetime_buckets:\n",
       "test.yaml:2: metrics.lifetime_buckets: no value; use a list of 1 to 32 strictly "
       "ascending numbers of seconds, each > 0 and at most 1e9 (e.g. [0.001, 0.01, 0.1, 1])"},
      {"metrics:\n  lifetime_buckets:\n    - 1\n    - [2]\n",
       "test.yaml:4: metrics.lifetime_buckets[1]: expected a number, found a list; use a list "
       "of 1 to 32 strictly ascending numbers of seconds, each > 0 and at most 1e9 (e.g. "
       "[0.001, 0.01, 0.1, 1])"},
      {"web:\n  [a]: 1\n",
       "test.yaml:2: web: a key is a list, not a name; allowed keys under web: listen_address, "
       "telemetry_path, config_file, max_requests"},
  };
  for (const BadValue& bad : cases) EXPECT_EQ(parse_error(bad.yaml), bad.message) << bad.yaml;
}

// ---- Unknown and repeated keys ----------------------------------------------

TEST(ConfigErrors, UnknownKeysAtEveryLevel) {
  const BadValue cases[] = {
      {"webb:\n  listen_address: :1\n",
       "test.yaml:1: webb: unknown key; allowed keys at the top level: web, tracer, metrics, "
       "log, labels, filters, cardinality, identity, naming, records"},
      {"web:\n  telemetry_path: /m\n  listen_adress: :1\n",
       "test.yaml:3: web.listen_adress: unknown key; allowed keys under web: listen_address, "
       "telemetry_path, config_file, max_requests"},
      {"tracer:\n  max_procs: 100\n",
       "test.yaml:2: tracer.max_procs: unknown key; allowed keys under tracer: drain_interval, "
       "max_processes, max_keys, attach_mode, bpf_stats"},
      {"metrics:\n  buckets: [1]\n",
       "test.yaml:2: metrics.buckets: unknown key; allowed keys under metrics: "
       "lifetime_buckets, resources, peak_rss_buckets"},
      {"log:\n  lvl: info\n",
       "test.yaml:2: log.lvl: unknown key; allowed keys under log: level, target"},
      {"log:\n  \"a b\": 1\n",
       "test.yaml:2: \"log.a b\": unknown key; allowed keys under log: level, target"},
  };
  for (const BadValue& bad : cases) EXPECT_EQ(parse_error(bad.yaml), bad.message) << bad.yaml;
}

TEST(ConfigErrors, RepeatedKeys) {
  EXPECT_EQ(parse_error("log:\n  level: info\n  level: debug\n"),
            "test.yaml:3: log.level: duplicate key; give each key once");
  EXPECT_EQ(parse_error("log:\n  level: info\nlog:\n  target: stderr\n"),
            "test.yaml:3: log: duplicate key; give each key once");
}

TEST(ConfigErrors, SecondDocument) {
  EXPECT_EQ(parse_error("log:\n  level: info\n---\nlog:\n  level: debug\n"),
            "test.yaml:4: top level: a second YAML document; put all settings in one document");
}

// ---- YAML syntax and files --------------------------------------------------

TEST(ConfigErrors, SyntaxError) {
  EXPECT_EQ(parse_error("web:\n  listen_address: [1, 2\nlog:\n"),
            "test.yaml:3: YAML syntax error: end of sequence flow not found");
  std::string error = parse_error("log:\n  level: info\n target: stderr\n");
  EXPECT_EQ(error.rfind("test.yaml:3: YAML syntax error: ", 0), 0u) << error;
}

// Found by the fuzzer: yaml-cpp names the offending character in its
// message, a newline included; the error must still be one line.
TEST(ConfigErrors, SyntaxErrorsWithControlCharactersStayOnOneLine) {
  std::ifstream in(std::string(EXECMOND_SOURCE_DIR) +
                   "/tests/fuzz/corpus/config/yaml-error-with-newline");
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_FALSE(text.str().empty());
  Result<Config> r = parse_config(text.str(), "fuzz.yaml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "fuzz.yaml:3: YAML syntax error: unknown escape character: \\x0a");
}

// Found by the fuzzer: yaml-cpp 0.7's LoadAll loops for ever, allocating, on
// a ',' outside a flow collection; a reload of such a file hung the daemon.
TEST(ConfigErrors, AStrayCommaIsASyntaxErrorNotAHang) {
  EXPECT_EQ(parse_error(","), "test.yaml:1: YAML syntax error: unexpected ',' outside [ ] or { }");
  EXPECT_EQ(parse_error("labels:\n  default: [comm],\n"),
            "test.yaml:2: YAML syntax error: end of map not found");
  EXPECT_EQ(parse_error("- comm\n,\n"),
            "test.yaml:2: YAML syntax error: unexpected ',' outside [ ] or { }");
  EXPECT_EQ(parse_error("[comm],"),
            "test.yaml:1: YAML syntax error: unexpected ',' outside [ ] or { }");
  std::ifstream in(std::string(EXECMOND_SOURCE_DIR) + "/tests/fuzz/corpus/config/stray-comma");
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_FALSE(text.str().empty());
  EXPECT_EQ(parse_config(text.str(), "fuzz.yaml").error().message,
            "fuzz.yaml:1: YAML syntax error: unexpected ',' outside [ ] or { }");
  // Documents after the first are still looked at, and empty ones allowed.
  EXPECT_TRUE(parse_config("log:\n  level: info\n---\n---\n", "test.yaml"));
}

}  // namespace
}  // namespace execmond::test
