#include <spdlog/spdlog.h>

#include <cstdlib>

#include "cli/commands.h"
#include "server/node.h"

namespace cairn::cli {

int RunServer(const Settings& flags, const std::string& config_path) {
  Settings settings;
  std::string path = config_path;
  if (path.empty()) {
    if (const char* p = std::getenv("CAIRN_CONFIG")) path = p;
  }
  if (!path.empty()) {
    Status s = MergeYamlFile(path, &settings);
    if (!s.ok()) {
      spdlog::error("{}", s.message());
      return 2;
    }
  }
  MergeEnv(&settings);
  for (const auto& [k, v] : flags) settings[k] = v;
  auto options = ToNodeOptions(settings);
  if (!options.ok()) {
    spdlog::error("configuration: {}", options.status().message());
    return 2;
  }
  if (options->json_logs) {
    spdlog::set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","msg":"%v"})",
                        spdlog::pattern_time_type::utc);
  } else {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  }
  server::Node node(*options);
  Status s = node.Start();
  if (!s.ok()) {
    spdlog::error("start: {}", s.ToString());
    return 1;
  }
  node.Run();
  spdlog::info("node {}: stopped", options->id);
  return 0;
}

}  // namespace cairn::cli
