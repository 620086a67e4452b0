#pragma once
// Fallback: when a call ends in an error that `use_fallback` accepts (default:
// any error), answer with the fallback's result instead: a cached value, a
// default, a degraded response. The fallback gets the error, so it can tell a
// circuit-open rejection from a downstream failure.
//
// Thread-safety: stateless; a FallbackConfig is a value.

#include "common/status.h"
#include "resilience/call.h"

namespace cairn::resilience {

using UseFallback = bool (*)(const Status&);
inline bool AnyError(const Status& s) { return !s.ok(); }

// Runs f; on an accepted error returns fallback(status).
template <Call F, typename G>
CallResultOf<F> WithFallback(F&& f, G&& fallback, UseFallback use_fallback = AnyError) {
  CallResultOf<F> r = f();
  const Status& s = StatusOf(r);
  if (s.ok() || !use_fallback(s)) return r;
  return fallback(s);
}

}  // namespace cairn::resilience
