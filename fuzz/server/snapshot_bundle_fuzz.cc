// libFuzzer target: arbitrary bytes as a received snapshot bundle
// (server/snapshots.h UnpackBundle, which a follower runs on what a leader
// streamed). It must never crash, never write outside its output directory,
// and on success have written exactly the bytes the header declares.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "server/snapshots.h"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fs::path root = [] {
    fs::path p = fs::temp_directory_path() / ("cairn-bundle-fuzz-" + std::to_string(::getpid()));
    fs::create_directories(p);
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(
          fs::temp_directory_path() / ("cairn-bundle-fuzz-" + std::to_string(::getpid())), ec);
    });
    return p;
  }();
  const fs::path bundle = root / "bundle";
  const fs::path out = root / "out";
  {
    std::ofstream f(bundle, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  std::error_code ec;
  fs::remove_all(out, ec);
  cairn::Status s = cairn::server::UnpackBundle(bundle.string(), out.string());
  // Nothing may appear beside the bundle and the output directory.
  for (const auto& e : fs::directory_iterator(root)) {
    if (e.path() != bundle && e.path() != out) std::abort();
  }
  if (s.ok()) {
    std::uintmax_t written = 0;
    for (const auto& e : fs::recursive_directory_iterator(out)) {
      if (e.is_regular_file()) written += e.file_size();
    }
    if (written > size) std::abort();  // more bytes out than came in
  }
  fs::remove_all(out, ec);
  return 0;
}
