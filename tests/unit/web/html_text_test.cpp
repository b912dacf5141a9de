// What process-chosen text becomes on the pages: inert, valid UTF-8,
// visible.
#include "web/html_text.h"

#include <gtest/gtest.h>

#include <string>

namespace execmond {
namespace {

TEST(HtmlTextTest, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(html_escape("/metrics"), "/metrics");
  EXPECT_EQ(html_escape(""), "");
  EXPECT_EQ(html_escape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
  EXPECT_EQ(html_escape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
}

TEST(HtmlTextTest, EachInvalidByteBecomesAReplacementCharacter) {
  EXPECT_EQ(html_escape("a\xff"
                        "b"),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(html_escape("\xc3("), "\xef\xbf\xbd(");  // a lead byte without its continuation
  EXPECT_EQ(html_escape("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // a surrogate
  EXPECT_EQ(html_escape("\xc0\xbc"), "\xef\xbf\xbd\xef\xbf\xbd") << "an overlong '<' stays out";
  EXPECT_EQ(html_escape("caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80"),
            "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80")
      << "valid UTF-8 passes";
}

TEST(HtmlTextTest, ControlCharactersAreShownNotSent) {
  EXPECT_EQ(html_escape("a\nb\tc\rd"), "a\\nb\\tc\\rd");
  EXPECT_EQ(html_escape(std::string("\0\x01\x1b\x7f", 4)), "\\x00\\x01\\x1b\\x7f");
  EXPECT_EQ(html_escape("\xc2\x85\xc2\x9b"), "\\x85\\x9b") << "C1 controls";
  EXPECT_EQ(html_escape("\xc2\xa0"), "\xc2\xa0") << "no-break space is text";
}

TEST(HtmlTextTest, BidiControlsCannotReorderTheText) {
  EXPECT_EQ(html_escape("\xe2\x80\xae"
                        "evil"),
            "\\u{202e}evil");
  EXPECT_EQ(html_escape("\xe2\x81\xa6x\xe2\x81\xa9"), "\\u{2066}x\\u{2069}");
  EXPECT_EQ(html_escape("\xe2\x80\xa8"), "\\u{2028}");
}

TEST(HtmlTextTest, ShortenCutsBetweenCharacters) {
  EXPECT_EQ(shorten_utf8("abc", 3), "abc");
  EXPECT_EQ(shorten_utf8("abcd", 3), "abc\xe2\x80\xa6");
  // "é" is two bytes: a cut after its first byte backs off before it.
  EXPECT_EQ(shorten_utf8("a\xc3\xa9z", 2), "a\xe2\x80\xa6");
  EXPECT_EQ(shorten_utf8("", 0), "");
}

}  // namespace
}  // namespace execmond
