#include "web/landing_page.h"

#include <gtest/gtest.h>

#include <string>

namespace execmond {
namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(LandingPageTest, IsAnHtml5PageLinkingToTheMetrics) {
  const std::string page = landing_page_html("/metrics", "0.1.0");
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0U);
  EXPECT_TRUE(contains(page, "<title>execmond</title>"));
  EXPECT_TRUE(contains(page, "<a href=\"/metrics\">"));
  EXPECT_TRUE(contains(page, "0.1.0"));
  EXPECT_TRUE(contains(
      page, "Process lifecycle exporter: execs, forks, exits and lifetimes, traced with eBPF."));
  EXPECT_TRUE(contains(page, "</html>"));
}

TEST(LandingPageTest, EscapesInsertedText) {
  const std::string page = landing_page_html("/m\"><script>&'", "<b>1</b>");
  EXPECT_FALSE(contains(page, "<script>"));
  EXPECT_FALSE(contains(page, "<b>"));
  EXPECT_TRUE(contains(page, "href=\"/m&quot;&gt;&lt;script&gt;&amp;&#39;\""));
  EXPECT_TRUE(contains(page, "&lt;b&gt;1&lt;/b&gt;"));
}

TEST(LandingPageTest, HtmlEscapeLeavesPlainTextAlone) {
  EXPECT_EQ(html_escape("/metrics"), "/metrics");
  EXPECT_EQ(html_escape(""), "");
  EXPECT_EQ(html_escape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
}

}  // namespace
}  // namespace execmond
