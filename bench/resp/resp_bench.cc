// Throughput of the RESP codec on pipelined SET/GET traffic, and of the whole
// pure request path (RESP parse -> kv parse -> log entry encode/decode/apply
// or read -> RESP reply) on the in-memory engine. No sockets, one thread.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "kv/parse.h"
#include "kv/state_machine.h"
#include "resp/reply_parser.h"
#include "resp/request_parser.h"
#include "resp/writer.h"

namespace {

using namespace cairn;

constexpr int kPipeline = 1000;

// kPipeline commands: SET key:i <value> or GET key:i, as clients send them.
std::string Pipeline(bool set, std::size_t value_bytes) {
  std::string out;
  resp::Writer w(&out, resp::Protocol::kResp2);
  std::string value(value_bytes, 'v');
  for (int i = 0; i < kPipeline; ++i) {
    std::string key = "key:" + std::to_string(i % 10000);
    w.ArrayHeader(set ? 3 : 2);
    w.Bulk(set ? "SET" : "GET");
    w.Bulk(key);
    if (set) w.Bulk(value);
  }
  return out;
}

void BM_ParseRequests(benchmark::State& state, bool set) {
  std::string input = Pipeline(set, static_cast<std::size_t>(state.range(0)));
  resp::RequestParser parser;
  std::vector<std::string> args;
  for (auto _ : state) {
    parser.Feed(input);
    int n = 0;
    while (*parser.Next(&args)) ++n;
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(state.iterations() * kPipeline);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(input.size()));
}
BENCHMARK_CAPTURE(BM_ParseRequests, set, true)->Arg(16)->Arg(1024);
BENCHMARK_CAPTURE(BM_ParseRequests, get, false)->Arg(16);

void BM_WriteReplies(benchmark::State& state, bool set) {
  std::string out;
  std::string value(static_cast<std::size_t>(state.range(0)), 'v');
  for (auto _ : state) {
    out.clear();
    resp::Writer w(&out, resp::Protocol::kResp2);
    for (int i = 0; i < kPipeline; ++i) {
      if (set) w.SimpleString("OK"); else w.Bulk(value);
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kPipeline);
}
BENCHMARK_CAPTURE(BM_WriteReplies, set_ok, true)->Arg(16);
BENCHMARK_CAPTURE(BM_WriteReplies, get_bulk, false)->Arg(16)->Arg(1024);

void BM_ParseReplies(benchmark::State& state) {
  std::string input;
  resp::Writer w(&input, resp::Protocol::kResp2);
  std::string value(static_cast<std::size_t>(state.range(0)), 'v');
  for (int i = 0; i < kPipeline; ++i) w.Bulk(value);
  resp::ReplyParser parser;
  resp::Value v;
  for (auto _ : state) {
    parser.Feed(input);
    int n = 0;
    while (*parser.Next(&v)) ++n;
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(state.iterations() * kPipeline);
}
BENCHMARK(BM_ParseReplies)->Arg(16);

// The whole pure path for one pipeline: every SET in the pipeline goes into
// one batch entry (as a leader would batch them), every GET is a read.
void BM_PipelineThroughKv(benchmark::State& state, bool set) {
  std::string input = Pipeline(set, 16);
  auto sm = std::move(kv::StateMachine::Open(std::make_unique<kv::MemoryEngine>())).value();
  if (!set) {  // GETs find their keys
    std::string setup = Pipeline(true, 16);
    resp::RequestParser p;
    p.Feed(setup);
    std::vector<std::string> args;
    kv::LogEntry e;
    while (*p.Next(&args)) e.ops.push_back(*kv::ParseCommand(args, 0));
    (void)sm->Apply(1, kv::Encode(e));
  }
  resp::RequestParser parser;
  std::vector<std::string> args;
  std::string out;
  std::string entry_bytes;
  std::uint64_t index = sm->applied_index();
  std::int64_t now_ms = 1'700'000'000'000;
  for (auto _ : state) {
    parser.Feed(input);
    out.clear();
    resp::Writer w(&out, resp::Protocol::kResp2);
    kv::LogEntry entry;
    entry.now_ms = ++now_ms;
    while (*parser.Next(&args)) {
      auto op = kv::ParseCommand(args, now_ms);
      if (kv::IsWrite(op->code)) {
        entry.ops.push_back(std::move(*op));
      } else {
        w.Write(sm->Read(*op, now_ms));
      }
    }
    if (!entry.ops.empty()) {
      entry_bytes.clear();
      kv::EncodeTo(entry, &entry_bytes);
      auto replies = sm->Apply(++index, entry_bytes);
      for (const resp::Value& r : *replies) w.Write(r);
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kPipeline);
}
BENCHMARK_CAPTURE(BM_PipelineThroughKv, set, true);
BENCHMARK_CAPTURE(BM_PipelineThroughKv, get, false);

}  // namespace

BENCHMARK_MAIN();
