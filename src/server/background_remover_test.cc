// BackgroundRemover from several threads at once (run under ThreadSanitizer
// by the concurrency job): every path asked for is gone after Drain, the
// destructor finishes what was queued, and a failure does not stop it.
#include "server/background_remover.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace cairn::server {
namespace {

namespace fs = std::filesystem;

class BackgroundRemoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cairn-remover-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    base_ = tmpl;
  }
  void TearDown() override { fs::remove_all(base_); }
  std::string MakeTree(const std::string& name) {
    std::string dir = base_ + "/" + name;
    fs::create_directories(dir + "/sub");
    std::ofstream(dir + "/a") << "x";
    std::ofstream(dir + "/sub/b") << "y";
    return dir;
  }
  std::string base_;
};

TEST_F(BackgroundRemoverTest, RemovesWhatManyThreadsQueue) {
  constexpr int kThreads = 4, kEach = 25;
  std::vector<std::string> dirs;
  for (int i = 0; i < kThreads * kEach; ++i) dirs.push_back(MakeTree("d" + std::to_string(i)));
  BackgroundRemover remover;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) remover.Remove(dirs[t * kEach + i]);
      remover.Remove(base_ + "/never-existed");  // nothing to do: not an error
    });
  }
  for (auto& th : threads) th.join();
  remover.Drain();
  for (const auto& d : dirs) EXPECT_FALSE(fs::exists(d)) << d;
}

TEST_F(BackgroundRemoverTest, DestructorFinishesTheQueue) {
  std::vector<std::string> dirs;
  for (int i = 0; i < 20; ++i) dirs.push_back(MakeTree("e" + std::to_string(i)));
  {
    BackgroundRemover remover;
    for (const auto& d : dirs) remover.Remove(d);
  }
  for (const auto& d : dirs) EXPECT_FALSE(fs::exists(d)) << d;
}

}  // namespace
}  // namespace cairn::server
