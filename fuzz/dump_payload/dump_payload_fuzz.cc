// libFuzzer target: RESTORE's payload reader (kv/dump_payload.h), which
// takes bytes straight from a client. The input is a payload without its
// footer; the target adds a right version and checksum, so the fuzzer
// reaches the readers behind them (the raw input is read too, for the
// footer checks). Whatever the bytes, DecodeDumpPayload returns a value or
// one of its two errors and reads nothing past the end; a value it returns
// is whole for its type (what log validation demands of RESTORE), and
// Cairn's own payload of it reads back the same.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/assert.h"
#include "kv/dump_payload.h"
#include "kv/hash.h"
#include "kv/list.h"
#include "kv/set.h"
#include "kv/stream.h"
#include "kv/zset.h"

namespace {

void Check(std::string_view payload) {
  using namespace cairn::kv;
  auto rec = DecodeDumpPayload(payload);
  if (!rec.ok()) {
    const std::string_view why = rec.status().message();
    CAIRN_CHECK(why == kDumpBadFormat || why == kDumpBadVersionOrChecksum || why == kDumpTooLarge,
                "an unknown error");
    return;
  }
  switch (rec->type) {
    case kTypeString: break;
    case kTypeHash: CAIRN_CHECK(ValidateHash(rec->value).ok(), "a malformed hash"); break;
    case kTypeSet: CAIRN_CHECK(ValidateSet(rec->value).ok(), "a malformed set"); break;
    case kTypeList: CAIRN_CHECK(ValidateList(rec->value).ok(), "a malformed list"); break;
    case kTypeZSet: CAIRN_CHECK(ValidateZSet(rec->value).ok(), "a malformed sorted set"); break;
    case kTypeStream: CAIRN_CHECK(ValidateStream(rec->value).ok(), "a malformed stream"); break;
    default: CAIRN_CHECK(false, "a type RESTORE cannot store");
  }
  const auto again = EncodeDumpPayload(*rec);
  CAIRN_CHECK(again.has_value(), "a decoded value does not encode");
  auto back = DecodeDumpPayload(*again);
  CAIRN_CHECK(back.ok() && back->type == rec->type && back->value == rec->value,
              "a value does not round-trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Check(input);
  std::string payload(input);
  payload.push_back(static_cast<char>(cairn::kv::kDumpRdbVersion));
  payload.push_back(0);
  const std::uint64_t crc = cairn::kv::Crc64(0, payload);
  for (int shift = 0; shift < 64; shift += 8) payload.push_back(static_cast<char>(crc >> shift));
  Check(payload);
  return 0;
}
