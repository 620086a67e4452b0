// Streams in RDB (Redis 7.0's t_stream.c layout, as rdb.c saves it), for
// DUMP and RESTORE (kv/dump_payload.h).
//
// After the type byte: the listpack nodes (a count; per node its master ID
// as 16 bytes big-endian and a listpack), the entry count, the last ID (ms,
// seq as RDB lengths); from version 2 (type 19) the first ID, the largest
// deleted ID and the entries ever added; then the groups: a count, and per
// group its name, last delivered ID, entries read (version 2), its pending
// entries (count; per entry the ID as 16 raw bytes, the delivery time as 8
// bytes little-endian ms and the delivery count) and its consumers (count;
// per consumer its name, the time last seen as 8 bytes, in version 3 (type
// 21) also the time last active, and the IDs of its pending entries).
//
// A node's listpack starts with its master entry: count of live entries,
// count of deleted ones, the master field names (count, names) and a 0.
// Then each entry: flags (1 deleted, 2 same fields as the master), its ID
// as differences from the master ID, the field count and fields and values
// (or only the values, with flag 2), and how many elements it took.
#include <algorithm>
#include <map>

#include "kv/rdb_codec.h"

namespace cairn::kv::rdb {
namespace {

constexpr std::int64_t kFlagDeleted = 1;
constexpr std::int64_t kFlagSameFields = 2;
constexpr std::size_t kEntriesPerNode = 100;  // Redis's stream-node-max-entries

StreamId RawId(std::string_view raw) {
  if (raw.size() != 16) throw BadFormat{};
  StreamId id;
  for (int i = 0; i < 8; ++i) id.ms = (id.ms << 8) | static_cast<std::uint8_t>(raw[i]);
  for (int i = 8; i < 16; ++i) id.seq = (id.seq << 8) | static_cast<std::uint8_t>(raw[i]);
  return id;
}

void PutRawId(std::string* out, const StreamId& id) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(id.ms >> shift));
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(id.seq >> shift));
}

StreamId LengthId(Reader& r) {
  StreamId id;
  id.ms = r.Length();
  id.seq = r.Length();
  return id;
}

std::int64_t Millis(Reader& r) { return LoadLittle<std::int64_t>(r.Take(8).data()); }

void PutMillis(std::string* out, std::int64_t ms) {
  for (int shift = 0; shift < 64; shift += 8) out->push_back(static_cast<char>(ms >> shift));
}

// The live entries of one node, appended to `entries`.
void ReadNode(const StreamId& master, const std::vector<std::string>& items,
              std::vector<StreamEntry>* entries) {
  std::size_t i = 0;
  auto next = [&]() -> const std::string& {
    if (i >= items.size()) throw BadFormat{};
    return items[i++];
  };
  auto count = [&](std::int64_t most) {
    const std::int64_t n = ItemInt(next());
    if (n < 0 || n > most) throw BadFormat{};
    return static_cast<std::size_t>(n);
  };
  const std::int64_t left = static_cast<std::int64_t>(items.size());
  const std::size_t live = count(left);
  count(left);  // deleted entries
  std::vector<std::string> master_fields(count(left));
  for (std::string& f : master_fields) f = next();
  if (ItemInt(next()) != 0) throw BadFormat{};  // the master entry's end
  std::size_t seen_live = 0;
  while (i < items.size()) {
    const std::size_t start = i;
    const std::int64_t flags = ItemInt(next());
    if ((flags & ~(kFlagDeleted | kFlagSameFields)) != 0) throw BadFormat{};
    StreamEntry e;
    e.id.ms = master.ms + static_cast<std::uint64_t>(ItemInt(next()));  // modulo 2^64, as Redis
    e.id.seq = master.seq + static_cast<std::uint64_t>(ItemInt(next()));
    if (flags & kFlagSameFields) {
      for (const std::string& f : master_fields) e.fields.emplace_back(f, next());
    } else {
      const std::size_t n = count(left);
      for (std::size_t k = 0; k < n; ++k) {
        std::string f = next();
        e.fields.emplace_back(std::move(f), next());
      }
    }
    // lp-count: the elements the entry took before it.
    const auto took = static_cast<std::int64_t>(i - start);
    if (e.fields.empty() || ItemInt(next()) != took) throw BadFormat{};
    if (flags & kFlagDeleted) continue;
    ++seen_live;
    entries->push_back(std::move(e));
  }
  if (seen_live != live) throw BadFormat{};
}

}  // namespace

