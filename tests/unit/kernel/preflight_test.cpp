#include "kernel/preflight.h"

#include <gtest/gtest.h>

#include "temp_file.h"

namespace execmond {
namespace {

TEST(PreflightTest, MissingBtfNamesThePathAndTheKernelOption) {
  EXPECT_EQ(check_kernel_btf("/nonexistent/vmlinux").error().message,
            "kernel BTF not found at /nonexistent/vmlinux: execmond needs a kernel built with "
            "CONFIG_DEBUG_INFO_BTF=y (Debian, Ubuntu, RHEL and Fedora kernels have it since 2020)");
}

TEST(PreflightTest, AFileWithABtfHeaderIsFine) {
  // The header is checked here; whether the types fit is libbpf's part, at load.
  test::TempFile btf(std::string("\x9f\xeb\x01\x00\x18\x00\x00\x00", 8));
  EXPECT_TRUE(check_kernel_btf(btf.path()).ok());
}

TEST(PreflightTest, AFileThatIsNotBtfIsNamedWithTheFlagToFixIt) {
  EXPECT_EQ(check_kernel_btf("/proc/self/status").error().message,
            "/proc/self/status is not BTF (no BTF header): point --btf.path at the running "
            "kernel's BTF, /sys/kernel/btf/vmlinux");
  test::TempFile empty("");
  EXPECT_EQ(check_kernel_btf(empty.path()).error().message,
            empty.path() +
                " is not BTF (no BTF header): point --btf.path at the running kernel's BTF, "
                "/sys/kernel/btf/vmlinux");
}

}  // namespace
}  // namespace execmond
