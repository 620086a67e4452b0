// ScriptRuntime (script.h) on Lua 5.1's C API.
//
// Lua raises errors with longjmp, which skips C++ destructors. So no C++
// object with a destructor may be alive in a frame that a Lua error can
// leave: the C functions below do their C++ work in a nested scope (or a
// helper) while the heap limit is off (Context::native, so no allocation
// fails there), and raise, if they must, only after that scope has ended.
#include "kv/script.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <lua.hpp>

extern "C" {
#include <lua-bitop.h>  // Debian's lua-bitop: luaopen_bit
#include <lua-cjson.h>  // Debian's lua-cjson: luaopen_cjson
}

#include "common/assert.h"
#include "common/random.h"
#include "common/sha1.h"
#include "resp/reply_parser.h"
#include "resp/writer.h"

namespace cairn::kv {
namespace {

constexpr int kHookEvery = 1000;  // instructions between two count-hook calls
// What one redis.call or redis.pcall counts for against the instruction
// bound: a call costs about as much time as 1000 Lua instructions
// (parsing, applying: a few microseconds), so a loop of calls stops about
// as soon as a loop of arithmetic. At most 10 000 calls.
constexpr std::uint64_t kCallCost = 1000;
constexpr int kReplyDepthMax = 64;

struct Context {
  ScriptHost* host = nullptr;
  std::size_t heap_bytes = 0;
  bool native = false;  // in our own C++ code: allocations do not fail
  std::uint64_t instructions = 0;
  bool over_time = false;
  std::uint64_t rng = 0;
  int error_line = 0;  // the script's line where an error was raised (OnError)
};

Context* ContextOf(lua_State* L) {
  void* ud = nullptr;
  lua_getallocf(L, &ud);
  return static_cast<Context*>(ud);
}

// The Lua heap, bounded while the script runs. (Lua 5.1 passes osize 0
// with a null ptr, and never expects a shrink to fail.)
void* Allocate(void* ud, void* ptr, std::size_t osize, std::size_t nsize) {
  auto* c = static_cast<Context*>(ud);
  if (nsize == 0) {
    std::free(ptr);
    c->heap_bytes -= osize;
    return nullptr;
  }
  if (!c->native && nsize > osize && c->heap_bytes - osize + nsize > kScriptMemoryBytesMax) {
    return nullptr;  // Lua raises "not enough memory"
  }
  void* p = std::realloc(ptr, nsize);
  if (p != nullptr) c->heap_bytes = c->heap_bytes - osize + nsize;
  return p;
}

// Counts `n` instructions; past the bound, raises (and keeps raising).
void Count(lua_State* L, std::uint64_t n);

void CountHook(lua_State* L, lua_Debug*) { Count(L, kHookEvery); }

void Count(lua_State* L, std::uint64_t n) {
  Context* c = ContextOf(L);
  c->instructions += n;
  if (c->instructions <= kScriptInstructionsMax && !c->over_time) return;
  if (!c->over_time) {
    // From now on every instruction raises, so a script that catches the
    // error with pcall cannot keep going.
    c->over_time = true;
    lua_sethook(L, CountHook, LUA_MASKCOUNT, 1);
  }
  // (lua_error, not luaL_error: the same text wherever it is raised)
  lua_pushfstring(L,
                  "Script ran longer than Cairn allows (%d million instructions): it stopped, "
                  "and the writes it made before stay",
                  static_cast<int>(kScriptInstructionsMax / 1'000'000));
  lua_error(L);
}

// ---- Replies into Lua (RESP2 forms, as Redis hands them to scripts) ----

// `v` as a script sees it: written in RESP2 and read back, so maps, sets,
// doubles and booleans take their RESP2 shapes.
resp::Value AsResp2(const resp::Value& v) {
  std::string bytes;
  resp::Writer(&bytes, resp::Protocol::kResp2).Write(v);
  resp::ReplyParser parser;
  parser.Feed(bytes);
  resp::Value out;
  auto got = parser.Next(&out);
  if (!got.ok() || !*got) return resp::Value::Error("ERR reply could not be converted for Lua");
  return out;
}

void PushReply(lua_State* L, const resp::Value& v, int depth) {
  lua_checkstack(L, 4);
  switch (v.type) {
    case resp::Type::kInteger: lua_pushnumber(L, static_cast<lua_Number>(v.integer)); return;
    case resp::Type::kBulkString: lua_pushlstring(L, v.str.data(), v.str.size()); return;
    case resp::Type::kSimpleString:
    case resp::Type::kError:
      lua_newtable(L);
      lua_pushstring(L, v.type == resp::Type::kError ? "err" : "ok");
      lua_pushlstring(L, v.str.data(), v.str.size());
      lua_settable(L, -3);
      return;
    case resp::Type::kArray:
      if (depth < kReplyDepthMax) {
        lua_createtable(L, static_cast<int>(v.elems.size()), 0);
        for (std::size_t i = 0; i < v.elems.size(); ++i) {
          PushReply(L, v.elems[i], depth + 1);
          lua_rawseti(L, -2, static_cast<int>(i + 1));
        }
        return;
      }
      [[fallthrough]];
    default:  // null bulk, null array
      lua_pushboolean(L, 0);
      return;
  }
}

// ---- Values out of Lua (the script's reply) ----

std::string ToString(lua_State* L, int index) {
  std::size_t n = 0;
  const char* s = lua_tolstring(L, index, &n);
  return s == nullptr ? std::string() : std::string(s, n);
}

// A field of the table at `index` that is a string, or nullptr.
bool StringField(lua_State* L, int index, const char* name, std::string* out) {
  lua_pushstring(L, name);
  lua_rawget(L, index < 0 ? index - 1 : index);
  const bool is = lua_type(L, -1) == LUA_TSTRING;
  if (is) *out = ToString(L, -1);
  lua_pop(L, 1);
  return is;
}

resp::Value FromLua(lua_State* L, int index, int depth) {
  lua_checkstack(L, 4);
  switch (lua_type(L, index)) {
    case LUA_TSTRING: return resp::Value::BulkOwned(ToString(L, index));
    case LUA_TBOOLEAN: return lua_toboolean(L, index) ? resp::Value::Int(1) : resp::Value::Null();
    case LUA_TNUMBER: {
      // Truncated toward zero, as Redis does; out of range saturates.
      const double d = lua_tonumber(L, index);
      if (std::isnan(d)) return resp::Value::Int(0);
      if (d >= 9.2233720368547758e18)
        return resp::Value::Int(std::numeric_limits<std::int64_t>::max());
      if (d <= -9.2233720368547758e18)
        return resp::Value::Int(std::numeric_limits<std::int64_t>::min());
      return resp::Value::Int(static_cast<std::int64_t>(d));
    }
    case LUA_TTABLE: {
      std::string s;
      if (StringField(L, index, "err", &s)) return resp::Value::Error(s);
      if (StringField(L, index, "ok", &s)) return resp::Value::Simple(s);
      resp::Value array = resp::Value::Array();
      if (depth >= kReplyDepthMax) return resp::Value::Error("ERR reply nested too deeply");
      const int abs = index < 0 ? lua_gettop(L) + index + 1 : index;
      for (int i = 1;; ++i) {  // up to the first nil, as Redis does
        lua_rawgeti(L, abs, i);
        if (lua_isnil(L, -1)) {
          lua_pop(L, 1);
          break;
        }
        array.elems.push_back(FromLua(L, -1, depth + 1));
        lua_pop(L, 1);
      }
      return array;
    }
    default: return resp::Value::Null();
  }
}

// ---- The redis table ----

// A number argument as Redis passes it to a command: integers plainly,
// others in the shortest form that reads back the same.
std::string NumberArg(lua_Number d) {
  char buf[64];
  if (std::floor(d) == d && std::fabs(d) < 9.007199254740992e15) {
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(d));
    return std::string(buf, r.ptr);
  }
  auto r = std::to_chars(buf, buf + sizeof buf, static_cast<double>(d));
  return std::string(buf, r.ptr);
}

// The call's work: 0 with the reply pushed (a table {err=...} for an error
// reply), or -1 with an error message pushed for a bad call.
int DoCall(lua_State* L, Context* c, bool* error_reply) {
  const int argc = lua_gettop(L);
  if (argc == 0) {
    lua_pushstring(L, "Please specify at least one argument for this redis lib call");
    return -1;
  }
  std::vector<std::string> args;
  args.reserve(static_cast<std::size_t>(argc));
  for (int i = 1; i <= argc; ++i) {
    const int t = lua_type(L, i);
    if (t == LUA_TNUMBER) {
      args.push_back(NumberArg(lua_tonumber(L, i)));
    } else if (t == LUA_TSTRING) {
      args.push_back(ToString(L, i));
    } else {
      lua_pushstring(L, "Lua redis lib command arguments must be strings or integers");
      return -1;
    }
  }
  resp::Value reply = AsResp2(c->host->Call(args));
  *error_reply = reply.type == resp::Type::kError;
  PushReply(L, reply, 0);
  return 0;
}

int RedisCallOrPcall(lua_State* L, bool raise) {
  Count(L, kCallCost);
  Context* c = ContextOf(L);
  bool error_reply = false;
  int rc;
  {
    c->native = true;
    rc = DoCall(L, c, &error_reply);
    c->native = false;
  }  // (every C++ object of the call is gone here)
  if (rc < 0) return lua_error(L);
  if (error_reply && raise) return lua_error(L);  // raises the {err=...} table
  return 1;
}

int RedisCall(lua_State* L) { return RedisCallOrPcall(L, /*raise=*/true); }
int RedisPcall(lua_State* L) { return RedisCallOrPcall(L, /*raise=*/false); }

int RedisSha1Hex(lua_State* L) {
  if (lua_gettop(L) != 1) {
    lua_pushstring(L, "wrong number of arguments");
    return lua_error(L);
  }
  Context* c = ContextOf(L);
  c->native = true;
  {
    const std::string hex = Sha1Hex(ToString(L, 1));
    lua_pushlstring(L, hex.data(), hex.size());
  }
  c->native = false;
  return 1;
}

int StatusOrErrorReply(lua_State* L, const char* field) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    lua_pushstring(L, "wrong number or type of arguments");
    return lua_error(L);
  }
  lua_newtable(L);
  lua_pushstring(L, field);
  lua_pushvalue(L, 1);
  lua_settable(L, -3);
  return 1;
}
int RedisStatusReply(lua_State* L) { return StatusOrErrorReply(L, "ok"); }
int RedisErrorReply(lua_State* L) { return StatusOrErrorReply(L, "err"); }

