// `cairn dev`: a local cluster of child processes of this binary. Stops them
// (by PID, SIGTERM then SIGKILL after 5 s) on SIGINT/SIGTERM, or when any
// child dies unexpectedly.
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "cli/http_get.h"

namespace cairn::cli {
namespace {

std::string SelfExe() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "cairn" : p.string();
}

pid_t Spawn(const std::vector<std::string>& args) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);  // the child handles its own signals
  ::execv(argv[0], argv.data());
  std::perror("execv");
  ::_exit(127);
}

// Sends SIGTERM to each child, waits up to 5 s, then SIGKILLs the rest.
void StopChildren(std::vector<pid_t>& pids) {
  for (pid_t p : pids) {
    if (p > 0) ::kill(p, SIGTERM);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (pid_t& p : pids) {
    while (p > 0) {
      int status = 0;
      pid_t r = ::waitpid(p, &status, WNOHANG);
      if (r == p || r < 0) {
        p = 0;
      } else if (std::chrono::steady_clock::now() > deadline) {
        ::kill(p, SIGKILL);
        ::waitpid(p, &status, 0);
        p = 0;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a child's exit
      }
    }
  }
}

// Polls every node's /v1/status until they agree on a leader (10 s at most).
std::uint64_t WaitForLeader(const DevOptions& o) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    std::uint64_t agreed = 0;
    bool all = true;
    for (int i = 1; i <= o.nodes && all; ++i) {
      auto body = HttpGet(fmt::format("127.0.0.1:{}", o.http_base + i - 1), "/v1/status");
      auto j = body.ok() ? nlohmann::json::parse(*body, nullptr, false) : nlohmann::json();
      std::uint64_t leader = j.is_object() ? j.value("leader", std::uint64_t{0}) : 0;
      all = leader != 0 && (agreed == 0 || agreed == leader);
      agreed = leader;
    }
    if (all) return agreed;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling the nodes
  }
  return 0;
}

// A CA and a server certificate for 127.0.0.1 signed by it, in `dir`, made
// with the openssl tool (scripts/install-deps.sh installs it). False, with
// the tool's output left in dir/openssl.log, if it failed.
bool MakeDevCertificates(const std::string& dir) {
  std::ofstream(dir + "/san.cnf") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  const std::string log = " >>'" + dir + "/openssl.log' 2>&1";
  const std::string in = "cd '" + dir + "' && ";
  for (const std::string& cmd :
       {std::string("openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt "
                    "-days 7 -subj '/CN=cairn dev CA'"),
        std::string("openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
                    "-subj '/CN=127.0.0.1'"),
        std::string("openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key "
                    "-CAcreateserial -out server.crt -days 7 -extfile san.cnf")}) {
    if (std::system((in + cmd + log).c_str()) != 0) return false;
  }
  return true;
}

}  // namespace

int RunDev(const DevOptions& o) {
  char tmpl[] = "/tmp/cairn-dev-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  std::string dir = tmpl;
  std::string peers;
  for (int i = 1; i <= o.nodes; ++i) {
    peers += fmt::format("{}{}=127.0.0.1:{}", i > 1 ? "," : "", i, o.raft_base + i - 1);
  }
  // Block the stop signals before forking, then wait for them synchronously.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGCHLD);
  ::sigprocmask(SIG_BLOCK, &set, nullptr);

  const std::string tls_dir = dir + "/tls";
  if (o.tls_base > 0) {
    std::error_code ec;
    std::filesystem::create_directories(tls_dir, ec);
    if (ec || !MakeDevCertificates(tls_dir)) {
      std::fprintf(stderr, "cairn dev: could not make TLS certificates with openssl (see %s)\n",
                   (tls_dir + "/openssl.log").c_str());
      return 1;  // (the directory stays, for that log)
    }
  }

  std::string exe = SelfExe();
  std::vector<pid_t> pids;
  for (int i = 1; i <= o.nodes; ++i) {
    std::vector<std::string> args = {exe,           "server",
                                     "--id",        std::to_string(i),
                                     "--peers",     peers,
                                     "--resp-port", std::to_string(o.resp_base + i - 1),
                                     "--http-port", std::to_string(o.http_base + i - 1),
                                     "--data-dir",  fmt::format("{}/node{}", dir, i)};
    if (o.tls_base > 0) {
      const std::vector<std::string> tls = {
          "--tls-port",         std::to_string(o.tls_base + i - 1),
          "--tls-cert-file",    tls_dir + "/server.crt",
          "--tls-key-file",     tls_dir + "/server.key",
          "--tls-auth-clients", "no"};
      args.insert(args.end(), tls.begin(), tls.end());
    }
    pids.push_back(Spawn(args));
  }
  std::printf("cairn dev: %d nodes, data in %s\n", o.nodes, dir.c_str());
  for (int i = 1; i <= o.nodes; ++i) {
    std::printf("  node %d  pid %d  RESP 127.0.0.1:%d  HTTP http://127.0.0.1:%d  Raft 127.0.0.1:%d\n",
                i, pids[i - 1], o.resp_base + i - 1, o.http_base + i - 1, o.raft_base + i - 1);
  }
  std::uint64_t leader = WaitForLeader(o);
  if (leader != 0) {
    std::printf("leader: node %llu\n", static_cast<unsigned long long>(leader));
  } else {
    std::printf("no leader agreed within 10 s (see the node logs above)\n");
  }
  std::printf("try:  redis-cli -p %d set hello world && redis-cli -p %d get hello\n", o.resp_base,
              o.resp_base + (o.nodes > 1 ? 1 : 0));
  if (o.tls_base > 0) {
    std::printf("TLS:  redis-cli -p %d --tls --cacert %s/ca.crt ping\n", o.tls_base,
                tls_dir.c_str());
  }
  std::printf("      %s ctl status --addr 127.0.0.1:%d\nCtrl-C stops the cluster.\n",
              exe.c_str(), o.http_base);
  std::fflush(stdout);

  int exit_code = 0;
  for (;;) {
    int sig = 0;
    ::sigwait(&set, &sig);
    if (sig != SIGCHLD) break;
    // A child exited on its own: report it and stop the rest.
    int status = 0;
    pid_t dead = ::waitpid(-1, &status, WNOHANG);
    if (dead <= 0) continue;
    for (pid_t& p : pids) {
      if (p == dead) p = 0;
    }
    std::fprintf(stderr, "cairn dev: node process %d exited (status %d); stopping\n", dead, status);
    exit_code = 1;
    break;
  }
  StopChildren(pids);
  if (!o.keep_data) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::printf("cairn dev: stopped\n");
  return exit_code;
}

}  // namespace cairn::cli
