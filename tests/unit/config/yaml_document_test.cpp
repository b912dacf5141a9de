// The one YAML document of a configuration file: documents walked with the
// event parser, empty ones passed over, a second non-empty one found with
// its mark, and the stray ',' that makes yaml-cpp 0.7's LoadAll loop for
// ever a syntax error with its line. Marks are yaml-cpp's: lines from 0.
#include "config/yaml_document.h"

#include <gtest/gtest.h>

#include <string>

namespace execmond {
namespace {

// The syntax error `text` must raise.
YAML::ParserException syntax_error(const std::string& text) {
  try {
    (void)load_single_document(text);
  } catch (const YAML::ParserException& e) {
    return e;
  }
  ADD_FAILURE() << "no syntax error in: " << text;
  return YAML::ParserException(YAML::Mark::null_mark(), "");
}

TEST(YamlDocument, OneDocumentIsTheRootAndNoSecond) {
  const YamlDocument d = load_single_document("log:\n  level: info\n");
  ASSERT_TRUE(d.root.IsMap());
  EXPECT_EQ(d.root["log"]["level"].as<std::string>(), "info");
  EXPECT_FALSE(d.second);
}

TEST(YamlDocument, NothingOrOnlyCommentsIsANullRoot) {
  for (const char* text : {"", "\n\n", "# only a comment\n", "---\n", "---\n...\n"}) {
    const YamlDocument d = load_single_document(text);
    EXPECT_TRUE(d.root.IsNull()) << text;
    EXPECT_FALSE(d.second) << text;
  }
}

TEST(YamlDocument, EmptyDocumentsAfterTheFirstAreNoSecondDocument) {
  for (const char* text :
       {"a: 1\n---\n", "a: 1\n---\n---\n", "a: 1\n...\n", "a: 1\n---\n# nothing\n---\n...\n"}) {
    const YamlDocument d = load_single_document(text);
    EXPECT_EQ(d.root["a"].as<int>(), 1) << text;
    EXPECT_FALSE(d.second) << text;
  }
}

TEST(YamlDocument, ASecondDocumentIsFoundWhereItsFirstNodeStarts) {
  const YamlDocument d = load_single_document("a: 1\n---\nb: 2\n");
  EXPECT_EQ(d.root["a"].as<int>(), 1);
  EXPECT_FALSE(d.root["b"]) << "only the first document is the root";
  ASSERT_TRUE(d.second);
  EXPECT_EQ(d.second->line, 2);
  EXPECT_EQ(d.second->column, 0);

  // After empty ones, and a lone scalar counts as much as a map.
  const YamlDocument later = load_single_document("a: 1\n---\n---\n\n  just text\n");
  ASSERT_TRUE(later.second);
  EXPECT_EQ(later.second->line, 4);
  EXPECT_EQ(later.second->column, 2);
}

TEST(YamlDocument, AnEmptyFirstDocumentLeavesANullRootAndTheNextIsTheSecond) {
  const YamlDocument d = load_single_document("---\n---\na: 1\n");
  EXPECT_TRUE(d.root.IsNull());
  ASSERT_TRUE(d.second);
  EXPECT_EQ(d.second->line, 2);
}

// jbeder/yaml-cpp#1040: LoadAll never returns on these; they must throw, at once.
TEST(YamlDocument, AStrayCommaIsASyntaxErrorOnItsLine) {
  const struct {
    const char* text;
    int line;
  } cases[] = {
      {",", 0},
      {"[a],", 0},
      {"- comm\n,\n", 1},
      {"# a comment\n\n  , ", 2},
  };
  for (const auto& c : cases) {
    const YAML::ParserException e = syntax_error(c.text);
    EXPECT_EQ(e.msg, "unexpected ',' outside [ ] or { }") << c.text;
    EXPECT_EQ(e.mark.line, c.line) << c.text;
  }
  // After a block map the map parser finds it first.
  const YAML::ParserException e = syntax_error("a: 1\n\n,\n");
  EXPECT_EQ(e.msg, "end of map not found");
  EXPECT_EQ(e.mark.line, 2);
}

TEST(YamlDocument, SyntaxErrorsCarryTheirLine) {
  const struct {
    const char* text;
    const char* msg;
    int line;
  } cases[] = {
      {"a: 1\nb: [1, 2", "end of sequence flow not found", 1},
      {"a: 1\nb: c: d\n", "illegal map value", 1},
      {"a: 1\n}\n", "illegal flow end", 1},
      {"a: 1\n---\nb: {x", "end of map flow not found", 2},
      {"a: \"\\q\"\n", "unknown escape character: q", 0},
  };
  for (const auto& c : cases) {
    const YAML::ParserException e = syntax_error(c.text);
    EXPECT_EQ(e.msg, c.msg) << c.text;
    EXPECT_EQ(e.mark.line, c.line) << c.text;
  }
}

TEST(YamlDocument, AnchorsAndAliasesResolveWithinTheDocument) {
  const YamlDocument d =
      load_single_document("base: &drains {drain_interval: 2s}\ntracer: *drains\n");
  EXPECT_FALSE(d.second);
  EXPECT_EQ(d.root["tracer"]["drain_interval"].as<std::string>(), "2s");

  // A second document with anchors of its own is still found.
  const YamlDocument aliased = load_single_document("a: &x 1\n---\n- &y 2\n- *y\n");
  ASSERT_TRUE(aliased.second);
  EXPECT_EQ(aliased.second->line, 2);

  const YAML::ParserException undefined = syntax_error("a: 1\nb: *nowhere\n");
  EXPECT_EQ(undefined.msg, "the referenced anchor is not defined");
  EXPECT_EQ(undefined.mark.line, 1);
  // An anchor ends with its document.
  const YAML::ParserException crossing = syntax_error("a: &x 1\n---\nb: *x\n");
  EXPECT_EQ(crossing.msg, "the referenced anchor is not defined");
  EXPECT_EQ(crossing.mark.line, 2);
}

}  // namespace
}  // namespace execmond
