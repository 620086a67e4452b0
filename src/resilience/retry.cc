#include "resilience/retry.h"

#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>

namespace cairn::resilience {
namespace {
constexpr std::string_view kHintKey = "retry-after-ms=";
}  // namespace

bool DefaultRetryOn(const Status& s) {
  return s.code() == StatusCode::kUnavailable && !IsCircuitOpen(s);
}

std::optional<Nanos> RetryAfterFromMessage(const Status& s) {
  const std::string_view m = s.message();
  const std::size_t at = m.find(kHintKey);
  if (at == std::string_view::npos) return std::nullopt;
  const char* first = m.data() + at + kHintKey.size();
  const char* last = m.data() + m.size();
  std::int64_t ms = 0;
  auto [ptr, ec] = std::from_chars(first, last, ms);
  if (ec != std::errc() || ptr == first || ms < 0) return std::nullopt;
  // A remote server wrote this number: clamp it so the conversion to
  // nanoseconds cannot overflow (Retry caps the wait at retry_after_max).
  constexpr std::int64_t kMaxMs = Nanos::max().count() / 1'000'000;
  if (ms > kMaxMs) ms = kMaxMs;
  return std::chrono::duration_cast<Nanos>(std::chrono::milliseconds(ms));
}

Status WithRetryAfter(const Status& s, Nanos after) {
  std::string m(s.message());
  if (!m.empty()) m += ' ';
  m += kHintKey;
  m += std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(after).count());
  return Status(s.code(), m);
}

Status RetryConfig::Validate() const {
  if (max_attempts == 0) return Status::InvalidArgument("retry: max_attempts must be >= 1");
  if (max_duration.count() < 0) return Status::InvalidArgument("retry: max_duration must be >= 0");
  if (retry_on == nullptr) return Status::InvalidArgument("retry: retry_on is null");
  return backoff.Validate();
}

Retry::Retry(const RetryConfig& config, const Clock& clock, Sleeper& sleeper, RetryBudget* budget)
    : config_(config), clock_(clock), sleeper_(sleeper), budget_(budget) {
  CAIRN_CHECK(config.Validate().ok(), "invalid RetryConfig (call Validate() first)");
}

std::optional<Nanos> Retry::NextDelay(std::uint32_t retry, Nanos previous, const Status& s,
                                      Nanos start, Random& random) {
  Nanos delay = config_.backoff.Next(retry, previous, random);
  if (!s.ok() && config_.retry_after != nullptr) {
    if (const std::optional<Nanos> hint = config_.retry_after(s)) {
      if (*hint > config_.retry_after_max) return std::nullopt;
      delay = std::max(delay, *hint);
    }
  }
  if (config_.max_duration.count() > 0 && clock_.Now() + delay - start >= config_.max_duration) {
    return std::nullopt;
  }
  // The budget is asked last, so a retry that would not happen anyway does
  // not spend it.
  if (budget_ != nullptr && !budget_->TryRetry()) {
    budget_denials_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  return delay;
}

}  // namespace cairn::resilience
