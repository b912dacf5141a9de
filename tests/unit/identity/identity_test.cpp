// Identity::value() gives each label source its own field.
#include "identity/identity.h"

#include <gtest/gtest.h>

#include "config/enum_names.h"

namespace execmond {
namespace {

TEST(IdentityTest, EachSourceReadsItsOwnField) {
  // Each field holds its source's YAML name, so a mix-up shows by name.
  const Identity who{.comm = "comm",
                     .exe = "exe",
                     .cgroup = "cgroup",
                     .unit = "unit",
                     .container_id = "container_id",
                     .uid = "uid",
                     .user = "user",
                     .pod_uid = "pod_uid",
                     .pod = "pod",
                     .pod_namespace = "namespace",
                     .container = "container",
                     .program = "program",
                     .script = "script",
                     .parent = "parent"};
  for (const EnumName<LabelSource>& source : kLabelSourceNames) {
    EXPECT_EQ(who.value(source.value), source.name);
  }
}

}  // namespace
}  // namespace execmond
