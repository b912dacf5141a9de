#!/usr/bin/env bash
# Checks the Dockerfile without a container engine:
#   (a) the build stage installs exactly the Makefile's DEPS, less the
#       test-only packages (TEST_ONLY below: the image does not build tests);
#   (b) every package either stage installs has a candidate in Debian 12
#       (apt-cache policy);
#   (c) the runtime stage installs no -dev package and no build tool;
#   (d) with a BUILD_DIR: every shared library the built execmond needs comes
#       from a runtime package or one of their dependencies;
#   (e) the image's layout: bases, binary and config copied, port, entrypoint;
#   (f) with --build: copies the build context as .dockerignore filters it and
#       runs the build stage's build command on it (Debian 12 host with the
#       build packages installed; takes a few minutes).
# Usage: tests/prometheus/dockerfile-check.sh [--build] [BUILD_DIR]
# Prints PASS/FAIL per check and "N passed, N failed"; exits 1 on a failure.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DO_BUILD=0
BUILD_DIR=""
for arg in "$@"; do
  case "$arg" in
    --build) DO_BUILD=1 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) BUILD_DIR=$(cd "$arg" && pwd) ;;
  esac
done

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# apt-cache answers from the package lists; fetch them once if there are none.
if ! apt-cache policy libbpf1 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq; fi
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ROOT="$ROOT" BUILD_DIR="$BUILD_DIR" DO_BUILD="$DO_BUILD" TMP="$tmp" "$PY" - <<'PY'
import os
import re
import shlex
import shutil
import subprocess
import sys

ROOT = os.environ["ROOT"]
BUILD_DIR = os.environ["BUILD_DIR"]
DO_BUILD = os.environ["DO_BUILD"] == "1"
TMP = os.environ["TMP"]

# In DEPS for the test suite only; the image is built with EXECMOND_BUILD_TESTS=OFF.
TEST_ONLY = {"libgtest-dev", "libgmock-dev", "prometheus", "curl"}
BUILD_TOOLS = {"build-essential", "cmake", "pkg-config", "clang", "llvm", "bpftool", "gcc", "g++", "make"}

passed = failed = 0


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS  {what}")
    else:
        failed += 1
        print(f"FAIL  {what}" + (f": {detail}" if detail else ""))


def logical_lines(text):
    """Lines with backslash continuations joined and comments dropped."""
    out, cur = [], ""
    for raw in text.splitlines():
        line = raw.rstrip()
        if not cur and line.lstrip().startswith("#"):
            continue
        if line.lstrip().startswith("#"):  # a comment inside a continued RUN
            continue
        if line.endswith("\\"):
            cur += line[:-1] + " "
            continue
        cur += line
        if cur.strip():
            out.append(cur.strip())
        cur = ""
    if cur.strip():
        out.append(cur.strip())
    return out


def makefile_deps():
    text = open(os.path.join(ROOT, "Makefile")).read()
    for line in logical_lines(text):
        m = re.match(r"^DEPS\s*[:?]?=\s*(.*)$", line)
        if m:
            return m.group(1).split()
    raise SystemExit("FAIL  no DEPS variable in the Makefile")


def stages():
    text = open(os.path.join(ROOT, "Dockerfile")).read()
    result = []
    for line in logical_lines(text):
        word = line.split(None, 1)[0].upper()
        rest = line.split(None, 1)[1] if " " in line else ""
        if word == "FROM":
            result.append({"from": rest, "instructions": []})
        elif result:
            result[-1]["instructions"].append((word, rest))
    return result


def apt_packages(stage):
    pkgs = []
    for word, rest in stage["instructions"]:
        if word != "RUN":
            continue
        for command in re.split(r"&&|;|\|\|", rest):
            tokens = shlex.split(command)
            # skip VAR=value prefixes
            while tokens and re.match(r"^[A-Z_]+=", tokens[0]):
                tokens.pop(0)
            if len(tokens) >= 2 and tokens[0] in ("apt-get", "apt") and "install" in tokens:
                after = tokens[tokens.index("install") + 1:]
                pkgs += [t for t in after if not t.startswith("-")]
    return pkgs