int RedisNothing(lua_State*) { return 0; }  // redis.log, redis.set_repl: no effect here
int RedisTrue(lua_State* L) {               // redis.replicate_commands: always on
  lua_pushboolean(L, 1);
  return 1;
}
int RedisSetResp(lua_State* L) {
  if (lua_gettop(L) == 1 && lua_type(L, 1) == LUA_TNUMBER && lua_tonumber(L, 1) == 2) return 0;
  lua_pushstring(L, "Cairn scripts speak RESP2 only (redis.setresp(2))");
  return lua_error(L);
}

// math.random and math.randomseed on the per-run generator (Lua 5.1's
// semantics: no argument, [0, 1); m, [1, m]; m n, [m, n]).
int MathRandom(lua_State* L) {
  Context* c = ContextOf(L);
  const double r = static_cast<double>(SplitMix64(c->rng) >> 11) * 0x1.0p-53;
  switch (lua_gettop(L)) {
    case 0: lua_pushnumber(L, r); return 1;
    case 1:
    case 2: {
      const bool two = lua_gettop(L) == 2;
      const double lo = two ? std::floor(lua_tonumber(L, 1)) : 1;
      const double hi = std::floor(lua_tonumber(L, two ? 2 : 1));
      if (!(lo <= hi)) {
        lua_pushstring(L, "bad argument to 'random' (interval is empty)");
        return lua_error(L);
      }
      lua_pushnumber(L, std::floor(r * (hi - lo + 1)) + lo);
      return 1;
    }
    default: lua_pushstring(L, "wrong number of arguments"); return lua_error(L);
  }
}

