#pragma once
// The vocabulary every resilience strategy shares: what a protected call
// returns, how a strategy hands a rejection back in the caller's return type,
// and how an outcome is classified.
//
// A protected call is any callable returning `Status` or `Result<T>`. Strategies
// are templates over the callable, so nothing on the hot path goes through
// std::function or allocates. Rejections are Status::Literal values (no heap).
//
// Thread-safety: everything here is a pure function.

#include <concepts>
#include <cstdint>
#include <type_traits>

#include "common/status.h"

namespace cairn::resilience {

template <typename T>
struct IsResult : std::false_type {};
template <typename T>
struct IsResult<Result<T>> : std::true_type {};

// What a protected call may return.
template <typename R>
concept CallResult = std::same_as<R, Status> || IsResult<R>::value;

// A callable taking no arguments and returning Status or Result<T>.
template <typename F>
concept Call = std::invocable<F&> && CallResult<std::invoke_result_t<F&>>;

template <typename F>
using CallResultOf = std::invoke_result_t<F&>;

inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

// A non-OK status as the caller's return type R.
template <CallResult R>
R FromStatus(Status s) {
  return R(std::move(s));
}

// How a strategy counts a finished call.
enum class CallOutcome : std::uint8_t {
  kSuccess,  // counts towards health
  kFailure,  // counts against health
  kIgnore,   // not counted at all (e.g. the caller cancelled)
};

// Decides how an outcome counts. A plain function pointer: cheap to call, and
// configuration stays trivially copyable.
using OutcomeClassifier = CallOutcome (*)(const Status&);

// Default: the downstream's fault (Unavailable, DeadlineExceeded, Internal,
// IOError, Corruption, ResourceExhausted) is a failure; Cancelled is ignored;
// everything else (OK, and the caller's own mistakes such as InvalidArgument,
// NotFound or FailedPrecondition) is a success for the downstream's health.
CallOutcome DefaultClassifier(const Status& s);

// Rejections raised by the strategies themselves. Each is a literal, so
// building one never allocates; IsRejection() tells them from a downstream's
// own errors by the identity of the message.
// The messages are inline variables: one address in the whole program.
inline constexpr char kCircuitOpenMessage[] = "circuit breaker open";
inline constexpr char kBulkheadFullMessage[] = "bulkhead full";
inline constexpr char kRateLimitedMessage[] = "rate limited";
inline constexpr char kConcurrencyLimitMessage[] = "concurrency limit reached";
inline constexpr char kTimeoutMessage[] = "timeout";

inline Status CircuitOpenRejection() {  // kUnavailable
  return Status::Literal(StatusCode::kUnavailable, kCircuitOpenMessage);
}
inline Status BulkheadFullRejection() {  // kResourceExhausted
  return Status::Literal(StatusCode::kResourceExhausted, kBulkheadFullMessage);
}
inline Status RateLimitedRejection() {  // kResourceExhausted
  return Status::Literal(StatusCode::kResourceExhausted, kRateLimitedMessage);
}
inline Status ConcurrencyLimitRejection() {  // kResourceExhausted
  return Status::Literal(StatusCode::kResourceExhausted, kConcurrencyLimitMessage);
}
inline Status TimeoutRejection() {  // kDeadlineExceeded
  return Status::Literal(StatusCode::kDeadlineExceeded, kTimeoutMessage);
}
bool IsRejection(const Status& s);
inline bool IsCircuitOpen(const Status& s) { return s.message().data() == kCircuitOpenMessage; }

}  // namespace cairn::resilience
