#include "kv/state_machine.h"

#include "common/assert.h"
#include "kv/apply_txn.h"
#include "kv/keyspace_events.h"

namespace cairn::kv {

namespace {

// `key`'s engine key in a per-thread buffer, valid until the next call on
// this thread: every key lookup needs one, and the engine keeps no view of
// it, so none allocates.
const std::string& ScratchEngineKey(std::string_view key) {
  thread_local std::string engine_key;
  EngineKeyInto(key, &engine_key);
  return engine_key;
}

}  // namespace

// ---- Txn ----

void ApplyTxn::Flush(Slot* slot) {
  if (!slot->decoded_changed) {  // the record is the value already
    slot->decoded.reset();
    return;
  }
  if (slot->decoded->Empty()) {
    slot->record.reset();
  } else {
    slot->record =
        Record{index_, slot->decoded_expire_ms, slot->decoded->Encode(), slot->decoded_type};
  }
  slot->dirty = true;
  slot->decoded.reset();
}

ApplyTxn::Decoded* ApplyTxn::FindDecoded(const std::string& key, std::uint8_t type) {
  auto it = slots_.find(key);
  if (it == slots_.end() || !it->second.decoded) return nullptr;
  Slot& slot = it->second;
  // A later member of a group may carry a later clock: past its expiry the
  // value is gone, as its record would be.
  const bool live = slot.decoded_expire_ms == 0 || slot.decoded_expire_ms > clock_ms_;
  if (slot.decoded_type != type || !live || slot.decoded->Empty()) {
    Flush(&slot);
    return nullptr;
  }
  return slot.decoded.get();
}

Status ApplyTxn::AttachDecoded(const std::string& key, std::unique_ptr<Decoded> value,
                               std::uint8_t type, std::int64_t expire_at_ms, bool changed) {
  CAIRN_ASSIGN_OR_RETURN(Slot * slot, Load(key));
  const bool created = !(slot->record && slot->record->LiveAt(clock_ms_));
  slot->decoded = std::move(value);
  slot->decoded_type = type;
  slot->decoded_expire_ms = expire_at_ms;
  slot->decoded_changed = changed;
  if (changed) {
    slot->dirty = true;
    Wrote(key, created);
  }
  return Status::Ok();
}

void ApplyTxn::DecodedChanged(const std::string& key) {
  auto it = slots_.find(key);
  CAIRN_CHECK(it != slots_.end() && it->second.decoded, "no decoded value attached to the key");
  it->second.decoded_changed = true;
  it->second.dirty = true;
  Wrote(key);
}

Result<ApplyTxn::Slot*> ApplyTxn::Load(const std::string& key) {
  auto it = slots_.find(key);
  if (it != slots_.end()) {
    if (it->second.decoded) Flush(&it->second);
    return &it->second;
  }
  Slot slot;
  if (!cleared_) {
    CAIRN_ASSIGN_OR_RETURN(std::optional<std::string> bytes, engine_->Get(ScratchEngineKey(key)));
    if (bytes) {
      CAIRN_ASSIGN_OR_RETURN(Record r, DecodeRecord(std::move(*bytes)));
      slot.committed_expire_ms = r.expire_at_ms;
      slot.in_engine = true;
      slot.record = std::move(r);
    }
  }
  return &slots_.emplace(key, std::move(slot)).first->second;
}

Result<std::optional<Record>> ApplyTxn::Live(const std::string& key) {
  CAIRN_ASSIGN_OR_RETURN(const Record* r, LiveRecord(key));
  return r ? std::optional<Record>(*r) : std::optional<Record>();
}

Result<const Record*> ApplyTxn::LiveRecord(const std::string& key) {
  CAIRN_ASSIGN_OR_RETURN(Slot * slot, Load(key));
  if (slot->record && slot->record->LiveAt(clock_ms_)) return &*slot->record;
  return static_cast<const Record*>(nullptr);
}

Result<Record*> ApplyTxn::MutableLive(const std::string& key) {
  CAIRN_ASSIGN_OR_RETURN(Slot * slot, Load(key));
  if (!slot->record || !slot->record->LiveAt(clock_ms_)) return static_cast<Record*>(nullptr);
  slot->record->version = index_;
  slot->dirty = true;
  Wrote(key);
  return &*slot->record;
}

Status ApplyTxn::Put(const std::string& key, std::string value, std::int64_t expire_at_ms,
                     std::uint8_t type) {
  if (expire_at_ms != 0 && expire_at_ms <= clock_ms_) return Erase(key);
  CAIRN_ASSIGN_OR_RETURN(Slot * slot, Load(key));
  const bool created = !(slot->record && slot->record->LiveAt(clock_ms_));
  slot->record = Record{index_, expire_at_ms, std::move(value), type};
  slot->dirty = true;
  Wrote(key, created);
  return Status::Ok();
}

Status ApplyTxn::Erase(const std::string& key) {
  CAIRN_ASSIGN_OR_RETURN(Slot * slot, Load(key));
  if (slot->record) Wrote(key);  // (expired too: active expiry's "expired")
  slot->record.reset();
  slot->dirty = true;
  return Status::Ok();
}

Result<bool> ApplyTxn::ExistsNow(const std::string& key) {
  auto it = slots_.find(key);
  if (it != slots_.end() && it->second.decoded) {
    const Slot& slot = it->second;
    const bool live = slot.decoded_expire_ms == 0 || slot.decoded_expire_ms > clock_ms_;
    return live && !slot.decoded->Empty();
  }
  CAIRN_ASSIGN_OR_RETURN(const Record* r, LiveRecord(key));
  return r != nullptr;
}

Result<bool> ApplyTxn::DueBy(const std::string& key, std::int64_t time_ms) {
  CAIRN_ASSIGN_OR_RETURN(Slot * slot, Load(key));
  return slot->record && slot->record->expire_at_ms != 0 && slot->record->expire_at_ms <= time_ms;
}

void ApplyTxn::Clear() {
  cleared_ = true;
  slots_.clear();
}

void ApplyTxn::ExpiryChanges::ApplyTo(ExpiryIndex* index) const {
  if (clear) index->clear();
  for (const auto& e : removed) index->erase(e);
  for (const auto& e : added) index->insert(e);
}

void ApplyTxn::Commit(EngineBatch* batch, ExpiryChanges* expiry) {
  batch->clear_first = cleared_;
  expiry->clear = cleared_;
  for (auto& [key, slot] : slots_) {
    if (slot.decoded) Flush(&slot);
    if (!slot.dirty) continue;
    if (slot.in_engine && slot.committed_expire_ms != 0) {
      expiry->removed.emplace_back(slot.committed_expire_ms, key);
    }
    if (slot.record) {
      if (slot.record->expire_at_ms != 0) expiry->added.emplace_back(slot.record->expire_at_ms, key);
      batch->writes.emplace_back(EngineKey(key), EncodeRecord(*slot.record));
      batch->existed.push_back(slot.in_engine);
    } else if (slot.in_engine) {
      batch->writes.emplace_back(EngineKey(key), std::nullopt);
      batch->existed.push_back(true);
    }
  }
}

// ---- StateMachine ----

StateMachine::StateMachine(std::unique_ptr<Engine> engine)
    : engine_(std::move(engine)), applied_(engine_->applied()) {}

Result<std::unique_ptr<StateMachine>> StateMachine::Open(std::unique_ptr<Engine> engine) {
  CAIRN_CHECK(engine != nullptr);
  std::unique_ptr<StateMachine> sm(new StateMachine(std::move(engine)));
  CAIRN_RETURN_IF_ERROR(sm->RebuildExpiryIndex());
  return sm;
}

Status StateMachine::RebuildExpiryIndex() {
  expiry_.clear();
  std::string from;
  std::vector<std::pair<std::string, std::string>> page;
  while (true) {
    CAIRN_RETURN_IF_ERROR(engine_->Scan(from, 1024, &page));
    for (const auto& [ekey, bytes] : page) {
      CAIRN_ASSIGN_OR_RETURN(std::string_view key, DecodeEngineKey(ekey));
      CAIRN_ASSIGN_OR_RETURN(Record r, DecodeRecord(bytes));
      if (r.expire_at_ms != 0) expiry_.insert({r.expire_at_ms, std::string(key)});
    }
    if (page.size() < 1024) return Status::Ok();
    from = page.back().first;
    from.push_back('\0');  // the smallest key after the last one
  }
}

Result<std::vector<resp::Value>> StateMachine::Apply(std::uint64_t index,
                                                     std::string_view entry_bytes,
                                                     Replies replies) {
  if (index <= applied_.index) return std::vector<resp::Value>();
  if (entry_bytes.empty()) {
    AppliedState next{index, applied_.clock_ms};
    CAIRN_RETURN_IF_ERROR(engine_->Apply(EngineBatch{}, next));
    applied_ = next;
    return std::vector<resp::Value>();
  }
  std::vector<std::string_view> members;
  const bool group = IsGroup(entry_bytes);
  if (group) {
    CAIRN_ASSIGN_OR_RETURN(members, SplitGroup(entry_bytes));
  } else {
    members.push_back(entry_bytes);
  }
  // Every member is decoded (and checked) before any is applied: a bad
  // group changes nothing.
  if (scratch_.size() < members.size()) scratch_.resize(members.size());
  Status decoded = Status::Ok();
  for (std::size_t i = 0; i < members.size() && decoded.ok(); ++i) {
    decoded = DecodeInto(members[i], &scratch_[i]);
  }
  Result<std::vector<resp::Value>> out =
      decoded.ok() ? ApplyEntries(index, std::span<const LogEntry>(scratch_.data(), members.size()),
                                  group, replies)
                   : Result<std::vector<resp::Value>>(decoded);
  // Keep the scratch bounded (state_machine.h): it holds no state between
  // calls, only memory.
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (members[i].size() > kScratchEntryBytesMax) scratch_[i] = LogEntry();
  }
  if (scratch_.size() > kScratchEntriesMax) scratch_.resize(kScratchEntriesMax);
  return out;
}

