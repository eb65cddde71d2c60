// EIP-3076 slashing-protection hand-off through a real pkm-server: a
// released record is checked, kept per key and handed to the next holder;
// a key released without one waits out the longer quarantine.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/server/server_fixture.h"

namespace pkm::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kRoot =
    "0x04700007fabc8282644aed6d1c7c9e21d38a03a0c4ba193f3afe428824b3a673";

json interchange(const std::vector<std::string>& pubkeys,
                 const std::string& root = kRoot) {
  json data = json::array();
  for (size_t i = 0; i < pubkeys.size(); ++i) {
    data.push_back(
        {{"pubkey", pubkeys[i]},
         {"signed_blocks", {{{"slot", std::to_string(81952 + i)}}}},
         {"signed_attestations",
          {{{"source_epoch", "2290"},
            {"target_epoch", std::to_string(3007 + i)}}}}});
  }
  return {{"metadata",
           {{"interchange_format_version", "5"},
            {"genesis_validators_root", root}}},
          {"data", data}};
}

class SlashingProtection : public ServerTest {
 protected:
  void start_server(std::vector<std::string> extra,
                    std::string recycle_delay = "0s") {
    PkmServerOptions options = default_options();
    options.recycle_delay = recycle_delay;
    options.extra_args = std::move(extra);
    ASSERT_TRUE(ServerTest::start_server(options));
  }

  // pkm.release carrying `record` (none when null); the raw reply, since
  // some tests expect a refusal.
  NatsReply release(const std::string& pod, const json& record) {
    json body = {{"pod_name", pod}};
    if (!record.is_null()) body["slashing_protection"] = record;
    return requester_->request("pkm.release", body.dump());
  }
};

TEST_F(SlashingProtection, ReleasedRecordGoesToTheNextHolderOfEachKey) {
  start_server({});
  auto held = public_keys(allocate("validator-0", 2));
  ASSERT_EQ(held.size(), 2u);

  auto released = release("validator-0", interchange(held));
  json next = allocate("validator-1", 2);

  ASSERT_TRUE(released.ok);
  EXPECT_EQ(json::parse(released.body).at("released"), 2);
  ASSERT_EQ(public_keys(next), held);
  for (size_t i = 0; i < 2; ++i) {
    const json& key = next.at("keys")[i];
    ASSERT_TRUE(key.contains("slashing_protection")) << key.dump();
    json record = key.at("slashing_protection");
    if (record.is_string()) record = json::parse(record.get<std::string>());
    ASSERT_EQ(record.at("data").size(), 1u);
    EXPECT_EQ(record.at("data")[0].at("pubkey"), held[i]);
    EXPECT_EQ(record.at("metadata").at("genesis_validators_root"), kRoot);
    EXPECT_EQ(record.at("data")[0].at("signed_attestations")[0].at(
                  "target_epoch"),
              std::to_string(3007 + i));
  }
}

TEST_F(SlashingProtection, PkmClientWritesTheRecordBesideTheKeystores) {
  start_server({});
  auto held = public_keys(allocate("validator-0", 2));
  ASSERT_TRUE(release("validator-0", interchange(held)).ok);
  std::string out = dir_.path() + "/pod";

  std::string command = std::string(PKM_CLIENT_BINARY) + " --nats-url " +
                        nats_.url() +
                        " --pod-name validator-1 --keys 2 --output-dir " +
                        out + " --kdf pbkdf2 > " + dir_.path() +
                        "/client.log 2>&1";
  int status = std::system(command.c_str());
  std::ifstream file(out + "/slashing_protection.json");
  std::stringstream text;
  text << file.rdbuf();

  ASSERT_EQ(status, 0) << command;
  json written = json::parse(text.str());
  ASSERT_EQ(written.at("data").size(), 2u);
  std::vector<std::string> named = {written.at("data")[0].at("pubkey"),
                                    written.at("data")[1].at("pubkey")};
  std::sort(named.begin(), named.end());
  std::sort(held.begin(), held.end());
  EXPECT_EQ(named, held);
}

TEST_F(SlashingProtection, RecordNamingAKeyThePodDoesNotHoldIsRefused) {
  start_server({});
  auto mine = public_keys(allocate("validator-0", 1));
  auto theirs = public_keys(allocate("validator-1", 1));

  auto refused = release("validator-0", interchange({mine[0], theirs[0]}));
  auto again = public_keys(allocate("validator-0", 1));

  ASSERT_TRUE(refused.ok) << refused.error;
  EXPECT_EQ(refused.service_error_code(), 400);
  json error = json::parse(refused.body).at("error");
  EXPECT_EQ(error.at("code"), "invalid_argument");
  EXPECT_NE(error.at("message").get<std::string>().find(theirs[0]),
            std::string::npos)
      << error.dump();
  EXPECT_EQ(again, mine);
}

TEST_F(SlashingProtection, ReleaseOfAPodHoldingNothingStillChecksTheRecord) {
  start_server({});
  auto theirs = public_keys(allocate("validator-1", 1));

  auto refused = release("validator-9", interchange(theirs));

  ASSERT_TRUE(refused.ok) << refused.error;
  EXPECT_EQ(refused.service_error_code(), 400);
  EXPECT_EQ(public_keys(allocate("validator-1", 1)), theirs);
}

TEST_F(SlashingProtection, RecordOfAnotherChainIsRefused) {
  start_server({"--genesis-validators-root", kRoot});
  auto mine = public_keys(allocate("validator-0", 1));
  std::string other_root = "0x" + std::string(64, '1');

  auto refused = release("validator-0", interchange(mine, other_root));

  ASSERT_TRUE(refused.ok) << refused.error;
  EXPECT_EQ(refused.service_error_code(), 400);
  EXPECT_EQ(public_keys(allocate("validator-0", 1)), mine);
}

TEST_F(SlashingProtection, KeyReleasedWithoutRecordWaitsTheLongerQuarantine) {
  start_server({"--unprotected-recycle-delay", "30s"}, "1s");
  auto protected_key = public_keys(allocate("validator-0", 1));
  auto unprotected_key = public_keys(allocate("validator-1", 1));

  ASSERT_TRUE(release("validator-0", interchange(protected_key)).ok);
  ASSERT_TRUE(release("validator-1", json()).ok);
  std::this_thread::sleep_for(milliseconds(1500));
  auto first = public_keys(allocate("validator-2", 1));
  auto second = public_keys(allocate("validator-3", 1));

  EXPECT_EQ(first, protected_key);
  EXPECT_NE(second, unprotected_key);
  EXPECT_NE(second, protected_key);
}

}  // namespace
}  // namespace pkm::testing
