#include "snapshot/files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/random.h"

namespace cairn::snapshot {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/cairn-snap-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(SnapshotFilesTest, TransferBetweenFilesWithResumeAcrossReceiverRestart) {
  TempDir src_dir, dst_dir;
  std::string data(300'000, '\0');
  Xoshiro256 r(11);
  for (auto& c : data) c = static_cast<char>(r.NextU64());
  const std::string src_path = src_dir.path() + "/snap";
  std::ofstream(src_path, std::ios::binary) << data;
  auto src = FileChunkSource::Open(src_path);
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  const SnapshotId id{42, 3};
  Sender sender(id, **src, {.chunk_bytes = 64 * 1024, .window_chunks = 2});
  {
    FileChunkSink sink(dst_dir.path());
    Receiver recv(sink, {.sync_every_bytes = 1});  // durable after every chunk
    auto chunks = sender.Poll();
    ASSERT_TRUE(chunks.ok());
    for (auto& c : *chunks) sender.OnAck(recv.OnChunk(c));
    ASSERT_EQ(sender.acked_bytes(), 128u * 1024);
  }  // the receiver's process dies here
  sender.OnDisconnect();
  FileChunkSink sink(dst_dir.path());
  Receiver recv(sink);
  sender.OnAck(recv.Resume(id, data.size()));
  EXPECT_EQ(sender.acked_bytes(), 128u * 1024);  // resumed, not restarted
  while (!sender.done() && !sender.failed()) {
    auto chunks = sender.Poll();
    ASSERT_TRUE(chunks.ok());
    for (auto& c : *chunks) sender.OnAck(recv.OnChunk(c));
  }
  ASSERT_TRUE(sender.done());
  EXPECT_EQ(ReadFile(sink.InstalledPath(id)), data);
  EXPECT_FALSE(fs::exists(dst_dir.path() + "/incoming.snap"));
}

TEST(SnapshotFilesTest, MissingSourceIsAClearError) {
  auto src = FileChunkSource::Open("/nonexistent/cairn/snapshot");
  ASSERT_FALSE(src.ok());
  EXPECT_EQ(src.status().code(), StatusCode::kIOError);
  EXPECT_NE(src.status().message().find("/nonexistent/cairn/snapshot"), std::string_view::npos);
}

}  // namespace
}  // namespace cairn::snapshot
