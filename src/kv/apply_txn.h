#pragma once
// ApplyTxn: the writes of one log entry, buffered so that
// later ops in the entry see earlier ones and the engine receives them as one
// atomic batch with the new applied state. Internal to state_machine*.cc.

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/assert.h"
#include "common/random.h"
#include "kv/script.h"
#include "kv/state_machine.h"

namespace cairn::kv {

class ApplyTxn {
 public:
  ApplyTxn(const Engine* engine, std::uint64_t index, std::int64_t clock_ms)
      : engine_(engine), index_(index), clock_ms_(clock_ms) {}

  std::uint64_t index() const { return index_; }
  std::int64_t clock_ms() const { return clock_ms_; }
  // A group's next member may carry a later time (never an earlier one).
  void set_clock_ms(std::int64_t clock_ms) { clock_ms_ = clock_ms; }
  // A seed for the entry's next random read (SRANDMEMBER...): from the
  // index and a count, so every replica draws alike.
  std::uint64_t NextDrawSeed() {
    std::uint64_t mix = index_ ^ (++draws_ * 0x9e3779b97f4a7c15ULL);
    return SplitMix64(mix);
  }
  // Counts `n` elements of repeated random draws (SRANDMEMBER key -n...)
  // against the entry's limit, kRandElementsPerEntryMax in all; false,
  // counting nothing, if they would pass it.
  static constexpr std::uint64_t kRandElementsPerEntryMax = 1'000'000;
  // The Lua state this entry's EVALs share (kv/script.h), made at the first.
  ScriptRuntime& Scripts() {
    if (scripts_ == nullptr) scripts_ = std::make_unique<ScriptRuntime>();
    return *scripts_;
  }
  bool TakeRandomDraws(std::uint64_t n) {
    if (n > kRandElementsPerEntryMax - random_draws_) return false;
    random_draws_ += n;
    return true;
  }

  // While on (the node publishes keyspace notifications), every change
  // names its key here, in order, repeats included, so that ApplyOp can
  // tell which keys an op changed: Put, an Erase of a key that was there,
  // MutableLive, and a changed decoded value. Off, nothing is kept.
  void RecordWrites(bool on) { record_writes_ = on; }
  std::span<const std::string> writes() const { return writes_; }
  // Alongside writes(): 1 where that change made the key exist when it had
  // no live value just before (what Redis's "new" event announces).
  std::span<const std::uint8_t> writes_created() const { return created_; }
  void DropWritesFrom(std::size_t mark) {
    writes_.resize(mark);
    created_.resize(mark);
    side_events_.clear();
  }
  // Events an op raises besides its own (kv/keyspace_events.h) on a key it
  // changed: XADD's "xtrim" when it trimmed, "xgroup-createconsumer" when
  // XREADGROUP, XCLAIM or XAUTOCLAIM made a consumer. Kept only while
  // writes are recorded; published after the op's own, then dropped.
  void NoteSideEvent(const std::string& key, std::string_view event) {
    if (record_writes_) side_events_.emplace_back(key, event);
  }
  std::span<const std::pair<std::string, std::string_view>> side_events() const {
    return side_events_;
  }
  // Whether `key` exists now, without turning a decoded value back into its
  // record (which would undo the point of keeping it decoded).
  Result<bool> ExistsNow(const std::string& key);

  // The key's record if it is live at the replicated clock.
  Result<std::optional<Record>> Live(const std::string& key);
  // The same without a copy: nullptr if absent or expired. The pointer is
  // valid until the next Put, Erase or Clear.
  Result<const Record*> LiveRecord(const std::string& key);
  // The same, to be changed in place: the record counts as written by this
  // entry (its version becomes the entry's index) whether or not the caller
  // then changes it, so call it only to make a change. Its expiry must stay
  // (the expiry index is reconciled from the record at Commit, but a time
  // at or before the clock would not be turned into a delete, as Put does).
  Result<Record*> MutableLive(const std::string& key);
  // Stores `value` (of `type`, record.h) with version = this entry's index.
  // An expiry at or before the clock deletes the key instead (it would be
  // born expired).
  Status Put(const std::string& key, std::string value, std::int64_t expire_at_ms,
             std::uint8_t type = kTypeString);
  Status Erase(const std::string& key);

