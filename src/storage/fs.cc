#include "storage/fs.h"

#include <cstring>

namespace cairn::storage {

Result<std::size_t> File::ReadInto(std::uint64_t offset, char* dst, std::size_t n) {
  std::string tmp;
  CAIRN_RETURN_IF_ERROR(Read(offset, n, &tmp));
  if (!tmp.empty()) std::memcpy(dst, tmp.data(), tmp.size());
  return tmp.size();
}

Result<std::string> Fs::ReadAll(const std::string& path) {
  CAIRN_ASSIGN_OR_RETURN(auto file, Open(path, OpenMode::kExisting));
  CAIRN_ASSIGN_OR_RETURN(std::uint64_t size, file->Size());
  std::string out;
  CAIRN_RETURN_IF_ERROR(file->Read(0, static_cast<std::size_t>(size), &out));
  return out;
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (!out.empty() && out.back() != '/') out.push_back('/');
  out.append(name);
  return out;
}

std::string DirName(std::string_view path) {
  auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

}  // namespace cairn::storage
