// libFuzzer target: a stored value record (kv/record.h), as RocksDB or a
// snapshot hands it back. Whatever the bytes, DecodeRecord returns a record
// or Corruption; a record that decodes round-trips, and the fields, members
// or elements of a hash, set, list, sorted-set or stream record decode and
// re-encode, and a sorted set's members and a stream's IDs are in order.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/assert.h"
#include "kv/hash.h"
#include "kv/record.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cairn::kv;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  cairn::Result<Record> r = DecodeRecord(input);
  if (!r.ok()) {
    CAIRN_CHECK(r.status().code() == cairn::StatusCode::kCorruption);
    return 0;
  }
  // Varints have one canonical form only if the input used it, so compare
  // through a second decode rather than with the input bytes.
  const std::string again = EncodeRecord(*r);
  cairn::Result<Record> back = DecodeRecord(again);
  CAIRN_CHECK(back.ok() && *back == *r, "a decoded record does not round-trip");
  if (r->type == kTypeHash) {
    HashFields fields = DecodeHash(r->value);
    HashView view(r->value);
    CAIRN_CHECK(view.size() == fields.size() && !fields.empty());
    std::string_view value;
    for (const auto& [f, v] : fields) {
      CAIRN_CHECK(view.Find(f, &value) && value == v, "a field is not found where it is");
    }
    CAIRN_CHECK(DecodeHash(EncodeHash(fields)) == fields, "hash fields do not round-trip");
  }
  if (r->type == kTypeList) {
    ListElements list = DecodeList(r->value);
    CAIRN_CHECK(!list.empty() && DecodeList(EncodeList(list)) == list,
                "list elements do not round-trip");
  }
  if (r->type == kTypeSet) {
    SetMembers members = DecodeSet(r->value);
    CAIRN_CHECK(!members.empty() && DecodeSet(EncodeSet(members)) == members,
                "set members do not round-trip");
  }
  if (r->type == kTypeZSet) {
    ZMembers members = DecodeZSet(r->value);
    CAIRN_CHECK(!members.empty() && DecodeZSet(EncodeZSet(members)) == members,
                "sorted set members do not round-trip");
    for (std::size_t i = 1; i < members.size(); ++i) {
      CAIRN_CHECK(ZLess(members[i - 1], members[i]), "sorted set members out of order");
    }
  }
  if (r->type == kTypeStream) {
    Stream s = DecodeStream(r->value);
    const Stream back_stream = DecodeStream(EncodeStream(s));
    CAIRN_CHECK(back_stream.last_id == s.last_id && back_stream.max_deleted == s.max_deleted &&
                    back_stream.entries_added == s.entries_added &&
                    back_stream.entries == s.entries && back_stream.groups == s.groups,
                "stream counters, entries or groups do not round-trip");
    for (const StreamGroup& g : s.groups) {
      CAIRN_CHECK(g.entries_read >= kEntriesReadUnknown, "a group's entries read below -1");
      (void)s.Lag(g);  // any counters: no overflow (UBSan), no crash
    }
    for (std::size_t i = 0; i < s.entries.size(); ++i) {
      CAIRN_CHECK(s.entries[i].id <= s.last_id && !s.entries[i].fields.empty());
      CAIRN_CHECK(i == 0 || s.entries[i - 1].id < s.entries[i].id, "stream IDs out of order");
    }
  }
  return 0;
}
