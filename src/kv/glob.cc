#include "kv/glob.h"

#include <cstddef>
#include <utility>

namespace cairn::kv {
namespace {

// Matches one bracket class starting after '['; advances *p past ']'.
bool MatchClass(std::string_view pat, std::size_t* p, unsigned char c) {
  bool negate = false;
  if (*p < pat.size() && pat[*p] == '^') {
    negate = true;
    ++*p;
  }
  bool match = false;
  while (*p < pat.size() && pat[*p] != ']') {
    if (pat[*p] == '\\' && *p + 1 < pat.size()) {
      ++*p;
      if (static_cast<unsigned char>(pat[*p]) == c) match = true;
    } else if (*p + 2 < pat.size() && pat[*p + 1] == '-') {
      auto lo = static_cast<unsigned char>(pat[*p]);
      auto hi = static_cast<unsigned char>(pat[*p + 2]);
      if (lo > hi) std::swap(lo, hi);
      if (c >= lo && c <= hi) match = true;
      *p += 2;
    } else if (static_cast<unsigned char>(pat[*p]) == c) {
      match = true;
    }
    ++*p;
  }
  if (*p < pat.size()) ++*p;  // skip ']' (an unterminated class ends the pattern)
  return negate ? !match : match;
}

// Iterative matcher with single-star backtracking: O(|pat| * |text|).
bool Match(std::string_view pat, std::string_view text) {
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star_p = std::string_view::npos;
  std::size_t star_t = 0;
  while (t < text.size()) {
    bool advanced = false;
    if (p < pat.size()) {
      char pc = pat[p];
      if (pc == '*') {
        while (p < pat.size() && pat[p] == '*') ++p;
        if (p == pat.size()) return true;
        star_p = p;
        star_t = t;
        continue;
      }
      if (pc == '?') {
        ++p;
        ++t;
        advanced = true;
      } else if (pc == '[') {
        std::size_t q = p + 1;
        if (MatchClass(pat, &q, static_cast<unsigned char>(text[t]))) {
          p = q;
          ++t;
          advanced = true;
        }
      } else {
        std::size_t q = p;
        if (pc == '\\' && q + 1 < pat.size()) ++q;
        if (pat[q] == text[t]) {
          p = q + 1;
          ++t;
          advanced = true;
        }
      }
    }
    if (advanced) continue;
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    t = ++star_t;
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) { return Match(pattern, text); }

}  // namespace cairn::kv
