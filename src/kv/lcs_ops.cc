// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN] (read op kLcs),
// following Redis 7.0: the longest common subsequence of two strings by
// the textbook dynamic programme, walked back from the end to spell it or
// to list its matching ranges. The options are read after the keys' types
// are checked, as Redis orders it.
//
// The table holds (len1 + 1) x (len2 + 1) counts and the walk runs on the
// node's event loop, so Cairn refuses pairs whose table would pass
// kLcsCellsMax (64 MiB, tens of milliseconds) where Redis would try to
// allocate it.

#include <cstdint>
#include <vector>

#include "kv/apply_txn.h"
#include "kv/errors.h"
#include "kv/parse.h"

namespace cairn::kv {
namespace {

using resp::Value;
constexpr std::uint64_t kLcsCellsMax = 16u << 20;

struct LcsOptions {
  bool len = false, idx = false, with_match_len = false;
  std::int64_t min_match_len = 0;
};

}  // namespace

Value ReadLcs(const Op& op, const std::function<Result<const Record*>(const std::string&)>& load) {
  Result<const Record*> ra = load(op.args[0]);
  if (!ra.ok()) return Value::Error("ERR storage: " + ra.status().ToString());
  std::string a = *ra != nullptr ? (*ra)->value : std::string();
  const bool a_string = *ra == nullptr || (*ra)->is_string();
  Result<const Record*> rb = load(op.args[1]);
  if (!rb.ok()) return Value::Error("ERR storage: " + rb.status().ToString());
  const bool b_string = *rb == nullptr || (*rb)->is_string();
  if (!a_string || !b_string)
    return Value::Error("ERR The specified keys must contain string values");
  const std::string b = *rb != nullptr ? (*rb)->value : std::string();
  LcsOptions o;
  for (std::size_t j = 2; j < op.args.size(); ++j) {
    const std::string& opt = op.args[j];
    if (IsKeyword(opt, "idx")) {
      o.idx = true;
    } else if (IsKeyword(opt, "len")) {
      o.len = true;
    } else if (IsKeyword(opt, "withmatchlen")) {
      o.with_match_len = true;
    } else if (IsKeyword(opt, "minmatchlen") && j + 1 < op.args.size()) {
      if (!ParseStrictInt64(op.args[j + 1], &o.min_match_len)) {
        return Value::Error(errors::kNotInteger);
      }
      if (o.min_match_len < 0) o.min_match_len = 0;
      ++j;
    } else {
      return Value::Error(errors::kSyntax);
    }
  }
  if (o.idx && o.len) {
    return Value::Error("ERR If you want both the length and indexes, please just use IDX.");
  }
  const std::uint64_t alen = a.size(), blen = b.size();
  if ((alen + 1) * (blen + 1) > kLcsCellsMax) {
    return Value::Error(
        "ERR LCS of strings this long is refused by Cairn (its table would pass 64 MiB)");
  }
  // table[i][j]: the LCS length of a[0, i) and b[0, j).
  std::vector<std::uint32_t> table((alen + 1) * (blen + 1), 0);
  auto at = [&](std::uint64_t i, std::uint64_t j) -> std::uint32_t& {
    return table[j + i * (blen + 1)];
  };
  for (std::uint64_t i = 1; i <= alen; ++i) {
    for (std::uint64_t j = 1; j <= blen; ++j) {
      at(i, j) = a[i - 1] == b[j - 1] ? at(i - 1, j - 1) + 1 : std::max(at(i - 1, j), at(i, j - 1));
    }
  }
  const std::uint32_t total = at(alen, blen);
  if (o.len) return Value::Int(total);
  // Walk back from the end: spell the subsequence, and note each run of
  // matches contiguous in both strings as a range, as Redis notes them.
  std::string result(total, '\0');
  Value matches = Value::Array();
  std::uint64_t idx = total;
  std::uint64_t a_start = alen, a_end = 0, b_start = 0, b_end = 0;  // a_start == alen: none
  std::uint64_t i = alen, j = blen;
  while (i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      result[idx - 1] = a[i - 1];
      if (a_start == alen) {
        a_start = a_end = i - 1;
        b_start = b_end = j - 1;
      } else if (a_start == i && b_start == j) {
        --a_start;
        --b_start;
      } else {
        emit = true;
      }
      if (a_start == 0 || b_start == 0) emit = true;
      --idx;
      --i;
      --j;
    } else {
      if (at(i - 1, j) > at(i, j - 1)) {
        --i;
      } else {
        --j;
      }
      if (a_start != alen) emit = true;
    }
    if (emit) {
      const std::uint64_t match_len = a_end - a_start + 1;
      if (o.idx &&
          (o.min_match_len == 0 || match_len >= static_cast<std::uint64_t>(o.min_match_len))) {
        Value range = Value::Array({Value::Array({Value::Int(static_cast<std::int64_t>(a_start)),
                                                  Value::Int(static_cast<std::int64_t>(a_end))}),
                                    Value::Array({Value::Int(static_cast<std::int64_t>(b_start)),
                                                  Value::Int(static_cast<std::int64_t>(b_end))})});
        if (o.with_match_len)
          range.elems.push_back(Value::Int(static_cast<std::int64_t>(match_len)));
        matches.elems.push_back(std::move(range));
      }
      a_start = alen;
    }
  }
  if (!o.idx) return Value::BulkOwned(std::move(result));
  return Value::Map(
      {Value::Bulk("matches"), std::move(matches), Value::Bulk("len"), Value::Int(total)});
}

}  // namespace cairn::kv
