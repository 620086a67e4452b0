#pragma once
// Endpoint: one backend a balancer may send requests to.

#include <cstdint>
#include <string>

namespace cairn::lb {

struct Endpoint {
  std::string id;            // stable identity ("10.0.0.7:6379"); hashers key on it
  std::uint32_t weight = 1;  // relative capacity for weighted strategies; > 0
};

}  // namespace cairn::lb
