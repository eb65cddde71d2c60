// pkm-server allocation over a real nats-server, deposit mode none.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/client/nats_server.h"
#include "tests/server/nats_requester.h"
#include "tests/server/pkm_server_process.h"

namespace pkm::testing {
namespace {

using nlohmann::json;

class AllocationOverNats : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(nats_.start());
    PkmServerOptions options;
    options.data_dir = dir_.path() + "/data";
    options.nats_url = nats_.url();
    options.recycle_delay = recycle_delay_;
    server_ = std::make_unique<PkmServerProcess>(options,
                                                 dir_.path() + "/server.log");
    ASSERT_TRUE(server_->start());
    requester_ = std::make_unique<NatsRequester>(nats_.url());
  }

  json allocate(const std::string& pod, int keys) {
    auto reply = requester_->request(
        "pkm.allocate",
        json{{"pod_name", pod}, {"number_of_keys", keys}}.dump());
    EXPECT_TRUE(reply.ok) << reply.error;
    return json::parse(reply.body);
  }

  static std::vector<std::string> public_keys(const json& reply) {
    std::vector<std::string> keys;
    for (const auto& key : reply.at("keys")) {
      keys.push_back(key.at("public_key"));
    }
    return keys;
  }

  TempDir dir_;
  NatsServer nats_{dir_.path() + "/nats.log"};
  std::string recycle_delay_ = "0s";
  std::unique_ptr<PkmServerProcess> server_;
  std::unique_ptr<NatsRequester> requester_;
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