Result<std::vector<resp::Value>> StateMachine::ApplyEntry(std::uint64_t index,
                                                          const LogEntry& entry) {
  return ApplyEntries(index, std::span<const LogEntry>(&entry, 1), /*group=*/false,
                      Replies::kWanted);
}

// One ApplyTxn for all the entries: a later one sees what earlier ones wrote
// (and a WATCH in it sees their versions, all `index`), and the engine gets
// one batch with the new applied state.
Result<std::vector<resp::Value>> StateMachine::ApplyEntries(std::uint64_t index,
                                                            std::span<const LogEntry> entries,
                                                            bool group, Replies wanted) {
  if (index <= applied_.index) return std::vector<resp::Value>();
  for (const LogEntry& entry : entries) {
    for (const Op& op : entry.ops) CAIRN_RETURN_IF_ERROR(ValidateOp(op, entry.kind));
  }
  AppliedState next{index, applied_.clock_ms};
  ApplyTxn txn(engine_.get(), index, next.clock_ms);
  txn.RecordWrites(publish_sink_ && KeyspaceEventsOn(keyspace_events_));
  const bool keep = wanted == Replies::kWanted;
  std::vector<resp::Value> replies;
  if (keep) replies.reserve(group ? entries.size() : entries[0].ops.size());
  for (const LogEntry& entry : entries) {
    // Each member runs at its own leader time, as it would in its own entry
    // (the clock never goes back).
    next.clock_ms = std::max(next.clock_ms, entry.now_ms);
    txn.set_clock_ms(next.clock_ms);
    if (entry.kind == EntryKind::kTransaction) {
      CAIRN_ASSIGN_OR_RETURN(resp::Value reply, ApplyTransaction(&txn, entry, wanted));
      if (keep) replies.push_back(std::move(reply));
      continue;
    }
    const std::size_t first = replies.size();
    for (const Op& op : entry.ops) {
      CAIRN_ASSIGN_OR_RETURN(resp::Value reply, ApplyOp(&txn, op));
      if (keep && (!group || replies.size() == first)) replies.push_back(std::move(reply));
    }
    if (keep && group && replies.size() == first) replies.push_back(resp::Value::Null());
  }
  EngineBatch batch;
  ApplyTxn::ExpiryChanges expiry;
  txn.Commit(&batch, &expiry);
  CAIRN_RETURN_IF_ERROR(engine_->Apply(std::move(batch), next));
  expiry.ApplyTo(&expiry_);
  applied_ = next;
  return replies;
}

