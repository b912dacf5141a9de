#include "naming/script_styles.h"

#include <array>

namespace execmond::naming {

namespace {

using enum Takes;
using enum Means;

// CPython's getopt (Python/getopt.c); -Q is Python 2's.
constexpr std::array kPython{
    OptionRule{"-c", AttachedOrNext, NoScript}, OptionRule{"-m", AttachedOrNext, Script},
    OptionRule{"-W", AttachedOrNext, Option},   OptionRule{"-X", AttachedOrNext, Option},
    OptionRule{"-Q", AttachedOrNext, Option},   OptionRule{"--check-hash-based-pycs", Next, Option},
};

// The launcher's options that take the next argument (java.c); the rest,
// -Xmx2g, -Dk=v, -XX:+Opt, -verbose:gc, -javaagent:x.jar, are one argument.
constexpr std::array kJava{
    OptionRule{"-jar", Next, Script},
    OptionRule{"-m", Next, Script},
    OptionRule{"--module", Next, Script},
    OptionRule{"-d", Next, NoScript},
    OptionRule{"--describe-module", Next, NoScript},
    OptionRule{"-cp", Next, Option},
    OptionRule{"-classpath", Next, Option},
    OptionRule{"--class-path", Next, Option},
    OptionRule{"-p", Next, Option},
    OptionRule{"--module-path", Next, Option},
    OptionRule{"--upgrade-module-path", Next, Option},
    OptionRule{"--add-modules", Next, Option},
    OptionRule{"--add-opens", Next, Option},
    OptionRule{"--add-exports", Next, Option},
    OptionRule{"--add-reads", Next, Option},
    OptionRule{"--patch-module", Next, Option},
    OptionRule{"--limit-modules", Next, Option},
    OptionRule{"--enable-native-access", Next, Option},
    OptionRule{"--source", Next, Option},
};

// node's own options that take a value, and V8's most used ones (V8 too
// takes "--flag value").
constexpr std::array kNode{
    OptionRule{"-e", Next, NoScript},
    OptionRule{"--eval", Next, NoScript},
    OptionRule{"-p", Next, NoScript},
    OptionRule{"--print", Next, NoScript},
    OptionRule{"-pe", Next, NoScript},
    OptionRule{"--run", Next, NoScript},
    OptionRule{"-r", Next, Option},
    OptionRule{"--require", Next, Option},
    OptionRule{"--import", Next, Option},
    OptionRule{"--loader", Next, Option},
    OptionRule{"--experimental-loader", Next, Option},
    OptionRule{"-C", Next, Option},
    OptionRule{"--conditions", Next, Option},
    OptionRule{"--title", Next, Option},
    OptionRule{"--env-file", Next, Option},
    OptionRule{"--input-type", Next, Option},
    OptionRule{"--inspect-port", Next, Option},
    OptionRule{"--openssl-config", Next, Option},
    OptionRule{"--icu-data-dir", Next, Option},
    OptionRule{"--redirect-warnings", Next, Option},
    OptionRule{"--disable-warning", Next, Option},
    OptionRule{"--diagnostic-dir", Next, Option},
    OptionRule{"--report-dir", Next, Option},
    OptionRule{"--report-directory", Next, Option},
    OptionRule{"--report-filename", Next, Option},
    OptionRule{"--cpu-prof-dir", Next, Option},
    OptionRule{"--cpu-prof-name", Next, Option},
    OptionRule{"--heap-prof-dir", Next, Option},
    OptionRule{"--heap-prof-name", Next, Option},
    OptionRule{"--dns-result-order", Next, Option},
    OptionRule{"--unhandled-rejections", Next, Option},
    OptionRule{"--max-http-header-size", Next, Option},
    OptionRule{"--secure-heap", Next, Option},
    OptionRule{"--watch-path", Next, Option},
    OptionRule{"--test-reporter", Next, Option},
    OptionRule{"--test-reporter-destination", Next, Option},
    OptionRule{"--max-old-space-size", Next, Option},
    OptionRule{"--max-semi-space-size", Next, Option},
    OptionRule{"--stack-size", Next, Option},
    OptionRule{"--stack-trace-limit", Next, Option},
};

// POSIX sh, bash, dash, zsh, ksh: -c takes its command from the first
// operand, -s reads stdin; "-" ends the options (bash).
constexpr std::array kShell{
    OptionRule{"-c", Nothing, NoScript},  OptionRule{"-s", Nothing, NoScript},
    OptionRule{"-o", Next, Option},       OptionRule{"-O", Next, Option},
    OptionRule{"--rcfile", Next, Option}, OptionRule{"--init-file", Next, Option},
    OptionRule{"-", Nothing, EndOptions},
};

// perlrun.
constexpr std::array kPerl{
    OptionRule{"-e", AttachedOrNext, NoScript}, OptionRule{"-E", AttachedOrNext, NoScript},
    OptionRule{"-I", AttachedOrNext, Option},   OptionRule{"-M", AttachedOrNext, Option},
    OptionRule{"-m", AttachedOrNext, Option},   OptionRule{"-x", Attached, Option},
    OptionRule{"-i", Attached, Option},         OptionRule{"-F", Attached, Option},
    OptionRule{"-d", Attached, Option},         OptionRule{"-D", Attached, Option},
    OptionRule{"-C", Attached, Option},         OptionRule{"-V", Attached, Option},
    OptionRule{"-0", Digits, Option},           OptionRule{"-l", Digits, Option},
};

// ruby --help.
constexpr std::array kRuby{
    OptionRule{"-e", AttachedOrNext, NoScript},
    OptionRule{"-I", AttachedOrNext, Option},
    OptionRule{"-r", AttachedOrNext, Option},
    OptionRule{"-C", AttachedOrNext, Option},
    OptionRule{"-E", AttachedOrNext, Option},
    OptionRule{"-x", Attached, Option},
    OptionRule{"-F", Attached, Option},
    OptionRule{"-K", Attached, Option},
    OptionRule{"-T", Attached, Option},
    OptionRule{"-W", Attached, Option},
    OptionRule{"-i", Attached, Option},
    OptionRule{"-0", Digits, Option},
    OptionRule{"--encoding", Next, Option},
    OptionRule{"--external-encoding", Next, Option},
    OptionRule{"--internal-encoding", Next, Option},
    OptionRule{"--enable", Next, Option},
    OptionRule{"--disable", Next, Option},
    OptionRule{"--dump", Next, Option},
};

// php -h (the CLI SAPI): `php [options] [-f] <file> [--] [args...]`.
constexpr std::array kPhp{
    OptionRule{"-f", AttachedOrNext, Script},
    OptionRule{"--file", Next, Script},
    OptionRule{"-F", AttachedOrNext, Script},
    OptionRule{"--process-file", Next, Script},
    OptionRule{"-r", AttachedOrNext, NoScript},
    OptionRule{"--run", Next, NoScript},
    OptionRule{"-R", AttachedOrNext, NoScript},
    OptionRule{"--process-code", Next, NoScript},
    OptionRule{"-a", Nothing, NoScript},
    OptionRule{"--interactive", Nothing, NoScript},
    OptionRule{"--", Nothing, NoScript},
    OptionRule{"-B", AttachedOrNext, Option},
    OptionRule{"--process-begin", Next, Option},
    OptionRule{"-E", AttachedOrNext, Option},
    OptionRule{"--process-end", Next, Option},
    OptionRule{"-c", AttachedOrNext, Option},
    OptionRule{"--php-ini", Next, Option},
    OptionRule{"-d", AttachedOrNext, Option},
    OptionRule{"--define", Next, Option},
    OptionRule{"-z", AttachedOrNext, Option},
    OptionRule{"--zend-extension", Next, Option},
    OptionRule{"-t", AttachedOrNext, Option},
    OptionRule{"--docroot", Next, Option},
    OptionRule{"-S", AttachedOrNext, Option},
    OptionRule{"--server", Next, Option},
    OptionRule{"--rf", Next, Option},
    OptionRule{"--rc", Next, Option},
    OptionRule{"--re", Next, Option},
    OptionRule{"--rz", Next, Option},
    OptionRule{"--ri", Next, Option},
};

// Rscript --help.
constexpr std::array kRscript{
    OptionRule{"-e", Next, NoScript},
    OptionRule{"--file", Next, Script},
    OptionRule{"--default-packages", Next, Option},
};

constexpr StyleTable kPythonStyle{kPython, true, false, false};
constexpr StyleTable kJavaStyle{kJava, false, false, true};
constexpr StyleTable kNodeStyle{kNode, false, false, false};
constexpr StyleTable kShellStyle{kShell, true, true, false};
constexpr StyleTable kPerlStyle{kPerl, true, false, false};
constexpr StyleTable kRubyStyle{kRuby, true, false, false};
constexpr StyleTable kPhpStyle{kPhp, false, false, false};
constexpr StyleTable kRscriptStyle{kRscript, false, false, false};

}  // namespace

const StyleTable& style_table(InterpreterStyle style) {
  switch (style) {
    case InterpreterStyle::Python:
      return kPythonStyle;
    case InterpreterStyle::Java:
      return kJavaStyle;
    case InterpreterStyle::Node:
      return kNodeStyle;
    case InterpreterStyle::Shell:
      return kShellStyle;
    case InterpreterStyle::Perl:
      return kPerlStyle;
    case InterpreterStyle::Ruby:
      return kRubyStyle;
    case InterpreterStyle::Php:
      return kPhpStyle;
    case InterpreterStyle::Rscript:
      return kRscriptStyle;
  }
  return kPythonStyle;  // unreachable: every style is above
}

}  // namespace execmond::naming
