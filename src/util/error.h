// The one error-handling rule (CONTRIBUTING.md, "Errors"):
//   - a failure the caller can act on (bad input, a missing file, a host that
//     lacks something) is a return value: Result<T>, or Status when there is
//     nothing to return, holding an Error;
//   - a failure nothing can recover from throws Fatal, and main() logs its
//     one line and exits 1;
//   - whoever decides what happens next logs, once; the layer that finds the
//     problem only describes it.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace execmond {

// One line that names the file and line, the key or the field at fault and
// says what to do: "execmond.yaml:3: web.listen_address: ...; use host:port".
struct Error {
  std::string message;
};

// A value, or the Error that kept it from being made.
template <typename T>
class [[nodiscard]] Result {
 public:
  // Implicit, so `return value;` and `return Error{...};` both read plainly.
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

// Success, or the Error that prevented it.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool failed_ = false;
};
using Status = Result<void>;

// The daemon cannot go on (a start-up it cannot complete, a broken
// invariant): thrown, caught in main(), logged as one line, exit status 1.
class Fatal : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace execmond
