// Name templates: the text/template subset process-exporter's names use, and
// everything else refused at compile with the rule's place and what to use.
#include "naming/name_template.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace execmond::naming {
namespace {

const std::string kWhere = "pe.yml:4: process_names[0].name";

TemplateValues values() {
  return {"python3", "python3.11", "/usr/bin/python3.11", "alice", {"backup", "nightly"}};
}

std::string render(const std::string& text,
                   const std::vector<std::string>& groups = {"job", "kind"}) {
  auto compiled = NameTemplate::compile(text, groups, kWhere);
  EXPECT_TRUE(compiled.ok()) << compiled.error().message;
  return compiled ? compiled->render(values()) : "";
}

std::string refusal(const std::string& text, const std::vector<std::string>& groups = {"job"}) {
  auto compiled = NameTemplate::compile(text, groups, kWhere);
  EXPECT_FALSE(compiled.ok()) << text;
  if (compiled) return "";
  const std::string& message = compiled.error().message;
  EXPECT_EQ(message.rfind(kWhere + ": ", 0), 0U) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_NE(message.find("; "), std::string::npos) << "says what to do: " << message;
  return message;
}

TEST(NameTemplateTest, RendersEveryField) {
  EXPECT_EQ(render("{{.Comm}}"), "python3");
  EXPECT_EQ(render("{{.ExeBase}}"), "python3.11");
  EXPECT_EQ(render("{{.ExeFull}}"), "/usr/bin/python3.11");
  EXPECT_EQ(render("{{.Username}}"), "alice");
  EXPECT_EQ(render("{{.Matches.job}}"), "backup");
  EXPECT_EQ(render("{{.Matches.kind}}"), "nightly");
}

TEST(NameTemplateTest, KeepsTextAroundActions) {
  EXPECT_EQ(render("job:{{.Matches.job}}/{{.Username}}!"), "job:backup/alice!");
  EXPECT_EQ(render("plain"), "plain");
  EXPECT_EQ(render(""), "");
  EXPECT_EQ(render("a } b }} c {"), "a } b }} c {");
}

TEST(NameTemplateTest, SpacesInsideActionsAreAllowed) {
  EXPECT_EQ(render("{{ .Comm }}"), "python3");
  EXPECT_EQ(render("{{\t.Comm\n}}"), "python3");
}

TEST(NameTemplateTest, TrimMarkersTrimTheWhiteSpaceBesideThemAsGoDoes) {
  EXPECT_EQ(render("a  \n {{- .Comm -}} \t b"), "apython3b");
  EXPECT_EQ(render("a {{- .Comm}} b"), "apython3 b");
  EXPECT_EQ(render("a {{.Comm -}} b"), "a python3b");
}

TEST(NameTemplateTest, CommentsRenderNothing) {
  EXPECT_EQ(render("a{{/* why */}}b"), "ab");
  EXPECT_EQ(render("a {{- /* why */ -}} b"), "ab");
  EXPECT_EQ(render("a{{/* }} inside */}}b"), "ab");
  EXPECT_EQ(render("a{{/**/}}b"), "ab");
}

TEST(NameTemplateTest, CommentsStandRightInsideTheirDelimitersAsGoWantsThem) {
  EXPECT_NE(refusal("{{/* open").find("never closed"), std::string::npos);
  EXPECT_NE(refusal("{{/* c */ }}").find("right after its */"), std::string::npos);
  (void)refusal("{{ /* c */}}");  // not a comment in Go: a '/' inside an action
}

TEST(NameTemplateTest, NamesAreCutAt128Bytes) {
  TemplateValues long_values = values();
  const std::string full(1 << 20, 'x');  // a 1 MiB argv[0]
  long_values.exe_full = full;
  auto compiled = NameTemplate::compile("{{.ExeFull}}{{.ExeFull}}", {}, kWhere);
  ASSERT_TRUE(compiled.ok());
  EXPECT_EQ(compiled->render(long_values), std::string(128, 'x'));
}

TEST(NameTemplateTest, RawBytesPassThrough) {
  TemplateValues raw = values();
  raw.comm = "bad\xff\xfe";
  auto compiled = NameTemplate::compile("{{.Comm}}", {}, kWhere);
  ASSERT_TRUE(compiled.ok());
  EXPECT_EQ(compiled->render(raw), "bad\xff\xfe");
}

TEST(NameTemplateTest, RefusesPidAndStartTimeSayingWhyAndWhatToUse) {
  for (const std::string text : {"{{.PID}}", "x-{{ .StartTime }}"}) {
    const std::string message = refusal(text);
    EXPECT_NE(message.find("series per process"), std::string::npos) << message;
    EXPECT_NE(message.find("{{.ExeBase}}"), std::string::npos) << message;
  }
}

TEST(NameTemplateTest, RefusesFieldsNotReadAtExec) {
  EXPECT_NE(refusal("{{.Cgroups}}").find("not read when a process starts"), std::string::npos);
  EXPECT_NE(refusal("{{.Cwd}}").find("not read when a process starts"), std::string::npos);
}

TEST(NameTemplateTest, RefusesAGroupNoPatternDefines) {
  const std::string message = refusal("{{.Matches.Cfgfile}}", {"job"});
  EXPECT_NE(message.find("it defines job"), std::string::npos) << message;
  EXPECT_NE(message.find("(?P<Cfgfile>...)"), std::string::npos) << message;
  EXPECT_NE(refusal("{{.Matches.x}}", {}).find("it defines none"), std::string::npos);
}

TEST(NameTemplateTest, RefusesEverythingThatIsNotAField) {
  for (const std::string text : {"{{.Comm | printf \"%s\"}}",
                                 "{{printf \"%s\" .Comm}}",
                                 "{{$x := .Comm}}",
                                 "{{if .Comm}}x{{end}}",
                                 "{{.Matches}}",
                                 "{{.Matches.job.more}}",
                                 "{{.comm}}",
                                 "{{.Exe}}",
                                 "{{.Comm.X}}",
                                 "{{}}",
                                 "{{ }}",
                                 "{{.}}",
                                 "{{..Comm}}",
                                 "{{-3}}",
                                 "{{\"text\"}}",
                                 "{{/* open comment }}",
                                 "{{.Comm}",
                                 "{{.Comm",
                                 "a {{",
                                 "{{{{.Comm}}}}",
                                 "{{.Matches.}}"}) {
    SCOPED_TRACE(text);
    (void)refusal(text);
  }
}

TEST(NameTemplateTest, ShowsHostileTemplateTextOnOneLine) {
  const std::string message = refusal("line1\n{{.PID}}\x01");
  EXPECT_NE(message.find("\\x0a"), std::string::npos) << message;
}

}  // namespace
}  // namespace execmond::naming
