// The doctor's verdicts from host facts; the real host is probed by the
// privileged tests and in the system test's VM.
#include "app/doctor.h"

#include <gtest/gtest.h>

namespace execmond {
namespace {

HostFacts healthy() {
  HostFacts f;
  f.kernel_release = "6.1.0-28-amd64";
  f.config_file = "/etc/execmond/execmond.yaml";
  f.tracefs = true;
  f.lockdown = "none";
  f.bpf_stats_enabled = 0;
  f.perf_event_paranoid = 2;
  f.cgroup2_mount = "/sys/fs/cgroup";
  f.running_as_root = true;
  return f;
}

Verdict verdict_of(const std::vector<Check>& checks, const std::string& name) {
  for (const Check& c : checks) {
    if (c.name == name) return c.verdict;
  }
  ADD_FAILURE() << "no check named " << name;
  return Verdict::kFail;
}

TEST(DoctorTest, AHealthyHostPassesEveryCheck) {
  auto checks = evaluate(healthy());
  for (const Check& c : checks) EXPECT_EQ(c.verdict, Verdict::kOk) << c.name << ": " << c.detail;
  EXPECT_EQ(exit_status(checks), 0);
  EXPECT_EQ(checks.size(), 12U);
}

TEST(DoctorTest, EachBlockerFailsAndNamesItsFix) {
  struct Case {
    const char* check;
    void (*spoil)(HostFacts&);
    const char* fix_mentions;
  };
  const Case cases[] = {
      {"kernel version", [](HostFacts& f) { f.kernel_release = "5.10.0-30-amd64"; }, "5.13"},
      {"kernel version", [](HostFacts& f) { f.kernel_release = "5.12.19"; }, "callbacks"},
      {"configuration", [](HostFacts& f) { f.config_problem = "x.yaml:3: tracer.max_keys: bad"; },
       "correct the file"},
      {"kernel BTF",
       [](HostFacts& f) { f.btf_problem = "kernel BTF not found at /x: CONFIG_DEBUG_INFO_BTF=y"; },
       "CONFIG_DEBUG_INFO_BTF"},
      {"BPF privileges", [](HostFacts& f) { f.privilege_problem = "missing CAP_BPF"; },
       "missing CAP_BPF"},
      {"kernel lockdown", [](HostFacts& f) { f.lockdown = "confidentiality"; }, "lockdown="},
  };
  for (const Case& c : cases) {
    HostFacts f = healthy();
    c.spoil(f);
    auto checks = evaluate(f);
    EXPECT_EQ(verdict_of(checks, c.check), Verdict::kFail) << c.check;
    EXPECT_EQ(exit_status(checks), 1) << c.check;
    for (const Check& check : checks) {
      if (check.name != c.check) continue;
      EXPECT_NE(check.fix.find(c.fix_mentions), std::string::npos) << check.fix;
    }
  }
}

TEST(DoctorTest, WithoutPrivilegesTheProgramsAreNotTried) {
  HostFacts f = healthy();
  f.privilege_problem = "missing CAP_BPF and CAP_PERFMON (uid 1000)";
  auto checks = evaluate(f);
  EXPECT_EQ(verdict_of(checks, "tp_btf programs"), Verdict::kFail);
  EXPECT_EQ(verdict_of(checks, "tracepoint programs"), Verdict::kFail);
}

TEST(DoctorTest, OneWorkingProgramSetIsEnough) {
  HostFacts f = healthy();
  f.tp_btf_problem = "cannot load the BPF tracer: tp_btf programs failed to load: EINVAL";
  auto checks = evaluate(f);
  EXPECT_EQ(verdict_of(checks, "tp_btf programs"), Verdict::kWarn);
  EXPECT_EQ(exit_status(checks), 0);

  f = healthy();
  f.tracepoint_problem = "cannot attach tracepoint_exec: tracefs";
  f.tracefs = false;
  f.perf_event_paranoid = 3;
  checks = evaluate(f);
  EXPECT_EQ(verdict_of(checks, "tracepoint programs"), Verdict::kWarn);
  EXPECT_EQ(verdict_of(checks, "tracefs"), Verdict::kWarn);
  EXPECT_EQ(verdict_of(checks, "perf_event_paranoid"), Verdict::kWarn);
  EXPECT_EQ(exit_status(checks), 0);

  f.tp_btf_problem = "tp_btf programs failed to load";
  checks = evaluate(f);
  EXPECT_EQ(verdict_of(checks, "tp_btf programs"), Verdict::kFail);
  EXPECT_EQ(exit_status(checks), 1);
}

TEST(DoctorTest, ReportIsOneAlignedLinePerCheck) {
  std::vector<Check> checks{{"kernel version", Verdict::kOk, "6.1.0", ""},
                            {"tracefs", Verdict::kWarn, "absent", "mount it"},
                            {"kernel BTF", Verdict::kFail, "missing", "rebuild"}};
  EXPECT_EQ(report(checks),
            "OK    kernel version       6.1.0\n"
            "WARN  tracefs              absent; fix: mount it\n"
            "FAIL  kernel BTF           missing; fix: rebuild\n");
}

}  // namespace
}  // namespace execmond
