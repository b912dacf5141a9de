#include "web/http_auth.h"

#include <crypt.h>
#include <openssl/sha.h>
#include <sys/random.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>

namespace execmond {

namespace {

// The salt and checksum of a bcrypt hash of a password nobody knows; behind a
// configured hash's "$2y$12$" they make the decoy unknown users are checked
// against, which costs what checking that hash costs.
constexpr std::string_view kDecoySaltAndChecksum =
    "C6UzMDM.H6dfI/f/IKcEeO7wSvvn6Dk6ENyQ9s8QxpBXnbUjmJZOe";
constexpr std::size_t kVariantAndCostSize = 7;  // "$2y$12$"
constexpr std::size_t kMaxRemembered = 256;

int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// crypt_r() of `phrase` with `setting`; "" when it fails. Comparisons of the
// results are constant-time (compare_digests).
std::string crypt_text(const std::string& phrase, const char* setting) {
  auto data = std::make_unique<crypt_data>();
  const char* out = crypt_r(phrase.c_str(), setting, data.get());
  if (out == nullptr || out[0] == '*') return "";
  return out;
}

bool same(const std::string& a, const std::string& b) {
  if (a.size() != b.size() || a.empty()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

std::string sha256(const std::string& data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> md{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md.data());
  return {reinterpret_cast<const char*>(md.data()), md.size()};
}

std::string random_salt() {
  static constexpr char kAlphabet[] =
      "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::array<unsigned char, 16> bytes{};
  if (getrandom(bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size())) {
    bytes.fill(0);  // a fixed salt still works; only the cache's secrecy suffers
  }
  std::string salt = "$5$rounds=1000$";
  for (unsigned char b : bytes) salt += kAlphabet[b % 64];
  return salt + "$";
}

}  // namespace

std::optional<std::string> base64_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t bits = 0;
  int have = 0;
  for (char c : text) {
    const int v = sextet(c);
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    have += 6;
    if (have >= 8) {
      have -= 8;
      out += static_cast<char>((bits >> have) & 0xffU);
    }
  }
  return out;
}

std::optional<std::pair<std::string, std::string>> parse_basic_authorization(
    std::string_view header) {
  // The scheme is case-insensitive; one or more spaces follow it.
  constexpr std::string_view kScheme = "basic";
  if (header.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return std::nullopt;
  }
  std::string_view rest = header.substr(kScheme.size());
  if (rest.front() != ' ') return std::nullopt;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  std::optional<std::string> decoded = base64_decode(rest);
  if (!decoded) return std::nullopt;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return std::make_pair(decoded->substr(0, colon), decoded->substr(colon + 1));
}

BasicAuth::BasicAuth(std::map<std::string, std::string> users)
    : users_(std::move(users)), cache_salt_(random_salt()) {
  // Without users nothing is checked: no digest, and none of libcrypto's
  // pages touched (about 2 MiB of resident memory).
  if (users_.empty()) return;
  std::string hashes;
  for (const auto& [user, hash] : users_) hashes += hash + '\n';
  decoy_key_ = sha256(hashes);
}

std::string BasicAuth::hash_checked_for(const std::string& user) const {
  if (auto it = users_.find(user); it != users_.end()) return it->second;
  if (users_.empty()) return "";
  const std::string pick = sha256(decoy_key_ + user);
  std::uint64_t value = 0;
  std::memcpy(&value, pick.data(), sizeof(value));
  const auto like = std::next(users_.begin(), static_cast<std::ptrdiff_t>(value % users_.size()));
  return like->second.substr(0, kVariantAndCostSize) + std::string(kDecoySaltAndChecksum);
}

std::string BasicAuth::digest(const std::string& user, const std::string& password) const {
  return crypt_text(user + ":" + password, cache_salt_.c_str());
}

bool BasicAuth::verify(const std::string& user, const std::string& password) const {
  const std::string hash = hash_checked_for(user);
  const bool match = same(crypt_text(password, hash.c_str()), hash);
  return match && users_.contains(user);
}

bool BasicAuth::allows(std::string_view authorization) const {
  if (!enabled()) return true;
  auto credentials = parse_basic_authorization(authorization);
  if (!credentials) return false;
  const auto& [user, password] = *credentials;
  const std::string key = digest(user, password);
  {
    std::lock_guard lock(mutex_);
    if (!key.empty() && verified_.contains(key)) return true;
  }
  if (!verify(user, password)) return false;
  std::lock_guard lock(mutex_);
  if (verified_.size() >= kMaxRemembered) verified_.clear();
  if (!key.empty()) verified_.insert(key);
  return true;
}

}  // namespace execmond
