#include "util/sysctl.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <utility>

#include "util/unique_fd.h"

namespace execmond {
namespace {

TEST(SysctlTest, ParsesOneNumberWithItsNewline) {
  Result<std::uint64_t> start = parse_sysctl_uint("1024\n", "/proc/sys/x");
  ASSERT_TRUE(start) << start.error().message;
  EXPECT_EQ(*start, 1024U);
  Result<std::int64_t> paranoid = parse_sysctl_int("-1\n", "/proc/sys/y");
  ASSERT_TRUE(paranoid) << paranoid.error().message;
  EXPECT_EQ(*paranoid, -1);
}

TEST(SysctlTest, AnythingButOneNumberIsAnErrorNamingTheFile) {
  for (const char* text : {"", "\n", "x", "12 34\n", "-1\n", "1024abc"}) {
    Result<std::uint64_t> n = parse_sysctl_uint(text, "/proc/sys/net/ipv4/x");
    ASSERT_FALSE(n) << text;
    EXPECT_EQ(n.error().message.rfind("/proc/sys/net/ipv4/x: \"", 0), 0U) << n.error().message;
    EXPECT_NE(n.error().message.find("is not a number"), std::string::npos);
  }
}

TEST(SysctlTest, ReadsTheRunningKernelsValues) {
  Result<std::uint64_t> start = read_sysctl_uint("net/ipv4/ip_unprivileged_port_start");
  ASSERT_TRUE(start) << start.error().message;
  EXPECT_LE(*start, 65536U);
  Result<std::int64_t> last_cap = read_sysctl_int("kernel/cap_last_cap");
  ASSERT_TRUE(last_cap) << last_cap.error().message;
  EXPECT_GE(*last_cap, 37);  // CAP_AUDIT_READ, Linux 3.16
}

TEST(SysctlTest, AMissingSysctlIsAnErrorNamingItsPath) {
  Result<std::uint64_t> n = read_sysctl_uint("kernel/no_such_sysctl");
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().message,
            "cannot open /proc/sys/kernel/no_such_sysctl: No such file or directory");
}

TEST(UniqueFdTest, ClosesOnceAndMovesOwnership) {
  int raw = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(raw, 0);
  {
    UniqueFd first(raw);
    UniqueFd second(std::move(first));
    EXPECT_FALSE(first.valid());  // NOLINT(bugprone-use-after-move): moved-from is empty
    EXPECT_EQ(second.get(), raw);
    UniqueFd third;
    third = std::move(second);
    EXPECT_EQ(third.get(), raw);
    EXPECT_GE(::fcntl(raw, F_GETFD), 0);
  }
  EXPECT_EQ(::fcntl(raw, F_GETFD), -1);  // closed when its owner went
  UniqueFd released(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  int kept = released.release();
  EXPECT_FALSE(released.valid());
  EXPECT_EQ(::close(kept), 0);
}

}  // namespace
}  // namespace execmond
