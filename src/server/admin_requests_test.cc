// Goal: admin request bodies are parsed strictly, with a message for each
// kind of mistake.
#include "server/admin_requests.h"

#include <gtest/gtest.h>

namespace cairn::server {
namespace {

TEST(AdminRequests, AddMember) {
  auto r = ParseAddMember(R"({"id": 4, "raft_address": "127.0.0.1:7004", "http_address": "127.0.0.1:8084"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->id, 4u);
  EXPECT_EQ(r->raft_address, "127.0.0.1:7004");
  EXPECT_EQ(r->http_address, "127.0.0.1:8084");
  r = ParseAddMember(R"({"id": 5, "raft_address": "h:1"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->http_address, "");
  for (const char* bad : {"", "[]", "{", R"({"raft_address": "h:1"})", R"({"id": 0, "raft_address": "h:1"})",
                          R"({"id": -3, "raft_address": "h:1"})", R"({"id": "4", "raft_address": "h:1"})",
                          R"({"id": 4})", R"({"id": 4, "raft_address": "nope"})",
                          R"({"id": 4, "raft_address": "h:1", "http_address": 8})",
                          R"({"id": 4, "raft_address": "h:1", "extra": 1})", R"({"id": 4.5, "raft_address": "h:1"})"}) {
    auto got = ParseAddMember(bad);
    EXPECT_FALSE(got.ok()) << bad;
    if (!got.ok()) {
      EXPECT_FALSE(got.status().message().empty());
    }
  }
}

TEST(AdminRequests, TransferTarget) {
  EXPECT_EQ(*ParseTransferTarget(""), 0u);
  EXPECT_EQ(*ParseTransferTarget(" \n"), 0u);
  EXPECT_EQ(*ParseTransferTarget("{}"), 0u);
  EXPECT_EQ(*ParseTransferTarget(R"({"to": 3})"), 3u);
  for (const char* bad : {"3", R"({"to": 0})", R"({"to": "3"})", R"({"target": 3})", "{"}) {
    EXPECT_FALSE(ParseTransferTarget(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace cairn::server
