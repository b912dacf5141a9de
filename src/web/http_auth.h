// HTTP basic authentication against bcrypt hashes, as exporter-toolkit's
// basic_auth_users does. A verified user and password are remembered as a
// salted digest, so a scrape does not pay for bcrypt every time; an unknown
// user costs a bcrypt comparison at a configured user's cost too, so timing
// does not tell users apart.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace execmond {

// RFC 4648 base64 (padding optional); nothing when `text` is not base64.
std::optional<std::string> base64_decode(std::string_view text);

// The user and password of an Authorization header value ("Basic
// dXNlcjpwYXNz"); nothing for any other scheme or a malformed value.
std::optional<std::pair<std::string, std::string>> parse_basic_authorization(
    std::string_view header);

class BasicAuth {
 public:
  // user -> bcrypt hash; no users means every request is allowed.
  explicit BasicAuth(std::map<std::string, std::string> users = {});

  bool enabled() const { return !users_.empty(); }
  // Whether an Authorization header value (empty when there is none) lets the request in.
  bool allows(std::string_view authorization) const;
  // The bcrypt hash a password given for `user` is checked against: the
  // user's own, or for an unknown user a decoy nobody knows the password of,
  // with the variant and cost of one configured user's hash. Which user's is
  // chosen by a digest of the name keyed with the configured hashes: a name
  // gets the same cost on every request and after every reload, as a real
  // user does, and unknown names spread over the costs as the users do, so
  // neither the time of one name nor the mix of times over many names tells
  // which users exist, whichever costs their hashes have.
  std::string hash_checked_for(const std::string& user) const;

 private:
  bool verify(const std::string& user, const std::string& password) const;
  std::string digest(const std::string& user, const std::string& password) const;

  std::map<std::string, std::string> users_;
  std::string decoy_key_;   // a digest of the configured hashes, secret as they are
  std::string cache_salt_;  // "$5$rounds=1000$<random>$", fresh in each process
  mutable std::mutex mutex_;
  mutable std::set<std::string> verified_;  // digests of credentials bcrypt accepted
};

}  // namespace execmond
