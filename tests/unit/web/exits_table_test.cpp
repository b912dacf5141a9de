// The landing page's "Recent exits": the cells' text, and that no value a
// process chose can add markup to the page.
#include "web/exits_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "exit_record_fixtures.h"
#include "web/landing_page.h"

namespace execmond {
namespace {

using test::hostile_records;
using test::plain_record;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST(ExitsTableTest, TimeIsUtcToTheMillisecond) {
  EXPECT_EQ(utc_time_ms(test::kFixtureTimeNs), "2024-05-01 12:34:56.789 UTC");
  EXPECT_EQ(utc_time_ms(0), "1970-01-01 00:00:00.000 UTC");
  EXPECT_EQ(utc_time_ms(-1), "1969-12-31 23:59:59.999 UTC");
}

TEST(ExitsTableTest, HowItEndedReadsAsASentence) {
  ExitRecord r = plain_record(1);
  EXPECT_EQ(how_it_ended(r), "killed by SIGSEGV, core dumped");
  r.reason = "dumped";  // as a real core dump has it
  EXPECT_EQ(how_it_ended(r), "killed by SIGSEGV, core dumped");
  r.reason = "signaled";
  r.core_dumped = false;
  r.signal = "SIGTERM";
  EXPECT_EQ(how_it_ended(r), "killed by SIGTERM");
  r.signal.clear();
  r.code = 40;
  EXPECT_EQ(how_it_ended(r), "killed by signal 40");
  r.reason = "oom_killed";
  r.oom_scope = "cgroup";
  EXPECT_EQ(how_it_ended(r), "OOM-killed (cgroup)");
  r.oom_scope.clear();
  EXPECT_EQ(how_it_ended(r), "OOM-killed");
  r.reason = "exited";
  r.code = 1;
  EXPECT_EQ(how_it_ended(r), "exited 1");
}

TEST(ExitsTableTest, ShellWordsQuoteWhatAShellWouldSplit) {
  EXPECT_EQ(shell_words({"/bin/ls", "-l", "/tmp"}), "/bin/ls -l /tmp");
  EXPECT_EQ(shell_words({"sh", "-c", "echo hi; exit 1"}), "sh -c 'echo hi; exit 1'");
  EXPECT_EQ(shell_words({"echo", "it's", ""}), "echo 'it'\\''s' ''");
}

TEST(ExitsTableTest, ARowPerRecordNewestFirstWithItsCommandLine) {
  ExitRecord pod = plain_record(2);
  pod.pod = "web-1";
  pod.pod_namespace = "prod";
  pod.peak_rss_bytes.reset();
  pod.cmdline.reset();
  const std::string html = exits_table_html({pod, plain_record(1)});
  EXPECT_EQ(count(html, "<tr class=\"exit\""), 2U);
  EXPECT_EQ(count(html, "<tr class=\"cmdline\""), 1U) << "none for a record without one";
  EXPECT_LT(html.find("id=\"exit-2\""), html.find("id=\"exit-1\"")) << "in the order given";
  EXPECT_TRUE(contains(html, "<td>prod/web-1</td>"));
  EXPECT_TRUE(contains(html, "<td>worker.service</td>"));
  EXPECT_TRUE(contains(html, "<td>\xe2\x80\x94</td>")) << "no peak RSS";
  EXPECT_TRUE(contains(html, "<td>12.0 MiB</td>"));
  EXPECT_TRUE(contains(html, "<td>4001</td>"));
  EXPECT_TRUE(contains(html, "<td>2024-05-01 12:34:56.790 UTC</td>"));
  EXPECT_TRUE(contains(html, "<code>/usr/bin/worker --id 1</code>"));
  EXPECT_TRUE(contains(html, "<a href=\"/exits\">"));
}

TEST(ExitsTableTest, ProgramFallsBackToComm) {
  ExitRecord r = plain_record(1);
  r.program.clear();
  r.comm = "kworker";
  EXPECT_TRUE(contains(exits_table_html({r}), "<td>kworker</td>"));
}

TEST(ExitsTableTest, NoRecordsIsOneLine) {
  const std::string html = exits_table_html({});
  EXPECT_FALSE(contains(html, "<table"));
  EXPECT_TRUE(contains(html, "No exit has been recorded since the start."));
  EXPECT_TRUE(contains(html, "<a href=\"/exits\">"));
}

TEST(ExitsTableTest, HostileValuesStayText) {
  const std::string page = landing_page_html("/metrics", "0.1.0", hostile_records(1));
  // The only tags are the page's own.
  EXPECT_FALSE(contains(page, "<script"));
  EXPECT_FALSE(contains(page, "<img"));
  EXPECT_FALSE(contains(page, "<svg"));
  EXPECT_FALSE(contains(page, "onerror=alert(2)>"));
  EXPECT_TRUE(contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_TRUE(contains(page, "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
  EXPECT_TRUE(contains(page, "a&amp;b&amp;amp;c"));
  EXPECT_TRUE(contains(page, "bad\xef\xbf\xbd\xef\xbf\xbd utf-8 \xef\xbf\xbd("));
  EXPECT_TRUE(contains(page, "ctl\\x01\\x1b[31m\\x7f"));
  EXPECT_TRUE(contains(page, "\\u{202e}evil"));
  EXPECT_TRUE(contains(page, "&#39;\\&#39;&#39;quoted&#39;\\&#39;&#39; &quot;double&quot;"));
  // Long values are cut for the page (GET /exits has them whole).
  EXPECT_LT(page.size(), 64U * 1024) << "the 64 KiB command line is cut";
  EXPECT_TRUE(contains(page, " [cut]"));
  EXPECT_EQ(count(page, "<tr class=\"exit\""), hostile_records(1).size());
}

TEST(ExitsTableTest, TheLandingPageHasNoTableWithRecordsOff) {
  EXPECT_FALSE(contains(landing_page_html("/metrics", "0.1.0"), "Recent exits"));
  EXPECT_FALSE(contains(landing_page_html("/metrics", "0.1.0"), "/exits"));
  const std::string on = landing_page_html("/metrics", "0.1.0", std::vector<ExitRecord>{});
  EXPECT_TRUE(contains(on, "<h2>Recent exits</h2>"));
  EXPECT_FALSE(contains(on, "<script"));
}

}  // namespace
}  // namespace execmond
