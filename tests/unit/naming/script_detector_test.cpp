// The `script` label: argument vectors recorded from real interpreters
// (/proc/PID/cmdline of python 3.11, OpenJDK 17, node, ruby, php, perl, bash,
// dash, and of scripts started by their shebang line), read past each
// interpreter's options; and shebang scripts run here for real.
#include "naming/script_detector.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "naming/command_line.h"
#include "shell.h"
#include "temp_file.h"

namespace execmond::naming {
namespace {

using namespace std::string_literals;
using Args = std::vector<std::string>;

std::string script(const Args& argv, std::string_view comm = "") {
  return ScriptDetector().script(comm, argv);
}

// A /proc/PID/cmdline record as the kernel side captures it.
std::string script_of_record(const std::string& record, std::string_view comm = "") {
  return ScriptDetector().script(comm, split_command_line(record));
}

TEST(ScriptDetectorTest, RecordedPython) {
  const std::string py = "/root/.pyenv/versions/3.11.7/bin/python3\0"s;
  EXPECT_EQ(script_of_record(py + "-u\0-X\0dev\0x.py\0"s), "x.py");
  EXPECT_EQ(script_of_record(py + "-m\0celery\0worker\0"s), "celery");
  EXPECT_EQ(script_of_record("/usr/bin/python3\0/srv/jobs/backup.py\0"s), "backup.py");
  EXPECT_EQ(script_of_record("python3\0-c\0import time; time.sleep(3)\0"s), "");
  EXPECT_EQ(script_of_record("python3\0"s), "");  // the interactive interpreter
}

TEST(ScriptDetectorTest, PythonOptions) {
  EXPECT_EQ(script({"python3", "-W", "ignore", "-Q", "new", "a.py"}), "a.py");
  EXPECT_EQ(script({"python3", "-Werror", "-OO", "-uB", "a.py"}), "a.py");
  EXPECT_EQ(script({"python3", "-mhttp.server", "8000"}), "http.server");
  EXPECT_EQ(script({"python3", "-um", "celery"}), "celery");
  EXPECT_EQ(script({"python3", "-uc", "print(1)", "x.py"}), "");
  EXPECT_EQ(script({"python3", "-cprint(1)"}), "");
  EXPECT_EQ(script({"python3", "--check-hash-based-pycs", "always", "a.py"}), "a.py");
  EXPECT_EQ(script({"python3", "-", "x.py"}), "");  // stdin
  EXPECT_EQ(script({"python3", "--", "-odd.py"}), "-odd.py");
  EXPECT_EQ(script({"python3", "-i", "/srv/app/"}), "app");  // a directory with __main__.py
  EXPECT_EQ(script({"python3.11", "a.py"}), "a.py");
  EXPECT_EQ(script({"python3.13t", "a.py"}), "a.py");
  EXPECT_EQ(script({"python2.7", "a.py"}), "a.py");
  EXPECT_EQ(script({"pypy3", "a.py"}), "a.py");
  EXPECT_EQ(script({"python3-config", "a.py"}), "");  // not an interpreter
  EXPECT_EQ(script({"python3", "-m"}), "");           // a value that never came
}

TEST(ScriptDetectorTest, RecordedJava) {
  EXPECT_EQ(script_of_record("java\0-Xmx64m\0-Dk=v\0-jar\0billing.jar\0"s), "billing.jar");
  EXPECT_EQ(script_of_record("java\0-cp\0/tmp/nrec/classes:/tmp\0Main\0"s), "Main");
  EXPECT_EQ(
      script_of_record("java\0--add-opens\0java.base/java.lang=ALL-UNNAMED\0-cp\0classes\0Main\0"s),
      "Main");
}

TEST(ScriptDetectorTest, JavaOptions) {
  const std::string java = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";
  EXPECT_EQ(script({java, "-jar", "/opt/billing/billing.jar", "--port", "8080"}), "billing.jar");
  EXPECT_EQ(script({java, "-Xmx2g", "-Dk=v", "-XX:+UseG1GC", "-jar", "x.jar"}), "x.jar");
  EXPECT_EQ(script({java, "-cp", "a:b", "com.acme.Main", "arg"}), "com.acme.Main");
  EXPECT_EQ(script({java, "-classpath", "a", "--class-path", "b", "Main"}), "Main");
  EXPECT_EQ(script({java, "-p", "mods", "-m", "com.acme/com.acme.Main"}), "com.acme.Main");
  EXPECT_EQ(script({java, "--module-path=mods", "--module", "com.acme"}), "com.acme");
  EXPECT_EQ(script({java, "--add-exports", "a/b=c", "--patch-module", "m=p", "Main"}), "Main");
  EXPECT_EQ(script({java, "@/etc/app/jvm.args", "-ea", "-da", "-verbose:gc", "Main"}), "Main");
  EXPECT_EQ(script({java, "-javaagent:/opt/agent.jar", "-jar", "app.jar"}), "app.jar");
  EXPECT_EQ(script({java, "--source", "17", "Tool.java"}), "Tool.java");
  EXPECT_EQ(script({java, "--describe-module", "java.base"}), "");
  EXPECT_EQ(script({java, "-version"}), "");
}

TEST(ScriptDetectorTest, RecordedNode) {
  EXPECT_EQ(script_of_record("node\0--inspect=0\0server.js\0"s), "server.js");
  EXPECT_EQ(script_of_record("node\0-r\0./server.js\0server.js\0"s), "server.js");
  EXPECT_EQ(
      script_of_record(
          "node\0-e\0process.stdout.write(require(\"fs\").readFileSync(\"/proc/self/cmdline\"))\0"s),
      "");
}

TEST(ScriptDetectorTest, NodeOptions) {
  EXPECT_EQ(script({"node", "server.js"}), "server.js");
  EXPECT_EQ(script({"nodejs", "--inspect", "/srv/app/server.js"}), "server.js");
  EXPECT_EQ(script({"node", "--require", "dotenv/config", "--import=tsx", "a.mjs"}), "a.mjs");
  EXPECT_EQ(script({"node", "--max-old-space-size", "4096", "a.js"}), "a.js");
  EXPECT_EQ(script({"node", "--max-old-space-size=4096", "--enable-source-maps", "a.js"}), "a.js");
  EXPECT_EQ(script({"node", "--eval", "1"}), "");
  EXPECT_EQ(script({"node", "-p", "1+1"}), "");
  EXPECT_EQ(script({"node", "-pe", "1+1"}), "");
  EXPECT_EQ(script({"node", "--run", "build"}), "");
  EXPECT_EQ(script({"node"}), "");
}

TEST(ScriptDetectorTest, RecordedShells) {
  EXPECT_EQ(script_of_record("bash\0-x\0deploy.sh\0"s), "deploy.sh");
  EXPECT_EQ(script_of_record("dash\0deploy.sh\0"s), "deploy.sh");
  EXPECT_EQ(script_of_record("/bin/sh\0./d.sh\0x\0"s), "d.sh");  // ./d.sh by its shebang
}

TEST(ScriptDetectorTest, ShellOptions) {
  EXPECT_EQ(script({"bash", "deploy.sh"}), "deploy.sh");
  EXPECT_EQ(script({"sh", "-c", "echo hi"}), "");
  EXPECT_EQ(script({"bash", "-ec", "echo hi", "name"}), "");
  EXPECT_EQ(script({"bash", "-s", "arg"}), "");  // commands from stdin
  EXPECT_EQ(script({"bash", "-eo", "pipefail", "d.sh"}), "d.sh");
  EXPECT_EQ(script({"bash", "-o", "pipefail", "+o", "posix", "-O", "extglob", "d.sh"}), "d.sh");
  EXPECT_EQ(script({"bash", "+x", "d.sh"}), "d.sh");
  EXPECT_EQ(script({"bash", "--login", "--rcfile", "/etc/rc", "d.sh"}), "d.sh");
  EXPECT_EQ(script({"bash", "-", "-odd.sh"}), "-odd.sh");
  EXPECT_EQ(script({"zsh", "-l"}), "");  // a login shell
  EXPECT_EQ(script({"-bash"}, "bash"), "");
  EXPECT_EQ(script({"ksh", "/opt/x.ksh"}), "x.ksh");
}

TEST(ScriptDetectorTest, RecordedPerl) {
  EXPECT_EQ(script_of_record("perl\0-w\0e2.pl\0"s), "e2.pl");
  EXPECT_EQ(script_of_record("/usr/bin/perl\0-w\0./e.pl\0x\0"s),
            "e.pl");  // shebang "#!/usr/bin/perl -w"
}

TEST(ScriptDetectorTest, PerlOptions) {
  EXPECT_EQ(script({"perl", "-e", "print 1"}), "");
  EXPECT_EQ(script({"perl", "-wle", "print 1"}), "");
  EXPECT_EQ(script({"perl", "-l0e", "print 1"}), "");
  EXPECT_EQ(script({"perl", "-I", "/opt/lib", "-Ilib", "-MData::Dumper", "-M", "strict", "x.pl"}),
            "x.pl");
  EXPECT_EQ(script({"perl", "-i.bak", "-pe", "s/a/b/", "f.txt"}), "");
  EXPECT_EQ(script({"perl", "-0777", "-n", "x.pl"}), "x.pl");
  EXPECT_EQ(script({"perl", "-d:Trace", "-CSD", "x.pl"}), "x.pl");
  EXPECT_EQ(script({"perl5.36.0", "x.pl"}), "x.pl");
  EXPECT_EQ(script({"perl", "-"}), "");
}

TEST(ScriptDetectorTest, RecordedRuby) {
  EXPECT_EQ(script_of_record("ruby\0-w\0x.rb\0"s), "x.rb");
  EXPECT_EQ(script_of_record("ruby\0-e\0print File.read(\"/proc/self/cmdline\")\0"s), "");
}

TEST(ScriptDetectorTest, RubyOptions) {
  EXPECT_EQ(script({"ruby", "x.rb"}), "x.rb");
  EXPECT_EQ(script({"ruby", "-I", "lib", "-rjson", "-r", "yaml", "x.rb"}), "x.rb");
  EXPECT_EQ(script({"ruby", "-W:no-deprecated", "-Ku", "--encoding", "utf-8", "x.rb"}), "x.rb");
  EXPECT_EQ(script({"ruby", "--enable=jit", "--disable", "gems", "x.rb"}), "x.rb");
  EXPECT_EQ(script({"ruby3.1", "-S", "rake", "db:migrate"}), "rake");
  EXPECT_EQ(script({"ruby", "-ne", "puts $_"}), "");
}

TEST(ScriptDetectorTest, RecordedPhp) {
  EXPECT_EQ(script_of_record("php\0artisan\0queue:work\0"s), "artisan");
  EXPECT_EQ(script_of_record("php\0-d\0memory_limit=1G\0-f\0artisan\0"s), "artisan");
  EXPECT_EQ(script_of_record("php\0-r\0echo file_get_contents(\"/proc/self/cmdline\");\0"s), "");
}

TEST(ScriptDetectorTest, PhpOptions) {
  EXPECT_EQ(script({"php", "-f", "x"}), "x");
  EXPECT_EQ(script({"php", "-fx.php"}), "x.php");
  EXPECT_EQ(script({"php8.2", "-dmemory_limit=-1", "-n", "/var/www/artisan", "horizon"}),
            "artisan");
  EXPECT_EQ(script({"php", "-c", "/etc/php.ini", "--define", "a=b", "x.php"}), "x.php");
  EXPECT_EQ(script({"php", "-B", "$a=1;", "-F", "each.php"}), "each.php");
  EXPECT_EQ(script({"php", "-R", "echo $argn;"}), "");
  EXPECT_EQ(script({"php", "-a"}), "");
  EXPECT_EQ(script({"php", "--", "args"}), "");  // the script comes from stdin
}

TEST(ScriptDetectorTest, RscriptOptions) {
  EXPECT_EQ(script({"Rscript", "x.R"}), "x.R");
  EXPECT_EQ(
      script({"/usr/bin/Rscript", "--vanilla", "--default-packages=stats", "/srv/r/x.R", "a"}),
      "x.R");
  EXPECT_EQ(script({"Rscript", "--file=/srv/r/y.R"}), "y.R");
  EXPECT_EQ(script({"Rscript", "-e", "1+1"}), "");
}

TEST(ScriptDetectorTest, EnvFromAShebangLine) {
  // "#!/usr/bin/env python3" and "#!/usr/bin/env -S python3 -u", recorded as env saw them.
  EXPECT_EQ(script_of_record("/tmp/nrec/bin/env\0python3\0./s1.py\0arg1\0"s, "s1.py"), "s1.py");
  EXPECT_EQ(script_of_record("/tmp/nrec/bin/env\0-S python3 -u -X dev\0./s2.py\0arg1\0"s), "s2.py");
  EXPECT_EQ(script_of_record("/tmp/nrec/bin/env\0-S  python3   -u\0./s3.py\0arg1\0"s), "s3.py");
  // and what python3 then runs with.
  EXPECT_EQ(script_of_record("/root/.pyenv/versions/3.11.7/bin/python3\0-u\0./envs.py\0a\0"s),
            "envs.py");
}

TEST(ScriptDetectorTest, EnvOptionsAndAssignments) {
  EXPECT_EQ(script({"env", "-i", "A=1", "B=2", "node", "s.js"}), "s.js");
  EXPECT_EQ(script({"env", "-u", "HOME", "-C", "/srv", "--", "bash", "d.sh"}), "d.sh");
  EXPECT_EQ(script({"env", "--unset=HOME", "--chdir", "/srv", "perl", "x.pl"}), "x.pl");
  EXPECT_EQ(script({"env", "--split-string=python3 -m celery", "worker"}), "celery");
  EXPECT_EQ(script({"env", "-vS", "ruby -w", "x.rb"}), "x.rb");
  EXPECT_EQ(script({"env", "-S", "-i A=1 python3", "x.py"}), "x.py");
  EXPECT_EQ(script({"env", "env", "python3", "x.py"}), "x.py");
  EXPECT_EQ(script({"env", "A=1"}), "");
  EXPECT_EQ(script({"env"}), "");
  EXPECT_EQ(script({"env", "-S"}), "");
  EXPECT_EQ(script({"env", "sleep", "1"}, "python3"), "");  // env's command is what counts
}

TEST(ScriptDetectorTest, CommIdentifiesTheInterpreterWhenArgv0IsAnything) {
  EXPECT_EQ(script({"worker-7", "-u", "jobs/run.py"}, "python3"), "run.py");  // exec -a
  EXPECT_EQ(script({"worker-7", "-u", "jobs/run.py"}, "worker-7"), "");
}

TEST(ScriptDetectorTest, NotAnInterpreter) {
  EXPECT_EQ(script({"/usr/bin/sleep", "10"}), "");
  EXPECT_EQ(script({}), "");
  EXPECT_EQ(script({}, "python3"), "");
}

TEST(ScriptDetectorTest, HostileArguments) {
  EXPECT_EQ(script({"python3", std::string(1 << 20, 'a')}), std::string(128, 'a'));
  Args empties(5000, "");
  empties[0] = "bash";
  EXPECT_EQ(script(empties), "");
  EXPECT_EQ(script({"python3", "-W"}), "");
  EXPECT_EQ(script({"bash", "-o"}), "");
  EXPECT_EQ(script({"python3", "x\xff\xfe.py"}), "x\xff\xfe.py");
  EXPECT_EQ(script_of_record("\0"s, "python3"), "");  // argc 0
  EXPECT_EQ(script_of_record("python3 no nul at all"), "");
  Args splits{"env"};
  for (int i = 0; i < 1000; ++i) splits.emplace_back("-S");
  splits.emplace_back("python3");
  splits.emplace_back("x.py");
  EXPECT_EQ(script(splits), "");  // past env's bound on -S
}

// Real shebang scripts: the kernel's argv, read back from /proc, names the script.
std::string run_shebang_script(const std::string& shebang, const std::string& body) {
  test::TempFile file(shebang + "\n" + body + "\n");
  EXPECT_EQ(::chmod(file.path().c_str(), 0700), 0);
  const auto [status, out] = test::run_shell(file.path() + " arg1");
  EXPECT_EQ(status, 0) << out;
  return ScriptDetector().script("", split_command_line(out));
}

TEST(ScriptDetectorTest, ShellShebangScriptRunForReal) {
  const std::string recorded = run_shebang_script("#!/bin/sh -e", "cat /proc/$$/cmdline");
  EXPECT_EQ(recorded.rfind("execmond_test_", 0), 0U) << recorded;
}

TEST(ScriptDetectorTest, PerlShebangScriptRunForReal) {
  const std::string recorded = run_shebang_script(
      "#!/usr/bin/perl -w", "open my $f, '<', '/proc/self/cmdline' or die; local $/; print <$f>;");
  EXPECT_EQ(recorded.rfind("execmond_test_", 0), 0U) << recorded;
}

TEST(ScriptDetectorTest, EnvShebangScriptRunForReal) {
  // env runs perl, whose own command line then names the script.
  const std::string recorded =
      run_shebang_script("#!/usr/bin/env -S perl -w",
                         "open my $f, '<', '/proc/self/cmdline' or die; local $/; print <$f>;");
  EXPECT_EQ(recorded.rfind("execmond_test_", 0), 0U) << recorded;
}

}  // namespace
}  // namespace execmond::naming
