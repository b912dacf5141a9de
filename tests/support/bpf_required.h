// Whether a test that cannot run here may skip. CI sets EXECMOND_REQUIRE_BPF=1
// and runs as root on a host with BPF and cgroup v2: there a test that lacks
// what it needs (BPF, root, a capability, a cgroup it may create) fails
// instead of passing as skipped.
#pragma once

namespace execmond::test {

bool bpf_required();

}  // namespace execmond::test
