#include "kv/stream.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "kv/coding.h"
#include "kv/parse.h"

namespace cairn::kv {

std::string StreamId::ToString() const { return std::to_string(ms) + "-" + std::to_string(seq); }

bool StreamId::Increment() {
  if (seq != UINT64_MAX) {
    ++seq;
    return true;
  }
  if (ms == UINT64_MAX) return false;
  ++ms;
  seq = 0;
  return true;
}

bool StreamId::Decrement() {
  if (seq != 0) {
    --seq;
    return true;
  }
  if (ms == 0) return false;
  --ms;
  seq = UINT64_MAX;
  return true;
}

namespace {

void PutId(std::string* out, const StreamId& id) {
  PutFixed64BE(out, id.ms);
  PutFixed64BE(out, id.seq);
}

bool GetId(Decoder* d, StreamId* id) {
  std::string_view raw;
  if (!d->Raw(16, &raw)) return false;
  id->ms = GetFixed64BE(raw);
  id->seq = GetFixed64BE(raw.substr(8));
  return true;
}

// Redis's string2ull: a strict int64 that is not negative, or else whatever
// strtoull reads from the whole string (leading spaces and '+' included).
bool ParseU64(const std::string& s, std::uint64_t* out) {
  std::int64_t v = 0;
  if (ParseStrictInt64(s, &v)) {
    if (v < 0) return false;
    *out = static_cast<std::uint64_t>(v);
    return true;
  }
  errno = 0;
  char* end = nullptr;
  const unsigned long long u = std::strtoull(s.c_str(), &end, 10);
  if (errno == EINVAL || errno == ERANGE || s.empty() || *end != '\0') return false;
  *out = u;
  return true;
}

}  // namespace

StreamGroup* Stream::FindGroup(std::string_view name) {
  auto it = std::lower_bound(groups.begin(), groups.end(), name,
                             [](const StreamGroup& g, std::string_view n) { return g.name < n; });
  return it != groups.end() && it->name == name ? &*it : nullptr;
}

const StreamEntry* Stream::Find(const StreamId& id) const {
  auto it = std::lower_bound(entries.begin(), entries.end(), id,
                             [](const StreamEntry& e, const StreamId& v) { return e.id < v; });
  return it != entries.end() && it->id == id ? &*it : nullptr;
}

bool Stream::MayHaveTombstones(const StreamId& from, const StreamId& to) const {
  // A deletion before the first entry left no gap among the entries.
  if (entries.empty() || max_deleted == StreamId{} || max_deleted < FirstId()) return false;
  return from <= max_deleted && max_deleted <= to;
}

std::int64_t Stream::EstimateEntriesRead(const StreamId& id) const {
  // (Counters past INT64_MAX, which XSETID can come near, wrap as in Redis.)
  const auto added = static_cast<std::int64_t>(entries_added);
  if (entries_added == 0) return 0;
  if ((entries.empty() && id <= last_id) || id == last_id) return added;
  if (id > last_id) return kEntriesReadUnknown;
  const StreamId first = FirstId();
  // Only without a deletion at or after the first entry do the counters
  // say where the entries before (or at) the first one stand.
  if (max_deleted == StreamId{} || max_deleted < first) {
    const std::uint64_t before = entries_added - entries.size();
    if (id < first) return static_cast<std::int64_t>(before);
    if (id == first) return static_cast<std::int64_t>(before + 1);
  }
  return kEntriesReadUnknown;
}

std::optional<std::int64_t> Stream::Lag(const StreamGroup& g) const {
  // Modulo 2^64, as Redis's counters wrap (ENTRIESREAD and ENTRIESADDED
  // take any non-negative int64).
  auto minus = [this](std::int64_t read) {
    return static_cast<std::int64_t>(entries_added - static_cast<std::uint64_t>(read));
  };
  if (entries_added == 0) return 0;
  if (g.entries_read != kEntriesReadUnknown && !MayHaveTombstones(g.last_delivered, kMaxStreamId)) {
    return minus(g.entries_read);
  }
  const std::int64_t read = EstimateEntriesRead(g.last_delivered);
  if (read == kEntriesReadUnknown) return std::nullopt;
  return minus(read);
}

void Stream::Deliver(StreamGroup* g, const StreamId& id) const {
  if (g->entries_read != kEntriesReadUnknown && !MayHaveTombstones(id, kMaxStreamId)) {
    if (g->entries_read != INT64_MAX) ++g->entries_read;  // (ENTRIESREAD can set the largest)
  } else if (entries_added != 0) {
    // (A wrapped counter below -1 is as unknown.)
    g->entries_read = std::max(EstimateEntriesRead(id), kEntriesReadUnknown);
  }
  g->last_delivered = id;
}

std::size_t EncodedEntrySize(const StreamEntry& entry) {
  std::size_t n = 16 + VarintSize(entry.fields.size());
  for (const auto& [field, value] : entry.fields) {
    n += VarintSize(field.size()) + field.size() + VarintSize(value.size()) + value.size();
  }
  return n;
}

std::string EncodeStream(const Stream& stream) {
  std::string out;
  PutId(&out, stream.last_id);
  PutId(&out, stream.max_deleted);
  PutVarint(&out, stream.entries_added);
  PutVarint(&out, stream.entries.size());
  for (const StreamEntry& e : stream.entries) {
    PutId(&out, e.id);
    PutVarint(&out, e.fields.size());
    for (const auto& [field, value] : e.fields) {
      PutBytes(&out, field);
      PutBytes(&out, value);
    }
  }
  PutVarint(&out, stream.groups.size());
  for (const StreamGroup& g : stream.groups) {
    PutBytes(&out, g.name);
    PutId(&out, g.last_delivered);
    PutZigzag(&out, g.entries_read);
    PutVarint(&out, g.pending.size());
    for (const StreamPending& p : g.pending) {
      PutId(&out, p.id);
      PutBytes(&out, p.consumer);
      PutZigzag(&out, p.delivery_ms);
      PutVarint(&out, p.delivery_count);
    }
    PutVarint(&out, g.consumers.size());
    for (const StreamConsumer& c : g.consumers) {
      PutBytes(&out, c.name);
      PutZigzag(&out, c.seen_ms);
    }
  }
  return out;
}

Status ValidateStream(std::string_view bytes) {
  Decoder d(bytes);
  StreamId last, max_deleted;
  std::uint64_t added = 0, count = 0;
  if (!GetId(&d, &last) || !GetId(&d, &max_deleted) || !d.Varint(&added) || !d.Varint(&count)) {
    return Status::Corruption("kv: truncated stream");
  }
  StreamId previous;
  for (std::uint64_t i = 0; i < count; ++i) {
    StreamId id;
    std::uint64_t fields = 0;
    if (!GetId(&d, &id) || !d.Varint(&fields)) return Status::Corruption("kv: truncated stream");
    if ((i > 0 && id <= previous) || id > last || id == StreamId{}) {
      return Status::Corruption("kv: stream IDs out of order");
    }
    if (fields == 0) return Status::Corruption("kv: stream entry without fields");
    for (std::uint64_t f = 0; f < 2 * fields; ++f) {
      std::string_view s;
      if (!d.Bytes(&s)) return Status::Corruption("kv: truncated stream");
    }
    previous = id;
  }
  auto truncated = [] { return Status::Corruption("kv: truncated stream"); };
  std::uint64_t groups = 0;
  if (!d.Varint(&groups)) return truncated();
  std::string_view previous_group;
  for (std::uint64_t g = 0; g < groups; ++g) {
    std::string_view name;
    StreamId delivered;
    std::int64_t entries_read = 0;
    std::uint64_t pending = 0;
    if (!d.Bytes(&name) || !GetId(&d, &delivered) || !d.Zigzag(&entries_read) ||
        !d.Varint(&pending)) {
      return truncated();
    }
    if (entries_read < kEntriesReadUnknown) {
      return Status::Corruption("kv: a stream group's entries read is below -1");
    }
    if (g > 0 && name <= previous_group)
      return Status::Corruption("kv: stream groups out of order");
    previous_group = name;
    std::vector<std::string_view> owners;
    StreamId previous_pending;
    for (std::uint64_t p = 0; p < pending; ++p) {
      StreamId id;
      std::string_view consumer;
      std::int64_t ms = 0;
      std::uint64_t deliveries = 0;
      if (!GetId(&d, &id) || !d.Bytes(&consumer) || !d.Zigzag(&ms) || !d.Varint(&deliveries)) {
        return truncated();
      }
      if (p > 0 && id <= previous_pending) return Status::Corruption("kv: stream PEL out of order");
      previous_pending = id;
      owners.push_back(consumer);
    }
    std::uint64_t consumers = 0;
    if (!d.Varint(&consumers)) return truncated();
    std::vector<std::string_view> names;
    for (std::uint64_t c = 0; c < consumers; ++c) {
      std::string_view consumer;
      std::int64_t ms = 0;
      if (!d.Bytes(&consumer) || !d.Zigzag(&ms)) return truncated();
      if (c > 0 && consumer <= names.back()) {
        return Status::Corruption("kv: stream consumers out of order");
      }
      names.push_back(consumer);
    }
    for (std::string_view owner : owners) {
      if (!std::binary_search(names.begin(), names.end(), owner)) {
        return Status::Corruption("kv: a pending entry of no consumer");
      }
    }
  }
  if (!d.done()) return Status::Corruption("kv: trailing bytes in stream");
  return Status::Ok();
}

Stream DecodeStream(std::string_view bytes) {
  Decoder d(bytes);
  Stream s;
  std::uint64_t count = 0;
  GetId(&d, &s.last_id);
  GetId(&d, &s.max_deleted);
  d.Varint(&s.entries_added);
  d.Varint(&count);
  s.entries.resize(count);
  for (StreamEntry& e : s.entries) {
    std::uint64_t fields = 0;
    GetId(&d, &e.id);
    d.Varint(&fields);
    e.fields.resize(fields);
    for (auto& [field, value] : e.fields) {
      std::string_view f, v;
      d.Bytes(&f);
      d.Bytes(&v);
      field.assign(f);
      value.assign(v);
    }
  }
  std::uint64_t groups = 0;
  d.Varint(&groups);
  s.groups.resize(groups);
  for (StreamGroup& g : s.groups) {
    std::string_view name;
    std::uint64_t n = 0;
    d.Bytes(&name);
    g.name.assign(name);
    GetId(&d, &g.last_delivered);
    d.Zigzag(&g.entries_read);
    d.Varint(&n);
    g.pending.resize(n);
    for (StreamPending& p : g.pending) {
      std::string_view consumer;
      GetId(&d, &p.id);
      d.Bytes(&consumer);
      p.consumer.assign(consumer);
      d.Zigzag(&p.delivery_ms);
      d.Varint(&p.delivery_count);
    }
    d.Varint(&n);
    g.consumers.resize(n);
    for (StreamConsumer& c : g.consumers) {
      std::string_view consumer;
      d.Bytes(&consumer);
      c.name.assign(consumer);
      d.Zigzag(&c.seen_ms);
    }
  }
  return s;
}

bool ParseStreamId(std::string_view text, std::uint64_t missing_seq, bool strict, StreamId* out,
                   bool* seq_given) {
  if (text.size() > 127) return false;  // Redis parses from a 128-byte buffer
  if (seq_given != nullptr) *seq_given = true;
  if (text == "-" || text == "+") {
    if (strict) return false;
    *out = text == "-" ? StreamId{} : kMaxStreamId;
    return true;
  }
  const std::size_t dash = text.find('-');
  std::uint64_t ms = 0, seq = missing_seq;
  if (!ParseU64(std::string(text.substr(0, dash)), &ms)) return false;
  if (dash != std::string_view::npos) {
    std::string_view rest = text.substr(dash + 1);
    if (seq_given != nullptr && rest == "*") {
      seq = 0;
      *seq_given = false;
    } else if (!ParseU64(std::string(rest), &seq)) {
      return false;
    }
  }
  *out = StreamId{ms, seq};
  return true;
}

Status ParseStreamRange(std::string_view start, std::string_view end, StreamId* lo, StreamId* hi) {
  auto bound = [](std::string_view text, std::uint64_t missing_seq, bool* excluded, StreamId* id) {
    *excluded = text.size() > 1 && text[0] == '(';
    if (*excluded) text.remove_prefix(1);
    return ParseStreamId(text, missing_seq, /*strict=*/*excluded, id);  // "(-" is no ID
  };
  bool ex = false;
  if (!bound(start, 0, &ex, lo)) return Status::InvalidArgument(kBadStreamIdError);
  if (ex && !lo->Increment())
    return Status::InvalidArgument("ERR invalid start ID for the interval");
  if (!bound(end, UINT64_MAX, &ex, hi)) return Status::InvalidArgument(kBadStreamIdError);
  if (ex && !hi->Decrement()) return Status::InvalidArgument("ERR invalid end ID for the interval");
  return Status::Ok();
}

}  // namespace cairn::kv
