#include "config/yaml_document.h"

#include <yaml-cpp/eventhandler.h>

#include <sstream>

#include "config/values.h"

namespace execmond {

namespace {

// Notes where each document starts and where its first node is, if it has
// more than a null.
class DocumentStarts : public YAML::EventHandler {
 public:
  YAML::Mark start;
  std::optional<YAML::Mark> content;

  void OnDocumentStart(const YAML::Mark& mark) override {
    start = mark;
    content.reset();
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& /*mark*/, YAML::anchor_t /*anchor*/) override {}
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t /*anchor*/) override { node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                const std::string& /*value*/) override {
    node(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& /*tag*/,
                       YAML::anchor_t /*anchor*/, YAML::EmitterStyle::value /*style*/) override {
    node(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t /*anchor*/,
                  YAML::EmitterStyle::value /*style*/) override {
    node(mark);
  }
  void OnMapEnd() override {}

 private:
  void node(const YAML::Mark& mark) {
    if (!content) content = mark;
  }
};

}  // namespace

YamlDocument load_single_document(const std::string& text) {
  YamlDocument out;
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts documents;
  int previous = -1;
  for (int count = 0; parser.HandleNextDocument(documents); ++count) {
    // A document that starts where the last one did consumed nothing: the
    // parser is stuck on a token it cannot place.
    if (documents.start.pos == previous) {
      const auto at = static_cast<std::size_t>(documents.start.pos);
      const char c = at < text.size() ? text[at] : ' ';
      throw YAML::ParserException(documents.start, std::string("unexpected '") + c + "'" +
                                                       (c == ',' ? " outside [ ] or { }" : ""));
    }
    previous = documents.start.pos;
    if (count > 0 && documents.content) {
      out.second = documents.content;
      break;
    }
  }
  out.root = YAML::Load(text);
  return out;
}

Error yaml_error(const std::string& source, const YAML::Mark& mark, std::string_view key,
                 const std::string& message) {
  const int line = mark.line >= 0 ? mark.line + 1 : 1;
  return {source + ":" + std::to_string(line) + ": " + std::string(key) + ": " + message};
}

std::string kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a single value " + detail::quote(node.Scalar());
    default:
      return "no value";
  }
}

YAML::Mark mark_of(const YAML::Node& key, const YAML::Node& value) {
  return value.IsNull() || value.Mark().line < 0 ? key.Mark() : value.Mark();
}

}  // namespace execmond
