#pragma once
// FakeServer: a scripted RESP server on 127.0.0.1 for libcairn's unit tests.
// Each parsed command is handed to the script, which returns the raw bytes to
// send back (possibly several replies or pushes, possibly nothing) or kClose
// to drop the connection without answering. Connection setup commands
// (HELLO, CLIENT, CONSISTENCY, INFO) get canned replies unless the script
// answers them; kNoReply swallows a command (a node that hangs).
#include <utility>  // before Asio (Boost 1.74)

#include <boost/asio.hpp>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "resp/request_parser.h"

namespace cairn::client::testing {

inline const std::string kClose = "\x01close";
inline const std::string kNoReply = "\x01silent";  // swallow the command

class FakeServer {
 public:
  // (args, connection number from 1) -> bytes, "" for the default, kClose.
  using Script = std::function<std::string(const std::vector<std::string>&, int)>;

  explicit FakeServer(Script script)
      : script_(std::move(script)), acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    Accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~FakeServer() {
    boost::asio::post(io_, [this] {
      boost::system::error_code ec;
      acceptor_.close(ec);
      for (auto& s : sockets_) s->close(ec);
    });
    thread_.join();
  }
  std::string address() const {
    return "127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }
  // How many times a command (upper-case name) was received.
  int count(const std::string& name) {
    std::lock_guard lock(mu_);
    return counts_[name];
  }

 private:
  void Accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, boost::asio::ip::tcp::socket s) {
      if (ec) return;
      auto sock = std::make_shared<boost::asio::ip::tcp::socket>(std::move(s));
      sockets_.push_back(sock);
      Read(sock, std::make_shared<resp::RequestParser>(), ++connections_,
           std::make_shared<std::vector<char>>(4096));
      Accept();
    });
  }
  void Read(std::shared_ptr<boost::asio::ip::tcp::socket> s,
            std::shared_ptr<resp::RequestParser> parser, int conn,
            std::shared_ptr<std::vector<char>> buf) {
    s->async_read_some(boost::asio::buffer(*buf), [=, this](boost::system::error_code ec, std::size_t n) {
      if (ec) return;
      parser->Feed(std::string_view(buf->data(), n));
      std::string out;
      std::vector<std::string> args;
      while (true) {
        auto next = parser->Next(&args);
        if (!next.ok() || !*next) break;
        std::string name = args[0];
        for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        {
          std::lock_guard lock(mu_);
          ++counts_[name];
        }
        std::string reply = script_(args, conn);
        if (reply == kClose) {
          boost::asio::write(*s, boost::asio::buffer(out), ec);
          s->close(ec);
          return;
        }
        if (reply == kNoReply) continue;
        if (reply.empty()) reply = Default(name, args);
        out += reply;
      }
      boost::asio::write(*s, boost::asio::buffer(out), ec);
      Read(s, parser, conn, buf);
    });
  }
  static std::string Bulk(const std::string& s) {
    return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n";
  }
  static std::string Default(const std::string& name, const std::vector<std::string>& args) {
    if (name == "INFO") {
      std::string section = args.size() > 1 ? args[1] : "";
      if (section == "server") return Bulk("# Server\r\ncairn_version:0.1.0\r\nnode_id:1\r\n");
      return Bulk("# Replication\r\nrole:master\r\nleader_id:1\r\n");
    }
    if (name == "HELLO") return "%1\r\n$6\r\nserver\r\n$4\r\nfake\r\n";
    if (name == "SESSION") return ":1\r\n";
    return "+OK\r\n";
  }

  Script script_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> sockets_;
  std::thread thread_;
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::map<std::string, int> counts_;
};

}  // namespace cairn::client::testing
