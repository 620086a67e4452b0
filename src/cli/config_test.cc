// Goal: settings merge as documented (flags > env > file > defaults) and bad
// values give errors that name the setting.
#include "cli/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>

#include "kv/keyspace_events.h"

namespace cairn::cli {
namespace {

TEST(Config, PrecedenceFlagsEnvFileDefaults) {
  std::string path = "/tmp/cairn_cli_test_" + std::to_string(::getpid()) + ".yaml";
  {
    std::ofstream f(path);
    f << "id: 2\nresp_port: 7000\nhttp_port: 7100\nrequirepass: 'a b:c'\n"
         "notify_keyspace_events: Egx\npeers:\n"
         "  - 1=127.0.0.1:7001\n  - 2=127.0.0.1:7002\n";
  }
  Settings s;
  ASSERT_TRUE(MergeYamlFile(path, &s).ok());
  ::setenv("CAIRN_HTTP_PORT", "7200", 1);
  MergeEnv(&s);
  ::unsetenv("CAIRN_HTTP_PORT");
  s["resp_port"] = "7300";  // a flag
  auto o = ToNodeOptions(s);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->id, 2u);                // file
  EXPECT_EQ(o->http_port, 7200);       // env over file
  EXPECT_EQ(o->resp_port, 7300);       // flag over file
  EXPECT_EQ(o->tick_ms, 10u);          // default
  EXPECT_EQ(o->requirepass, "a b:c");  // file, spaces and colons kept
  EXPECT_TRUE(ToNodeOptions({})->requirepass.empty()) << "no password by default";
  EXPECT_EQ(o->keyspace_events, *kv::ParseKeyspaceEventFlags("Egx"));
  EXPECT_EQ(ToNodeOptions({})->keyspace_events, 0u) << "no notifications by default";
  EXPECT_FALSE(ToNodeOptions({{"notify_keyspace_events", "KEq"}}).ok());
  ASSERT_EQ(o->peers.size(), 2u);
  EXPECT_EQ(o->peers[1].port, 7002);
  ::unlink(path.c_str());
}

TEST(Config, BadValuesNameTheSetting) {
  auto o = ToNodeOptions({{"resp_port", "70000"}});
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("resp_port"), std::string_view::npos);
  EXPECT_FALSE(ToNodeOptions({{"id", "0"}}).ok());
  auto c = ToNodeOptions({{"default_consistency", "linearizable"}});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("default_consistency"), std::string_view::npos);
  auto lease = ToNodeOptions({{"default_consistency", "lease"}});
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ(lease->default_consistency, "lease");
  EXPECT_EQ(ToNodeOptions({}).value().snapshot_entries, 100000u);
  EXPECT_EQ(ToNodeOptions({{"snapshot_entries", "50"}}).value().snapshot_entries, 50u);
  EXPECT_EQ(ToNodeOptions({}).value().snapshot_log_bytes, 32u << 20);
  EXPECT_EQ(ToNodeOptions({{"snapshot_log_mb", "0"}}).value().snapshot_log_bytes, 0u);
  EXPECT_EQ(ToNodeOptions({{"snapshot_log_mb", "5"}}).value().snapshot_log_bytes, 5u << 20);
  EXPECT_FALSE(ToNodeOptions({{"snapshot_log_mb", "x"}}).ok());
  auto snap = ToNodeOptions({{"snapshot_entries", "-1"}});
  ASSERT_FALSE(snap.ok());
  EXPECT_NE(snap.status().message().find("snapshot_entries"), std::string_view::npos);
  EXPECT_EQ(ToNodeOptions({}).value().read_cache_bytes, 64u << 20);
  EXPECT_EQ(ToNodeOptions({{"read_cache_mb", "0"}}).value().read_cache_bytes, 0u);
  EXPECT_EQ(ToNodeOptions({{"read_cache_mb", "3"}}).value().read_cache_bytes, 3u << 20);
  auto cache = ToNodeOptions({{"read_cache_mb", "lots"}});
  ASSERT_FALSE(cache.ok());
  EXPECT_NE(cache.status().message().find("read_cache_mb"), std::string_view::npos);
  EXPECT_FALSE(ParsePeers("1=nohost").ok());
  EXPECT_FALSE(ParsePeers("x=127.0.0.1:1").ok());
  EXPECT_TRUE(ParsePeers("1=127.0.0.1:1,2=::1:5").ok());
  Settings s;
  std::string path = "/tmp/cairn_cli_bad_" + std::to_string(::getpid()) + ".yaml";
  { std::ofstream(path) << "bogus: 1\n"; }
  EXPECT_FALSE(MergeYamlFile(path, &s).ok());
  ::unlink(path.c_str());
}

TEST(Config, JoinNeedsOwnEntryAndFoundingVoters) {
  Settings s{{"id", "4"}, {"peers", "1=127.0.0.1:7001,4=127.0.0.1:7004"}, {"join", "true"}};
  auto o = ToNodeOptions(s);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_TRUE(o->join);
  EXPECT_FALSE(ToNodeOptions({{"id", "4"}, {"peers", "4=127.0.0.1:7004"}, {"join", "true"}}).ok())
      << "no founding voters";
  auto missing = ToNodeOptions({{"id", "4"}, {"peers", "1=127.0.0.1:7001"}});
  ASSERT_FALSE(missing.ok()) << "own entry missing";
  EXPECT_NE(missing.status().message().find("peers"), std::string_view::npos);
  EXPECT_FALSE(ToNodeOptions({{"join", "maybe"}}).ok());
  EXPECT_FALSE(ToNodeOptions({}).value().join);
}

}  // namespace
}  // namespace cairn::cli

namespace cairn::cli {
namespace {

TEST(Config, TlsSettingsAreCheckedTogether) {
  auto off = ToNodeOptions({});
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->tls_port, 0);
  EXPECT_EQ(off->tls_auth_clients, "no");
  const Settings files = {
      {"tls_port", "6380"}, {"tls_cert_file", "s.crt"}, {"tls_key_file", "s.key"}};
  auto on = ToNodeOptions(files);
  ASSERT_TRUE(on.ok()) << on.status().ToString();
  EXPECT_EQ(on->tls_port, 6380);
  EXPECT_EQ(on->tls_auth_clients, "no");
  // A CA given is a CA to check clients against, unless told otherwise.
  Settings with_ca = files;
  with_ca["tls_ca_cert_file"] = "ca.crt";
  EXPECT_EQ(ToNodeOptions(with_ca).value().tls_auth_clients, "yes");
  with_ca["tls_auth_clients"] = "optional";
  EXPECT_EQ(ToNodeOptions(with_ca).value().tls_auth_clients, "optional");
  with_ca["tls_auth_clients"] = "maybe";
  auto bad = ToNodeOptions(with_ca);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("tls_auth_clients"), std::string_view::npos);
  // A port without its certificate, or files without a port, are mistakes.
  auto no_cert = ToNodeOptions({{"tls_port", "6380"}});
  ASSERT_FALSE(no_cert.ok());
  EXPECT_NE(no_cert.status().message().find("tls_cert_file"), std::string_view::npos);
  EXPECT_FALSE(ToNodeOptions({{"tls_cert_file", "s.crt"}, {"tls_key_file", "s.key"}}).ok());
  EXPECT_FALSE(ToNodeOptions({{"tls_port", "70000"}}).ok());
}

}  // namespace
}  // namespace cairn::cli
