#pragma once
// Test helpers: real `cairn server` / `redis-server` processes on 127.0.0.1,
// started with fork+exec and stopped by PID (never by name).
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace cairn::client::testing {

inline std::vector<int> FreePorts(int n) {
  std::vector<int> fds, ports;
  for (int i = 0; i < n; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    socklen_t len = sizeof(a);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    fds.push_back(fd);
    ports.push_back(ntohs(a.sin_port));
  }
  for (int fd : fds) ::close(fd);
  return ports;
}

class Process {
 public:
  Process(std::vector<std::string> argv, const std::string& log_path) {
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  ~Process() { Stop(SIGTERM); }
  void Stop(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int status = 0;
    // Bounded: escalate to SIGKILL if SIGTERM is not honoured in 10 s.
    for (int i = 0; i < 1000; ++i) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling, not sync
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

// Polls `cond` until it holds or `timeout` passes.
inline bool WaitUntil(const std::function<bool()>& cond,
                      std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling interval
  }
  return cond();
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cairn-client-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    if (std::getenv("CAIRN_KEEP_TMP") == nullptr) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A throwaway CA and certificates signed by it, made with the openssl tool:
// ca.crt, server.{crt,key} (for IP 127.0.0.1) and client.{crt,key}.
class TlsFiles {
 public:
  TlsFiles() {
    const std::string d = dir_.path();
    auto run = [&](const std::string& cmd) {
      std::string full = "cd '" + d + "' && " + cmd + " >/dev/null 2>&1";
      ok_ = ok_ && std::system(full.c_str()) == 0;
    };
    run("openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 "
        "-subj '/CN=test CA'");
    std::ofstream(d + "/san.cnf") << "subjectAltName=IP:127.0.0.1\n";
    for (const char* name : {"server", "client"}) {
      const std::string n = name;
      run("openssl req -newkey rsa:2048 -nodes -keyout " + n + ".key -out " + n +
          ".csr -subj '/CN=" + n + "'");
      run("openssl x509 -req -in " + n + ".csr -CA ca.crt -CAkey ca.key -CAcreateserial -out " + n +
          ".crt -days 2 -extfile san.cnf");
    }
  }
  bool ok() const { return ok_; }
  std::string operator()(const std::string& name) const { return dir_.path() + "/" + name; }

 private:
  TempDir dir_;
  bool ok_ = true;
};

#ifdef CAIRN_BIN
// A 3-node Cairn cluster of the built `cairn` binary. With `tls`, every node
// also serves a tls_port and asks for a client certificate from its CA.
class Cluster {
 public:
  explicit Cluster(int n = 3, const TlsFiles* tls = nullptr) : n_(n), tls_(tls) {
    auto ports = FreePorts(4 * n);
    for (int i = 0; i < n; ++i) {
      raft_.push_back(ports[i]);
      resp_.push_back(ports[n + i]);
      http_.push_back(ports[2 * n + i]);
      tls_ports_.push_back(ports[3 * n + i]);
    }
    for (int i = 0; i < n; ++i) {
      peers_ += (i ? "," : "") + std::to_string(i + 1) + "=127.0.0.1:" + std::to_string(raft_[i]);
    }
    procs_.resize(n);
    for (int i = 1; i <= n; ++i) Start(i);
  }
  void Start(int i) {
    std::vector<std::string> argv{CAIRN_BIN,     "server",
                                  "--id",        std::to_string(i),
                                  "--peers",     peers_,
                                  "--resp-port", std::to_string(resp_[i - 1]),
                                  "--http-port", std::to_string(http_[i - 1]),
                                  "--data-dir",  dir_.path() + "/node" + std::to_string(i)};
    if (tls_ != nullptr) {
      argv.insert(argv.end(), {"--tls-port", std::to_string(tls_ports_[i - 1]), "--tls-cert-file",
                               (*tls_)("server.crt"), "--tls-key-file", (*tls_)("server.key"),
                               "--tls-ca-cert-file", (*tls_)("ca.crt")});
    }
    procs_[i - 1] =
        std::make_unique<Process>(argv, dir_.path() + "/node" + std::to_string(i) + ".log");
  }
  void Kill9(int i) { procs_[i - 1]->Stop(SIGKILL); }
  std::vector<std::string> Seeds() const {
    std::vector<std::string> s;
    for (int p : resp_) s.push_back("127.0.0.1:" + std::to_string(p));
    return s;
  }
  std::vector<std::string> TlsSeeds() const {
    std::vector<std::string> s;
    for (int p : tls_ports_) s.push_back("127.0.0.1:" + std::to_string(p));
    return s;
  }
  // Node number (1-based) whose RESP address is `address`, or 0.
  int NodeOf(const std::string& address) const {
    for (int i = 0; i < n_; ++i) {
      if (address == "127.0.0.1:" + std::to_string(resp_[i])) return i + 1;
    }
    return 0;
  }

 private:
  int n_;
  const TlsFiles* tls_;
  TempDir dir_;
  std::vector<int> raft_, resp_, http_, tls_ports_;
  std::string peers_;
  std::vector<std::unique_ptr<Process>> procs_;
};

#endif  // CAIRN_BIN

class RedisServer {
 public:
  RedisServer() : port_(FreePorts(1)[0]) {
    proc_ = std::make_unique<Process>(
        std::vector<std::string>{"/usr/bin/redis-server", "--port", std::to_string(port_),
                                 "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                 "--dir", dir_.path()},
        dir_.path() + "/redis.log");
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int port_;
  TempDir dir_;
  std::unique_ptr<Process> proc_;
};

}  // namespace cairn::client::testing
