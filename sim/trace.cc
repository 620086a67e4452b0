#include "sim/trace.h"

#include <cstdio>
#include <ostream>

namespace cairn::sim {

std::uint64_t Fnv1a(std::uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

Trace::Trace(bool keep_all, std::size_t tail_max) : keep_all_(keep_all), tail_max_(tail_max) {}

void Trace::Mix(std::uint64_t value) {
  char bytes[sizeof value];
  for (std::size_t k = 0; k < sizeof value; ++k) bytes[k] = static_cast<char>(value >> (8 * k));
  hash_ = Fnv1a(hash_, std::string_view(bytes, sizeof bytes));
}

void Trace::Event(std::uint64_t now_ms, std::string_view text) {
  char prefix[32];
  std::snprintf(prefix, sizeof prefix, "t=%5llu ", static_cast<unsigned long long>(now_ms));
  std::string line = prefix;
  line += text;
  hash_ = Fnv1a(hash_, line);
  ++events_;
  if (echo_ != nullptr) *echo_ << line << '\n';
  if (keep_all_) all_.push_back(line);
  tail_.push_back(std::move(line));
  if (tail_.size() > tail_max_) tail_.pop_front();
}

}  // namespace cairn::sim
