#pragma once
// The value of a list record (Record::type == kTypeList): its elements, head
// first, as one byte string.
//
// Layout: varint element count (>= 1), then PutBytes(element) per element.
// Elements may repeat; a list whose last element is removed is deleted with
// it, as in Redis. docs/formats/kv-command.md. As with hashes and sets, a
// whole list is one record: a push or pop rewrites it, O(elements).
//
// Thread-safety: pure functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn::kv {

inline constexpr std::uint8_t kTypeList = 3;

using ListElements = std::vector<std::string>;

std::string EncodeList(const ListElements& elements);
// Corruption unless `bytes` is a well-formed list value.
Status ValidateList(std::string_view bytes);
// The elements of a value ValidateList accepted.
ListElements DecodeList(std::string_view bytes);

}  // namespace cairn::kv
