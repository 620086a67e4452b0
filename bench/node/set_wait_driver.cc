// A closed-loop RESP load driver for the one case redis-benchmark cannot
// express: every SET followed by `WAIT <replicas> 0` on the same connection
// (Redis's way to learn that replicas hold the write). The two commands go
// out together and the operation counts when both replies are in.
//
// Usage: cairn_set_wait_driver HOST PORT CLIENTS REQUESTS VALUE_BYTES REPLICAS
// Prints one JSON line: {"requests":N,"seconds":S,"rps":R,"p50_ms":..,"p99_ms":..}
// Exit 1 on a connection error or an unexpected reply (the run is void).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

int Connect(const char* host, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::inet_pton(AF_INET, host, &a.sin_addr) != 1 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// Reads until `lines` complete simple replies (+OK / :n) have arrived; false
// on EOF, an error reply or anything else.
bool ReadReplies(int fd, int lines, std::string& buf) {
  int seen = 0;
  buf.clear();
  char chunk[256];
  while (seen < lines) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) return false;
    for (ssize_t i = 0; i < n; ++i) {
      buf.push_back(chunk[i]);
      if (chunk[i] == '\n') ++seen;
    }
  }
  return buf[0] == '+' && buf.find('-') == std::string::npos;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: %s HOST PORT CLIENTS REQUESTS VALUE_BYTES REPLICAS\n", argv[0]);
    return 2;
  }
  const char* host = argv[1];
  const int port = std::atoi(argv[2]);
  const int clients = std::max(1, std::atoi(argv[3]));
  const long requests = std::max(1L, std::atol(argv[4]));
  const std::string value(static_cast<std::size_t>(std::max(1, std::atoi(argv[5]))), 'x');
  const std::string replicas = argv[6];

  std::atomic<long> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(clients));
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      int fd = Connect(host, port);
      if (fd < 0) {
        failed = true;
        return;
      }
      std::string buf;
      auto& lat = latencies[static_cast<std::size_t>(c)];
      for (long i = next++; i < requests && !failed; i = next++) {
        std::string key = "key:" + std::to_string(i % 100000);
        std::string req = "*3\r\n$3\r\nSET\r\n$" + std::to_string(key.size()) + "\r\n" + key +
                          "\r\n$" + std::to_string(value.size()) + "\r\n" + value + "\r\n*3\r\n$4\r\nWAIT\r\n$" +
                          std::to_string(replicas.size()) + "\r\n" + replicas + "\r\n$1\r\n0\r\n";
        auto t0 = Clock::now();
        if (::write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size()) ||
            !ReadReplies(fd, 2, buf) || buf.find(":" + replicas + "\r\n") == std::string::npos) {
          std::fprintf(stderr, "unexpected reply: %s\n", buf.c_str());
          failed = true;
          break;
        }
        lat.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
      ::close(fd);
    });
  }
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (failed) return 1;
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all[static_cast<std::size_t>(p * static_cast<double>(all.size() - 1))]; };
  std::printf("{\"requests\":%zu,\"seconds\":%.3f,\"rps\":%.0f,\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n",
              all.size(), seconds, static_cast<double>(all.size()) / seconds, pct(0.5), pct(0.99));
  return 0;
}
