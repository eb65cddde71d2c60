// pkm-server allocation over a real nats-server, deposit mode none.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/server/server_fixture.h"

namespace pkm::testing {
namespace {

using nlohmann::json;

class AllocationOverNats : public ServerTest {
 protected:
  void SetUp() override { ASSERT_TRUE(start_server()); }
};

TEST_F(AllocationOverNats, SamePodGetsSameKeysAgain) {
  json first = allocate("validator-0", 2);

  json second = allocate("validator-0", 2);

  ASSERT_EQ(public_keys(first).size(), 2u);
  EXPECT_EQ(public_keys(first), public_keys(second));
}

TEST_F(AllocationOverNats, AskingForMoreTopsUpAndKeepsTheOldKeys) {
  json first = allocate("validator-0", 1);

  json second = allocate("validator-0", 3);
  json third = allocate("validator-0", 1);

  auto keys = public_keys(second);
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[0], public_keys(first)[0]);
  EXPECT_EQ(public_keys(third), keys);
}

TEST_F(AllocationOverNats, ReleasedKeyGoesToTheNextPod) {
  json first = allocate("validator-0", 1);
  auto released = requester_->request("pkm.release",
                                      R"({"pod_name":"validator-0"})");
  ASSERT_TRUE(released.ok);
  EXPECT_EQ(json::parse(released.body).at("released"), 1);

  json second = allocate("validator-1", 1);

  EXPECT_EQ(public_keys(second), public_keys(first));
}

}  // namespace
}  // namespace pkm::testing
