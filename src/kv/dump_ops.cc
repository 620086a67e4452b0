// DUMP (read op kDump) and RESTORE (write op kRestore): a value as a Redis
// DUMP payload and back (kv/dump_payload.h). RESTORE's payload is decoded by
// the node that takes the command, so the log carries the value in Cairn's
// own layout and every replica applies the same bytes.
#include "kv/apply_txn.h"
#include "kv/dump_payload.h"
#include "kv/errors.h"

namespace cairn::kv {

using resp::Value;

Value DumpReply(const Record* record) {
  if (record == nullptr) return Value::Null();
  std::optional<std::string> payload = EncodeDumpPayload(*record);
  if (!payload) return Value::Error("ERR DUMP of this value type is not supported");
  return Value::Bulk(std::move(*payload));
}

// Redis's order: BUSYKEY first, then the TTL's and the payload's errors
// (which the op carries), then an expiry already past, which stores nothing
// (and with REPLACE deletes the key there was).
Result<Value> ApplyRestore(ApplyTxn* txn, const Op& op) {
  const std::string& key = op.args[0];
  const bool replace = op.flags & kRestoreReplace;
  if (!replace) {
    CAIRN_ASSIGN_OR_RETURN(const Record* existing, txn->LiveRecord(key));
    if (existing != nullptr) return Value::Error("BUSYKEY Target key name already exists.");
  }
  if (op.flags & kRestoreError) {
    switch (op.num2) {
      case kRestoreErrNotInteger: return Value::Error(errors::kNotInteger);
      case kRestoreErrNegativeTtl: return Value::Error("ERR Invalid TTL value, must be >= 0");
      case kRestoreErrVersionOrChecksum:
        return Value::Error(std::string(kDumpBadVersionOrChecksum));
      default: return Value::Error(std::string(kDumpBadFormat));
    }
  }
  if (op.num != 0 && op.num <= txn->clock_ms()) {
    if (replace) CAIRN_RETURN_IF_ERROR(txn->Erase(key));
    return Value::Simple("OK");
  }
  CAIRN_RETURN_IF_ERROR(txn->Put(key, op.args[1], op.num, static_cast<std::uint8_t>(op.num2)));
  return Value::Simple("OK");
}

}  // namespace cairn::kv
