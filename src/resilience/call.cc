#include "resilience/call.h"

namespace cairn::resilience {
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

bool IsRejection(const Status& s) {
  const char* p = s.message().data();
  return p == kCircuitOpenMessage || p == kBulkheadFullMessage || p == kRateLimitedMessage ||
         p == kConcurrencyLimitMessage || p == kTimeoutMessage;
}

}  // namespace cairn::resilience
