#include "kv/errors.h"

namespace cairn::kv::errors {

std::string WrongArity(std::string_view command_lower) {
  return "ERR wrong number of arguments for '" + std::string(command_lower) + "' command";
}

std::string InvalidExpire(std::string_view command_lower) {
  return "ERR invalid expire time in '" + std::string(command_lower) + "' command";
}

std::string UnknownCommand(std::string_view name, const std::string* args, std::size_t nargs) {
  // Redis caps the echoed name at 128 bytes and the argument list at ~128.
  std::string out = "ERR unknown command '" + std::string(name.substr(0, 128)) +
                    "', with args beginning with: ";
  std::string list;
  for (std::size_t i = 0; i < nargs && list.size() < 128; ++i) {
    list += "'" + args[i].substr(0, 128 - list.size()) + "' ";
  }
  out += list;
  return out;
}

std::string UnsupportedOption(std::string_view option) {
  return "ERR Unsupported option " + std::string(option);
}

}  // namespace cairn::kv::errors
