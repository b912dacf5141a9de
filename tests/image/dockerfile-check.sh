#!/usr/bin/env bash
# Checks the Dockerfile without a container engine:
#   (a) the build stage installs exactly the Makefile's DEPS (what building
#       the daemon needs; the test-only packages are its TEST_DEPS, and the
#       image does not build tests); a package added to DEPS for the build
#       fails here until the Dockerfile has it too;
#   (b) every package either stage installs has a candidate in Debian 12
#       (apt-cache policy);
#   (c) the runtime stage installs no -dev package and no build tool;
#   (d) with a BUILD_DIR: stages BUILD_DIR as the build stage does
#       (cmake --install --component execmond --prefix /usr); the daemon's
#       DT_RPATH finds the TLS libraries civetweb dlopen()s (libssl.so,
#       libcrypto.so in /usr/lib/execmond), and every shared library that the
#       daemon or those two need comes from a runtime package or one of their
#       dependencies, and every runtime package provides one of them;
#   (e) the image's layout: bases, the staged install copied whole, port,
#       entrypoint, configuration;
#   (f) with --build: copies the build context as .dockerignore filters it and
#       runs the build stage's build command on it, then (d) on what it
#       staged (Debian 12 host with the build packages installed; takes a few
#       minutes).
# tests/image/run.sh (make imagetest) runs this with its BUILD_DIR, then
# builds and runs the image with podman.
# Usage: tests/image/dockerfile-check.sh [--build] [BUILD_DIR]
# Prints PASS/FAIL per check and "N passed, N failed"; exits 1 on a failure.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DO_BUILD=0
BUILD_DIR=""
for arg in "$@"; do
  case "$arg" in
    --build) DO_BUILD=1 ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
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


def makefile_packages(variable):
    text = open(os.path.join(ROOT, "Makefile")).read()
    for line in logical_lines(text):
        m = re.match(r"^" + variable + r"\s*[:?]?=\s*(.*)$", line)
        if m:
            return m.group(1).split()
    raise SystemExit(f"FAIL  no {variable} variable in the Makefile")


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


deps = makefile_packages("DEPS")
# The test suite's only; the image is built with EXECMOND_BUILD_TESTS=OFF.
test_deps = makefile_packages("TEST_DEPS")
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
check(not set(test_deps) & set(deps), "the Makefile's DEPS (what `make run` installs) holds no test-only package",
      f"in both DEPS and TEST_DEPS: {sorted(set(test_deps) & set(deps))}")
check(sorted(build_pkgs) == sorted(deps) and len(build_pkgs) == len(set(build_pkgs)),
      "build stage installs the Makefile's DEPS",
      f"missing {sorted(set(deps) - set(build_pkgs))}, extra {sorted(set(build_pkgs) - set(deps))}")

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
build_runs = " ".join(" ".join(rest.split()) for word, rest in build["instructions"] if word == "RUN")
# The build stage stages the install as the packages lay it out; the runtime
# stage copies that tree whole, so the TLS libraries land where the daemon's
# RPATH points (a hand-copied binary would leave them behind).
staged = re.search(r"DESTDIR=(\S+)\s+cmake\s+--install\s+\S+([^&;]*)", build_runs)
stage_dir = staged.group(1).rstrip("/") if staged else None
install_args = staged.group(2).split() if staged else []
check(staged is not None, "build stage stages the install (DESTDIR=DIR cmake --install)", build_runs[-300:])
check(staged is not None and " ".join(install_args).find("--prefix /usr") >= 0,
      "build stage installs with --prefix /usr (the packages' layout)", " ".join(install_args))
check(staged is not None and " ".join(install_args).find("--component execmond") >= 0,
      "build stage installs only the execmond component (no unit)", " ".join(install_args))
from_build = [c for c in copies if c.startswith("--from=build")]
check(stage_dir is not None and len(from_build) == 1 and
      re.fullmatch(rf"--from=build\s+{re.escape(stage_dir)}/?\s+/", from_build[0]) is not None,
      f"runtime stage copies the staged tree {stage_dir or '(none)'}/ to / and nothing else from the build stage",
      f"{from_build}")
check(("EXPOSE", "9765") in instr, "runtime stage EXPOSEs 9765")
check(("ENTRYPOINT", '["/usr/sbin/execmond"]') in instr, 'ENTRYPOINT ["/usr/sbin/execmond"]')
cmd = [rest for word, rest in instr if word == "CMD"]
check(cmd == ['["--config.file=/etc/execmond/execmond.yaml"]'],
      'CMD ["--config.file=/etc/execmond/execmond.yaml"] (installed there by packaging.cmake)', f"{cmd}")
check("-DEXECMOND_BUILD_TESTS=OFF" in build_runs, "build stage configures with -DEXECMOND_BUILD_TESTS=OFF")


