#include "resilience/call.h"

namespace cairn::resilience {
namespace {
constexpr char kCircuitOpen[] = "circuit breaker open";
constexpr char kBulkheadFull[] = "bulkhead full";
constexpr char kRateLimited[] = "rate limited";
constexpr char kConcurrencyLimit[] = "concurrency limit reached";
constexpr char kTimeout[] = "timeout";
constexpr char kRetryBudget[] = "retry budget exhausted";
}  // namespace

CallOutcome DefaultClassifier(const Status& s) {
  switch (s.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kInternal:
    case StatusCode::kIOError:
    case StatusCode::kCorruption:
    case StatusCode::kResourceExhausted:
      return CallOutcome::kFailure;
    case StatusCode::kCancelled:
      return CallOutcome::kIgnore;
    default:
      return CallOutcome::kSuccess;
  }
}

Status CircuitOpenRejection() { return Status::Literal(StatusCode::kUnavailable, kCircuitOpen); }
Status BulkheadFullRejection() {
  return Status::Literal(StatusCode::kResourceExhausted, kBulkheadFull);
}
Status RateLimitedRejection() {
  return Status::Literal(StatusCode::kResourceExhausted, kRateLimited);
}
Status ConcurrencyLimitRejection() {
  return Status::Literal(StatusCode::kResourceExhausted, kConcurrencyLimit);
}
Status TimeoutRejection() { return Status::Literal(StatusCode::kDeadlineExceeded, kTimeout); }
Status RetryBudgetRejection() { return Status::Literal(StatusCode::kUnavailable, kRetryBudget); }

bool IsRejection(const Status& s) {
  const char* p = s.message().data();
  return p == kCircuitOpen || p == kBulkheadFull || p == kRateLimited || p == kConcurrencyLimit ||
         p == kTimeout || p == kRetryBudget;
}
bool IsCircuitOpen(const Status& s) { return s.message().data() == kCircuitOpen; }

}  // namespace cairn::resilience
