#include "check/history_format.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

namespace cairn::check {
namespace {

using nlohmann::json;

Status LineError(int line, const std::string& what) {
  return Status::InvalidArgument("line " + std::to_string(line) + ": " + what);
}

// JSON integer that fits in int64.
bool AsInt64(const json& j, std::int64_t* out) {
  if (j.is_number_unsigned()) {
    auto u = j.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return false;
    *out = static_cast<std::int64_t>(u);
    return true;
  }
  if (j.is_number_integer()) {
    *out = j.get<std::int64_t>();
    return true;
  }
  return false;
}

Status GetInt(const json& obj, const char* name, int line, std::int64_t* out) {
  auto it = obj.find(name);
  if (it == obj.end()) return LineError(line, std::string("missing \"") + name + "\"");
  if (!AsInt64(*it, out)) return LineError(line, std::string("\"") + name + "\" must be a 64-bit integer");
  return Status::Ok();
}

Status GetString(const json& obj, const char* name, int line, std::string* out) {
  auto it = obj.find(name);
  if (it == obj.end()) return LineError(line, std::string("missing \"") + name + "\"");
  if (!it->is_string()) return LineError(line, std::string("\"") + name + "\" must be a string");
  *out = it->get<std::string>();
  return Status::Ok();
}

Result<Fn> ParseFn(const std::string& s, int line) {
  if (s == "read") return Fn::kRead;
  if (s == "write") return Fn::kWrite;
  if (s == "cas") return Fn::kCas;
  if (s == "add" || s == "incr") return Fn::kAdd;
  return LineError(line, "unknown f \"" + s + "\" (read, write, cas, add, incr)");
}

Status ParseIntArray(const json& arr, int line, std::vector<std::int64_t>* out) {
  for (const json& x : arr) {
    std::int64_t v = 0;
    if (!AsInt64(x, &v)) return LineError(line, "array elements must be 64-bit integers");
    out->push_back(v);
  }
  return Status::Ok();
}

// Fills value / cas / elements according to f and type.
Status ParseValue(const json& obj, int line, Event* e) {
  auto it = obj.find("value");
  if (it == obj.end() || it->is_null()) {
    bool needed = e->f != Fn::kRead && e->type == EventType::kInvoke;
    if (needed) return LineError(line, "invocation of " + std::string(FnName(e->f)) + " needs \"value\"");
    return Status::Ok();  // read: nil (or not yet known)
  }
  if (e->f == Fn::kCas) {
    std::vector<std::int64_t> pair;
    if (!it->is_array() || it->size() != 2) return LineError(line, "cas \"value\" must be [old, new]");
    CAIRN_RETURN_IF_ERROR(ParseIntArray(*it, line, &pair));
    e->cas_old = pair[0];
    e->cas_new = pair[1];
    e->value = pair[1];
    return Status::Ok();
  }
  if (it->is_array()) {
    if (e->f != Fn::kRead) return LineError(line, "only a read may return an array (a set)");
    e->has_elements = true;
    return ParseIntArray(*it, line, &e->elements);
  }
  std::int64_t v = 0;
  if (!AsInt64(*it, &v)) return LineError(line, "\"value\" must be an integer, null or an array");
  e->value = v;
  return Status::Ok();
}

Result<EventType> ParseType(const std::string& s, int line) {
  if (s == "invoke") return EventType::kInvoke;
  if (s == "ok") return EventType::kOk;
  if (s == "fail") return EventType::kFail;
  if (s == "info") return EventType::kInfo;
  return LineError(line, "unknown type \"" + s + "\" (invoke, ok, fail, info, nemesis)");
}

Result<Event> ParseClientEvent(const json& obj, const std::string& type, int line) {
  Event e;
  e.line = line;
  CAIRN_ASSIGN_OR_RETURN(e.type, ParseType(type, line));
  CAIRN_RETURN_IF_ERROR(GetInt(obj, "process", line, &e.process));
  std::string f;
  CAIRN_RETURN_IF_ERROR(GetString(obj, "f", line, &f));
  CAIRN_ASSIGN_OR_RETURN(e.f, ParseFn(f, line));
  CAIRN_RETURN_IF_ERROR(GetString(obj, "key", line, &e.key));
  CAIRN_RETURN_IF_ERROR(GetInt(obj, "time_ns", line, &e.time_ns));
  if (e.time_ns < 0 || e.time_ns == kNeverNs) return LineError(line, "\"time_ns\" out of range");
  CAIRN_RETURN_IF_ERROR(ParseValue(obj, line, &e));
  if (obj.contains("version")) {
    std::int64_t v = 0;
    CAIRN_RETURN_IF_ERROR(GetInt(obj, "version", line, &v));
    e.version = v;
  }
  return e;
}

struct OpenFault {
  NemesisEvent event;
  int line = 0;
};

Status ParseNemesis(const json& obj, int line, std::multimap<std::string, OpenFault>* open,
                    std::vector<NemesisEvent>* out) {
  NemesisEvent n;
  std::string phase;
  CAIRN_RETURN_IF_ERROR(GetString(obj, "f", line, &n.kind));
  CAIRN_RETURN_IF_ERROR(GetString(obj, "phase", line, &phase));
  CAIRN_RETURN_IF_ERROR(GetInt(obj, "time_ns", line, &n.start_ns));
  if (n.start_ns < 0 || n.start_ns == kNeverNs) return LineError(line, "\"time_ns\" out of range");
  if (obj.contains("detail")) CAIRN_RETURN_IF_ERROR(GetString(obj, "detail", line, &n.detail));
  if (phase == "instant") {
    n.stop_ns = n.start_ns;
    out->push_back(n);
  } else if (phase == "start") {
    n.stop_ns = kNeverNs;
    open->emplace(n.kind, OpenFault{n, line});
  } else if (phase == "stop") {
    auto it = open->find(n.kind);
    if (it == open->end()) return LineError(line, "nemesis stop of \"" + n.kind + "\" without a start");
    if (n.start_ns < it->second.event.start_ns) return LineError(line, "nemesis stop before its start");
    NemesisEvent done = it->second.event;
    done.stop_ns = n.start_ns;
    out->push_back(done);
    open->erase(it);
  } else {
    return LineError(line, "unknown nemesis phase \"" + phase + "\" (start, stop, instant)");
  }
  return Status::Ok();
}

Status ParseLine(std::string_view text, int line, ParsedFile* file,
                 std::multimap<std::string, OpenFault>* open) {
  json obj = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (obj.is_discarded()) return LineError(line, "not valid JSON");
  if (!obj.is_object()) return LineError(line, "expected a JSON object");
  std::string type;
  CAIRN_RETURN_IF_ERROR(GetString(obj, "type", line, &type));
  if (type == "nemesis") return ParseNemesis(obj, line, open, &file->nemesis);
  CAIRN_ASSIGN_OR_RETURN(Event e, ParseClientEvent(obj, type, line));
  file->events.push_back(std::move(e));
  return Status::Ok();
}

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

}  // namespace

Result<ParsedFile> ParseHistoryText(std::string_view text) {
  ParsedFile file;
  std::multimap<std::string, OpenFault> open;
  int line = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    ++line;
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view one = text.substr(pos, end - pos);
    pos = end + 1;
    if (one.size() > kLineBytesMax) return LineError(line, "line longer than 1 MiB");
    if (IsBlank(one)) continue;
    CAIRN_RETURN_IF_ERROR(ParseLine(one, line, &file, &open));
  }
  for (auto& [kind, fault] : open) file.nemesis.push_back(fault.event);  // still active
  std::stable_sort(file.nemesis.begin(), file.nemesis.end(),
                   [](const NemesisEvent& a, const NemesisEvent& b) { return a.start_ns < b.start_ns; });
  return file;
}

