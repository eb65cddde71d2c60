// base/: small vocabulary types shared by every pkm library (results, hex,
// secret buffers). It depends on nothing but the C++ standard library and
// OpenSSL's memory cleanser, and knows nothing of actors, NATS or storage.
#ifndef PKM_BASE_RESULT_H_
#define PKM_BASE_RESULT_H_

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace pkm {

// Error codes chosen by what the caller should do next.
enum class ErrorCode {
  kInvalidArgument,     // fix the input and ask again
  kFailedPrecondition,  // wait for state to change
  kNotFound,            // the named thing does not exist
  kUnavailable,         // transient: retry later
  kPermissionDenied,    // wrong password, wrong key
  kDataLoss,            // stored data is corrupt
  kInternal,            // a bug: report it
};

// Returns the lower-case name of `code`, e.g. "invalid_argument".
const char* error_code_name(ErrorCode code);

// An error: a code and a message that names what was wrong and, for bad
// input, what is allowed. Messages never carry secret material.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  // "invalid_argument: <message>"
  std::string to_string() const;
};

[[nodiscard]] inline Error invalid_argument(std::string message) {
  return Error{ErrorCode::kInvalidArgument, std::move(message)};
}

// Either a value of type T or an Error. Accessing the wrong alternative is a
// programming error (asserted in debug builds).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}          // NOLINT
  Result(Error error) : state_(std::move(error)) {}      // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

// Result of an operation that yields no value.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace pkm

#endif  // PKM_BASE_RESULT_H_
