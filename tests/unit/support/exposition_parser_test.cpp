// Tests for the test-support scrape tools: the exposition parser, checked
// against hand-written text and prometheus-cpp's own serializer, and the
// loopback HTTP client, checked against a scripted one-shot server.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>

#include "exposition.h"
#include "http_client.h"

namespace execmond::test {
namespace {

using ::testing::HasSubstr;

std::string parse_error(const std::string& text) {
  try {
    Exposition::parse(text);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(parsed without error)";
}

TEST(ExpositionParserTest, ReadsHelpTypeAndSamples) {
  auto exp = Exposition::parse(
      "# HELP execs_total Execs seen.\n"
      "# TYPE execs_total counter\n"
      "execs_total{comm=\"sh\"} 3\n"
      "execs_total{comm=\"ls\"} 4.5\n"
      "\n"
      "# a plain comment\n"
      "# TYPE up gauge\n"
      "up 1\n");
  EXPECT_EQ(exp.help("execs_total"), "Execs seen.");
  EXPECT_EQ(exp.type("execs_total"), "counter");
  EXPECT_EQ(exp.type("up"), "gauge");
  EXPECT_DOUBLE_EQ(exp.value("execs_total", {{"comm", "ls"}}), 4.5);
  EXPECT_DOUBLE_EQ(exp.value("up"), 1);
  EXPECT_EQ(exp.all().size(), 3U);
  EXPECT_EQ(exp.samples("execs_total").size(), 2U);
  EXPECT_TRUE(exp.has_family("up"));
  EXPECT_FALSE(exp.has_family("down"));
  EXPECT_THROW(exp.help("up"), std::runtime_error);
}

TEST(ExpositionParserTest, UnescapesLabelValuesAndHelp) {
  auto exp = Exposition::parse(
      "# HELP m Backslash \\\\ and\\nnewline.\n"
      "m{a=\"x\\\\y\",b=\"say \\\"hi\\\"\",c=\"two\\nlines\",d=\"{,}=\"} 1\n");
  EXPECT_EQ(exp.help("m"), "Backslash \\ and\nnewline.");
  const Sample& s = exp.all().at(0);
  EXPECT_EQ(s.labels.at("a"), "x\\y");
  EXPECT_EQ(s.labels.at("b"), "say \"hi\"");
  EXPECT_EQ(s.labels.at("c"), "two\nlines");
  EXPECT_EQ(s.labels.at("d"), "{,}=");
  EXPECT_EQ(format_labels(s.labels),
            "{a=\"x\\\\y\",b=\"say \\\"hi\\\"\",c=\"two\\nlines\",d=\"{,}=\"}");
}

TEST(ExpositionParserTest, ReadsSpecialValuesTimestampsAndLaxSpacing) {
  auto exp = Exposition::parse(
      "a +Inf\n"
      "b -Inf\n"
      "c NaN\n"
      "d 1.5e3 1700000000000\r\n"
      "e{ x = \"1\" , } \t -2 -5\n"
      "f{} 0\n"
      "    \n"
      "g:total 7\n"
      "h Nan\n");
  EXPECT_EQ(exp.value("a"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(exp.value("b"), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(exp.value("c")));
  EXPECT_TRUE(std::isnan(exp.value("h")));  // prometheus-cpp writes NaN as "Nan"
  EXPECT_DOUBLE_EQ(exp.value("d"), 1500);
  EXPECT_DOUBLE_EQ(exp.value("e", {{"x", "1"}}), -2);
  EXPECT_DOUBLE_EQ(exp.value("g:total"), 7);
}

const char* const kHistogram =
    "# HELP lifetime_seconds Process lifetimes.\n"
    "# TYPE lifetime_seconds histogram\n"
    "lifetime_seconds_bucket{comm=\"sh\",le=\"0.1\"} 2\n"
    "lifetime_seconds_bucket{comm=\"sh\",le=\"1\"} 5\n"
    "lifetime_seconds_bucket{comm=\"sh\",le=\"+Inf\"} 6\n"
    "lifetime_seconds_sum{comm=\"sh\"} 9.25\n"
    "lifetime_seconds_count{comm=\"sh\"} 6\n"
    "lifetime_seconds_bucket{comm=\"ls\",le=\"0.1\"} 1\n"
    "lifetime_seconds_bucket{comm=\"ls\",le=\"1\"} 1\n"
    "lifetime_seconds_bucket{comm=\"ls\",le=\"+Inf\"} 1\n"
    "lifetime_seconds_sum{comm=\"ls\"} 0.01\n"
    "lifetime_seconds_count{comm=\"ls\"} 1\n";

TEST(ExpositionParserTest, ReadsHistograms) {
  auto exp = Exposition::parse(kHistogram);
  EXPECT_EQ(exp.type("lifetime_seconds"), "histogram");
  EXPECT_DOUBLE_EQ(exp.value("lifetime_seconds_bucket", {{"comm", "sh"}, {"le", "+Inf"}}), 6);
  EXPECT_DOUBLE_EQ(exp.value("lifetime_seconds_count", {{"comm", "sh"}}), 6);
  EXPECT_EQ(exp.samples("lifetime_seconds_bucket").size(), 6U);
  EXPECT_EQ(exp.samples("lifetime_seconds").size(), 0U);
}

TEST(ExpositionParserTest, SumsOverLabelSubsets) {
  auto exp = Exposition::parse(kHistogram);
  EXPECT_DOUBLE_EQ(exp.sum("lifetime_seconds_count"), 7);
  EXPECT_DOUBLE_EQ(exp.sum("lifetime_seconds_bucket", {{"le", "+Inf"}}), 7);
  EXPECT_DOUBLE_EQ(exp.sum("lifetime_seconds_bucket", {{"comm", "sh"}}), 13);
  EXPECT_DOUBLE_EQ(exp.sum("lifetime_seconds_bucket", {{"comm", "sh"}, {"le", "1"}}), 5);
  EXPECT_DOUBLE_EQ(exp.sum("lifetime_seconds_bucket", {{"comm", "zsh"}}), 0);
  EXPECT_DOUBLE_EQ(exp.sum("no_such_metric"), 0);
}

TEST(ExpositionParserTest, ExactLookupsNameTheSeriesThatExist) {
  auto exp = Exposition::parse(kHistogram);
  // A subset is not an exact match.
  EXPECT_EQ(exp.find("lifetime_seconds_bucket", {{"comm", "sh"}}), std::nullopt);
  EXPECT_EQ(exp.find("lifetime_seconds_sum", {{"comm", "ls"}}), 0.01);
  try {
    exp.value("lifetime_seconds_sum", {{"comm", "zsh"}});
    FAIL() << "expected a throw";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("lifetime_seconds_sum{comm=\"zsh\"}"));
    EXPECT_THAT(e.what(), HasSubstr("{comm=\"ls\"}"));
  }
  EXPECT_THROW(exp.value("nothing"), std::runtime_error);
}

struct Malformed {
  const char* text;
  const char* expected;  // substring of the message, line number included
};

class ExpositionMalformedTest : public ::testing::TestWithParam<Malformed> {};

TEST_P(ExpositionMalformedTest, ThrowsNamingTheLine) {
  EXPECT_THAT(parse_error(GetParam().text), HasSubstr(GetParam().expected));
}

INSTANTIATE_TEST_SUITE_P(
    ExpositionLines, ExpositionMalformedTest,
    ::testing::Values(
        Malformed{"ok 1\nfoo{a=\"1\" 1\n", "line 2: expected ',' or '}'"},
        Malformed{"foo{a=\"1\\x\"} 1\n", "line 1: invalid escape sequence"},
        Malformed{"foo{a=\"open} 1\n", "line 1: unterminated label value"},
        Malformed{"foo{a=\"1\\", "line 1: backslash at end of line"},
        Malformed{"a 1\n\nfoo abc\n", "line 3: invalid value"},
        Malformed{"foo\n", "line 1: expected a blank before the value"},
        Malformed{"foo{} \n", "line 1: invalid value"},
        Malformed{"1foo 1\n", "line 1: invalid metric name"},
        Malformed{"foo{1a=\"x\"} 1\n", "line 1: invalid label name"},
        Malformed{"foo{a:b=\"x\"} 1\n", "line 1: expected '=' after label name"},
        Malformed{"foo{a=x} 1\n", "line 1: expected '\"' opening label value"},
        Malformed{"foo 1 12.5\n", "line 1: invalid timestamp"},
        Malformed{"foo 1 2 3\n", "line 1: unexpected text after timestamp"},
        Malformed{"foo{a=\"1\",a=\"2\"} 1\n", "line 1: duplicate label a"},
        Malformed{"foo{a=\"1\"} 1\nfoo{a=\"1\"} 2\n", "line 2: duplicate series foo{a=\"1\"}"},
        Malformed{"# TYPE foo bogus\n", "line 1: invalid metric type"},
        Malformed{"# TYPE foo gauge extra\n", "line 1: invalid metric type"},
        Malformed{"# TYPE foo gauge\n# TYPE foo gauge\n", "line 2: second TYPE line for foo"},
        Malformed{"# HELP foo a\n# HELP foo b\n", "line 2: second HELP line for foo"},
        Malformed{"# HELP\n", "line 1: invalid metric name"},
        Malformed{"# HELP foo-bar x\n", "line 1: invalid metric name"},
        Malformed{"foo_count 1\n# TYPE foo histogram\n", "line 2: TYPE after samples of foo"},
        Malformed{"# TYPE h histogram\nh_bucket 1\n", "line 2: histogram bucket without le"},
        Malformed{"# TYPE s summary\ns 1\n", "line 2: summary quantile without quantile"}));

// The parser must accept whatever the daemon's serializer writes, escapes
// and all, and read back the values that went in.
TEST(ExpositionParserTest, ReadsPrometheusCppOutput) {
  prometheus::Registry registry;
  // prometheus-cpp writes HELP unescaped, so it gets no backslash or newline.
  auto& execs =
      prometheus::BuildCounter().Name("execs_total").Help("Execs seen.").Register(registry);
  execs.Add({{"comm", "we\"ird\\na\nme"}}).Increment(3);
  auto& up = prometheus::BuildGauge().Name("up").Help("Up.").Register(registry);
  up.Add({}).Set(std::numeric_limits<double>::quiet_NaN());
  auto& lifetimes =
      prometheus::BuildHistogram().Name("lifetime_seconds").Help("Lifetimes.").Register(registry);
  auto& h = lifetimes.Add({{"comm", "sh"}}, prometheus::Histogram::BucketBoundaries{0.5, 2});
  h.Observe(0.1);
  h.Observe(1);
  h.Observe(10);

  auto exp = Exposition::parse(prometheus::TextSerializer().Serialize(registry.Collect()));
  EXPECT_EQ(exp.help("execs_total"), "Execs seen.");
  EXPECT_DOUBLE_EQ(exp.value("execs_total", {{"comm", "we\"ird\\na\nme"}}), 3);
  EXPECT_TRUE(std::isnan(exp.value("up")));
  EXPECT_DOUBLE_EQ(exp.value("lifetime_seconds_bucket", {{"comm", "sh"}, {"le", "0.5"}}), 1);
  EXPECT_DOUBLE_EQ(exp.value("lifetime_seconds_bucket", {{"comm", "sh"}, {"le", "+Inf"}}), 3);
  EXPECT_DOUBLE_EQ(exp.value("lifetime_seconds_sum", {{"comm", "sh"}}), 11.1);
  EXPECT_DOUBLE_EQ(exp.value("lifetime_seconds_count", {{"comm", "sh"}}), 3);
}

// A loopback server that accepts one connection, reads the request head and
// hands both to a script, then closes.
class OneShotServer {
 public:
  using Script = std::function<void(int fd, const std::string& request)>;

  explicit OneShotServer(Script script) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    auto* sa = reinterpret_cast<sockaddr*>(&addr);
    if (listen_fd_ < 0 || ::bind(listen_fd_, sa, len) != 0 || ::listen(listen_fd_, 1) != 0 ||
        ::getsockname(listen_fd_, sa, &len) != 0) {
      throw std::runtime_error("test server setup failed");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, script = std::move(script)] { serve(script); });
  }
  OneShotServer(const OneShotServer&) = delete;
  OneShotServer& operator=(const OneShotServer&) = delete;
  ~OneShotServer() {
    ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept() if no client ever came
    thread_.join();
    ::close(listen_fd_);
  }

  std::uint16_t port() const { return port_; }
  const std::string& request() const { return request_; }  // after the client returns

 private:
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::string request_;
  std::thread thread_;

  void serve(const Script& script) {
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    char buf[1024];
    while (request_.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      request_.append(buf, static_cast<std::size_t>(n));
    }
    script(fd, request_);
    ::close(fd);
  }
};

void send_text(int fd, const std::string& text) {
  ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
}

TEST(ExpositionHttpClientTest, DecodesChunkedBodiesAndLowerCasesHeaders) {
  OneShotServer server([](int fd, const std::string&) {
    send_text(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n");
    send_text(fd, "Transfer-Encoding: chunked\r\nX-Multi: a\r\nx-multi: b\r\n\r\n");
    send_text(fd, "5\r\nup 1\n\r\n");
    send_text(fd, "A;ext=1\r\ndown 0\nabc\r\n0\r\n\r\n");
  });
  HttpResponse resp = http_get(server.port(), "/metrics", {{"X-Test", "yes"}});
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.headers.at("content-type"), "text/plain; version=0.0.4");
  EXPECT_EQ(resp.headers.at("x-multi"), "a, b");
  EXPECT_EQ(resp.body, "up 1\ndown 0\nabc");
  EXPECT_THAT(server.request(), HasSubstr("GET /metrics HTTP/1.1\r\n"));
  EXPECT_THAT(server.request(), HasSubstr("Connection: close\r\n"));
  EXPECT_THAT(server.request(), HasSubstr("X-Test: yes\r\n"));
  EXPECT_THAT(server.request(), HasSubstr("Host: 127.0.0.1:"));
}

TEST(ExpositionHttpClientTest, HonoursContentLengthAndReturnsErrorStatuses) {
  OneShotServer server([](int fd, const std::string&) {
    send_text(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nNot Found");
  });
  HttpResponse resp = http_get(server.port(), "/nope");
  EXPECT_EQ(resp.status, 404);
  EXPECT_EQ(resp.body, "Not Found");
}

TEST(ExpositionHttpClientTest, ThrowsOnTruncatedBody) {
  OneShotServer server([](int fd, const std::string&) {
    send_text(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort");
  });
  try {
    http_get(server.port(), "/metrics");
    FAIL() << "expected a throw";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("body truncated"));
  }
}

TEST(ExpositionHttpClientTest, ThrowsOnTimeout) {
  // Never answers; waits for the client to give up and hang up.
  OneShotServer server([](int fd, const std::string&) {
    char c;
    while (::recv(fd, &c, 1, 0) > 0) {
    }
  });
  try {
    http_get(server.port(), "/slow", {}, 200);
    FAIL() << "expected a throw";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("/slow: timed out after 200 ms"));
  }
}

TEST(ExpositionHttpClientTest, ThrowsWhenNothingListens) {
  // Bind a port and release it without listening, so connecting is refused.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  try {
    http_get(ntohs(addr.sin_port), "/metrics");
    FAIL() << "expected a throw";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("connect: Connection refused"));
  }
}

}  // namespace
}  // namespace execmond::test
