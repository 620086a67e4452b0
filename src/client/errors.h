#pragma once
// How libcairn turns server replies into Status codes (the error model).
//
//   TRYAGAIN ...          kUnavailable       safe to retry (nothing applied)
//   TIMEOUT ...           kDeadlineExceeded  outcome unknown: a write may or may
//                                            not have applied; never retried
//   LOADING/BUSY/MASTERDOWN/READONLY  kUnavailable
//   ERR max number of clients        kResourceExhausted
//   WRONGTYPE ...         kFailedPrecondition
//   ERR ... (other)       kInvalidArgument   the command is wrong; never retried
//
// Thread-safety: pure functions.
#include <string>
#include <string_view>

#include "common/status.h"
#include "resp/value.h"

namespace cairn::client {

// Status for a top-level error reply text (without the leading '-').
Status ErrorReplyToStatus(std::string_view error);

// True if `s` says the effect of a write is unknown (kDeadlineExceeded).
inline bool IsOutcomeUnknown(const Status& s) { return s.code() == StatusCode::kDeadlineExceeded; }

// Fields of an INFO reply ("key:value" lines); empty if absent.
std::string InfoField(std::string_view info, std::string_view key);

}  // namespace cairn::client
