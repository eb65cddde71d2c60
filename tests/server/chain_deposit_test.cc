// Deposit mode chain against a devnet (anvil and the project's deposit
// contract, started with deploy/devnet/up): new keys are handed out only
// with mined deposits, and a pod that gave up waiting gets them when it
// asks again; export-deposits lists the deposited keys.
#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/bytes.h"
#include "chain/deposit_data_file.h"
#include "chain/json_rpc_client.h"
#include "tests/chain/devnet_fixture.h"
#include "tests/server/server_fixture.h"

namespace pkm::testing {
namespace {

using nlohmann::json;

constexpr auto kChainDeadline = std::chrono::seconds(60);

class ChainDeposits : public ServerTest {
 protected:
  // One devnet for the suite: starting anvil and deploying takes seconds.
  static void SetUpTestSuite() { devnet_ = new Devnet("--block-time 1"); }
  static void TearDownTestSuite() {
    delete devnet_;
    devnet_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(devnet_->started());
    PkmServerOptions options = default_options();
    options.deposit_mode = "chain";
    options.eth_rpc = devnet_->rpc_url();
    options.deposit_contract = devnet_->contract();
    options.funder_key_file = devnet_->env("PKM_FUNDER_KEY_FILE");
    options.extra_args = {"--fork-version",
                          devnet_->env("PKM_FORK_VERSION")};
    ASSERT_TRUE(start_server(options));
  }

  static Devnet* devnet_;
};

Devnet* ChainDeposits::devnet_ = nullptr;

TEST_F(ChainDeposits, NewKeysComeWithMinedDepositsAndStayWithThePod) {
  json first = allocate("validator-0", 3, kChainDeadline);
  json again = allocate("validator-0", 3, kChainDeadline);

  ASSERT_EQ(public_keys(first).size(), 3u) << first.dump();
  EXPECT_EQ(public_keys(again), public_keys(first));
  auto rpc = chain::JsonRpcClient::create(devnet_->rpc_url());
  ASSERT_TRUE(rpc.ok()) << rpc.error().message;
  std::vector<std::string> hashes;
  for (const auto& key : first.at("keys")) {
    std::string hash = key.at("deposit_tx");
    auto bytes = from_hex(hash);
    ASSERT_TRUE(bytes.ok()) << hash;
    ASSERT_EQ(bytes->size(), 32u) << hash;
    auto receipt = (*rpc)->transaction_receipt(*bytes);
    ASSERT_TRUE(receipt.ok()) << receipt.error().message;
    ASSERT_TRUE(receipt->has_value()) << "not mined: " << hash;
    EXPECT_TRUE((*receipt)->succeeded) << hash;
    // The deposit contract logs a DepositEvent for each deposit.
    EXPECT_EQ((*receipt)->logs.size(), 1u) << hash;
    hashes.push_back(hash);
  }
  std::sort(hashes.begin(), hashes.end());
  EXPECT_EQ(std::unique(hashes.begin(), hashes.end()), hashes.end())
      << "two keys share a deposit transaction";
}

TEST_F(ChainDeposits, PodThatTimedOutGetsItsKeysWhenItAsksAgain) {
  const std::string request =
      R"({"pod_name":"validator-1","number_of_keys":3})";

  NatsReply impatient = requester_->request("pkm.allocate", request, "",
                                            std::chrono::milliseconds(200));
  NatsReply answered;
  bool ready = wait_until(
      [&] {
        answered = requester_->request("pkm.allocate", request, "",
                                       std::chrono::seconds(5));
        return answered.ok;
      },
      kChainDeadline);
  std::vector<json> later;
  for (int i = 0; i < 3; ++i) later.push_back(allocate("validator-1", 3));

  EXPECT_FALSE(impatient.ok) << "deposits cannot be mined in 200 ms";
  ASSERT_TRUE(ready) << answered.error << "\n" << server_->log();
  ASSERT_EQ(answered.service_error_code(), 0) << answered.body;
  auto keys = public_keys(parse_json(answered.body));
  ASSERT_EQ(keys.size(), 3u);
  for (const json& reply : later) EXPECT_EQ(public_keys(reply), keys);
  json answer = parse_json(answered.body);
  for (const auto& key : answer.at("keys")) {
    EXPECT_EQ(key.at("deposit_tx").get<std::string>().size(), 66u);
  }
}

TEST_F(ChainDeposits, ExportAfterAChainRunListsEveryDepositedKey) {
  auto keys = public_keys(allocate("validator-2", 2, kChainDeadline));
  ASSERT_EQ(keys.size(), 2u);
  server_->stop();
  std::string output_dir = dir_.path() + "/export";
  std::filesystem::create_directories(output_dir);

  ProgramExit exit = run_to_exit(
      {pkm_server_binary(), "export-deposits", "--data-dir",
       default_options().data_dir, "--output-dir", output_dir,
       "--fork-version", devnet_->env("PKM_FORK_VERSION")},
      dir_.path() + "/export.log", std::chrono::seconds(30));

  ASSERT_TRUE(exit.exited);
  ASSERT_EQ(exit.exit_code, 0) << exit.output;
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(output_dir)) {
    files.push_back(entry.path().string());
  }
  ASSERT_EQ(files.size(), 1u);
  EXPECT_NE(files[0].find("deposit_data-"), std::string::npos) << files[0];
  auto entries = chain::read_deposit_data_file(files[0]);
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  std::vector<std::string> exported;
  for (const auto& entry : *entries) {
    exported.push_back(to_hex(ByteView(entry.deposit.pubkey.data(),
                                       entry.deposit.pubkey.size())));
  }
  std::sort(exported.begin(), exported.end());
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(exported, keys);
}

}  // namespace
}  // namespace pkm::testing
