// cairn-check: judges a recorded history.
//
//   cairn-check linear|session|counter|set|lost HISTORY.jsonl [--html OUT.html]
//               [--time-budget-ms N] [--states-max N] [--no-minimize]
//   cairn-check bounded HISTORY.jsonl --bound-ms N [--html OUT.html]
//
// Exit status: 0 valid, 1 invalid, 2 bad input, bad usage or unknown.

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "check/checkers.h"
#include "check/history_format.h"
#include "check/timeline.h"

namespace {

constexpr int kExitValid = 0;
constexpr int kExitInvalid = 1;
constexpr int kExitOther = 2;

int Usage(const std::string& why) {
  std::cerr
      << "cairn-check: " << why << "\n"
      << "usage: cairn-check linear|session|counter|set|lost HISTORY.jsonl [--html OUT.html]\n"
      << "         [--time-budget-ms N] [--states-max N] [--no-minimize]\n"
      << "       cairn-check bounded HISTORY.jsonl --bound-ms N [--html OUT.html]\n";
  return kExitOther;
}

bool ParseCount(const char* s, std::int64_t* out) {
  char* end = nullptr;
  long long v = std::strtoll(s, &end, 10);
  if (end == s || *end != '\0' || v <= 0) return false;
  *out = v;
  return true;
}

struct Args {
  std::string workload;
  std::string path;
  std::string html;
  std::int64_t bound_ms = 0;
  cairn::check::CheckOptions options;
};

// Returns an error text, or empty on success.
std::string ParseArgs(int argc, char** argv, Args* args) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    bool has_next = i + 1 < argc;
    std::int64_t n = 0;
    if (a == "--html" && has_next) {
      args->html = argv[++i];
    } else if (a == "--time-budget-ms" && has_next && ParseCount(argv[i + 1], &n)) {
      args->options.linear.time_budget_ms = n;
      ++i;
    } else if (a == "--states-max" && has_next && ParseCount(argv[i + 1], &n)) {
      args->options.linear.states_max = static_cast<std::uint64_t>(n);
      ++i;
    } else if (a == "--bound-ms" && has_next && ParseCount(argv[i + 1], &n)) {
      args->bound_ms = n;
      ++i;
    } else if (a == "--no-minimize") {
      args->options.minimize = false;
      args->options.linear.minimize = false;
    } else if (!a.empty() && a[0] == '-') {
      return "bad option " + a;
    } else if (args->workload.empty()) {
      args->workload = a;
    } else if (args->path.empty()) {
      args->path = a;
    } else {
      return "unexpected argument " + a;
    }
  }
  if (args->path.empty()) return "missing arguments";
  if ((args->workload == "bounded") != (args->bound_ms > 0)) {
    return "--bound-ms goes with the bounded checker, and only with it";
  }
  if (args->bound_ms > 1'000'000'000) return "--bound-ms above 1000000000 (11 days)";
  args->options.bound_ns = args->bound_ms * 1'000'000;
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cairn::check;
  Args args;
  if (std::string err = ParseArgs(argc, argv, &args); !err.empty()) return Usage(err);
  cairn::Result<Workload> workload = ParseWorkload(args.workload);
  if (!workload.ok()) return Usage(std::string(workload.status().message()));
  cairn::Result<History> history = LoadHistoryFile(args.path);
  if (!history.ok()) {
    std::cerr << "cairn-check: " << history.status().ToString() << "\n";
    return kExitOther;
  }
  Verdict verdict = RunChecker(*workload, *history, args.options);
  std::cout << FormatVerdict(verdict);
  if (!args.html.empty()) {
    std::ofstream out(args.html, std::ios::binary);
    out << RenderTimelineHtml(*history, &verdict, args.workload + " check of " + args.path);
    if (!out) {
      std::cerr << "cairn-check: cannot write " << args.html << "\n";
      return kExitOther;
    }
  }
  if (verdict.validity == Validity::kValid) return kExitValid;
  if (verdict.validity == Validity::kInvalid) return kExitInvalid;
  return kExitOther;
}
