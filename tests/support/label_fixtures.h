// Label configurations and identities shared by the unit tests.
#pragma once

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

}  // namespace execmond::test
