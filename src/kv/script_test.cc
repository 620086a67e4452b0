// Goal: EVAL runs its Lua script in the entry's apply with Redis's
// conversions both ways, its bounds (time, memory, declared writes, read
// only) hold, nothing outside the script's inputs reaches it, and two
// replicas applying the same entries end with the same state and replies.
#include "kv/script.h"

#include <gtest/gtest.h>

#include "common/sha1.h"
#include "kv/test_driver.h"

namespace cairn::kv {
namespace {

using resp::Value;
using testing::Driver;

constexpr std::int64_t kNow = 1'700'000'000'000;

Value Eval(Driver* d, const std::string& script, std::vector<std::string> keys = {},
           std::vector<std::string> argv = {}) {
  std::vector<std::string> args = {"EVAL", script, std::to_string(keys.size())};
  args.insert(args.end(), keys.begin(), keys.end());
  args.insert(args.end(), argv.begin(), argv.end());
  return d->Run(args, kNow);
}

Value Arr(std::vector<Value> v) { return Value::Array(std::move(v)); }

// A script's error reply as Redis 7.0 words it: the error, then where.
Value ErrorAt(const std::string& error, const std::string& script, int line = 1) {
  return Value::Error(error + " script: " + Sha1Hex(script) +
                      ", on @user_script:" + std::to_string(line) + ".");
}

TEST(ScriptTest, KeysArgvAndCalls) {
  Driver d;
  EXPECT_EQ(Eval(&d, "return redis.call('SET', KEYS[1], ARGV[1])", {"k"}, {"v"}),
            Value::Simple("OK"));
  EXPECT_EQ(d.Run({"GET", "k"}, kNow), Value::Bulk("v"));
  EXPECT_EQ(Eval(&d, "return {KEYS[1], KEYS[2], ARGV[1], #ARGV}", {"a", "b"}, {"x", "y"}),
            Arr({Value::Bulk("a"), Value::Bulk("b"), Value::Bulk("x"), Value::Int(2)}));
  // A read and a write of one script see each other, in order.
  EXPECT_EQ(Eval(&d,
                 "redis.call('incrby', KEYS[1], 5) local v = redis.call('get', KEYS[1]) "
                 "redis.call('incr', KEYS[1]) return {v, redis.call('get', KEYS[1])}",
                 {"n"}),
            Arr({Value::Bulk("5"), Value::Bulk("6")}));
  // Numbers pass as integers, or in their shortest exact form.
  EXPECT_EQ(Eval(&d,
                 "redis.call('set', KEYS[1], 10) redis.call('incrbyfloat', KEYS[1], 0.5) "
                 "return redis.call('get', KEYS[1])",
                 {"f"}),
            Value::Bulk("10.5"));
  EXPECT_EQ(d.Run({"EVAL", "return 1", "2", "onlyone"}, kNow),
            Value::Error("ERR Number of keys can't be greater than number of args"));
  EXPECT_EQ(d.Run({"EVAL", "return 1", "-1"}, kNow),
            Value::Error("ERR Number of keys can't be negative"));
}

TEST(ScriptTest, RepliesConvertAsInRedis) {
  Driver d;
  // Lua -> RESP: numbers truncate, false is nil, true is 1, tables stop at
  // the first nil, {ok=} and {err=} are status and error replies.
  EXPECT_EQ(Eval(&d, "return 3.99"), Value::Int(3));
  EXPECT_EQ(Eval(&d, "return -3.99"), Value::Int(-3));
  EXPECT_EQ(Eval(&d, "return false"), Value::Null());
  EXPECT_EQ(Eval(&d, "return true"), Value::Int(1));
  EXPECT_EQ(Eval(&d, "return nil"), Value::Null());
  EXPECT_EQ(Eval(&d, "return {1, 'two', {3}, nil, 5}"),
            Arr({Value::Int(1), Value::Bulk("two"), Arr({Value::Int(3)})}));
  EXPECT_EQ(Eval(&d, "return {ok='FINE'}"), Value::Simple("FINE"));
  EXPECT_EQ(Eval(&d, "return redis.status_reply('FINE')"), Value::Simple("FINE"));
  EXPECT_EQ(Eval(&d, "return redis.error_reply('MY bad')"), Value::Error("MY bad"));
  // RESP -> Lua: status as {ok=}, nil as false, arrays as tables, RESP3-only
  // shapes in their RESP2 form (a map as a flat list, a double as a string).
  EXPECT_EQ(Eval(&d, "return redis.call('set', KEYS[1], 'v')['ok']", {"k"}), Value::Bulk("OK"));
  EXPECT_EQ(Eval(&d, "return redis.call('get', 'absent') == false"), Value::Int(1));
  Eval(&d, "redis.call('hset', KEYS[1], 'a', '1') redis.call('zadd', KEYS[2], 1.5, 'm')",
       {"h", "z"});
  EXPECT_EQ(Eval(&d, "return redis.call('hgetall', KEYS[1])", {"h"}),
            Arr({Value::Bulk("a"), Value::Bulk("1")}));
  EXPECT_EQ(Eval(&d, "return type(redis.call('zscore', KEYS[1], 'm'))", {"z"}),
            Value::Bulk("string"));
  EXPECT_EQ(Eval(&d, "return cjson.encode({1, 'a', {k = false}})"),
            Value::Bulk("[1,\"a\",{\"k\":false}]"));
  EXPECT_EQ(Eval(&d, "return cjson.decode(ARGV[1]).n + 1", {}, {"{\"n\": 41}"}), Value::Int(42));
  EXPECT_EQ(Eval(&d, "return bit.band(12, 10)"), Value::Int(8));
  EXPECT_EQ(Eval(&d, "return redis.sha1hex('return 1')"),
            Value::Bulk("e0e1f9fabfc9d4800c877a703b823ac0578ff8db"));
}

TEST(ScriptTest, ErrorsAreReplies) {
  Driver d;
  EXPECT_EQ(d.Run({"SET", "s", "text"}, kNow), Value::Simple("OK"));
  // redis.call raises the command's error; redis.pcall returns it.
  const std::string incr = "local x = 1\nreturn redis.call('incr', KEYS[1])";
  EXPECT_EQ(Eval(&d, incr, {"s"}), ErrorAt("ERR value is not an integer or out of range", incr, 2));
  EXPECT_EQ(Eval(&d, "local r = redis.pcall('incr', KEYS[1]) return r['err']", {"s"}),
            Value::Bulk("ERR value is not an integer or out of range"));
  for (auto [script, error] : std::vector<std::pair<std::string, std::string>>{
           {"return redis.call('nosuch')", "ERR Unknown Redis command called from script"},
           {"return redis.call()",
            "ERR Please specify at least one argument for this redis lib call"},
           {"return redis.call('get', {})",
            "ERR Lua redis lib command arguments must be strings or integers"}}) {
    EXPECT_EQ(Eval(&d, script), ErrorAt(error, script));
  }
  Value compile = Eval(&d, "this is not lua");
  EXPECT_EQ(compile.str.rfind("ERR Error compiling script (new function): user_script:1:", 0), 0u)
      << compile.str;
  const std::string nil_index = "local x = nil return x.y";
  EXPECT_EQ(Eval(&d, nil_index),
            ErrorAt("ERR user_script:1: attempt to index local 'x' (a nil value)", nil_index));
  // Commands a script may not run.
  for (const char* cmd : {"redis.call('eval', 'return 1', 0)", "redis.call('blpop', 'l', 0)",
                          "redis.call('publish', 'c', 'm')", "redis.call('flushdb')",
                          "redis.call('multi')", "redis.call('subscribe', 'c')"}) {
    const std::string script = std::string("return ") + cmd;
    EXPECT_EQ(Eval(&d, script),
              ErrorAt("ERR This Redis command is not allowed from script", script))
        << cmd;
  }
  EXPECT_EQ(d.Run({"GET", "s"}, kNow), Value::Bulk("text"));
}

TEST(ScriptTest, WritesOnlyDeclaredKeysAndNoneWhenReadOnly) {
  Driver d;
  Value undeclared = Eval(&d, "return redis.call('set', 'other', 1)", {"k"});
  EXPECT_EQ(undeclared.str.rfind("ERR Cairn scripts may write only the keys given to EVAL", 0), 0u);
  EXPECT_EQ(Eval(&d, "return redis.call('rename', KEYS[1], 'elsewhere')", {"k"}).type,
            resp::Type::kError);
  EXPECT_EQ(d.Run({"EXISTS", "other"}, kNow), Value::Int(0));
  // Reads of any key are fine.
  d.Run({"SET", "other", "o"}, kNow);
  EXPECT_EQ(Eval(&d, "return redis.call('get', 'other')"), Value::Bulk("o"));
  // EVAL_RO reads, never writes.
  EXPECT_EQ(d.Run({"EVAL_RO", "return redis.call('get', KEYS[1])", "1", "other"}, kNow),
            Value::Bulk("o"));
  EXPECT_EQ(d.Run({"EVAL_RO", "return redis.call('del', KEYS[1])", "1", "other"}, kNow),
            ErrorAt("ERR Write commands are not allowed from read-only scripts.",
                    "return redis.call('del', KEYS[1])"));
  EXPECT_EQ(d.Run({"GET", "other"}, kNow), Value::Bulk("o"));
}

TEST(ScriptTest, ReadOnlyScriptsAlsoRunAsReads) {
  // EVAL_RO alone is served as a read (StateMachine::Read), with no entry.
  Driver d;
  d.Run({"SET", "k", "v"}, kNow);
  d.Run({"SADD", "s", "a", "b", "c"}, kNow);
  const std::uint64_t applied = d.sm().applied_index();
  auto read = [&](const std::string& script) {
    Op op{OpCode::kEval, kEvalReadOnly, 1, 0, {script, "k"}};
    return d.sm().Read(op, kNow);
  };
  EXPECT_EQ(read("return {redis.call('get', KEYS[1]), redis.call('scard', 's')}"),
            Arr({Value::Bulk("v"), Value::Int(3)}));
  const std::string write = "return redis.call('set', KEYS[1], 'w')";
  EXPECT_EQ(read(write),
            ErrorAt("ERR Write commands are not allowed from read-only scripts.", write));
  const std::string publish = "return redis.call('publish', 'c', 'm')";
  EXPECT_EQ(read(publish), ErrorAt("ERR This Redis command is not allowed from script", publish));
  Value spin = read("while true do end");
  EXPECT_EQ(spin.str.rfind("ERR Script ran longer than Cairn allows", 0), 0u) << spin.str;
  EXPECT_EQ(read("return redis.call('srandmember', 's')").type, resp::Type::kBulkString);
  EXPECT_EQ(d.sm().applied_index(), applied) << "no entry";
  EXPECT_EQ(d.Run({"GET", "k"}, kNow), Value::Bulk("v"));
}

TEST(ScriptTest, NothingOutsideItsInputsReachesTheScript) {
  Driver d;
  for (const char* global :
       {"io", "os", "package", "debug", "require", "dofile", "loadfile", "print", "module"}) {
    const std::string script = std::string("return ") + global;
    EXPECT_EQ(Eval(&d, script),
              ErrorAt(std::string("ERR user_script:1: Script attempted to access nonexistent "
                                  "global variable '") +
                          global + "'",
                      script));
  }
  // Globals and the libraries are read only (as in Redis 7.0); each run
  // has a fresh state anyway.
  const std::string set_global = "leaked = 42 return leaked";
  EXPECT_EQ(Eval(&d, set_global),
            ErrorAt("ERR user_script:1: Attempt to modify a readonly table", set_global));
  for (const char* change : {"string.x = 1", "redis.call = nil", "math.pi = 3", "_G.x = 1"}) {
    const std::string script = change;
    EXPECT_EQ(Eval(&d, script),
              ErrorAt("ERR user_script:1: Attempt to modify a readonly table", script));
  }
  EXPECT_EQ(Eval(&d, "local t = {} t.x = 1 return {t.x, ('x'):upper(), tonumber('7')}"),
            Arr({Value::Int(1), Value::Bulk("X"), Value::Int(7)}));
  // math.random is seeded by the entry (its index), not by C's rand().
  const std::string draw = "return {math.random(1000000), math.random(1000000)}";
  Driver first, second;
  std::srand(12345);
  const Value a = Eval(&first, draw);
  std::srand(777);
  EXPECT_EQ(Eval(&second, draw), a);  // the same index: the same draws
  EXPECT_NE(Eval(&second, draw), a);  // the next entry draws differently
  EXPECT_EQ(a.elems.size(), 2u);
  EXPECT_EQ(Eval(&d,
                 "math.randomseed(7) local x = math.random(1000) math.randomseed(7) "
                 "return x == math.random(1000)"),
            Value::Int(1));
}

TEST(ScriptTest, TimeAndMemoryAreBounded) {
  Driver d;
  Value spin = Eval(&d, "redis.call('set', KEYS[1], 'before') while true do end", {"k"});
  EXPECT_EQ(spin.str.rfind("ERR Script ran longer than Cairn allows", 0), 0u) << spin.str;
  // The write before the stop stays (atomic, not transactional, as in Redis).
  EXPECT_EQ(d.Run({"GET", "k"}, kNow), Value::Bulk("before"));
  // Catching the error does not buy more time.
  Value caught = Eval(&d, "while true do pcall(function() while true do end end) end");
  EXPECT_EQ(caught.str.rfind("ERR Script ran longer than Cairn allows", 0), 0u) << caught.str;
  // A loop of calls is bounded too: each call counts for many instructions.
  Value calls = Eval(&d, "while true do redis.pcall('get', KEYS[1]) end", {"k"});
  EXPECT_EQ(calls.str.rfind("ERR Script ran longer than Cairn allows", 0), 0u) << calls.str;
  Value hog = Eval(&d, "local t = {} for i = 1, 1e9 do t[i] = 'x' .. i end");
  EXPECT_EQ(hog.str.rfind("ERR ", 0), 0u);
  EXPECT_NE(hog.str.find("not enough memory"), std::string::npos) << hog.str;
  EXPECT_EQ(Eval(&d, "return string.rep('x', 200 * 1024 * 1024)").str.find("not enough memory") !=
                std::string::npos,
            true);
  // The next script runs normally.
  EXPECT_EQ(Eval(&d, "return 1"), Value::Int(1));
}

TEST(ScriptTest, ReplicasEndAlike) {
  // The same entries on two state machines: the same replies and state,
  // with random draws, SPOP and the clock in play.
  Driver a, b;
  const std::string script =
      "for i = 1, 20 do redis.call('sadd', KEYS[1], math.random(1000)) end "
      "local popped = redis.call('spop', KEYS[1]) "
      "redis.call('set', KEYS[2], tostring(math.random()), 'PX', 5000) "
      "return {popped, redis.call('scard', KEYS[1]), redis.call('pttl', KEYS[2])}";
  for (int round = 0; round < 5; ++round) {
    const Value ra = Eval(&a, script, {"s", "t"});
    const Value rb = Eval(&b, script, {"s", "t"});
    EXPECT_EQ(ra, rb) << round;
    EXPECT_EQ(ra.type, resp::Type::kArray) << ra.str;
  }
  EXPECT_EQ(a.Run({"SMEMBERS", "s"}, kNow), b.Run({"SMEMBERS", "s"}, kNow));
  EXPECT_EQ(a.Run({"GET", "t"}, kNow), b.Run({"GET", "t"}, kNow));
}

TEST(ScriptTest, ScriptsOfOneEntryDoNotSeeEachOther) {
  // A group entry's EVALs share one Lua state (script.h); what one tries to
  // leave behind must not reach the next.
  Driver d;
  const std::vector<std::string> tries = {
      "setfenv(0, {x = 1}) KEYS[2] = 'changed' return 1",
      "return {x == nil and 'no x' or 'x', KEYS[2] or 'no KEYS[2]'}",
      "local big = {} for i = 1, 200000 do big[i] = 'garbage' .. i end return #big",
      "local mt = getmetatable('') return mt == false and 'hidden' or 'visible'",
      "return pcall(function() getmetatable('').__index.upper = nil end) and 1 or 0",
      "return ('x'):upper()",
  };
  std::vector<std::vector<std::string>> commands;
  for (const std::string& t : tries) commands.push_back({"EVAL", t, "1", "k"});
  std::vector<Value> r = d.RunGroup(commands, std::vector<std::int64_t>(tries.size(), kNow));
  ASSERT_EQ(r.size(), tries.size());
  EXPECT_EQ(r[0], Value::Int(1));
  // setfenv(0) changed the first script's thread only; x is no global.
  EXPECT_EQ(r[1].str.find("Script attempted to access nonexistent global variable 'x'"), 19u)
      << resp::ToDebugString(r[1]);
  EXPECT_EQ(r[2], Value::Int(200000));
  EXPECT_EQ(r[3], Value::Bulk("hidden"));
  EXPECT_EQ(r[4], Value::Int(0));
  EXPECT_EQ(r[5], Value::Bulk("X"));
  // The same scripts one entry each answer the same.
  for (std::size_t i = 0; i < tries.size(); ++i) {
    if (i == 1) continue;  // (its own entry has KEYS[2] nil as well: the same answer)
    EXPECT_EQ(d.Run(commands[i], kNow), r[i]) << tries[i];
  }
}

TEST(ScriptTest, InsideATransactionAndAGroup) {
  Driver d;
  std::vector<Value> replies = d.RunGroup({{"EVAL", "return redis.call('incr', KEYS[1])", "1", "c"},
                                           {"EVAL", "return redis.call('incr', KEYS[1])", "1", "c"},
                                           {"EVAL", "this is not lua", "0"}},
                                          {kNow, kNow, kNow});
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[0], Value::Int(1));
  EXPECT_EQ(replies[1], Value::Int(2));
  EXPECT_EQ(replies[2].type, resp::Type::kError);
  Value exec =
      d.Exec({{"EVAL", "return redis.call('incr', KEYS[1])", "1", "c"}, {"INCR", "c"}}, {}, kNow);
  EXPECT_EQ(exec, Arr({Value::Int(3), Value::Int(4)}));
}

}  // namespace
}  // namespace cairn::kv