deps = makefile_deps()
st = stages()
check(len(st) == 2, "Dockerfile has two stages (build, runtime)", f"found {len(st)}")
build = next((s for s in st if re.search(r"\bAS\s+build\b", s["from"], re.I)), None)
runtime = st[-1] if st else None
check(build is not None and build["from"].split()[0] == "debian:12",
      "build stage is FROM debian:12 AS build", build and build["from"])
check(runtime is not None and runtime["from"].split()[0] == "debian:12-slim",
      "runtime stage is FROM debian:12-slim", runtime and runtime["from"])
if build is None or runtime is None:
    print(f"dockerfile-check: {passed} passed, {failed} failed")
    sys.exit(1)

build_pkgs = apt_packages(build)
runtime_pkgs = apt_packages(runtime)

# (a)
missing_test_only = sorted(TEST_ONLY - set(deps))
check(not missing_test_only, "test-only packages are all in the Makefile's DEPS",
      f"not in DEPS any more: {missing_test_only} (update TEST_ONLY)")
expected = [d for d in deps if d not in TEST_ONLY]
check(sorted(build_pkgs) == sorted(expected) and len(build_pkgs) == len(set(build_pkgs)),
      f"build stage installs the Makefile's DEPS less {sorted(TEST_ONLY)}",
      f"missing {sorted(set(expected) - set(build_pkgs))}, extra {sorted(set(build_pkgs) - set(expected))}")

# (b)
def candidate(pkg):
    out = subprocess.run(["apt-cache", "policy", pkg], capture_output=True, text=True).stdout
    m = re.search(r"Candidate:\s*(\S+)", out)
    return m.group(1) if m and m.group(1) != "(none)" else None


for pkg in runtime_pkgs:
    c = candidate(pkg)
    check(c is not None, f"runtime package {pkg} exists in Debian 12 ({c})", "no candidate in apt-cache policy")
bad_build = [p for p in build_pkgs if candidate(p) is None]
check(not bad_build, f"all {len(build_pkgs)} build packages exist in Debian 12", f"no candidate: {bad_build}")

# (c)
dev = [p for p in runtime_pkgs if p.endswith("-dev") or p.endswith("-dev:amd64")]
check(not dev, "runtime stage installs no -dev package", f"{dev}")
tools = [p for p in runtime_pkgs if p in BUILD_TOOLS]
check(not tools, "runtime stage installs no build tool", f"{tools}")
check(any("--no-install-recommends" in rest for word, rest in runtime["instructions"] if word == "RUN"),
      "runtime stage installs with --no-install-recommends")

# (e)
instr = runtime["instructions"]
copies = [rest for word, rest in instr if word == "COPY"]
check(any(re.search(r"--from=build\s+\S*execmond\s+/usr/sbin/execmond$", c) for c in copies),
      "runtime stage copies the built binary to /usr/sbin/execmond", f"{copies}")
check(any(re.search(r"config/execmond\.yaml\s+/etc/execmond/execmond\.yaml$", c) for c in copies),
      "runtime stage copies config/execmond.yaml to /etc/execmond/", f"{copies}")
check(os.path.exists(os.path.join(ROOT, "config/execmond.yaml")), "config/execmond.yaml exists")
check(("EXPOSE", "9765") in instr, "runtime stage EXPOSEs 9765")
check(("ENTRYPOINT", '["/usr/sbin/execmond"]') in instr, 'ENTRYPOINT ["/usr/sbin/execmond"]')
build_runs = " ".join(rest for word, rest in build["instructions"] if word == "RUN")
check("-DEXECMOND_BUILD_TESTS=OFF" in build_runs, "build stage configures with -DEXECMOND_BUILD_TESTS=OFF")


# (d)
def dependency_closure(pkgs):
    """The runtime packages and everything they depend on, recursively."""
    out = subprocess.run(
        ["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
         "--no-breaks", "--no-replaces", "--no-enhances", *pkgs],
        capture_output=True, text=True).stdout
    # Each package visited is printed at the start of a line, its relations indented.
    return {line.strip().split(":")[0] for line in out.splitlines()
            if line and not line[0].isspace() and not line.startswith("<")}


