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

// Edits of a value ValidateList accepted, in place and without decoding the
// elements: a push at the tail costs only what it adds (amortized), one at
// the head or a pop moves the bytes behind it once.
std::uint64_t ListLength(std::string_view bytes);
// Adds `elements` at the head (LPUSH: the last one ends up first) or the
// tail. `*bytes` may be empty: a new list.
void ListPush(std::string* bytes, const std::string* elements, std::size_t n, bool head);
// Removes and returns the head or tail element; the list must not be empty.
// The last one leaves a value of length 0 (the caller deletes the key).
std::string ListPop(std::string* bytes, bool head);
// Bytes that pushing these elements adds.
std::size_t ListPushBytes(const std::string* elements, std::size_t n);

}  // namespace cairn::kv
