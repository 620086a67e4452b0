// Goal: frames sent through Transport arrive in order at the right peer, a
// peer that starts late is reached by redialling, and a full queue drops.
// Method: two or three transports on one io_context bound to 127.0.0.1:0;
// the test runs the io_context until a condition holds or a deadline passes.
#include <utility>

#include "net/transport.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <chrono>

namespace cairn::net {
namespace {

using Clock = std::chrono::steady_clock;

// Runs `io` until `done()` or 10 s have passed; returns done().
template <typename F>
bool RunUntil(boost::asio::io_context& io, F done) {
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (!done() && Clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(5));
    if (io.stopped()) io.restart();
  }
  return done();
}

std::uint16_t FreePort(boost::asio::io_context& io) {
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

raft::Message Msg(raft::NodeId from, raft::NodeId to, std::uint64_t term) {
  raft::Message m;
  m.type = raft::MessageType::kHeartbeat;
  m.from = from;
  m.to = to;
  m.term = term;
  return m;
}

TEST(Transport, DeliversInOrderBothWaysAndRedialsLateListener) {
  boost::asio::io_context io;
  std::uint16_t p1 = FreePort(io), p2 = FreePort(io);
  std::vector<PeerAddress> peers = {{1, "127.0.0.1", p1}, {2, "127.0.0.1", p2}};
  std::vector<raft::Message> at1, at2;
  auto handler = [](std::vector<raft::Message>* sink) {
    return [sink](raft::NodeId from, Frame f) {
      ASSERT_EQ(f.type, FrameType::kRaft);
      auto m = DecodeMessage(f.payload);
      ASSERT_TRUE(m.ok());
      EXPECT_EQ(m->from, from);
      sink->push_back(*m);
    };
  };
  Transport t1(io, 1, peers, handler(&at1));
  Transport t2(io, 2, peers, handler(&at2));
  ASSERT_TRUE(t1.Start("127.0.0.1", p1).ok());
  // t1 sends before t2 listens: frames wait in the queue while t1 redials.
  for (std::uint64_t i = 1; i <= 100; ++i) ASSERT_TRUE(t1.SendRaft(Msg(1, 2, i)));
  io.run_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(t2.Start("127.0.0.1", p2).ok());
  for (std::uint64_t i = 1; i <= 100; ++i) ASSERT_TRUE(t2.SendRaft(Msg(2, 1, i)));
  ASSERT_TRUE(RunUntil(io, [&] { return at1.size() == 100 && at2.size() == 100; }))
      << at1.size() << " " << at2.size();
  for (std::uint64_t i = 0; i < 100; ++i) {
    EXPECT_EQ(at2[i].term, i + 1);
    EXPECT_EQ(at1[i].term, i + 1);
  }
  EXPECT_FALSE(t1.Send(9, FrameType::kRaft, "x")) << "unknown peer";
  t1.Stop();
  t2.Stop();
  io.run_for(std::chrono::milliseconds(20));
}

TEST(Transport, APeerWithoutTheSecretIsShutOut) {
  boost::asio::io_context io;
  std::uint16_t p1 = FreePort(io), p2 = FreePort(io), p3 = FreePort(io);
  std::vector<PeerAddress> peers = {
      {1, "127.0.0.1", p1}, {2, "127.0.0.1", p2}, {3, "127.0.0.1", p3}};
  std::vector<raft::NodeId> at1;
  auto sink = [&at1](raft::NodeId from, Frame) { at1.push_back(from); };
  TransportOptions member, other, none;
  member.secret = "s3cret";
  other.secret = "guess";
  Transport t1(io, 1, peers, sink, member);
  Transport t2(
      io, 2, peers, [](auto, auto) {}, member);  // the same secret
  Transport t3(
      io, 3, peers, [](auto, auto) {}, other);  // a wrong one
  ASSERT_TRUE(t1.Start("127.0.0.1", p1).ok());
  ASSERT_TRUE(t2.Start("127.0.0.1", p2).ok());
  ASSERT_TRUE(t3.Start("127.0.0.1", p3).ok());
  for (std::uint64_t i = 1; i <= 5; ++i) {
    ASSERT_TRUE(t2.SendRaft(Msg(2, 1, i)));
    ASSERT_TRUE(t3.SendRaft(Msg(3, 1, i)));
  }
  ASSERT_TRUE(RunUntil(io, [&] { return at1.size() == 5 && t1.stats().unauthenticated >= 1; }));
  // A transport with no secret at all is shut out too, and sends no proof.
  const std::uint16_t p4 = FreePort(io);
  Transport t4(
      io, 4, {{1, "127.0.0.1", p1}, {4, "127.0.0.1", p4}}, [](auto, auto) {}, none);
  ASSERT_TRUE(t4.Start("127.0.0.1", p4).ok());
  ASSERT_TRUE(t4.SendRaft(Msg(4, 1, 1)));
  const auto before = t1.stats().unauthenticated;
  ASSERT_TRUE(RunUntil(io, [&] { return t1.stats().unauthenticated > before; }));
  io.run_for(std::chrono::milliseconds(50));
  EXPECT_EQ(at1, std::vector<raft::NodeId>(5, 2)) << "only node 2's frames";
  EXPECT_EQ(PeerProof("s3cret"), PeerProof("s3cret"));
  EXPECT_NE(PeerProof("s3cret"), PeerProof("guess"));
  t1.Stop();
  t2.Stop();
  t3.Stop();
  t4.Stop();
  io.run_for(std::chrono::milliseconds(20));
}

TEST(Transport, FullQueueDropsAndCounts) {
  boost::asio::io_context io;
  std::uint16_t p1 = FreePort(io), dead = FreePort(io);
  TransportOptions opts;
  opts.send_queue_frames_max = 4;
  Transport t1(io, 1, {{1, "127.0.0.1", p1}, {2, "127.0.0.1", dead}}, [](auto, auto) {}, opts);
  ASSERT_TRUE(t1.Start("127.0.0.1", p1).ok());
  int accepted = 0;
  for (int i = 0; i < 10; ++i) accepted += t1.SendRaft(Msg(1, 2, 1)) ? 1 : 0;
  EXPECT_EQ(accepted, 4);
  EXPECT_EQ(t1.stats().frames_dropped, 6u);
  t1.Stop();
  io.run_for(std::chrono::milliseconds(20));
}

// Goal: peers added and removed at run time, and a stranger learned from the
// address in its hello (how a joining node reaches a leader it never heard of).
TEST(Transport, AddsAndRemovesPeersAtRunTimeAndLearnsHelloAddress) {
  boost::asio::io_context io;
  std::uint16_t p1 = FreePort(io), p2 = FreePort(io);
  std::vector<raft::NodeId> at1_from, at2_from;
  // Node 2 knows only itself: it hears of node 1 from node 1's hello.
  Transport t1(io, 1, {{1, "127.0.0.1", p1}}, [&](raft::NodeId from, Frame) { at1_from.push_back(from); });
  Transport t2(io, 2, {{2, "127.0.0.1", p2}}, [&](raft::NodeId from, Frame) { at2_from.push_back(from); });
  std::string learned;
  t2.SetHelloHandler([&](raft::NodeId from, const std::string& address) {
    EXPECT_EQ(from, 1u);
    learned = address;
    auto colon = address.rfind(':');
    t2.AddPeer({from, address.substr(0, colon),
                static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1)))});
  });
  ASSERT_TRUE(t1.Start("127.0.0.1", p1).ok());
  ASSERT_TRUE(t2.Start("127.0.0.1", p2).ok());
  EXPECT_FALSE(t1.SendRaft(Msg(1, 2, 1))) << "not a peer yet";
  t1.AddPeer({2, "127.0.0.1", p2});
  EXPECT_TRUE(t1.HasPeer(2));
  ASSERT_TRUE(t1.SendRaft(Msg(1, 2, 1)));
  ASSERT_TRUE(RunUntil(io, [&] { return at2_from.size() == 1 && t2.HasPeer(1); }));
  EXPECT_EQ(learned, "127.0.0.1:" + std::to_string(p1));
  ASSERT_TRUE(t2.SendRaft(Msg(2, 1, 1)));
  ASSERT_TRUE(RunUntil(io, [&] { return at1_from.size() == 1; }));
  t1.AddPeer({2, "127.0.0.1", p2});  // same address: nothing changes
  t1.RemovePeer(2);
  EXPECT_FALSE(t1.HasPeer(2));
  EXPECT_FALSE(t1.SendRaft(Msg(1, 2, 2))) << "removed";
  t1.AddPeer({2, "127.0.0.1", p2});  // back again: dials anew
  ASSERT_TRUE(t1.SendRaft(Msg(1, 2, 3)));
  ASSERT_TRUE(RunUntil(io, [&] { return at2_from.size() == 2; }));
  t1.Stop();
  t2.Stop();
  io.run_for(std::chrono::milliseconds(20));
}

}  // namespace
}  // namespace cairn::net
