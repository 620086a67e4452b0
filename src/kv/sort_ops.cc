// SORT and SORT_RO (read op kSort) and SORT ... STORE (write op kSortStore),
// following Redis 7.0: the elements of a list, set or sorted set, sorted
// by their value or by other keys named by a pattern (BY), cut by LIMIT,
// replied as themselves or as other keys' values (GET), or stored as a list.
//
// Two choices keep every replica's STORE alike: ALPHA compares bytes (Redis
// uses strcoll, which is bytes in the C locale and otherwise depends on the
// server's), and equal sort keys keep the value's own order (a stable sort;
// Redis leaves the order of elements whose BY keys are both missing open).
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>

#include "kv/apply_txn.h"
#include "kv/errors.h"
#include "kv/hash.h"
#include "kv/list.h"
#include "kv/set.h"
#include "kv/zset.h"

namespace cairn::kv {
namespace {

using resp::Value;
using Load = std::function<Result<const Record*>(const std::string&)>;

struct SortOptions {
  bool desc = false, alpha = false;
  std::optional<std::string> by;
  std::vector<std::string> gets;
  std::int64_t limit_start = 0, limit_count = -1;
};

// The options in `op`, whose args are [key, by?, get...] from `first`.
SortOptions OptionsOf(const Op& op, std::size_t first) {
  SortOptions o;
  o.desc = op.flags & kSortDesc;
  o.alpha = op.flags & kSortAlpha;
  std::size_t i = first + 1;
  if (op.flags & kSortBy) o.by = op.args[i++];
  o.gets.assign(op.args.begin() + static_cast<std::ptrdiff_t>(i), op.args.end());
  o.limit_start = op.num;
  o.limit_count = op.num2;
  return o;
}

// Redis's lookupKeyByPattern: "#" is the element itself; otherwise the
// first '*' becomes the element, and "->field" after it reads a hash's
// field. Only a string (or the hash's field) counts; anything else is none.
Result<std::optional<std::string>> ByPattern(const std::string& pattern, const std::string& element,
                                             const Load& load) {
  if (pattern == "#") return std::optional<std::string>(element);
  const std::size_t star = pattern.find('*');
  if (star == std::string::npos) return std::optional<std::string>();
  std::string_view key_part = pattern;
  std::optional<std::string_view> field;
  const std::size_t arrow = pattern.find("->", star + 1);
  if (arrow != std::string::npos && arrow + 2 < pattern.size()) {
    field = std::string_view(pattern).substr(arrow + 2);
    key_part = key_part.substr(0, arrow);
  }
  std::string key(key_part.substr(0, star));
  key += element;
  key += key_part.substr(star + 1);
  CAIRN_ASSIGN_OR_RETURN(const Record* r, load(key));
  if (r == nullptr) return std::optional<std::string>();
  if (field) {
    if (r->type != kTypeHash) return std::optional<std::string>();
    std::string_view value;
    if (!HashView(r->value).Find(*field, &value)) return std::optional<std::string>();
    return std::optional<std::string>(std::string(value));
  }
  if (!r->is_string()) return std::optional<std::string>();
  return std::optional<std::string>(r->value);
}

// A sort key as Redis reads it (strtod over the whole string: leading
// spaces, hex and "inf" pass, NaN and out of range do not; "" is 0).
bool SortScore(const std::string& text, double* out) {
  errno = 0;
  char* end = nullptr;
  *out = std::strtod(text.c_str(), &end);
  return *end == '\0' && errno != ERANGE && !std::isnan(*out) &&
         static_cast<std::size_t>(end - text.c_str()) == text.size();
}

struct Item {
  std::string element;
  double score = 0;
  std::optional<std::string> by;  // ALPHA BY's value (none: missing)
};

int CompareBytes(std::string_view a, std::string_view b) {
  const int c = a.compare(b);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

}  // namespace

// The sorted (and cut) elements, or the reply's error; `values` gets, per
// element kept, the element or its GETs' values (nullopt: none).
Result<Value> SortElements(const Op& op, std::size_t first, const Load& load, bool store,
                           std::vector<std::optional<std::string>>* values) {
  SortOptions o = OptionsOf(op, first);
  CAIRN_ASSIGN_OR_RETURN(const Record* rec, load(op.args[first]));
  std::vector<std::string> all;
  std::uint8_t type = kTypeList;
  if (rec != nullptr) {
    type = rec->type;
    if (type == kTypeList) {
      all = DecodeList(rec->value);
    } else if (type == kTypeSet) {
      all = DecodeSet(rec->value);
    } else if (type == kTypeZSet) {
      for (ZMember& m : DecodeZSet(rec->value)) all.push_back(std::move(m.member));
    } else {
      return Value::Error(errors::kWrongType);
    }
  }
  bool dontsort = o.by && o.by->find('*') == std::string::npos;
  // A set's order is its own: a stored result is sorted, as Redis sorts it.
  if (dontsort && type == kTypeSet && store) {
    dontsort = false;
    o.alpha = true;
    o.by.reset();
  }
  const auto n = static_cast<std::int64_t>(all.size());
  std::int64_t start = std::max<std::int64_t>(o.limit_start, 0);
  std::int64_t end = n - 1;
  if (o.limit_count >= 0) {
    end = o.limit_count > INT64_MAX - start ? INT64_MAX : start + o.limit_count - 1;
  }
  if (start >= n) {
    start = n - 1;
    end = n - 2;
  }
  end = std::min(end, n - 1);
  std::vector<Item> items;
  if (dontsort && type != kTypeSet) {
    // A list or sorted set unsorted: its own order (reversed by DESC), only
    // the range LIMIT asks for.
    for (std::int64_t i = start; i <= end; ++i) {
      items.push_back({std::move(all[static_cast<std::size_t>(o.desc ? n - 1 - i : i)])});
    }
    start = 0;
    end = static_cast<std::int64_t>(items.size()) - 1;
  } else {
    for (std::string& e : all) items.push_back({std::move(e)});
  }
  if (!dontsort) {
    bool unconvertible = false;
    for (Item& item : items) {
      std::optional<std::string> key = item.element;
      if (o.by) {
        CAIRN_ASSIGN_OR_RETURN(key, ByPattern(*o.by, item.element, load));
        if (!key) continue;  // missing: score 0, sorts first under ALPHA
      }
      if (o.alpha) {
        if (o.by) item.by = std::move(key);
      } else if (!SortScore(*key, &item.score)) {
        unconvertible = true;
      }
    }
    if (unconvertible) return Value::Error("ERR One or more scores can't be converted into double");
    const bool alpha = o.alpha, by = o.by.has_value(), desc = o.desc;
    std::stable_sort(items.begin(), items.end(), [&](const Item& a, const Item& b) {
      int c = 0;
      if (!alpha) {
        c = a.score > b.score ? 1 : a.score < b.score ? -1 : CompareBytes(a.element, b.element);
      } else if (by) {
        c = !a.by || !b.by ? (a.by.has_value() == b.by.has_value() ? 0
                              : a.by                               ? 1
                                                                   : -1)
                           : CompareBytes(*a.by, *b.by);
      } else {
        c = CompareBytes(a.element, b.element);
      }
      return (desc ? -c : c) < 0;
    });
  }
  for (std::int64_t i = start; i <= end; ++i) {
    const Item& item = items[static_cast<std::size_t>(i)];
    if (o.gets.empty()) values->emplace_back(item.element);
    for (const std::string& get : o.gets) {
      CAIRN_ASSIGN_OR_RETURN(std::optional<std::string> v, ByPattern(get, item.element, load));
      values->push_back(std::move(v));
    }
  }
  return Value::Null();
}

Value ReadSort(const Op& op, const Load& load) {
  std::vector<std::optional<std::string>> values;
  Result<Value> r = SortElements(op, 0, load, /*store=*/false, &values);
  if (!r.ok()) return Value::Error("ERR storage: " + r.status().ToString());
  if (r->is_error()) return std::move(*r);
  Value out = Value::Array();
  out.elems.reserve(values.size());
  for (auto& v : values) out.elems.push_back(v ? Value::BulkOwned(std::move(*v)) : Value::Null());
  return out;
}

Result<Value> ApplySortStore(ApplyTxn* txn, const Op& op) {
  std::vector<std::optional<std::string>> values;
  CAIRN_ASSIGN_OR_RETURN(Value error,
                         SortElements(
                             op, 1, [txn](const std::string& k) { return txn->LiveRecord(k); },
                             /*store=*/true, &values));
  if (error.is_error()) return error;
  const std::string& destination = op.args[0];
  if (values.empty()) {
    CAIRN_RETURN_IF_ERROR(txn->Erase(destination));
    return Value::Int(0);
  }
  ListElements list;
  list.reserve(values.size());
  for (auto& v : values) list.push_back(v ? std::move(*v) : std::string());
  std::string bytes = EncodeList(list);
  if (bytes.size() > kValueBytesMax) {
    return Value::Error("ERR list exceeds the maximum record size (512 MiB) in Cairn");
  }
  CAIRN_RETURN_IF_ERROR(txn->Put(destination, std::move(bytes), 0, kTypeList));
  return Value::Int(static_cast<std::int64_t>(list.size()));
}

}  // namespace cairn::kv
