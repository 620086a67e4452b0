#pragma once
// Status and Result<T>: errors as values across module boundaries.
//
// The code tells the caller what to do (after Abseil's guidance):
//   kUnavailable        transient; retry the call (maybe elsewhere).
//   kAborted            a conflict; retry the whole transaction.
//   kFailedPrecondition the system is not in a state for this call; do not retry
//                       until the state changes (e.g. not leader: follow the hint).
//   kDeadlineExceeded   the call ran out of time; its effect is unknown.
//   kInvalidArgument    the caller's input is wrong; never retry.
//   kCorruption         stored data failed a check; stop and ask an operator.
//
// Thread-safety: a Status is a value; distinct objects may be used from
// distinct threads. Copies share an immutable message, so copying is cheap.
// A Status built from a string literal (or with no message) never allocates.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "common/assert.h"

namespace cairn {

enum class StatusCode : std::uint8_t {
  kOk = 0,
  kCancelled,
  kInvalidArgument,
  kDeadlineExceeded,
  kNotFound,
  kAlreadyExists,
  kResourceExhausted,
  kFailedPrecondition,
  kAborted,
  kOutOfRange,
  kUnimplemented,
  kInternal,
  kUnavailable,
  kCorruption,
  kIOError,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  // Copies `message` to the heap (once; copies of the Status share it).
  Status(StatusCode code, std::string_view message);

  // No allocation: the literal outlives every Status.
  template <std::size_t N>
  static Status Literal(StatusCode code, const char (&message)[N]) {
    Status s;
    s.code_ = code;
    s.literal_ = message;
    return s;
  }

  static Status Ok() { return Status(); }
  static Status Cancelled(std::string_view m) { return {StatusCode::kCancelled, m}; }
  static Status InvalidArgument(std::string_view m) { return {StatusCode::kInvalidArgument, m}; }
  static Status DeadlineExceeded(std::string_view m) { return {StatusCode::kDeadlineExceeded, m}; }
  static Status NotFound(std::string_view m) { return {StatusCode::kNotFound, m}; }
  static Status AlreadyExists(std::string_view m) { return {StatusCode::kAlreadyExists, m}; }
  static Status ResourceExhausted(std::string_view m) { return {StatusCode::kResourceExhausted, m}; }
  static Status FailedPrecondition(std::string_view m) { return {StatusCode::kFailedPrecondition, m}; }
  static Status Aborted(std::string_view m) { return {StatusCode::kAborted, m}; }
  static Status OutOfRange(std::string_view m) { return {StatusCode::kOutOfRange, m}; }
  static Status Unimplemented(std::string_view m) { return {StatusCode::kUnimplemented, m}; }
  static Status Internal(std::string_view m) { return {StatusCode::kInternal, m}; }
  static Status Unavailable(std::string_view m) { return {StatusCode::kUnavailable, m}; }
  static Status Corruption(std::string_view m) { return {StatusCode::kCorruption, m}; }
  static Status IOError(std::string_view m) { return {StatusCode::kIOError, m}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  std::string_view message() const {
    if (owned_) return *owned_;
    return literal_ ? std::string_view(literal_) : std::string_view();
  }
  // "Unavailable: no leader" (or "OK").
  std::string ToString() const;

  // Prepends context: "open wal: " + message. Keeps the code.
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message() == b.message();
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  const char* literal_ = nullptr;
  std::shared_ptr<const std::string> owned_;
};

// Result<T>: either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    CAIRN_CHECK(!std::get<Status>(v_).ok(), "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & {
    CAIRN_CHECK(ok(), "value() on an error Result");
    return std::get<T>(v_);
  }
  const T& value() const& {
    CAIRN_CHECK(ok(), "value() on an error Result");
    return std::get<T>(v_);
  }
  T&& value() && {
    CAIRN_CHECK(ok(), "value() on an error Result");
    return std::get<T>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace cairn

#define CAIRN_STATUS_CONCAT_INNER(a, b) a##b
#define CAIRN_STATUS_CONCAT(a, b) CAIRN_STATUS_CONCAT_INNER(a, b)

// Returns the status from the enclosing function if it is not OK.
#define CAIRN_RETURN_IF_ERROR(expr)                 \
  do {                                              \
    ::cairn::Status cairn_status_ = (expr);         \
    if (!cairn_status_.ok()) return cairn_status_;  \
  } while (0)

// `CAIRN_ASSIGN_OR_RETURN(auto x, ReadThing());`
#define CAIRN_ASSIGN_OR_RETURN(lhs, expr) \
  CAIRN_ASSIGN_OR_RETURN_IMPL(CAIRN_STATUS_CONCAT(cairn_result_, __LINE__), lhs, expr)
#define CAIRN_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
