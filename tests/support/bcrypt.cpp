#include "bcrypt.h"

#include <crypt.h>
#include <gtest/gtest.h>

#include <memory>

namespace execmond::test {

std::string bcrypt(const std::string& password, const char* prefix, int cost) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  EXPECT_NE(crypt_gensalt_rn(prefix, cost, nullptr, 0, setting, sizeof(setting)), nullptr);
  auto data = std::make_unique<crypt_data>();
  return crypt_r(password.c_str(), setting, data.get());
}

}  // namespace execmond::test