  // A decoded value that a run of commands in this entry keeps changing (a
  // group entry of XADDs on one stream): decoded once and encoded once,
  // instead of once per command, which made such a group O(commands x
  // size) and stalled the loop for long enough to cost a leader its term.
  // While one is attached to a key, the key's record is made from it at
  // Commit, or at any other access to the key (Load flushes it first), so
  // every other op sees an ordinary record. A value its commands emptied
  // (HDEL of the last field) deletes the key when flushed, as Store does.
  class Decoded {
   public:
    virtual ~Decoded() = default;
    virtual std::string Encode() const = 0;
    // Whether nothing is left: then the key no longer exists.
    virtual bool Empty() const { return false; }
  };
  // The value attached to `key` with `type` if it is still live at the
  // clock and not empty; nullptr otherwise (then the key's record is as
  // usual: an emptied value is gone, and a later write makes a new one
  // without the old expiry).
  Decoded* FindDecoded(const std::string& key, std::uint8_t type);
  // Attaches `value` as the key's current value, of `type` and expiry
  // `expire_at_ms` (the live record's, or 0). If `changed`, the key counts
  // as written by this entry; if not, `value` must equal the key's record
  // (decoded, unchanged), and is kept only so that later commands need not
  // decode it again: dropped, not encoded, unless one of them changes it.
  Status AttachDecoded(const std::string& key, std::unique_ptr<Decoded> value, std::uint8_t type,
                       std::int64_t expire_at_ms, bool changed = true);
  // The value attached to `key` was changed: the key counts as written.
  void DecodedChanged(const std::string& key);
  // Whether the key's current record (live or not) expires at or before time_ms.
  Result<bool> DueBy(const std::string& key, std::int64_t time_ms);
  void Clear();

  // What the entry changes in the expiry index; applied only once the engine
  // has accepted the batch.
  struct ExpiryChanges {
    bool clear = false;
    std::vector<std::pair<std::int64_t, std::string>> removed;
    std::vector<std::pair<std::int64_t, std::string>> added;
    void ApplyTo(ExpiryIndex* index) const;
  };
  // Moves the buffered writes into `batch` and lists the expiry changes.
  void Commit(EngineBatch* batch, ExpiryChanges* expiry);

 private:
  struct Slot {
    std::optional<Record> record;          // current state in this entry (unless decoded)
    std::int64_t committed_expire_ms = 0;  // expiry in the engine before the entry
    bool in_engine = false;
    bool dirty = false;
    // If set, the current value, newer than `record` (FindDecoded).
    std::unique_ptr<Decoded> decoded;
    std::uint8_t decoded_type = 0;
    std::int64_t decoded_expire_ms = 0;
    bool decoded_changed = false;  // else `decoded` equals `record`
  };
  // The key's slot, with any decoded value turned back into its record.
  Result<Slot*> Load(const std::string& key);
  // Turns the slot's decoded value back into its record (or, unchanged,
  // drops it) and detaches it.
  void Flush(Slot* slot);

  const Engine* engine_;
  std::uint64_t index_;
  std::int64_t clock_ms_;
  std::uint64_t draws_ = 0;
  std::uint64_t random_draws_ = 0;          // <= kRandElementsPerEntryMax
  std::unique_ptr<ScriptRuntime> scripts_;  // Scripts()
  bool cleared_ = false;
  bool record_writes_ = false;
  std::vector<std::string> writes_;
  std::vector<std::uint8_t> created_;                                  // alongside writes_
  std::vector<std::pair<std::string, std::string_view>> side_events_;  // event: a literal
  void Wrote(const std::string& key, bool created = false) {
    if (!record_writes_) return;
    writes_.push_back(key);
    created_.push_back(created ? 1 : 0);
  }
  // Unordered: commit order does not matter (distinct keys, set-like index).
  std::unordered_map<std::string, Slot> slots_;
};

// How a run of writes to one collection (HSET, HDEL, SADD, SREM, ZADD,
// ZREM, XADD, XACK...) reaches the key's value: the value already attached to the key in this
// entry, or a new D loaded from the key's live record (D::Load(nullptr) when there is none), which
// Keep() attaches once the caller has changed it. D derives from ApplyTxn::Decoded. A caller that
// returns without Keep() (an error, nothing changed) leaves the key as it was.
template <class D>
class DecodedValue {
 public:
  static Result<DecodedValue> Open(ApplyTxn* txn, const std::string& key, std::uint8_t type) {
    DecodedValue v(txn, key, type);
    ApplyTxn::Decoded* found = txn->FindDecoded(key, type);
    v.value_ = dynamic_cast<D*>(found);
    CAIRN_CHECK(found == nullptr || v.value_ != nullptr, "two kinds of decoded value for one type");
    if (v.value_ != nullptr) return v;
    CAIRN_ASSIGN_OR_RETURN(const Record* old, txn->LiveRecord(key));
    if (old != nullptr && old->type != type) return v;  // wrong_type()
    v.fresh_ = std::make_unique<D>();
    v.fresh_->Load(old);
    v.absent_ = old == nullptr;
    v.expire_ = old != nullptr ? old->expire_at_ms : 0;
    v.value_ = v.fresh_.get();
    return v;
  }
  // The key holds another type: nothing is open.
  bool wrong_type() const { return value_ == nullptr; }
  // The key had no live value (an empty D was made).
  bool absent() const { return absent_; }
  D* operator->() const { return value_; }
  // The caller changed the value: the key counts as written.
  Status Keep() {
    if (fresh_ == nullptr) {  // attached already
      txn_->DecodedChanged(key_);
      return Status::Ok();
    }
    return txn_->AttachDecoded(key_, std::move(fresh_), type_, expire_);
  }
  // The caller looked and changed nothing: a value it loaded stays decoded
  // for the entry's next command on the key, which then need not decode it
  // again (a run of PFADDs or SADDs that change nothing), and the key
  // does not count as written. Not after a change, nor on a wrong type.
  Status KeepUnchanged() {
    if (fresh_ == nullptr || absent_) return Status::Ok();
    return txn_->AttachDecoded(key_, std::move(fresh_), type_, expire_, /*changed=*/false);
  }