Record ReadStream(std::uint8_t type, Reader& r) {
  const bool v2 = type >= 19, v3 = type >= 21;
  Stream s;
  for (std::uint64_t nodes = r.Length(); nodes > 0; --nodes) {
    const StreamId master = RawId(r.String());
    const std::vector<std::string> items = ListpackItems(r.String());
    if (items.empty()) throw BadFormat{};
    ReadNode(master, items, &s.entries);
  }
  if (r.Length() != s.entries.size()) throw BadFormat{};
  s.last_id = LengthId(r);
  if (v2) {
    LengthId(r);  // the first ID: entries.front() here
    s.max_deleted = LengthId(r);
    s.entries_added = r.Length();
  } else {
    s.entries_added = s.entries.size();  // as Redis 7.0 loads an older stream
  }
  for (std::uint64_t groups = r.Length(); groups > 0; --groups) {
    StreamGroup g;
    g.name = r.String();
    g.last_delivered = LengthId(r);
    g.entries_read =
        v2 ? static_cast<std::int64_t>(r.Length()) : s.EstimateEntriesRead(g.last_delivered);
    if (g.entries_read < kEntriesReadUnknown) throw BadFormat{};
    std::map<StreamId, StreamPending> pending;
    for (std::uint64_t n = r.Length(); n > 0; --n) {
      StreamPending p;
      p.id = RawId(r.Take(16));
      p.delivery_ms = Millis(r);
      p.delivery_count = r.Length();
      if (!pending.emplace(p.id, std::move(p)).second) throw BadFormat{};
    }
    for (std::uint64_t n = r.Length(); n > 0; --n) {
      StreamConsumer c;
      c.name = r.String();
      c.seen_ms = Millis(r);
      if (v3) Millis(r);  // active time: Cairn keeps none
      for (std::uint64_t k = r.Length(); k > 0; --k) {
        auto it = pending.find(RawId(r.Take(16)));
        // Each pending entry belongs to exactly one consumer.
        if (it == pending.end() || !it->second.consumer.empty()) throw BadFormat{};
        it->second.consumer = c.name;
      }
      g.consumers.push_back(std::move(c));
    }
    for (auto& [id, p] : pending) {
      if (p.consumer.empty()) throw BadFormat{};
      g.pending.push_back(std::move(p));
    }
    std::sort(g.consumers.begin(), g.consumers.end(),
              [](const StreamConsumer& a, const StreamConsumer& b) { return a.name < b.name; });
    s.groups.push_back(std::move(g));
  }
  std::sort(s.groups.begin(), s.groups.end(),
            [](const StreamGroup& a, const StreamGroup& b) { return a.name < b.name; });
  Record rec;
  rec.type = kTypeStream;
  rec.value = EncodeStream(s);
  // The layout's own rules (IDs ascending and at most the last ID, distinct
  // names, fields per entry) are ValidateStream's.
  if (!ValidateStream(rec.value).ok()) throw BadFormat{};
  return rec;
}

void WriteStream(const Stream& s, std::string* out) {
  const std::size_t nodes = (s.entries.size() + kEntriesPerNode - 1) / kEntriesPerNode;
  PutLength(out, nodes);
  for (std::size_t first = 0; first < s.entries.size(); first += kEntriesPerNode) {
    const std::size_t end = std::min(s.entries.size(), first + kEntriesPerNode);
    const StreamEntry& master = s.entries[first];
    std::string key;
    PutRawId(&key, master.id);
    PutString(out, key);
    ListpackWriter lp;
    lp.AppendInt(static_cast<std::int64_t>(end - first));
    lp.AppendInt(0);
    lp.AppendInt(static_cast<std::int64_t>(master.fields.size()));
    for (const auto& [field, value] : master.fields) lp.AppendString(field);
    lp.AppendInt(0);
    for (std::size_t i = first; i < end; ++i) {
      const StreamEntry& e = s.entries[i];
      const bool same =
          std::equal(e.fields.begin(), e.fields.end(), master.fields.begin(), master.fields.end(),
                     [](const auto& a, const auto& b) { return a.first == b.first; });
      lp.AppendInt(same ? kFlagSameFields : 0);
      lp.AppendInt(static_cast<std::int64_t>(e.id.ms - master.id.ms));
      lp.AppendInt(static_cast<std::int64_t>(e.id.seq - master.id.seq));
      if (!same) lp.AppendInt(static_cast<std::int64_t>(e.fields.size()));
      for (const auto& [field, value] : e.fields) {
        if (!same) lp.AppendString(field);
        lp.AppendString(value);
      }
      const std::size_t n = e.fields.size();
      lp.AppendInt(static_cast<std::int64_t>(same ? n + 3 : 2 * n + 4));
    }
    PutString(out, lp.Finish());
  }
  PutLength(out, s.entries.size());
  PutLength(out, s.last_id.ms);
  PutLength(out, s.last_id.seq);
  PutLength(out, s.FirstId().ms);
  PutLength(out, s.FirstId().seq);
  PutLength(out, s.max_deleted.ms);
  PutLength(out, s.max_deleted.seq);
  PutLength(out, s.entries_added);
  PutLength(out, s.groups.size());
  for (const StreamGroup& g : s.groups) {
    PutString(out, g.name);
    PutLength(out, g.last_delivered.ms);
    PutLength(out, g.last_delivered.seq);
    PutLength(out, static_cast<std::uint64_t>(g.entries_read));  // -1 as Redis writes it
    PutLength(out, g.pending.size());
    for (const StreamPending& p : g.pending) {
      PutRawId(out, p.id);
      PutMillis(out, p.delivery_ms);
      PutLength(out, p.delivery_count);
    }
    PutLength(out, g.consumers.size());
    for (const StreamConsumer& c : g.consumers) {
      PutString(out, c.name);
      PutMillis(out, c.seen_ms);
      std::size_t owned = 0;
      for (const StreamPending& p : g.pending) owned += p.consumer == c.name;
      PutLength(out, owned);
      for (const StreamPending& p : g.pending)
        if (p.consumer == c.name) PutRawId(out, p.id);
    }
  }
}

}  // namespace cairn::kv::rdb