Result<History> ParseHistory(std::string_view text) {
  CAIRN_ASSIGN_OR_RETURN(ParsedFile file, ParseHistoryText(text));
  return BuildHistory(file.events, std::move(file.nemesis));
}

Result<History> LoadHistoryFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot open " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  Result<History> h = ParseHistory(buf.str());
  if (!h.ok()) return h.status().WithContext(path);
  return h;
}

namespace {

std::string_view TypeName(EventType t) {
  switch (t) {
    case EventType::kInvoke: return "invoke";
    case EventType::kOk: return "ok";
    case EventType::kFail: return "fail";
    case EventType::kInfo: return "info";
  }
  return "?";
}

Event InvokeOf(const Op& op) {
  Event e;
  e.type = EventType::kInvoke;
  e.process = op.process;
  e.f = op.f;
  e.key = op.key;
  if (op.f != Fn::kRead) e.value = op.value;
  e.cas_old = op.cas_old;
  e.cas_new = op.cas_new;
  e.time_ns = op.invoke_ns;
  return e;
}

Event CompletionOf(const Op& op, std::int64_t time_ns) {
  Event e = InvokeOf(op);
  e.type = op.ok() ? EventType::kOk : op.fail() ? EventType::kFail : EventType::kInfo;
  e.time_ns = time_ns;
  e.version = op.version;
  if (op.f == Fn::kRead) {
    e.value = op.ok() ? op.value : std::nullopt;
    e.has_elements = op.ok() && op.has_elements;
    e.elements = op.elements;
  }
  return e;
}

}  // namespace

std::string FormatEvent(const Event& e) {
  json j = json::object();
  j["process"] = e.process;
  j["type"] = TypeName(e.type);
  j["f"] = FnName(e.f);
  j["key"] = e.key;
  if (e.f == Fn::kCas) {
    j["value"] = json::array({e.cas_old, e.cas_new});
  } else if (e.has_elements) {
    j["value"] = e.elements;
  } else if (e.value) {
    j["value"] = *e.value;
  } else if (e.f == Fn::kRead && e.type == EventType::kOk) {
    j["value"] = nullptr;
  }
  if (e.version) j["version"] = *e.version;
  j["time_ns"] = e.time_ns;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string FormatHistory(const History& h) {
  // (time, order) -> line; invocations sort before completions at equal time
  // only through the stable order in which they are added below.
  std::vector<std::pair<std::int64_t, Event>> events;
  for (const Op& op : h.ops) {
    events.emplace_back(op.invoke_ns, InvokeOf(op));
    // Ops built in code may set only complete_ns.
    std::int64_t seen_ns = op.observed_ns != kNeverNs ? op.observed_ns : op.complete_ns;
    if (seen_ns != kNeverNs) events.emplace_back(seen_ns, CompletionOf(op, seen_ns));
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& [t, e] : events) out += FormatEvent(e) + "\n";
  for (const NemesisEvent& n : h.nemesis) {
    json j = {{"type", "nemesis"}, {"f", n.kind}, {"time_ns", n.start_ns}};
    if (!n.detail.empty()) j["detail"] = n.detail;
    j["phase"] = n.stop_ns == n.start_ns ? "instant" : "start";
    out += j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
    if (n.stop_ns != n.start_ns && n.stop_ns != kNeverNs) {
      j["phase"] = "stop";
      j["time_ns"] = n.stop_ns;
      out += j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
    }
  }
  return out;
}

}  // namespace cairn::check
