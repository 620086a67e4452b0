#pragma once
// Comparing a secret someone sent (a password) with the configured one.
//
// Thread-safety: a pure function.
#include <string_view>

namespace cairn {

// Whether `given` equals `expected`. The time taken depends on the two
// lengths only, never on where the bytes first differ, so a client timing
// its failed attempts learns nothing of the secret's bytes. (The length of
// `expected` may show; a password's strength is in its bytes.)
bool SecretMatches(std::string_view given, std::string_view expected);

}  // namespace cairn
