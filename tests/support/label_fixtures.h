// Label configurations and identities shared by the unit tests.
#pragma once

#include <utility>

#include "config/config.h"
#include "identity/identity.h"

namespace execmond::test {

// A different label set on every family, to see that each follows its own.
inline LabelConfig mixed_labels() {
  LabelConfig labels;
  auto family = [&](Family f) -> std::vector<LabelSource>& {
    return labels.per_family[static_cast<std::size_t>(f)];
  };
  family(Family::Execs) = {LabelSource::Comm, LabelSource::Exe};
  family(Family::Forks) = {LabelSource::Uid};
  family(Family::Exits) = {LabelSource::Unit};
  family(Family::Lifetime) = {LabelSource::Cgroup, LabelSource::ContainerId};
  family(Family::Processes) = {LabelSource::User};
  return labels;
}

// Every label source with the label name the README documents for it, written
// out here (not read from the source's table) so that a renamed label fails.
inline constexpr std::pair<LabelSource, const char*> kDocumentedLabelNames[] = {
    {LabelSource::Comm, "comm"},
    {LabelSource::Exe, "exe"},
    {LabelSource::Unit, "unit"},
    {LabelSource::Cgroup, "cgroup"},
    {LabelSource::ContainerId, "container_id"},
    {LabelSource::Uid, "uid"},
    {LabelSource::User, "user"},
    {LabelSource::PodUid, "pod_uid"},
    {LabelSource::Pod, "pod"},
    {LabelSource::Namespace, "namespace"},
    {LabelSource::Container, "container"},
    {LabelSource::Program, "program"},
    {LabelSource::Script, "script"},
    {LabelSource::Parent, "parent"},
};

}  // namespace execmond::test