 private:
  DecodedValue(ApplyTxn* txn, const std::string& key, std::uint8_t type)
      : txn_(txn), key_(key), type_(type) {}
  ApplyTxn* txn_;
  std::string key_;
  std::uint8_t type_;
  D* value_ = nullptr;
  std::unique_ptr<D> fresh_;
  bool absent_ = false;
  std::int64_t expire_ = 0;
};

// The hash commands (hash_ops.cc). A write on a key of another type, and a
// read of one, reply WRONGTYPE. `rec` is the live record, nullptr if none.
Result<resp::Value> ApplyHashWrite(ApplyTxn* txn, const Op& op);
resp::Value ReadHash(const Op& op, const Record* rec);
// The list commands (list_ops.cc), as the hash commands.
Result<resp::Value> ApplyListWrite(ApplyTxn* txn, const Op& op);
resp::Value ReadList(const Op& op, const Record* rec);
// The set commands (set_ops.cc), the same way; a read loads its keys through
// `load` (live records only, nullptr if absent), as SINTER names several.
Result<resp::Value> ApplySetWrite(ApplyTxn* txn, const Op& op);
resp::Value ReadSet(const Op& op,
                    const std::function<Result<const Record*>(const std::string&)>& load);
// The sorted-set commands (zset_ops.cc), as the hash commands.
Result<resp::Value> ApplyZSetWrite(ApplyTxn* txn, const Op& op);
resp::Value ReadZSet(const Op& op, const Record* rec);
// The geospatial reads (geo_ops.cc) on a sorted set, as ReadZSet's, and
// GEOSEARCHSTORE / GEORADIUS ... STORE.
resp::Value ReadGeo(const Op& op, const Record* rec);
Result<resp::Value> ApplyGeoStore(ApplyTxn* txn, const Op& op);
// ZUNION / ZINTER / ZDIFF: their keys through `load`, as ReadSet's.
resp::Value ReadZCombine(const Op& op,
                         const std::function<Result<const Record*>(const std::string&)>& load);
// The stream commands (stream_ops.cc): writes as the others'; a read loads
// its keys through `load`, as ReadSet's (XREAD names several).
Result<resp::Value> ApplyStreamWrite(ApplyTxn* txn, const Op& op);
// (XPENDING's idle times are counted to now_ms.)
resp::Value ReadStream(const Op& op,
                       const std::function<Result<const Record*>(const std::string&)>& load,
                       std::int64_t now_ms);
// The bit commands on strings (bitmap_ops.cc): a key of another type is
// WRONGTYPE; `rec` is the live record of a read's key, nullptr if none.
Result<resp::Value> ApplyBitmapWrite(ApplyTxn* txn, const Op& op);
resp::Value ReadBitmap(const Op& op, const Record* rec);
// The HyperLogLog commands (hll_ops.cc) on strings: PFADD and PFMERGE as
// writes; PFCOUNT reads its keys through `load`, as ReadSet's.
Result<resp::Value> ApplyHllWrite(ApplyTxn* txn, const Op& op);
resp::Value ReadHll(const Op& op,
                    const std::function<Result<const Record*>(const std::string&)>& load);
// SORT (sort_ops.cc): a read that loads its keys through `load` (the BY
// and GET patterns name others), and SORT ... STORE.
resp::Value ReadSort(const Op& op,
                     const std::function<Result<const Record*>(const std::string&)>& load);
Result<resp::Value> ApplySortStore(ApplyTxn* txn, const Op& op);
// LCS (lcs_ops.cc), its two keys through `load`.
resp::Value ReadLcs(const Op& op,
                    const std::function<Result<const Record*>(const std::string&)>& load);
// DUMP's reply for a live record (nullptr: no key), and RESTORE
// (dump_ops.cc).
resp::Value DumpReply(const Record* record);
Result<resp::Value> ApplyRestore(ApplyTxn* txn, const Op& op);
// TYPE's reply for a live record.
std::string_view TypeName(const Record& record);

// GETRANGE's reply for a value (nullptr: no key), with Redis 7.0's handling
// of negative and out-of-range indexes.
resp::Value RangeReply(const std::string* value, std::int64_t start, std::int64_t end);

// TTL/PTTL/EXPIRETIME/PEXPIRETIME reply for a live record at time_ms.
resp::Value TimeReply(OpCode code, const Record& record, std::int64_t time_ms);

}  // namespace cairn::kv
