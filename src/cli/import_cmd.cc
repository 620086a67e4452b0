// `cairn import`: copies keys from a Redis (or another Cairn cluster) into a
// Cairn cluster with SCAN, DUMP and PTTL on the source and RESTORE on the
// destination (docs/operations.md, "Moving data in from Redis"). The
// destination may be a Redis too, which copies a cluster's keys out.
//
// Each SCAN page is copied as two pipelined rounds (every key's DUMP and
// PTTL, then every RESTORE), so a page costs about two round trips. A key
// written on the source while the copy runs may be copied before or after
// the write; a key that expires or is deleted meanwhile is counted as gone.
// A TTL is read, then restored relative to the moment RESTORE arrives: the
// copy lives up to the time between the two longer.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "client/client.h"

namespace cairn::cli {
namespace {

using client::Client;
using client::Reply;

int Fail(const std::string& message) {
  std::fprintf(stderr, "cairn import: %s\n", message.c_str());
  return 1;
}

// Sends every command at once and waits for all the replies, in order.
std::vector<Reply> Pipelined(Client& c, std::vector<std::vector<std::string>> commands) {
  std::vector<Reply> replies(commands.size());
  if (commands.empty()) return replies;
  std::promise<void> all;
  std::atomic<std::size_t> left{commands.size()};
  for (std::size_t i = 0; i < commands.size(); ++i) {
    c.CommandAsync(std::move(commands[i]), [&, i](Reply r) {
      replies[i] = std::move(r);
      if (left.fetch_sub(1) == 1) all.set_value();
    });
  }
  // A safety net: the client answers every call within its request timeout
  // (6 s), retries included. Should a round still lack replies after 30 s,
  // the copy stops rather than wait on; the callbacks still holding this
  // frame's state end with the process.
  if (all.get_future().wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    std::fprintf(stderr,
                 "cairn import: no reply to some of %zu commands within 30 s; "
                 "stopping. The same command with --replace completes the copy.\n",
                 replies.size());
    std::fflush(stdout);
    std::_Exit(1);
  }
  return replies;
}

std::string Problem(const Reply& r) {
  if (!r.status.ok()) return std::string(r.status.message());
  return r.value.str;
}

struct Tally {
  std::uint64_t scanned = 0, copied = 0, existing = 0, gone = 0, failed = 0;
  std::vector<std::string> errors;  // the first few, with their keys
  void Failed(const std::string& key, const std::string& why) {
    ++failed;
    if (errors.size() < 5) errors.push_back(key + ": " + why);
  }
};

}  // namespace

int RunImport(const ImportOptions& o) {
  if (o.from.empty()) return Fail("--from host:port is required");
  if (o.batch < 1 || o.batch > 100000) return Fail("--batch must be 1-100000");
  auto tls = [&o](bool on) {
    return client::ClientOptions::Tls{on, o.tls_ca_file, o.tls_cert_file, o.tls_key_file};
  };
  auto src =
      Client::Connect({.seeds = {o.from}, .password = o.from_password, .tls = tls(o.from_tls)});
  if (!src.ok()) return Fail(fmt::format("source {}: {}", o.from, src.status().message()));
  // Every node of the cluster, so that the client finds a new leader if
  // leadership moves during the copy (the client sends writes to the leader
  // it knows among its seeds).
  std::vector<std::string> to_nodes;
  for (std::size_t start = 0; start <= o.to.size();) {
    const std::size_t comma = std::min(o.to.find(',', start), o.to.size());
    if (comma > start) to_nodes.push_back(o.to.substr(start, comma - start));
    start = comma + 1;
  }
  if (to_nodes.empty()) return Fail("--to needs host:port");
  auto dst = Client::Connect({.seeds = to_nodes, .password = o.to_password, .tls = tls(o.to_tls)});
  if (!dst.ok()) return Fail(fmt::format("destination {}: {}", o.to, dst.status().message()));
  Tally t;
  std::string cursor = "0";
  do {
    std::vector<std::string> scan = {"SCAN", cursor, "COUNT", std::to_string(o.batch)};
    if (!o.match.empty()) scan.insert(scan.end(), {"MATCH", o.match});
    auto page = (*src)->Command(scan);
    if (!page.ok()) return Fail(fmt::format("SCAN on {}: {}", o.from, page.status().message()));
    if (page->elems.size() != 2) return Fail("SCAN answered an unexpected shape");
    cursor = page->elems[0].str;
    std::vector<std::string> keys;
    for (const resp::Value& k : page->elems[1].elems) keys.push_back(k.str);
    t.scanned += keys.size();
    std::vector<std::vector<std::string>> reads;
    for (const std::string& k : keys) {
      reads.push_back({"DUMP", k});
      reads.push_back({"PTTL", k});
    }
    const std::vector<Reply> got = Pipelined(**src, std::move(reads));
    std::vector<std::vector<std::string>> restores;
    std::vector<std::string> restored_keys;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const Reply& dump = got[2 * i];
      const Reply& ttl = got[2 * i + 1];
      if (!dump.status.ok() || dump.value.is_error()) {
        t.Failed(keys[i], "DUMP: " + Problem(dump));
        continue;
      }
      if (!ttl.status.ok() || ttl.value.is_error()) {
        t.Failed(keys[i], "PTTL: " + Problem(ttl));
        continue;
      }
      if (dump.value.type == resp::Type::kNull || ttl.value.integer == -2) {
        ++t.gone;  // deleted or expired since SCAN listed it
        continue;
      }
      std::vector<std::string> r = {"RESTORE", keys[i],
                                    std::to_string(ttl.value.integer > 0 ? ttl.value.integer : 0),
                                    dump.value.str};
      if (o.replace) r.push_back("REPLACE");
      restores.push_back(std::move(r));
      restored_keys.push_back(keys[i]);
    }
    const std::vector<Reply> done = Pipelined(**dst, std::move(restores));
    for (std::size_t i = 0; i < done.size(); ++i) {
      const std::string why = Problem(done[i]);
      if (done[i].status.ok() && !done[i].value.is_error()) {
        ++t.copied;
      } else if (why.rfind("BUSYKEY", 0) == 0) {
        ++t.existing;
      } else {
        t.Failed(restored_keys[i], "RESTORE: " + why);
      }
    }
  } while (cursor != "0");
  if (o.json) {
    nlohmann::json j = {{"scanned", t.scanned}, {"copied", t.copied}, {"existing", t.existing},
                        {"gone", t.gone},       {"failed", t.failed}, {"errors", t.errors}};
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("copied %llu of %llu keys from %s to %s", static_cast<unsigned long long>(t.copied),
                static_cast<unsigned long long>(t.scanned), o.from.c_str(), o.to.c_str());
    std::printf("; %llu already there%s, %llu gone meanwhile, %llu failed\n",
                static_cast<unsigned long long>(t.existing),
                o.replace ? "" : " (--replace overwrites)", static_cast<unsigned long long>(t.gone),
                static_cast<unsigned long long>(t.failed));
    for (const std::string& e : t.errors) std::printf("  %s\n", e.c_str());
  }
  return t.failed == 0 ? 0 : 1;
}

}  // namespace cairn::cli
