#include "preflight.h"

#include <gtest/gtest.h>

namespace execmond {
namespace {

TEST(PreflightTest, MissingBtfNamesThePathAndTheKernelOption) {
  EXPECT_EQ(check_kernel_btf("/nonexistent/vmlinux"),
            "kernel BTF not found at /nonexistent/vmlinux: execmond needs a kernel built with "
            "CONFIG_DEBUG_INFO_BTF=y (Debian, Ubuntu, RHEL and Fedora kernels have it since 2020)");
}

TEST(PreflightTest, PresentBtfIsFine) {
  // Any readable file passes the existence check; the kernel's is checked at load.
  EXPECT_EQ(check_kernel_btf("/proc/self/status"), "");
}

}  // namespace
}  // namespace execmond
