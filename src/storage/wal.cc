#include "storage/wal.h"

#include <algorithm>
#include <cstdio>

#include "storage/segment_reader.h"
#include "storage/wal_format.h"

namespace cairn::storage {
namespace {

Status CorruptAt(const std::string& path, std::uint64_t offset, std::string_view why) {
  return Status::Corruption("wal " + path + " offset " + std::to_string(offset) + ": " +
                            std::string(why));
}

}  // namespace

std::string SegmentName(std::uint64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%016llx.wal", static_cast<unsigned long long>(seq));
  return buf;
}

std::optional<std::uint64_t> ParseSegmentName(std::string_view name) {
  if (name.size() != 20 || name.substr(16) != ".wal") return std::nullopt;
  std::uint64_t seq = 0;
  for (char c : name.substr(0, 16)) {
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (d < 0) return std::nullopt;
    seq = (seq << 4) | static_cast<std::uint64_t>(d);
  }
  return seq;
}

Wal::Wal(Fs& fs, std::string dir, WalOptions options)
    : fs_(fs), dir_(std::move(dir)), options_(options) {}

Wal::~Wal() = default;

Result<std::unique_ptr<Wal>> Wal::Open(Fs& fs, std::string dir, WalOptions options,
                                       WalState* recovered) {
  CAIRN_CHECK(options.first_index >= 1);
  std::unique_ptr<Wal> wal(new Wal(fs, std::move(dir), options));
  WalState state;
  CAIRN_RETURN_IF_ERROR(wal->Recover(&state));
  if (options.log_recovery) {
    for (const auto& note : state.report.notes) std::fprintf(stderr, "cairn wal: %s\n", note.c_str());
  }
  if (recovered != nullptr) *recovered = std::move(state);
  return wal;
}

// Finishes a reset that a crash interrupted: once "<name>.reset" exists
// (complete and synced) the old log is garbage. A half-written ".tmp" is
// the reset not having happened.
Status Wal::FinishReset(const std::vector<std::string>& names) {
  std::string reset;
  for (const auto& name : names) {
    if (name.ends_with(".wal.tmp")) CAIRN_RETURN_IF_ERROR(fs_.Remove(JoinPath(dir_, name)));
    if (name.ends_with(".wal.reset")) reset = name;
  }
  if (reset.empty()) return Status::Ok();
  for (const auto& name : names) {  // oldest first: a crash leaves a suffix
    if (ParseSegmentName(name)) CAIRN_RETURN_IF_ERROR(fs_.Remove(JoinPath(dir_, name)));
  }
  std::string final_name = reset.substr(0, reset.size() - 6);
  CAIRN_RETURN_IF_ERROR(fs_.Rename(JoinPath(dir_, reset), JoinPath(dir_, final_name)));
  return fs_.SyncDir(dir_);
}

Status Wal::Recover(WalState* out) {
  CAIRN_RETURN_IF_ERROR(fs_.CreateDir(dir_));
  CAIRN_ASSIGN_OR_RETURN(auto names, fs_.List(dir_));
  if (!options_.read_only) {
    std::sort(names.begin(), names.end());
    CAIRN_RETURN_IF_ERROR(FinishReset(names));
    CAIRN_ASSIGN_OR_RETURN(names, fs_.List(dir_));
  }
  std::vector<std::uint64_t> seqs;
  for (const auto& name : names) {
    if (auto seq = ParseSegmentName(name)) seqs.push_back(*seq);
  }
  std::sort(seqs.begin(), seqs.end());
  for (std::size_t i = 0; i < seqs.size(); i++) {
    segments_.push_back({seqs[i], 0, JoinPath(dir_, SegmentName(seqs[i]))});
  }
  if (seqs.empty() && options_.read_only) return Status::NotFound("wal " + dir_ + ": no segments");
  first_index_ = options_.first_index;
  last_index_ = first_index_ - 1;
  for (std::size_t i = 0; i < segments_.size(); i++) {
    bool last = i + 1 == segments_.size();
    if (i > 0 && segments_[i].seq != segments_[i - 1].seq + 1) {
      return Status::Corruption("wal " + dir_ + ": missing segment " +
                                SegmentName(segments_[i - 1].seq + 1));
    }
    CAIRN_RETURN_IF_ERROR(ReplaySegment(i, last, out));
    if (i == 0 && segments_.size() > 2) {  // segments are about the same size
      out->entries.reserve(out->entries.size() * segments_.size() * 11 / 10);
    }
  }
  std::string().swap(read_buffer_);
  out->report.segments = segments_.size();
  if (segments_.empty() && !options_.read_only) {
    // Fresh WAL (or only a torn first header, removed above).
    std::uint64_t seq = seqs.empty() ? 1 : seqs.front();
    CAIRN_RETURN_IF_ERROR(StartSegment(seq));
    out->report.segments = 1;
  }
  hard_state_ = out->hard_state;
  raft::Index base = segments_.empty() ? options_.first_index : segments_.front().base_index + 1;
  first_index_ = out->entries.empty() ? base : out->entries.front().index;
  last_index_ = out->entries.empty() ? first_index_ - 1 : out->entries.back().index;
  out->first_index = first_index_;
  last_term_ = out->entries.empty() ? 0 : out->entries.back().term;
  return Status::Ok();
}

// Replays segments_[i] into `out`, record by record as the reader yields
// them; in the last segment, repairs a torn tail and reopens the file for
// appending. Any error fails Open, so records applied before a corruption is
// found are discarded with the rest of `out`.
Status Wal::ReplaySegment(std::size_t i, bool last, WalState* out) {
  Segment& seg = segments_[i];
  std::uint64_t file_bytes = 0;
  wal::SegmentScan scan;
  bool has_header = false;
  {
    CAIRN_ASSIGN_OR_RETURN(auto file, fs_.Open(seg.path, OpenMode::kExisting));
    CAIRN_ASSIGN_OR_RETURN(file_bytes, file->Size());
    // One buffer for every segment: reused pages cost no zeroing or faults.
    wal::SegmentReader reader(*file, file_bytes, {.skip_crc_check = options_.test_skip_crc_check},
                              &read_buffer_);
    wal::Record rec;
    if (reader.Next(&rec)) {
      has_header = true;
      raft::Index log_first = 0;
      CAIRN_RETURN_IF_ERROR(ReplayHeader(seg, rec, i == 0, out, &log_first));
      while (reader.Next(&rec)) CAIRN_RETURN_IF_ERROR(ReplayRecord(seg, rec, &log_first, out));
    }
    CAIRN_ASSIGN_OR_RETURN(scan, reader.Finish());
  }
  if (scan.tail == wal::TailKind::kCorrupt || (!last && scan.tail == wal::TailKind::kTorn)) {
    return CorruptAt(seg.path, scan.valid_end_offset, scan.tail_reason);
  }
  if (!has_header) {
    if (!last) return CorruptAt(seg.path, 0, "segment has no header");
    // Created but its header never became durable: nothing was acknowledged in it.
    out->report.notes.push_back(std::string(options_.read_only ? "would remove" : "removed") +
                                " segment " + seg.path + " with no valid header (" +
                                std::to_string(file_bytes) + " bytes)");
    if (options_.read_only) {
      segments_.pop_back();
      return Status::Ok();
    }
    CAIRN_RETURN_IF_ERROR(fs_.Remove(seg.path));
    CAIRN_RETURN_IF_ERROR(fs_.SyncDir(dir_));
    std::uint64_t seq = seg.seq;
    segments_.pop_back();
    return StartSegment(seq);
  }
  out->report.bytes_replayed += scan.valid_end_offset;
  if (!last) return Status::Ok();
  return RepairTail(seg, scan, file_bytes, out);
}

// Checks a segment's first record, its header; sets *log_first to the index
// the recovered entries start at.
Status Wal::ReplayHeader(Segment& seg, const wal::Record& first, bool first_segment, WalState* out,
                         raft::Index* log_first) {
  if (first.type != wal::RecordType::kSegmentHeader) {
    return CorruptAt(seg.path, 0, "first record is not a segment header");
  }
  auto header = wal::DecodeSegmentHeader(first.payload);
  if (!header.ok()) return CorruptAt(seg.path, 0, header.status().message());
  if (header->seq != seg.seq) return CorruptAt(seg.path, 0, "header seq does not match the file name");
  seg.base_index = header->base_index;
  if (first_segment) last_index_ = header->base_index;
  *log_first = out->entries.empty() ? header->base_index + 1 : out->entries.front().index;
  if (!first_segment && header->base_index != last_index_) {
    return CorruptAt(seg.path, 0, "segment base index " + std::to_string(header->base_index) +
                                      " does not match the log's last index " +
                                      std::to_string(last_index_) + " in earlier segments");
  }
  return Status::Ok();
}

// Applies one record after the header to `out`. An entry is placed first and
// its data copied once, from the read window into the entry.
Status Wal::ReplayRecord(const Segment& seg, const wal::Record& rec, raft::Index* log_first,
                         WalState* out) {
  if (rec.type == wal::RecordType::kHardState) {
    auto hs = wal::DecodeHardState(rec.payload);
    if (!hs.ok()) return CorruptAt(seg.path, rec.offset, hs.status().message());
    out->hard_state = *hs;
    hard_state_ = *hs;  // a segment started during recovery must repeat it
    return Status::Ok();
  }
  if (rec.type != wal::RecordType::kEntry) return CorruptAt(seg.path, rec.offset, "unexpected record type");
  auto e = wal::DecodeEntryView(rec.payload);
  if (!e.ok()) return CorruptAt(seg.path, rec.offset, e.status().message());
  auto& entries = out->entries;
  if (e->index < *log_first) {
    // A replacement that starts below the oldest entry left after
    // compaction (it was made before the compaction covered it): the log
    // now starts at this entry.
    entries.clear();
    *log_first = e->index;
    last_index_ = e->index - 1;
  }
  if (e->index > last_index_ + 1) {
    return CorruptAt(seg.path, rec.offset, "entry index " + std::to_string(e->index) +
                                               " does not continue the log ending at " +
                                               std::to_string(last_index_));
  }
  const std::size_t pos = static_cast<std::size_t>(e->index - *log_first);
  if (pos != entries.size()) entries.resize(pos);  // drops a replaced suffix
  raft::Entry& placed = entries.emplace_back();
  placed.term = e->term;
  placed.index = e->index;
  placed.type = e->type;
  if (e->index >= options_.replay_data_from)
    placed.data = raft::Payload(std::string_view(e->data.data(), e->data.size()));
  last_index_ = e->index;
  return Status::Ok();
}

// The last segment becomes the active one; a torn tail is truncated (and
// synced) so that new records follow the last valid one.
Status Wal::RepairTail(const Segment& seg, const wal::SegmentScan& scan, std::uint64_t file_bytes,
                       WalState* out) {
  if (options_.read_only) {
    if (scan.tail == wal::TailKind::kTorn) {
      out->report.tail_truncated = true;
      out->report.tail_bytes_dropped = file_bytes - scan.valid_end_offset;
      out->report.notes.push_back("would truncate torn tail of " + seg.path + " at offset " +
                                  std::to_string(scan.valid_end_offset) + " (" + scan.tail_reason + ")");
    }
    return Status::Ok();
  }

  CAIRN_ASSIGN_OR_RETURN(active_, fs_.Open(seg.path, OpenMode::kExisting));
  active_offset_ = scan.valid_end_offset;
  zeroed_until_ = 0;
  if (scan.tail == wal::TailKind::kTorn) {
    out->report.tail_truncated = true;
    out->report.tail_bytes_dropped = file_bytes - scan.valid_end_offset;
    out->report.notes.push_back("truncated torn tail of " + seg.path + " at offset " +
                                std::to_string(scan.valid_end_offset) + " (" + scan.tail_reason + ")");
    CAIRN_RETURN_IF_ERROR(active_->Truncate(scan.valid_end_offset));
    if (options_.preallocate) CAIRN_RETURN_IF_ERROR(active_->Allocate(options_.segment_bytes_target));
    CAIRN_RETURN_IF_ERROR(active_->Sync());
  }
  return Status::Ok();
}


// Creates, preallocates and durably names a new active segment.
Status Wal::StartSegment(std::uint64_t seq) {
  std::string path = JoinPath(dir_, SegmentName(seq));
  CAIRN_ASSIGN_OR_RETURN(auto file, fs_.Open(path, OpenMode::kCreate));
  CAIRN_RETURN_IF_ERROR(file->Truncate(0));  // a leftover file of that name is garbage
  if (options_.preallocate) CAIRN_RETURN_IF_ERROR(file->Allocate(options_.segment_bytes_target));
  std::string head;
  wal::AppendSegmentHeader(&head, {wal::kFormatVersion, seq, last_index_});
  if (hard_state_ != raft::HardState{}) wal::AppendHardState(&head, hard_state_);
  CAIRN_RETURN_IF_ERROR(file->Write(0, head));
  if (!options_.test_skip_sync) CAIRN_RETURN_IF_ERROR(file->Sync());
  CAIRN_RETURN_IF_ERROR(fs_.SyncDir(dir_));
  segments_.push_back({seq, last_index_, path});
  active_ = std::move(file);
  active_offset_ = head.size();
  zeroed_until_ = 0;
  return Status::Ok();
}

Status Wal::Writable() const {
  if (options_.read_only) return Status::FailedPrecondition("wal opened read-only");
  return poisoned_;
}

Status Wal::Poison(Status s) {
  if (poisoned_.ok() && !s.ok()) poisoned_ = s.WithContext("wal poisoned by earlier error");
  return s;
}

Status Wal::Flush() {
  if (buffer_.empty()) return Status::Ok();
  Status s = active_->Write(active_offset_, buffer_);
  if (!s.ok()) return Poison(s);
  active_offset_ += buffer_.size();
  buffer_.clear();
  return ZeroAhead();
}

Status Wal::ZeroAhead() {
  if (!options_.preallocate || options_.zero_ahead_bytes == 0) return Status::Ok();
  if (active_offset_ < zeroed_until_) return Status::Ok();
  // Never past the preallocated size: growing the file is a metadata change.
  const std::uint64_t end =
      std::min(options_.segment_bytes_target, active_offset_ + options_.zero_ahead_bytes);
  zeroed_until_ = std::max(active_offset_, end);
  if (end <= active_offset_) return Status::Ok();
  if (zeros_.size() < end - active_offset_) zeros_.assign(end - active_offset_, '\0');
  Status s =
      active_->Write(active_offset_, std::string_view(zeros_).substr(0, end - active_offset_));
  if (!s.ok()) return Poison(s);
  return Status::Ok();
}

Status Wal::Append(std::span<const raft::Entry> entries) {
  CAIRN_RETURN_IF_ERROR(Writable());
  if (entries.empty()) return Status::Ok();
  if (entries[0].index < first_index_ || entries[0].index > last_index_ + 1) {
    return Status::InvalidArgument("wal append: entry index " + std::to_string(entries[0].index) +
                                   " outside [" + std::to_string(first_index_) + ", " +
                                   std::to_string(last_index_ + 1) + "]");
  }
  for (std::size_t i = 1; i < entries.size(); i++) {
    if (entries[i].index != entries[i - 1].index + 1) {
      return Status::InvalidArgument("wal append: entries are not contiguous");
    }
  }
  for (const raft::Entry& e : entries) {
    if (active_offset_ + buffer_.size() >= options_.segment_bytes_target) {
      // Rotate: the old segment becomes immutable and fully durable first,
      // so only the last segment can ever have a torn tail.
      CAIRN_RETURN_IF_ERROR(Flush());
      if (!options_.test_skip_sync) {
        Status s = active_->Sync();
        if (!s.ok()) return Poison(s);
      }
      Status s = StartSegment(segments_.back().seq + 1);
      if (!s.ok()) return Poison(s);
    }
    wal::AppendEntry(&buffer_, e);
    last_index_ = e.index;  // per entry: a rotation mid-batch records it
    last_term_ = e.term;
    if (buffer_.size() >= options_.write_buffer_bytes) CAIRN_RETURN_IF_ERROR(Flush());
  }
  return Status::Ok();
}

Status Wal::SetHardState(const raft::HardState& hs) {
  CAIRN_RETURN_IF_ERROR(Writable());
  wal::AppendHardState(&buffer_, hs);
  hard_state_ = hs;
  return Status::Ok();
}

Status Wal::Sync() {
  CAIRN_RETURN_IF_ERROR(Writable());
  CAIRN_RETURN_IF_ERROR(Flush());
  if (options_.test_skip_sync) return Status::Ok();
  Status s = active_->Sync();
  if (!s.ok()) return Poison(s);
  sync_count_++;
  return Status::Ok();
}

Status Wal::Save(const std::optional<raft::HardState>& hs, std::span<const raft::Entry> entries,
                 bool must_sync) {
  CAIRN_RETURN_IF_ERROR(Append(entries));
  if (hs) CAIRN_RETURN_IF_ERROR(SetHardState(*hs));
  if (must_sync) return Sync();
  return Flush();
}

Status Wal::Compact(raft::Index index) {
  CAIRN_RETURN_IF_ERROR(Writable());
  // Entries still live in segments before k have indexes <= segments_[k].base_index
  // (later writes only replace them), so those segments may all go once that
  // is <= index. Keep the active (last) segment.
  std::size_t drop = 0;
  for (std::size_t k = 1; k < segments_.size(); k++) {
    if (segments_[k].base_index <= index) drop = k;
  }
  if (drop == 0) return Sync();
  // The hard state must live in a segment that stays. The active segment's
  // header normally repeats it, but that copy may have been a torn write
  // truncated by recovery; writing it again (and syncing) is cheap and sure.
  if (hard_state_ != raft::HardState{}) wal::AppendHardState(&buffer_, hard_state_);
  CAIRN_RETURN_IF_ERROR(Sync());
  for (std::size_t k = 0; k < drop; k++) {  // oldest first: a crash leaves a suffix
    Status s = fs_.Remove(segments_[k].path);
    if (!s.ok()) return Poison(s);
  }
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(drop));
  first_index_ = std::max(first_index_, segments_.front().base_index + 1);
  Status s = fs_.SyncDir(dir_);
  if (!s.ok()) return Poison(s);
  return Status::Ok();
}

