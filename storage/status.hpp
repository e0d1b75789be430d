#pragma once
// Errors are values: every fallible storage call returns a `status` or a `result<T>`. No exception
// leaves the library.

#include <optional>
#include <string>
#include <utility>

namespace unimq::storage {

/// What went wrong, coarse enough for a caller to branch on.
enum class status_code {
  ok,
  not_found,         ///< the thing asked for does not exist
  invalid_argument,  ///< the caller passed something the store refuses (bad topic, id with NUL, ...)
  corruption,        ///< on-disk data is damaged or inconsistent
  not_ours,          ///< the data directory belongs to something else
  newer_format,      ///< the data directory was written by a newer unimq
  quota_exceeded,    ///< the map reached `max_map_size`; the broker maps this to MQTT reason 0x97
  busy,              ///< another process holds the data directory, or the reader table is full
  io_error,          ///< the OS refused (disk full, permissions, ...)
  internal,          ///< a bug or an out-of-memory condition caught at the boundary
};

/// A short lowercase name for `c`, e.g. "quota exceeded".
const char* to_string(status_code c);

/// Success, or a code with a message a user can act on.
class status {
 public:
  status() = default;
  status(status_code code, std::string message) : _code(code), _message(std::move(message)) {}

  static status ok() { return {}; }
  static status not_found(std::string m) { return {status_code::not_found, std::move(m)}; }
  static status invalid_argument(std::string m) { return {status_code::invalid_argument, std::move(m)}; }
  static status corruption(std::string m) { return {status_code::corruption, std::move(m)}; }
  static status not_ours(std::string m) { return {status_code::not_ours, std::move(m)}; }
  static status newer_format(std::string m) { return {status_code::newer_format, std::move(m)}; }
  static status quota_exceeded(std::string m) { return {status_code::quota_exceeded, std::move(m)}; }
  static status busy(std::string m) { return {status_code::busy, std::move(m)}; }
  static status io_error(std::string m) { return {status_code::io_error, std::move(m)}; }
  static status internal(std::string m) { return {status_code::internal, std::move(m)}; }

  bool is_ok() const { return _code == status_code::ok; }
  explicit operator bool() const { return is_ok(); }
  status_code code() const { return _code; }
  const std::string& message() const { return _message; }
  /// "corruption: commitlog record 12 does not parse", or "ok".
  std::string to_string() const;

 private:
  status_code _code = status_code::ok;
  std::string _message;
};

/// A value or the status saying why there is none.
template <class T>
class result {
 public:
  result(T value) : _value(std::move(value)) {}  // NOLINT: implicit by design, like std::optional
  result(status s) : _status(std::move(s)) {  // NOLINT
    if (_status.is_ok()) _status = status::internal("result built from an ok status without a value");
  }

  bool is_ok() const { return _value.has_value(); }
  explicit operator bool() const { return is_ok(); }
  /// The error; `status::ok()` when there is a value.
  const status& error() const { return _status; }
  /// Precondition: is_ok().
  T& value() & { return *_value; }
  const T& value() const& { return *_value; }
  T&& value() && { return std::move(*_value); }
  T* operator->() { return &*_value; }
  const T* operator->() const { return &*_value; }
  T& operator*() & { return *_value; }
  const T& operator*() const& { return *_value; }

 private:
  std::optional<T> _value;
  status _status;
};

}  // namespace unimq::storage