Result<resp::Value> StateMachine::ApplyTransaction(ApplyTxn* txn, const LogEntry& entry,
                                                   Replies wanted) {
  // The watches decide whether the writes apply: checked on every replica.
  for (const WatchedKey& w : entry.watches) {
    CAIRN_ASSIGN_OR_RETURN(std::optional<Record> r, txn->Live(w.key));
    std::uint64_t version = r ? r->version : 0;
    if (version != w.version) return resp::Value::NullArray();
  }
  const bool keep = wanted == Replies::kWanted;
  resp::Value replies = resp::Value::Array();
  if (keep) replies.elems.reserve(entry.ops.size());
  for (const Op& op : entry.ops) {
    if (!keep && IsTransactionalRead(op.code)) continue;  // no one reads its reply
    CAIRN_ASSIGN_OR_RETURN(resp::Value reply, ApplyOp(txn, op));
    if (keep) replies.elems.push_back(std::move(reply));
  }
  return replies;
}

std::uint64_t StateMachine::ExpiredKeys(std::int64_t time_ms) const {
  std::uint64_t n = 0;
  for (auto it = expiry_.begin(); it != expiry_.end() && it->first <= time_ms; ++it) ++n;
  return n;
}

Result<std::uint64_t> StateMachine::KeyVersion(std::string_view key,
                                               std::int64_t read_time_ms) const {
  CAIRN_ASSIGN_OR_RETURN(std::optional<Record> r,
                         LoadLive(key, std::max(read_time_ms, applied_.clock_ms)));
  return r ? r->version : 0;
}

Result<std::optional<Record>> StateMachine::LoadLive(std::string_view key,
                                                     std::int64_t time_ms) const {
  CAIRN_ASSIGN_OR_RETURN(std::optional<std::string> bytes, engine_->Get(ScratchEngineKey(key)));
  if (!bytes) return std::optional<Record>();
  CAIRN_ASSIGN_OR_RETURN(Record r, DecodeRecord(std::move(*bytes)));
  if (!r.LiveAt(time_ms)) return std::optional<Record>();
  return std::optional<Record>(std::move(r));
}

}  // namespace cairn::kv