def needed_packages(binary):
    out = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    pkgs = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\S+) => (\S+)", line)
        if not m or m.group(2) == "not":
            continue
        real = os.path.realpath(m.group(2))
        owner = None
        for path in (m.group(2), real, real.replace("/usr/lib/", "/lib/", 1),
                     real.replace("/lib/", "/usr/lib/", 1)):
            r = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
            if r.returncode == 0:
                owner = r.stdout.split(":", 1)[0]
                break
        pkgs[m.group(1)] = owner
    return pkgs


def check_binary(binary, label):
    closure = dependency_closure(runtime_pkgs)
    needed = needed_packages(binary)
    check(bool(needed), f"ldd lists the libraries of {label}")
    for lib, owner in sorted(needed.items()):
        check(owner is not None and owner in closure,
              f"{lib} comes from {owner}, installed by the runtime stage",
              "no package owns it" if owner is None else f"{owner} is not in the runtime packages' dependencies")
    direct = {o for o in needed.values() if o}
    unused = [p for p in runtime_pkgs if p not in direct]
    check(not unused, "every runtime package provides a library execmond loads",
          f"unused: {unused}")


if BUILD_DIR:
    binary = os.path.join(BUILD_DIR, "execmond")
    if os.path.exists(binary):
        check_binary(binary, binary)
    else:
        check(False, f"{binary} exists (build it first)")

# (f)
if DO_BUILD:
    ignore = [l.strip() for l in open(os.path.join(ROOT, ".dockerignore")) if l.strip() and not l.startswith("#")]
    import fnmatch

    def ignored(rel):
        verdict = False
        for pat in ignore:
            neg = pat.startswith("!")
            p = pat[1:] if neg else pat
            p = p.lstrip("/").rstrip("/")
            parts = rel.split("/")
            hit = False
            for i in range(1, len(parts) + 1):
                prefix = "/".join(parts[:i])
                if fnmatch.fnmatchcase(prefix, p) or (p.startswith("**/") and (
                        fnmatch.fnmatchcase(prefix, p[3:]) or fnmatch.fnmatchcase(prefix, p))):
                    hit = True
                    break
                if p.startswith("**/") and fnmatch.fnmatchcase(parts[i - 1], p[3:]):
                    hit = True
                    break
            if hit:
                verdict = not neg
        return verdict

    ctx = os.path.join(TMP, "context")
    copied = 0
    for dirpath, dirnames, filenames in os.walk(ROOT):
        rel_dir = os.path.relpath(dirpath, ROOT)
        rel_dir = "" if rel_dir == "." else rel_dir
        dirnames[:] = [d for d in dirnames if not ignored(os.path.join(rel_dir, d) if rel_dir else d)]
        for f in filenames:
            rel = os.path.join(rel_dir, f) if rel_dir else f
            if ignored(rel):
                continue
            os.makedirs(os.path.join(ctx, rel_dir), exist_ok=True)
            shutil.copy2(os.path.join(ROOT, rel), os.path.join(ctx, rel), follow_symlinks=False)
            copied += 1
    check(copied > 0 and not os.path.exists(os.path.join(ctx, ".git")),
          f".dockerignore leaves {copied} files in the build context, no .git")
    # The build stage's RUN after COPY . . (its commands, with /build moved into the temp dir).
    runs, after_copy = [], False
    for word, rest in build["instructions"]:
        if word == "COPY" and rest.split() == [".", "."]:
            after_copy = True
        elif word == "RUN" and after_copy:
            runs.append(rest.replace("/build", os.path.join(TMP, "out")))
    for command in runs:
        print(f"      running in the context: {command[:100]}...")
        r = subprocess.run(["bash", "-ec", command], cwd=ctx, capture_output=True, text=True)
        tail = (r.stdout + r.stderr)[-3000:]
        check(r.returncode == 0, "build stage command succeeds on the filtered context", tail)
    built = os.path.join(TMP, "out", "execmond")
    if os.path.exists(built):
        check_binary(built, "the image's build of execmond")

print(f"dockerfile-check: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
