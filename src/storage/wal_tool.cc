#include "storage/wal_tool.h"

#include <algorithm>
#include <ostream>

#include "storage/wal_format.h"

namespace cairn::storage {
namespace {

std::string Preview(std::string_view data) {
  std::string out;
  for (char c : data.substr(0, 24)) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(c);
    } else {
      static const char* kHex = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[(static_cast<unsigned char>(c) >> 4) & 0xf]);
      out.push_back(kHex[static_cast<unsigned char>(c) & 0xf]);
    }
  }
  if (data.size() > 24) out += "...";
  return out;
}

Status DumpRecord(const wal::Record& rec, std::ostream& out) {
  switch (rec.type) {
    case wal::RecordType::kSegmentHeader: {
      CAIRN_ASSIGN_OR_RETURN(auto h, wal::DecodeSegmentHeader(rec.payload));
      out << "segment-header version=" << h.version << " seq=" << h.seq
          << " base_index=" << h.base_index;
      break;
    }
    case wal::RecordType::kEntry: {
      CAIRN_ASSIGN_OR_RETURN(auto e, wal::DecodeEntry(rec.payload));
      out << "entry index=" << e.index << " term=" << e.term
          << " type=" << static_cast<int>(e.type) << " bytes=" << e.data.size() << " data=\""
          << Preview(e.data) << "\"";
      break;
    }
    case wal::RecordType::kHardState: {
      CAIRN_ASSIGN_OR_RETURN(auto hs, wal::DecodeHardState(rec.payload));
      out << "hard-state term=" << hs.term << " vote=" << hs.vote << " commit=" << hs.commit;
      break;
    }
    default:
      out << "invalid";
  }
  return Status::Ok();
}

}  // namespace

Status DumpWal(Fs& fs, const std::string& dir, std::ostream& out) {
  CAIRN_ASSIGN_OR_RETURN(auto names, fs.List(dir));
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    if (!ParseSegmentName(name)) continue;
    std::string path = JoinPath(dir, name);
    CAIRN_ASSIGN_OR_RETURN(std::string bytes, fs.ReadAll(path));
    wal::SegmentScan scan = wal::ScanSegment(bytes);
    for (const auto& rec : scan.records) {
      out << name << " @" << rec.offset << " ";
      Status s = DumpRecord(rec, out);
      out << "\n";
      if (!s.ok()) return s.WithContext(path + " @" + std::to_string(rec.offset));
    }
    static const char* kTail[] = {"clean", "torn", "corrupt"};
    out << name << " @" << scan.valid_end_offset << " end: "
        << kTail[static_cast<int>(scan.tail)] << " (" << bytes.size() << " bytes in file"
        << (scan.tail_reason.empty() ? "" : ", " + scan.tail_reason) << ")\n";
  }
  return Status::Ok();
}

Result<VerifySummary> VerifyWal(Fs& fs, const std::string& dir) {
  WalOptions options;
  options.read_only = true;
  options.log_recovery = false;
  WalState state;
  CAIRN_ASSIGN_OR_RETURN(auto wal, Wal::Open(fs, dir, options, &state));
  VerifySummary sum;
  sum.segments = state.report.segments;
  sum.entries = state.entries.size();
  sum.first_index = wal->first_index();
  sum.last_index = wal->last_index();
  sum.hard_state = state.hard_state;
  sum.bytes = state.report.bytes_replayed;
  sum.torn_tail = state.report.tail_truncated;
  sum.notes = state.report.notes;
  return sum;
}

}  // namespace cairn::storage