Status Wal::Reset(raft::Index index, raft::Term term, const raft::HardState& hs) {
  CAIRN_RETURN_IF_ERROR(Writable());
  buffer_.clear();  // whatever was not written belongs to the log being dropped
  const std::uint64_t seq = segments_.back().seq + 1;
  const std::string path = JoinPath(dir_, SegmentName(seq));
  auto fail = [&](Status s) { return Poison(std::move(s)); };
  CAIRN_ASSIGN_OR_RETURN(auto file, fs_.Open(path + ".tmp", OpenMode::kCreate));
  std::string head;
  wal::AppendSegmentHeader(&head, {wal::kFormatVersion, seq, index});
  if (hs != raft::HardState{}) wal::AppendHardState(&head, hs);
  Status s = file->Truncate(0);
  if (s.ok() && options_.preallocate) s = file->Allocate(options_.segment_bytes_target);
  if (s.ok()) s = file->Write(0, head);
  if (s.ok() && !options_.test_skip_sync) s = file->Sync();
  if (s.ok()) s = fs_.Rename(path + ".tmp", path + ".reset");
  if (s.ok()) s = fs_.SyncDir(dir_);  // the commit point
  if (!s.ok()) return fail(s);
  std::vector<std::string> names;
  for (const auto& seg : segments_) names.push_back(SegmentName(seg.seq));
  names.push_back(SegmentName(seq) + ".reset");
  s = FinishReset(names);
  if (!s.ok()) return fail(s);
  segments_.assign(1, Segment{seq, index, path});
  active_ = std::move(file);
  active_offset_ = head.size();
  zeroed_until_ = 0;
  first_index_ = index + 1;
  last_index_ = index;
  last_term_ = term;
  hard_state_ = hs;
  return Status::Ok();
}

}  // namespace cairn::storage
