#include "chain/json_rpc_client.h"

#include <gtest/gtest.h>

#include "tests/chain/anvil_fixture.h"

namespace pkm::chain {
namespace {

using nlohmann::json;
using pkm::testing::Anvil;
using pkm::testing::kAnvilAccount0;

class JsonRpcClientOnAnvil : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { anvil_ = new Anvil(); }
  static void TearDownTestSuite() {
    delete anvil_;
    anvil_ = nullptr;
  }
  void SetUp() override {
    client_ = JsonRpcClient::create(anvil_->url()).value();
  }

  static Anvil* anvil_;
  std::unique_ptr<JsonRpcClient> client_;
};

Anvil* JsonRpcClientOnAnvil::anvil_ = nullptr;

TEST_F(JsonRpcClientOnAnvil, ReadsChainIdBalanceNonceAndBaseFee) {
  auto chain_id = client_->chain_id();
  auto balance = client_->balance(kAnvilAccount0);
  auto nonce = client_->transaction_count(kAnvilAccount0, "pending");
  auto base_fee = client_->base_fee();

  ASSERT_TRUE(chain_id.ok()) << chain_id.error().message;
  EXPECT_EQ(*chain_id, 31337u);
  ASSERT_TRUE(balance.ok());
  EXPECT_EQ(*balance, "0x21e19e0c9bab2400000");  // 10000 ETH
  ASSERT_TRUE(nonce.ok());
  EXPECT_EQ(*nonce, 0u);
  ASSERT_TRUE(base_fee.ok()) << base_fee.error().message;
  EXPECT_GT(*base_fee, 0u);
}

TEST_F(JsonRpcClientOnAnvil, BatchAnswersEveryRequestInOrder) {
  std::vector<RpcRequest> requests = {
      {"eth_chainId", json::array()},
      {"eth_no_such_method", json::array()},
      {"eth_getTransactionCount", {kAnvilAccount0, "latest"}},
  };

  auto results = client_->batch(requests);

  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->size(), 3u);
  EXPECT_EQ((*results)[0].value(), "0x7a69");
  EXPECT_FALSE((*results)[1].ok());
  EXPECT_EQ((*results)[2].value(), "0x0");
}

TEST_F(JsonRpcClientOnAnvil, GarbageTransactionIsRefusedByTheNode) {
  Bytes garbage = {0x02, 0xc0};

  auto hash = client_->send_raw_transaction(garbage);

  ASSERT_FALSE(hash.ok());
  EXPECT_NE(hash.error().message.find("eth_sendRawTransaction"),
            std::string::npos);
}

TEST_F(JsonRpcClientOnAnvil, UnknownTransactionHasNoReceipt) {
  Bytes hash(32, 0x11);

  auto receipt = client_->transaction_receipt(hash);
  auto known = client_->has_transaction(hash);

  ASSERT_TRUE(receipt.ok());
  EXPECT_FALSE(receipt->has_value());
  ASSERT_TRUE(known.ok());
  EXPECT_FALSE(*known);
}

TEST(JsonRpcClient, UnreachableNodeIsUnavailableAfterRetries) {
  int port = pkm::testing::free_loopback_port();
  JsonRpcClient::Options options;
  options.max_attempts = 3;
  options.initial_backoff = std::chrono::milliseconds(10);
  options.timeout = std::chrono::milliseconds(500);
  auto client = JsonRpcClient::create(
      "http://127.0.0.1:" + std::to_string(port), options);
  ASSERT_TRUE(client.ok());

  auto chain_id = (*client)->chain_id();

  ASSERT_FALSE(chain_id.ok());
  EXPECT_EQ(chain_id.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(chain_id.error().message.find("unreachable"), std::string::npos);
}

TEST(JsonRpcClient, RefusesUrlsWithoutHttpSchemeOrWithBadPort) {
  auto no_scheme = JsonRpcClient::create("127.0.0.1:8545");
  auto bad_port = JsonRpcClient::create("http://127.0.0.1:99999");
  auto no_host = JsonRpcClient::create("http:///path");

  ASSERT_FALSE(no_scheme.ok());
  EXPECT_NE(no_scheme.error().message.find("scheme"), std::string::npos);
  ASSERT_FALSE(bad_port.ok());
  EXPECT_NE(bad_port.error().message.find("1-65535"), std::string::npos);
  EXPECT_FALSE(no_host.ok());
}

TEST(RpcErrors, NodeMessagesBecomeActionableErrors) {
  json nonce = {{"code", -32003}, {"message", "nonce too low"}};
  json funds = {{"code", -32003},
                {"message", "Insufficient funds for gas * price + value"}};
  json underpriced = {{"code", -32000},
                      {"message", "replacement transaction underpriced"}};
  // Error(string) with "bad root".
  json revert = {
      {"code", 3},
      {"message", "execution reverted: bad root"},
      {"data",
       "0x08c379a0"
       "0000000000000000000000000000000000000000000000000000000000000020"
       "0000000000000000000000000000000000000000000000000000000000000008"
       "62616420726f6f74000000000000000000000000000000000000000000000000"}};

  EXPECT_NE(rpc_error_to_error("m", nonce).message.find("nonce too low"),
            std::string::npos);
  EXPECT_NE(rpc_error_to_error("m", funds).message.find("insufficient funds"),
            std::string::npos);
  EXPECT_NE(rpc_error_to_error("m", underpriced).message.find("raise both"),
            std::string::npos);
  EXPECT_EQ(rpc_error_to_error("m", revert).message, "m: reverted: bad root");
}

TEST(RpcQuantities, ParseAndFormatRoundTrip) {
  EXPECT_EQ(format_quantity(0), "0x0");
  EXPECT_EQ(format_quantity(0x7a69), "0x7a69");
  EXPECT_EQ(parse_quantity(json("0x7a69")).value(), 0x7a69u);
  EXPECT_FALSE(parse_quantity(json("7a69")).ok());
  EXPECT_FALSE(parse_quantity(json(12)).ok());
  EXPECT_FALSE(parse_quantity(json("0x10000000000000000")).ok());
}

}  // namespace
}  // namespace pkm::chain
