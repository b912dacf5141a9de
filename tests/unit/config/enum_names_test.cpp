// Each enum's YAML names: every value named once, and each name read back as
// its value, since to_string() and the parsers share the tables (the
// spellings themselves: ConfigDefaults.EnumNames).
#include "config/enum_names.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

namespace execmond {
namespace {

template <typename Enum, std::size_t N>
void expect_round_trip(const EnumName<Enum> (&table)[N], std::size_t values) {
  EXPECT_EQ(N, values);
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < N; ++i) {
    const auto value = static_cast<Enum>(i);  // every enumerator, in order
    const std::string_view name = name_in(table, value);
    EXPECT_TRUE(names.insert(name).second) << name << " names two values";
    EXPECT_EQ(value_in(table, name), value) << name;
    EXPECT_EQ(to_string(value), std::string(name));
  }
  EXPECT_EQ(value_in(table, "no such name"), std::nullopt);
}

TEST(EnumNamesTest, EveryValueHasOneNameThatReadsBack) {
  expect_round_trip(kAttachModeNames, 3);
  expect_round_trip(kLogTargetNames, 2);
  expect_round_trip(kLabelSourceNames, 14);
  expect_round_trip(kFamilyNames, kFamilyCount);
  expect_round_trip(kResourceNames, 5);
}

}  // namespace
}  // namespace execmond