int MathRandomSeed(lua_State* L) {
  ContextOf(L)->rng = static_cast<std::uint64_t>(static_cast<std::int64_t>(lua_tonumber(L, 1)));
  return 0;
}

void OpenLibrary(lua_State* L, lua_CFunction open, const char* name) {
  lua_pushcfunction(L, open);
  lua_pushstring(L, name);
  lua_call(L, 1, 0);
}

void SetField(lua_State* L, const char* name, lua_CFunction f) {
  lua_pushcfunction(L, f);
  lua_setfield(L, -2, name);
}

void SetNumber(lua_State* L, const char* name, int n) {
  lua_pushnumber(L, n);
  lua_setfield(L, -2, name);
}

void PushStrings(lua_State* L, const std::vector<std::string>& all, std::size_t from,
                 std::size_t to) {
  lua_createtable(L, static_cast<int>(to - from), 0);
  for (std::size_t i = from; i < to; ++i) {
    lua_pushlstring(L, all[i].data(), all[i].size());
    lua_rawseti(L, -2, static_cast<int>(i - from + 1));
  }
}

// Run last in Prepare: as in Redis 7.0, the globals and the library tables
// are read only ("Attempt to modify a readonly table"), and reading a
// global that does not exist is an error rather than nil. _G and each
// library become empty proxies over the real tables.
constexpr char kProtectGlobals[] = R"lua(
local G, setmetatable, getmetatable, pairs, ipairs, rawset, error, tostring =
  _G, setmetatable, getmetatable, pairs, ipairs, rawset, error, tostring
