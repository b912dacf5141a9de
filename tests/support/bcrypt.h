// bcrypt hashes for the tests' basic_auth_users, made with libcrypt.
#pragma once

#include <string>

namespace execmond::test {

// A bcrypt hash of `password` with `prefix` ("$2b$", or "$2y$" as htpasswd
// writes) and `cost` (4, the least, keeps tests fast). Fails the test if
// libcrypt cannot make one.
std::string bcrypt(const std::string& password, const char* prefix = "$2b$", int cost = 4);

}  // namespace execmond::test