# (d)
# civetweb dlopen()s these by name; the daemon's RPATH leads it to them.
TLS_LIBS = {"libssl.so": "libssl.so.3", "libcrypto.so": "libcrypto.so.3"}


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
    """Each library ldd resolves for binary, and the package owning it (None if none does)."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    pkgs = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\S+) => (\S+)", line)
        if not m:
            continue
        if m.group(2) == "not":
            pkgs[m.group(1)] = None
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


def dynamic_section(path):
    """NEEDED sonames, DT_RPATH and DT_RUNPATH of an ELF file (readelf -d)."""
    out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True).stdout
    rpath = re.search(r"\(RPATH\)\s+Library rpath: \[(.*)\]", out)
    runpath = re.search(r"\(RUNPATH\)\s+Library runpath: \[(.*)\]", out)
    return (re.findall(r"\(NEEDED\)\s+Shared library: \[(.*)\]", out),
            rpath.group(1) if rpath else None, runpath.group(1) if runpath else None)


def check_staged(stage, label):
    """The tree the runtime stage copies to /: daemon, TLS libraries, configuration."""
    binary = os.path.join(stage, "usr/sbin/execmond")
    if not os.path.exists(binary):
        check(False, f"{label}: /usr/sbin/execmond staged", f"no {binary}")
        return
    check(os.path.exists(os.path.join(stage, "etc/execmond/execmond.yaml")),
          f"{label}: /etc/execmond/execmond.yaml staged (the image's CMD names it)")
    _, rpath, runpath = dynamic_section(binary)
    check(rpath is not None and runpath is None,
          f"{label}: execmond has a DT_RPATH and no RUNPATH (only DT_RPATH serves its libraries' dlopen())",
          f"RPATH {rpath}, RUNPATH {runpath}")
    dirs = [d for d in (rpath or "").split(":") if d]
    check(bool(dirs) and all(d.startswith("$ORIGIN") for d in dirs),
          f"{label}: the RPATH is $ORIGIN-relative ({rpath})", "an absolute RPATH names the build machine")
    dirs = [os.path.normpath(d.replace("$ORIGIN", os.path.dirname(binary))) for d in dirs]
    files = [binary]
    for lib, real in sorted(TLS_LIBS.items()):
        path = next((os.path.join(d, lib) for d in dirs if os.path.exists(os.path.join(d, lib))), None)
        check(path is not None,
              f"{label}: {lib} found through the RPATH"
              + (f" at /{os.path.relpath(path, stage)}" if path else ""),
              f"not in {['/' + os.path.relpath(d, stage) for d in dirs]}")
        if path:
            needed, _, _ = dynamic_section(path)
            check(real in needed, f"{label}: {lib} links the real {real}", f"NEEDED {needed}")
            files.append(path)
    check_libraries(files, label)


def check_libraries(files, label):
    """Every library the files load comes with the runtime packages; each runtime package is used."""
    closure = dependency_closure(runtime_pkgs)
    owners = set()
    for f in files:
        needed = needed_packages(f)
        name = os.path.basename(f)
        check(bool(needed), f"{label}: ldd lists the libraries of {name}")
        for lib, owner in sorted(needed.items()):
            check(owner is not None and owner in closure,
                  f"{name}: {lib} comes from {owner}, installed by the runtime stage",
                  "no package owns it (not found?)" if owner is None
                  else f"{owner} is not in the runtime packages' dependencies")
            if owner:
                owners.add(owner)
    unused = [p for p in runtime_pkgs if p not in owners]
    check(not unused, f"{label}: every runtime package provides a library execmond or its TLS libraries load",
          f"unused: {unused}")


def stage_install(build_dir, stage):
    """What the build stage does after building: cmake --install into a staging tree."""
    env = dict(os.environ, DESTDIR=stage)
    r = subprocess.run(["cmake", "--install", build_dir, "--prefix", "/usr", "--component", "execmond"],
                       env=env, capture_output=True, text=True)
    check(r.returncode == 0, f"cmake --install {build_dir} --prefix /usr --component execmond (DESTDIR)",
          (r.stdout + r.stderr)[-2000:])
    return r.returncode == 0


if BUILD_DIR:
    if not os.path.exists(os.path.join(BUILD_DIR, "execmond")):
        check(False, f"{BUILD_DIR}/execmond exists (build it first)")
    elif stage_install(BUILD_DIR, os.path.join(TMP, "stage-build-dir")):
        check_staged(os.path.join(TMP, "stage-build-dir"), BUILD_DIR)

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
    # The build stage's RUN after COPY . . (its commands, with /build and the
    # staging directory moved into the temp dir).
    stage = os.path.join(TMP, "stage")
    runs, after_copy = [], False
    for word, rest in build["instructions"]:
        if word == "COPY" and rest.split() == [".", "."]:
            after_copy = True
        elif word == "RUN" and after_copy:
            if stage_dir:
                rest = rest.replace(stage_dir, stage)
            runs.append(rest.replace("/build", os.path.join(TMP, "out")))
    for command in runs:
        print(f"      running in the context: {command[:100]}...")
        r = subprocess.run(["bash", "-ec", command], cwd=ctx, capture_output=True, text=True)
        tail = (r.stdout + r.stderr)[-3000:]
        check(r.returncode == 0, "build stage command succeeds on the filtered context", tail)
    check_staged(stage, "the image's build")

print(f"dockerfile-check: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
