// What make browsertest points a real browser at: the real HttpServer, its
// landing page and GET /exits, over a RecordRing filled with plain and
// hostile records (tests/support/exit_record_fixtures.h). Prints
// "port N" once it listens and serves until its stdin closes, so that it
// never outlives the script that started it.
//
//   execmond_browser_page_server [--empty]   (--empty: a ring with no record)
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "exit_record_fixtures.h"
#include "records/record_ring.h"
#include "web/http_server.h"

int main(int argc, char** argv) {
  using namespace execmond;
  const bool empty = argc > 1 && std::string(argv[1]) == "--empty";
  auto ring = std::make_shared<RecordRing>();
  if (!empty) {
    for (std::uint64_t s = 1; s <= 2; ++s) ring->push(test::plain_record(s));
    ExitRecord oom = test::plain_record(3);
    oom.kind = RecordKind::OomKilled;
    oom.reason = "oom_killed";
    oom.code = 9;
    oom.signal = "SIGKILL";
    oom.core_dumped = false;
    oom.oom_scope = "cgroup";
    oom.program = "java";
    oom.pod = "api-7d9f";
    oom.pod_namespace = "prod";
    oom.cmdline.reset();
    oom.peak_rss_bytes.reset();
    ring->push(oom);
    for (const ExitRecord& r : test::hostile_records(4)) ring->push(r);
  }
  HttpOptions options;
  options.listen_address = "127.0.0.1:0";
  options.exits = ExitsSource{ring, test::fixture_record_json};
  auto server = HttpServer::start(options, {});
  if (!server) {
    std::cerr << server.error().message << "\n";
    return 1;
  }
  std::cout << "port " << (*server)->port() << std::endl;
  for (std::string line; std::getline(std::cin, line);) {
  }
  return 0;
}
