// How each interpreter style reads its command line, as tables: the options
// that take a value, and the ones that name the script or say there is none.
// script_detector.cpp walks an interpreter's arguments with its table; an
// option a table leaves out is read as a flag that takes no value, which is
// what most options of every interpreter are.
//
// The tables, in short (style: options with a value; script from an
// option; no script):
//   python  -W -X -Q, --check-hash-based-pycs; -m MODULE; -c CODE, -
//   java    -cp -classpath --class-path -p --module-path
//           --upgrade-module-path --add-modules --add-opens --add-exports
//           --add-reads --patch-module --limit-modules --enable-native-access
//           --source, @argfiles skipped; -jar FILE, -m/--module
//           MODULE[/CLASS]; -d/--describe-module. Else the main class or
//           source file.
//   node    -r/--require --import --loader -C/--conditions --title and the
//           other options that take a value (their long forms also with =);
//           none; -e/--eval -p/--print -pe --run, -
//   shell   -o -O (also +o +O), --rcfile --init-file; none; -c -s
//   perl    -I -M -m (attached or next), -x -i -F -d -D -C -V (attached),
//           -0 -l (attached digits); none; -e -E, -
//   ruby    -I -r -C -E (attached or next), -x -F -K -T -W -i (attached),
//           -0 (digits), --encoding --enable --disable --dump; none; -e, -
//   php     -c -d -z -t -S -B -E and their long forms; -f/--file FILE,
//           -F/--process-file FILE; -r/--run -R/--process-code -a, --
//   rscript --default-packages; --file=FILE; -e
// Everywhere: the first argument that is not an option is the script; "--"
// ends the options (php: the script comes from stdin); "-" alone is stdin.
#pragma once

#include <span>
#include <string_view>

#include "config/naming_config.h"

namespace execmond::naming {

// How an option reads its value.
enum class Takes {
  Nothing,         // a flag
  Next,            // the next argument; a --long option also takes "=value"
  AttachedOrNext,  // the rest of this argument ("-mcelery"), else the next one
  Attached,        // the rest of this argument, maybe none (perl -i.bak, -i)
  Digits,          // digits attached, maybe none, then more letters (perl -l0e)
};

// What an option says about the script.
enum class Means {
  Option,      // nothing: read on
  Script,      // its value is the script or module (python -m, java -jar)
  NoScript,    // the program is inline or on stdin (-c, -e): there is no script
  EndOptions,  // the argument after it is the script, even one starting with '-'
};

struct OptionRule {
  std::string_view spelling;  // in full: "-c", "--eval", "-cp"
  Takes takes;
  Means means;
};

struct StyleTable {
  std::span<const OptionRule> options;
  // "-ux" is "-u -x" (getopt); else an argument is one option, though a
  // one-letter option that takes a value may have it attached ("-dk=v").
  bool letters_combine;
  bool plus_options;  // "+x" and "+o name" (shells) read like "-x", "-o name"
  bool at_files;      // "@file" holds more options (java): skipped
};

const StyleTable& style_table(InterpreterStyle style);

}  // namespace execmond::naming
