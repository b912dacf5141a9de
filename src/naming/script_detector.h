// The `script` label: for a process an interpreter runs, the script or module
// it runs, by its base name. `python3 /srv/jobs/backup.py` gives backup.py,
// `python3 -m celery worker` celery, `java -jar /opt/billing/billing.jar`
// billing.jar, `java -cp a:b com.acme.Main` com.acme.Main; inline code
// (python -c, sh -c, perl -e, node -e), stdin and a bare interactive
// interpreter give "". Options are skipped the way each interpreter reads
// them (naming/script_styles.h holds the tables).
//
// The interpreter is found by the base name of argv[0], else by the comm
// (argv[0] may be anything: `exec -a name python3 x.py`): first among the
// configured interpreters, then the built-in names: python, python3,
// python3.11 (any version, and pypy); java; node, nodejs; sh, bash, dash,
// zsh, ksh, mksh, ash; perl (perl5.36.0); ruby (ruby3.1); php (php8.2);
// Rscript.
//
// A script started by its shebang line: the kernel (binfmt_script) runs the
// interpreter with argv [interpreter, its one optional argument, the path the
// script was started by, the rest], so `./backup.py` reads as
// `/usr/bin/python3 ./backup.py`. Through `#!/usr/bin/env python3` the first
// exec is env's: env's options and NAME=VALUE assignments are skipped and its
// command is read as above, `env -S` ("#!/usr/bin/env -S python3 -u") split
// at white space (without env's quotes and escapes).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/naming_config.h"

namespace execmond::naming {

class ScriptDetector {
 public:
  ScriptDetector() = default;
  // `interpreters` (the configuration's, by base name) come before the built-in names.
  explicit ScriptDetector(std::span<const Interpreter> interpreters);

  // The script the process runs, by its base name cut to kMaxNameBytes; ""
  // when it is not an interpreter's or runs no script.
  std::string script(std::string_view comm, std::span<const std::string> argv) const;

  // The style of the interpreter `name` (a base name); nullopt when it is none.
  std::optional<InterpreterStyle> style_of(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, InterpreterStyle>> configured_;
};

// The script `args` (the arguments after the interpreter's own name) run in
// `style`: its base name, or "" when there is none.
std::string_view script_in_arguments(InterpreterStyle style,
                                     std::span<const std::string_view> args);

}  // namespace execmond::naming
