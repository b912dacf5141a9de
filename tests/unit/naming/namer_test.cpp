// The naming rules through Namer: process-exporter's selectors and names,
// its README's examples, what names a process no rule matches, the errors a
// bad rule gets, and hostile command lines.
#include "naming/namer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "naming/command_line.h"

namespace execmond::naming {
namespace {

using namespace std::string_literals;
using Args = std::vector<std::string>;

NamingRule rule(std::string name, std::vector<std::string> comm, std::vector<std::string> exe,
                std::vector<std::string> cmdline, int line = 1) {
  return {std::move(name),    std::move(comm), std::move(exe),
          std::move(cmdline), "execmond.yaml", line};
}

Namer compile(const NamingConfig& config) {
  auto namer = Namer::compile(config);
  if (!namer) ADD_FAILURE() << namer.error().message;
  return std::move(*namer);
}

Namer compile(std::vector<NamingRule> rules) {
  NamingConfig config;
  config.rules = std::move(rules);
  return compile(config);
}

std::string program(const Namer& namer, std::string_view comm, const Args& argv,
                    std::string_view user = "alice") {
  return namer.name({comm, argv, user}).program;
}

std::string error_of(const NamingConfig& config) {
  auto namer = Namer::compile(config);
  EXPECT_FALSE(namer.ok());
  return namer ? "" : namer.error().message;
}

std::string error_of(std::vector<NamingRule> rules) {
  NamingConfig config;
  config.rules = std::move(rules);
  return error_of(config);
}

TEST(NamerTest, CommSelectsByTheExactCommand) {
  const Namer namer = compile({rule("shells", {"bash", "zsh"}, {}, {})});
  EXPECT_EQ(program(namer, "bash", {"-bash"}), "shells");
  EXPECT_EQ(program(namer, "zsh", {}), "shells");
  EXPECT_EQ(program(namer, "bash2", {"bash"}), "bash2");  // unmatched: the comm
}

TEST(NamerTest, ExeWithoutASlashMatchesArgv0sBaseName) {
  const Namer namer = compile({rule("pg", {}, {"postgres"}, {})});
  EXPECT_EQ(program(namer, "x", {"/usr/lib/postgresql/15/bin/postgres", "-D", "/d"}), "pg");
  EXPECT_EQ(program(namer, "x", {"postgres"}), "pg");
  EXPECT_EQ(program(namer, "x", {"postgres:", "checkpointer"}), "x");
}

TEST(NamerTest, ExeWithASlashMustEqualAllOfArgv0) {
  const Namer namer = compile({rule("prom", {}, {"/usr/local/bin/prometheus"}, {})});
  EXPECT_EQ(program(namer, "x", {"/usr/local/bin/prometheus"}), "prom");
  EXPECT_EQ(program(namer, "x", {"/opt/prometheus"}), "x");
  EXPECT_EQ(program(namer, "x", {"prometheus"}), "x");
}

TEST(NamerTest, ExeEntriesOfOneBaseNameKeepTheLastAsProcessExporterDoes) {
  // process-exporter keys exe entries by base name: the later entry wins.
  const Namer any = compile({rule("py", {}, {"/usr/bin/python3", "python3"}, {})});
  EXPECT_EQ(program(any, "x", {"/opt/python3"}), "py");
  const Namer exact = compile({rule("py", {}, {"python3", "/usr/bin/python3"}, {})});
  EXPECT_EQ(program(exact, "x", {"/opt/python3"}), "x");
  EXPECT_EQ(program(exact, "x", {"/usr/bin/python3"}), "py");
}

TEST(NamerTest, ExeNeverMatchesAProcessWithoutArguments) {
  const Namer namer = compile({rule("k", {}, {"kthreadd"}, {})});
  EXPECT_EQ(program(namer, "kthreadd", {}), "kthreadd");
}

TEST(NamerTest, CmdlinePatternsAllMatchSomewhereInTheJoinedArguments) {
  const Namer namer = compile({rule("celery", {}, {}, {"-m celery", "worker"})});
  EXPECT_EQ(program(namer, "python3", {"python3", "-m", "celery", "worker"}), "celery");
  EXPECT_EQ(program(namer, "python3", {"python3", "-m", "celery", "beat"}), "python3");
  // argv[0] is part of the joined text.
  const Namer first = compile({rule("j", {}, {}, {"^java -jar"})});
  EXPECT_EQ(program(first, "java", {"java", "-jar", "x.jar"}), "j");
}

TEST(NamerTest, EverySelectorGivenMustMatch) {
  const Namer namer = compile({rule("both", {"java"}, {}, {"-jar"})});
  EXPECT_EQ(program(namer, "java", {"java", "-jar", "x"}), "both");
  EXPECT_EQ(program(namer, "java", {"java", "Main"}), "java");
  EXPECT_EQ(program(namer, "node", {"node", "-jar"}), "node");
}

TEST(NamerTest, TheFirstMatchingRuleWins) {
  const Namer namer = compile({rule("first", {"bash"}, {}, {}), rule("second", {"bash"}, {}, {})});
  EXPECT_EQ(program(namer, "bash", {"bash"}), "first");
}

TEST(NamerTest, NamedGroupsFillMatches) {
  const Namer namer = compile({rule("{{.Matches.tool}}-{{.Matches.env}}", {}, {},
                                    {"-m (?P<tool>\\w+)", "--env=(?P<env>\\w+)|(?P<none>zzz)"})});
  EXPECT_EQ(program(namer, "python3", {"python3", "-m", "celery", "--env=prod"}), "celery-prod");
}

TEST(NamerTest, AGroupThatTookNoPartIsEmpty) {
  const Namer namer =
      compile({rule("[{{.Matches.a}}|{{.Matches.b}}]", {}, {}, {"(?P<a>x)|(?P<b>y)"})});
  EXPECT_EQ(program(namer, "p", {"p", "y"}), "[|y]");
}

TEST(NamerTest, ALaterPatternsGroupReplacesAnEarlierOneOfTheSameName) {
  const Namer namer = compile({rule("{{.Matches.v}}", {}, {}, {"(?P<v>first)", "(?P<v>second)"})});
  EXPECT_EQ(program(namer, "p", {"first", "second"}), "second");
}

TEST(NamerTest, DefaultNameIsExeBaseAndFallsBackToTheComm) {
  const Namer namer = compile({rule("", {"sshd", "kworker/0:1"}, {}, {})});
  EXPECT_EQ(program(namer, "sshd", {"/usr/sbin/sshd", "-D"}), "sshd");
  EXPECT_EQ(program(namer, "sshd", {"sshd: alice [priv]"}), "sshd: alice [priv]");
  EXPECT_EQ(program(namer, "kworker/0:1", {}), "kworker/0:1");
}

TEST(NamerTest, ExeFullAndExeBaseOfAnEmptyArgv0AreGos) {
  const Namer namer = compile({rule("{{.ExeBase}}|{{.ExeFull}}", {}, {}, {".*"})});
  EXPECT_EQ(program(namer, "p", {""}), ".|");
  EXPECT_EQ(program(namer, "p", {}), "p|p");
}

TEST(NamerTest, UsernameIsTheProcesssUser) {
  const Namer namer = compile({rule("{{.Comm}}@{{.Username}}", {"cron"}, {}, {})});
  EXPECT_EQ(program(namer, "cron", {"cron"}, "root"), "cron@root");
  EXPECT_EQ(program(namer, "cron", {"cron"}, ""), "cron@");
}

// process-exporter's README, its examples as they are written there.
TEST(NamerTest, ProcessExporterReadmeDefaultConfig) {
  // process_names: [{name: "{{.Comm}}", cmdline: ['.+']}]
  const Namer namer = compile({rule("{{.Comm}}", {}, {}, {".+"})});
  EXPECT_EQ(program(namer, "nginx", {"nginx: master process"}), "nginx");
  // A kernel thread has no command line: '.+' does not match, so unmatched.
  NamingConfig fixed;
  fixed.rules = {rule("{{.Comm}}", {}, {}, {".+"})};
  fixed.unmatched = Unmatched::Fixed;
  fixed.unmatched_name = "other";
  EXPECT_EQ(program(compile(fixed), "kthreadd", {}), "other");
}

TEST(NamerTest, ProcessExporterReadmeSelectors) {
  const Namer namer = compile({
      rule("", {"bash"}, {}, {}, 4),
      rule("", {}, {"postgres", "/usr/local/bin/prometheus"}, {}, 9),
      rule("{{.ExeFull}}:{{.Matches.Cfgfile}}", {}, {"/usr/local/bin/process-exporter"},
           {"-config.path\\s+(?P<Cfgfile>\\S+)"}, 16),
  });
  EXPECT_EQ(program(namer, "bash", {"/bin/bash"}), "bash");
  EXPECT_EQ(program(namer, "postgres", {"/usr/lib/postgresql/15/bin/postgres"}), "postgres");
  EXPECT_EQ(program(namer, "prometheus", {"/usr/local/bin/prometheus", "--config.file=p.yml"}),
            "prometheus");
  EXPECT_EQ(program(namer, "prometheus", {"/opt/prometheus"}), "prometheus");  // unmatched: comm
  EXPECT_EQ(program(namer, "process-exporte",
                    {"/usr/local/bin/process-exporter", "-config.path", "/etc/pe/all.yml"}),
            "/usr/local/bin/process-exporter:/etc/pe/all.yml");
}

TEST(NamerTest, ProcessExporterReadmeHomeMachine) {
  const Namer namer = compile({
      rule("", {"chromium-browse", "bash", "prometheus", "gvim"}, {}, {}),
      rule("upstart:-user", {}, {"/sbin/upstart"}, {"--user"}),
  });
  EXPECT_EQ(program(namer, "gvim", {"gvim", "notes.txt"}), "gvim");
  EXPECT_EQ(program(namer, "chromium-browse", {"/usr/lib/chromium-browser/chromium-browser"}),
            "chromium-browser");
  EXPECT_EQ(program(namer, "upstart", {"/sbin/upstart", "--user"}), "upstart:-user");
  EXPECT_EQ(program(namer, "upstart", {"/sbin/upstart"}), "upstart");
}

// README's and config/execmond.yaml's example: by exe, so that a script run
// through its shebang (comm = the script's file name) is named too.
TEST(NamerTest, TheDocumentedPythonRuleNamesEveryWayAScriptIsStarted) {
  const Namer namer = compile({rule("{{.Matches.script}}", {}, {"python3"},
                                    {R"(^\S+\s+(?:-\S+\s+)*(?:\S*/)?(?P<script>[^/\s]+)\.py)"})});
  EXPECT_EQ(program(namer, "python3", {"python3", "/srv/jobs/backup.py"}), "backup");
  EXPECT_EQ(program(namer, "python3", {"/usr/bin/python3", "-u", "backup.py", "--full"}), "backup");
  EXPECT_EQ(program(namer, "backup.py", {"/usr/bin/python3", "./backup.py"}), "backup");
  EXPECT_EQ(program(namer, "python3", {"python3", "-m", "celery", "worker"}), "python3");
}

TEST(NamerTest, UnmatchedNamesByCommScriptOrAFixedName) {
  NamingConfig config;
  const Args script_argv{"/usr/bin/python3", "/srv/jobs/backup.py"};
  config.unmatched = Unmatched::Comm;
  EXPECT_EQ(program(compile(config), "python3", script_argv), "python3");
  config.unmatched = Unmatched::Script;
  EXPECT_EQ(program(compile(config), "python3", script_argv), "backup.py");
  EXPECT_EQ(program(compile(config), "sleep", {"sleep", "1"}), "sleep");  // no script: the comm
  config.unmatched = Unmatched::Fixed;
  config.unmatched_name = "other";
  EXPECT_EQ(program(compile(config), "python3", script_argv), "other");
}

TEST(NamerTest, ScriptIsNamedWhateverTheProgramRuleSays) {
  const Namer namer = compile({rule("jobs", {}, {}, {"/srv/jobs/"})});
  const Names names = namer.name({"python3", Args{"python3", "/srv/jobs/backup.py"}, "root"});
  EXPECT_EQ(names, (Names{"jobs", "backup.py"}));
  EXPECT_EQ(namer.name({"sleep", Args{"sleep"}, ""}), (Names{"sleep", ""}));
}

TEST(NamerTest, ConfiguredInterpretersComeFirst) {
  NamingConfig config;
  config.interpreters = {{"uwsgi-run", InterpreterStyle::Python},
                         {"/opt/jdk/bin/sh", InterpreterStyle::Java}};
  const Namer namer = compile(config);
  EXPECT_EQ(namer.name({"uwsgi-run", Args{"uwsgi-run", "-u", "app.py"}, ""}).script, "app.py");
  // sh read as java: -jar names the script, where a shell would take it for options.
  EXPECT_EQ(namer.name({"sh", Args{"sh", "-jar", "/x/y.jar"}, ""}).script, "y.jar");
}

TEST(NamerTest, ErrorsNameTheFileLineKeyAndWhatToDo) {
  const std::string bad_pattern =
      error_of({rule("x", {"a"}, {}, {}, 3), rule("x", {}, {}, {"ok", "(unclosed"}, 7)});
  EXPECT_EQ(bad_pattern.rfind("execmond.yaml:7: naming.rules[1].cmdline[1]: \"(unclosed\": ", 0),
            0U)
      << bad_pattern;
  EXPECT_NE(bad_pattern.find("; write it in RE2 syntax"), std::string::npos) << bad_pattern;

  const std::string backreference = error_of({rule("x", {}, {}, {"(a)\\1"}, 2)});
  EXPECT_NE(backreference.find("RE2 has no backreferences"), std::string::npos) << backreference;

  const std::string pid = error_of({rule("{{.PID}}", {"a"}, {}, {}, 5)});
  EXPECT_EQ(pid.rfind("execmond.yaml:5: naming.rules[0].name: ", 0), 0U) << pid;
  EXPECT_NE(pid.find("series per process"), std::string::npos) << pid;

  const std::string no_selector = error_of({rule("x", {}, {}, {}, 9)});
  EXPECT_EQ(no_selector.rfind("execmond.yaml:9: naming.rules[0]: ", 0), 0U) << no_selector;
  EXPECT_NE(no_selector.find("give it comm, exe or cmdline"), std::string::npos) << no_selector;

  const std::string group =
      error_of({rule("{{.Matches.Cfgfile}}", {}, {}, {"-c (?P<cfg>\\S+)"}, 4)});
  EXPECT_NE(group.find("it defines cfg"), std::string::npos) << group;
}

TEST(NamerTest, TheProcessExporterFilesRulesAreNamedByTheirPlaceInIt) {
  NamingConfig config;
  config.process_exporter_config = "/etc/pe.yml";
  config.rules = {rule("inline", {"a"}, {}, {}, 3)};
  NamingRule from_file = rule("{{.StartTime}}", {"b"}, {}, {}, 12);
  from_file.source = "/etc/pe.yml";
  config.rules.push_back(rule("ok", {"c"}, {}, {}, 2));
  config.rules.back().source = "/etc/pe.yml";
  config.rules.push_back(from_file);
  const std::string message = error_of(config);
  EXPECT_EQ(message.rfind("/etc/pe.yml:12: process_names[1].name: ", 0), 0U) << message;
}

TEST(NamerTest, PatternsAreBoundedInNumberAndSize) {
  std::vector<NamingRule> many;
  many.reserve(300);
  for (int i = 0; i < 300; ++i) many.push_back(rule("x", {}, {}, {"a"}, i + 1));
  EXPECT_NE(error_of(many).find("more than 256 cmdline patterns"), std::string::npos);

  const std::string one_rule = error_of({rule("x", {}, {}, std::vector<std::string>(65, "a"))});
  EXPECT_NE(one_rule.find("at most 64"), std::string::npos) << one_rule;

  const std::string huge = error_of({rule("x", {}, {}, {"((a{1000}){1000}){1000}"})});
  EXPECT_NE(huge.find("naming.rules[0].cmdline[0]"), std::string::npos) << huge;
}

TEST(NamerTest, InvalidUtf8IsMatchedAsGoMatchesItAndCapturedRaw) {
  const Namer namer = compile({rule("{{.Matches.arg}}", {}, {}, {"^\\S+ (?P<arg>.+)$"})});
  EXPECT_EQ(program(namer, "p", {"p", "caf\xe9-\xff"}), "caf\xe9-\xff");
  const Namer everything = compile({rule("all", {}, {}, {".+"})});
  EXPECT_EQ(program(everything, "p", {"\xff\xfe"}), "all");
}

TEST(NamerTest, HostileCommandLinesNameWithinBounds) {
  const Namer namer = compile({
      rule("{{.ExeFull}}", {}, {}, {"(?P<all>.*)"}),
  });
  const Args huge{std::string(1 << 20, 'a'), std::string(1 << 20, 'b')};
  EXPECT_EQ(program(namer, "p", huge), std::string(128, 'a'));

  Args empties(5000, "");
  EXPECT_EQ(program(namer, "p", empties), "");
  EXPECT_EQ(program(namer, "p", split_command_line("\0"s)), "");  // argc 0
  EXPECT_EQ(program(namer, "p", split_command_line(std::string(4096, 'z'))), std::string(128, 'z'));
  const Names names = namer.name({"p", huge, ""});
  EXPECT_EQ(names.script, "");
}

}  // namespace
}  // namespace execmond::naming