local function readonly() error("Attempt to modify a readonly table", 2) end
local function proxy(t)
  return setmetatable({}, {__index = t, __newindex = readonly, __metatable = false})
end
local real = {}
for name, value in pairs(G) do real[name] = value end
for _, lib in ipairs({"string", "table", "math", "coroutine", "redis", "cjson", "bit"}) do
  real[lib] = proxy(real[lib])
end
for name in pairs(real) do rawset(G, name, nil) end
setmetatable(real, {__index = function(_, name)
  error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2)
end})
setmetatable(G, {__index = real, __newindex = readonly, __metatable = false})
-- Strings' methods: the read-only string library, and the metatable hidden.
local strings = getmetatable("")
strings.__index = real.string
strings.__metatable = false
return real
)lua";

// Everything a script can see but its KEYS and ARGV (script.h), while
// allocations cannot fail. Returns a registry reference to the table that
// holds the real globals.
int Prepare(lua_State* L) {
  OpenLibrary(L, luaopen_base, "");
  OpenLibrary(L, luaopen_table, LUA_TABLIBNAME);
  OpenLibrary(L, luaopen_string, LUA_STRLIBNAME);
  OpenLibrary(L, luaopen_math, LUA_MATHLIBNAME);
  for (const char* name : {"dofile", "loadfile", "print"}) {
    lua_pushnil(L);
    lua_setglobal(L, name);
  }
  // Redis's cjson and bit, as globals (both keep their state in this Lua
  // state, and cjson prints numbers with "%.14g", the same everywhere).
  for (auto [open, name] : {std::pair<lua_CFunction, const char*>{luaopen_cjson, "cjson"},
                            std::pair<lua_CFunction, const char*>{luaopen_bit, "bit"}}) {
    lua_pushcfunction(L, open);
    lua_pushstring(L, name);
    lua_call(L, 1, 1);
    lua_setglobal(L, name);
  }
  lua_getglobal(L, LUA_MATHLIBNAME);
  SetField(L, "random", MathRandom);
  SetField(L, "randomseed", MathRandomSeed);
  lua_pop(L, 1);

  lua_newtable(L);
  SetField(L, "call", RedisCall);
  SetField(L, "pcall", RedisPcall);
  SetField(L, "sha1hex", RedisSha1Hex);
  SetField(L, "status_reply", RedisStatusReply);
  SetField(L, "error_reply", RedisErrorReply);
  SetField(L, "log", RedisNothing);
  SetField(L, "set_repl", RedisNothing);
  SetField(L, "replicate_commands", RedisTrue);
  SetField(L, "setresp", RedisSetResp);
  SetNumber(L, "LOG_DEBUG", 0);
  SetNumber(L, "LOG_VERBOSE", 1);
  SetNumber(L, "LOG_NOTICE", 2);
  SetNumber(L, "LOG_WARNING", 3);
  SetNumber(L, "REPL_NONE", 0);
  SetNumber(L, "REPL_AOF", 1);
  SetNumber(L, "REPL_SLAVE", 2);
  SetNumber(L, "REPL_REPLICA", 2);
  SetNumber(L, "REPL_ALL", 3);
  lua_setglobal(L, "redis");

  if (luaL_loadbuffer(L, kProtectGlobals, sizeof kProtectGlobals - 1, "=protect") != 0 ||
      lua_pcall(L, 0, 1, 0) != 0) {
    // A bug in the chunk above: say which.
    ::cairn::internal::CheckFailed(__FILE__, __LINE__, "kProtectGlobals", lua_tostring(L, -1));
  }
  return luaL_ref(L, LUA_REGISTRYINDEX);  // the real globals (the chunk's result)
}

