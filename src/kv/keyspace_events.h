#pragma once
// Keyspace notifications (Redis's notify-keyspace-events): which events a
// write op raised, and the setting that says which of them are published.
//
// Every node applies every entry, so each node publishes the events of the
// entries it applies to its own subscribers, in log order; the setting is
// the node's own, as a Redis server's is. An op raises an event only for a
// key it changed (ApplyTxn's record of written keys), so an SREM of an absent
// member, a SET NX that found the key, or an error raises none, as in Redis.
//
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kv/op.h"

namespace cairn::kv {

// The setting's bits: Redis's event classes and the two channel kinds.
inline constexpr std::uint32_t kNotifyKeyspace = 1 << 0;  // K: __keyspace@0__:<key>
inline constexpr std::uint32_t kNotifyKeyevent = 1 << 1;  // E: __keyevent@0__:<event>
inline constexpr std::uint32_t kNotifyGeneric = 1 << 2;   // g: del, expire, rename...
inline constexpr std::uint32_t kNotifyString = 1 << 3;    // $
inline constexpr std::uint32_t kNotifyList = 1 << 4;      // l
inline constexpr std::uint32_t kNotifySet = 1 << 5;       // s
inline constexpr std::uint32_t kNotifyHash = 1 << 6;      // h
inline constexpr std::uint32_t kNotifyZSet = 1 << 7;      // z
inline constexpr std::uint32_t kNotifyExpired = 1 << 8;   // x
inline constexpr std::uint32_t kNotifyEvicted = 1 << 9;   // e (Cairn never evicts)
inline constexpr std::uint32_t kNotifyStream = 1 << 10;   // t
inline constexpr std::uint32_t kNotifyKeyMiss = 1 << 11;  // m (not raised: reads are not applied)
inline constexpr std::uint32_t kNotifyModule = 1 << 12;   // d (no modules)
inline constexpr std::uint32_t kNotifyNew = 1 << 13;      // n: "new" (AddNewKeyEvents)
// "A": every class but m and n.
inline constexpr std::uint32_t kNotifyAll =
    kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet | kNotifyHash | kNotifyZSet |
    kNotifyExpired | kNotifyEvicted | kNotifyStream | kNotifyModule;

// The setting from its letters ("KEA", "Egx"...); nullopt if a letter is
// not one of "Ag$lshzxeKEtmdn". The empty string turns notifications off.
std::optional<std::uint32_t> ParseKeyspaceEventFlags(std::string_view letters);
// The setting as CONFIG GET spells it (Redis's order: "A" for every class).
std::string FormatKeyspaceEventFlags(std::uint32_t flags);
// Whether the setting publishes anything at all (a class and a channel kind).
inline bool KeyspaceEventsOn(std::uint32_t flags) {
  return (flags & (kNotifyKeyspace | kNotifyKeyevent)) != 0 &&
         (flags & ~(kNotifyKeyspace | kNotifyKeyevent)) != 0;
}

struct KeyspaceEvent {
  std::uint32_t type;      // the class (kNotifyGeneric...)
  std::string_view event;  // Redis's name: "set", "lpush", "del"...
  std::string key;
};

// The events `op` raised, in Redis's order, given the keys it changed
// (`written`, each once, in the order it first changed them) and whether
// each still exists after it (`gone`, alongside). An emptied collection
// adds "del" after the op's own event, as Redis deletes it.
void OpKeyspaceEvents(const Op& op, std::span<const std::string> written,
                      const std::vector<bool>& gone, std::vector<KeyspaceEvent>* out);

// Adds Redis's "new" event (class n) for each written key the op created
// (`created`, alongside `written`) and that still exists, where Redis
// raises it, as the key is added: just before the key's first event
// (RENAME: before both of its events). RENAME's, COPY's and RESTORE's
// destination counts as created even over an existing key, which Redis
// deletes before adding it.
void AddNewKeyEvents(const Op& op, std::span<const std::string> written,
                     const std::vector<bool>& created, const std::vector<bool>& gone,
                     std::vector<KeyspaceEvent>* events);

}  // namespace cairn::kv
