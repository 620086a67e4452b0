#pragma once
// BackgroundRemover: deletes directory trees on a thread of its own.
//
// Removing a checkpoint can take hundreds of milliseconds: its files are
// often the last links to SSTs RocksDB has compacted away, and on a file
// system mounted with `discard` every freed extent waits for the device.
// On the event loop that is a stall long enough to cost a leader its
// followers' votes, so the node hands such removals here.
//
// Thread-safety: Remove may be called from any thread. The destructor
// finishes every removal already asked for, then joins.
// Errors: a failed removal is logged and otherwise ignored (the next
// checkpoint's cleanup, or the next start's, tries again).
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace cairn::server {

class BackgroundRemover {
 public:
  BackgroundRemover();
  ~BackgroundRemover();
  BackgroundRemover(const BackgroundRemover&) = delete;
  BackgroundRemover& operator=(const BackgroundRemover&) = delete;

  // Queues `path` (a file or a directory tree) for removal.
  void Remove(std::string path);
  // Blocks until every removal asked for so far is done (tests).
  void Drain();

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;  // guarded by mu_
  bool busy_ = false;              // guarded by mu_: a removal is running
  bool stop_ = false;              // guarded by mu_
  std::thread thread_;             // last: starts once the rest exists
};

}  // namespace cairn::server