// lua_pcall's message handler: notes the line of the script's own code
// that raised (or called the function that raised), for the error text.
int OnError(lua_State* L) {
  lua_Debug ar;
  for (int level = 1; lua_getstack(L, level, &ar) != 0; ++level) {
    if (lua_getinfo(L, "Sl", &ar) != 0 && ar.currentline > 0 &&
        std::strcmp(ar.source, "@user_script") == 0) {
      ContextOf(L)->error_line = ar.currentline;
      break;
    }
  }
  return 1;  // the error object, unchanged
}

std::string ErrorText(lua_State* L) {
  if (lua_type(L, -1) == LUA_TTABLE) {
    std::string err;
    if (StringField(L, -1, "err", &err)) return err;  // an error reply raised by redis.call
  }
  if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER) {
    return "ERR " + ToString(L, -1);
  }
  return "ERR the script raised an error that is not a string";
}

}  // namespace

struct ScriptRuntime::Impl {
  Context c;
  lua_State* L = nullptr;
  int real_globals = LUA_NOREF;
  ~Impl() {
    if (L == nullptr) return;
    c.native = true;
    lua_close(L);
  }
};

ScriptRuntime::ScriptRuntime() : impl_(std::make_unique<Impl>()) {
  Context& c = impl_->c;
  c.native = true;
  impl_->L = lua_newstate(Allocate, &c);
  CAIRN_CHECK(impl_->L != nullptr, "could not create a Lua state");
  impl_->real_globals = Prepare(impl_->L);
}

ScriptRuntime::~ScriptRuntime() = default;

resp::Value ScriptRuntime::Run(const Op& op, std::uint64_t seed, ScriptHost* host) {
  Context& c = impl_->c;
  lua_State* L = impl_->L;
  c.host = host;
  c.rng = seed;
  c.instructions = 0;
  c.over_time = false;
  c.error_line = 0;
  c.native = true;
  lua_settop(L, 0);
  // What earlier scripts left is collected before it counts against this
  // one's heap (the same point on every replica: the bytes are the same).
  if (c.heap_bytes > kScriptMemoryBytesMax / 8) lua_gc(L, LUA_GCCOLLECT, 0);
  lua_rawgeti(L, LUA_REGISTRYINDEX, impl_->real_globals);
  const std::size_t keys_end = 1 + static_cast<std::size_t>(op.num);
  PushStrings(L, op.args, 1, keys_end);
  lua_setfield(L, -2, "KEYS");
  PushStrings(L, op.args, keys_end, op.args.size());
  lua_setfield(L, -2, "ARGV");
  lua_pop(L, 1);
  // A thread of its own: setfenv(0, ...) changes only its globals.
  lua_State* T = lua_newthread(L);  // (anchored on L's stack until the next run)
  const std::string& body = op.args[0];
  if (luaL_loadbuffer(T, body.data(), body.size(), "@user_script") != 0) {
    return resp::Value::Error("ERR Error compiling script (new function): " + ToString(T, -1));
  }
  lua_pushcfunction(T, OnError);
  lua_insert(T, -2);  // under the script's function
  lua_sethook(T, CountHook, LUA_MASKCOUNT, kHookEvery);
  c.native = false;
  const int rc = lua_pcall(T, 0, 1, -2);
  c.native = true;
  c.host = nullptr;
  if (rc != 0) {
    // Where it failed, in Redis 7.0's words.
    return resp::Value::Error(ErrorText(T) + " script: " + Sha1Hex(body) +
                              ", on @user_script:" + std::to_string(c.error_line) + ".");
  }
  return FromLua(T, -1, 0);
}

}  // namespace cairn::kv
