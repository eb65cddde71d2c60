// Deposits sent by DepositSender to our deposit contract on a real anvil
// devnet (deploy/devnet/up), checked against the contract's own events and
// root and, for signatures, against @noble/curves and @chainsafe/ssz.
#include "chain/deposit_sender.h"

#include <httplib.h>
#include <openssl/rand.h>

#include <atomic>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "chain/abi.h"
#include "chain/deposit_tree.h"
#include "chain/transaction.h"
#include "tests/chain/devnet_fixture.h"

namespace pkm::chain {
namespace {

using nlohmann::json;
using pkm::testing::Devnet;

constexpr uint64_t kDepositGwei = 32 * kGweiPerEth;

std::vector<DepositData> make_deposits(size_t count,
                                       const ForkVersion& fork_version) {
  std::vector<DepositData> deposits;
  for (size_t i = 0; i < count; ++i) {
    uint8_t seed[48];
    RAND_bytes(seed, sizeof(seed));
    crypto::SecretKey key = crypto::SecretKey::reduce_wide(
        ByteView(seed, sizeof(seed)));
    Bytes32 credentials = bls_withdrawal_credentials(key.public_key());
    deposits.push_back(
        sign_deposit(key, credentials, kDepositGwei, fork_version).value());
  }
  return deposits;
}

class DepositSenderOnDevnet : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(devnet_.started());
    client_ = JsonRpcClient::create(devnet_.rpc_url()).value();
  }

  DepositSender::Options options() const {
    DepositSender::Options options;
    options.contract_address = devnet_.contract();
    options.fork_version = devnet_.fork_version();
    return options;
  }

  std::unique_ptr<DepositSender> make_sender(JsonRpcClient& client) {
    return DepositSender::create(client, devnet_.funder(), options()).value();
  }

  // Every DepositEvent the contract emitted, in order.
  std::vector<DepositEvent> contract_events() {
    json filter = {{"address", devnet_.contract()},
                   {"fromBlock", "0x0"},
                   {"toBlock", "latest"}};
    auto logs = client_->logs(filter);
    EXPECT_TRUE(logs.ok());
    std::vector<DepositEvent> events;
    for (const json& log : *logs) {
      events.push_back(
          decode_deposit_event(parse_data(log["data"]).value()).value());
    }
    return events;
  }

  Root contract_root() {
    Bytes result = client_->call_contract(devnet_.contract(),
                                          encode_get_deposit_root_call())
                       .value();
    AbiWord word = decode_deposit_root(result).value();
    Root root;
    std::copy(word.begin(), word.end(), root.begin());
    return root;
  }

  Devnet devnet_;
  std::unique_ptr<JsonRpcClient> client_;
};

TEST_F(DepositSenderOnDevnet, SixtyFourPipelinedDepositsLandAndMatchChain) {
  std::vector<DepositData> deposits =
      make_deposits(64, devnet_.fork_version());
  auto sender = make_sender(*client_);
  std::vector<DepositSubmission> journal;

  auto results = sender->submit(deposits, [&](const DepositSubmission& s) {
    journal.push_back(s);
    return Status();
  });
  ASSERT_TRUE(results.ok()) << results.error().message;
  std::vector<DepositSubmission> sent;
  for (auto& result : *results) {
    ASSERT_TRUE(result.ok()) << result.error().message;
    sent.push_back(*result);
  }
  auto receipts =
      sender->wait_for_receipts(sent, 1, std::chrono::seconds(60));

  ASSERT_TRUE(receipts.ok()) << receipts.error().message;
  std::set<uint64_t> blocks;
  for (const TransactionReceipt& receipt : *receipts) {
    EXPECT_TRUE(receipt.succeeded);
    blocks.insert(receipt.block_number);
  }
  // Pipelined: the 64 deposits share blocks instead of one per block.
  EXPECT_LE(blocks.size(), 3u);
  EXPECT_EQ(journal.size(), 64u);

  std::vector<DepositEvent> events = contract_events();
  ASSERT_EQ(events.size(), 64u);
  std::map<Bytes48, const DepositData*> by_pubkey;
  for (const DepositData& d : deposits) by_pubkey[d.pubkey] = &d;
  DepositTree tree;
  json dump = {{"fork_version", devnet_.env("PKM_FORK_VERSION")},
               {"deposits", json::array()}};
  for (size_t i = 0; i < events.size(); ++i) {
    const DepositEvent& event = events[i];
    EXPECT_EQ(event.index, i);
    Bytes48 pubkey;
    std::copy(event.pubkey.begin(), event.pubkey.end(), pubkey.begin());
    ASSERT_EQ(by_pubkey.count(pubkey), 1u);
    const DepositData& ours = *by_pubkey[pubkey];
    EXPECT_TRUE(std::equal(event.withdrawal_credentials.begin(),
                           event.withdrawal_credentials.end(),
                           ours.withdrawal_credentials.begin()));
    EXPECT_EQ(event.amount_gwei, ours.amount_gwei);
    EXPECT_TRUE(std::equal(event.signature.begin(), event.signature.end(),
                           ours.signature.begin()));
    ASSERT_TRUE(tree.push(deposit_data_root(ours)).ok());
    dump["deposits"].push_back(
        {{"pubkey", to_hex(ByteView(event.pubkey.data(), 48))},
         {"withdrawal_credentials",
          to_hex(ByteView(event.withdrawal_credentials.data(), 32))},
         {"amount_gwei", event.amount_gwei},
         {"signature", to_hex(ByteView(event.signature.data(), 96))}});
  }
  EXPECT_EQ(contract_root(), tree.root());

  // The signatures as read back from the chain verify with @noble/curves.
  std::string path = devnet_.dir() + "/deposits.json";
  std::ofstream(path) << dump.dump();
  std::string command = "PKM_NODE_TOOLS_DIR='" +
                        std::string(PKM_NODE_TOOLS_DIR) + "' node '" +
                        std::string(PKM_SOURCE_DIR) +
                        "/tests/interop/deposit_signatures_check.mjs' '" +
                        path + "'";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
}

TEST_F(DepositSenderOnDevnet, BatchJournalSeesEveryTransactionBeforeAnyIsSent) {
  std::vector<DepositData> deposits = make_deposits(5, devnet_.fork_version());
  auto sender = make_sender(*client_);
  std::vector<DepositSubmission> journaled;
  bool any_known_when_journaled = false;

  auto results = sender->submit(
      deposits, nullptr,
      [&](const std::vector<DepositSubmission>& batch) {
        journaled = batch;
        for (const auto& submission : batch) {
          any_known_when_journaled |=
              client_->has_transaction(submission.tx_hash).value();
        }
        return Status();
      });

  ASSERT_TRUE(results.ok()) << results.error().message;
  ASSERT_EQ(journaled.size(), 5u);
  EXPECT_FALSE(any_known_when_journaled);
  for (size_t i = 0; i < results->size(); ++i) {
    ASSERT_TRUE((*results)[i].ok()) << (*results)[i].error().message;
    EXPECT_EQ((*results)[i]->tx_hash, journaled[i].tx_hash);
    EXPECT_TRUE(client_->has_transaction(journaled[i].tx_hash).value());
  }
}

TEST_F(DepositSenderOnDevnet, FailedBatchJournalSendsNothingAndKeepsNonces) {
  std::vector<DepositData> deposits = make_deposits(3, devnet_.fork_version());
  auto sender = make_sender(*client_);
  std::vector<DepositSubmission> refused_batch;

  auto refused = sender->submit(
      deposits, nullptr, [&](const std::vector<DepositSubmission>& batch) {
        refused_batch = batch;
        return Status(Error{ErrorCode::kUnavailable, "disk full"});
      });
  bool any_sent = false;
  for (const auto& submission : refused_batch) {
    any_sent |= client_->has_transaction(submission.tx_hash).value();
  }
  auto accepted = sender->submit(deposits, nullptr, nullptr);

  ASSERT_TRUE(refused.ok());
  ASSERT_EQ(refused_batch.size(), 3u);
  for (const auto& result : *refused) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().message, "disk full");
  }
  EXPECT_FALSE(any_sent);
  // The nonces went back: the next call uses the same ones.
  ASSERT_TRUE(accepted.ok());
  for (size_t i = 0; i < accepted->size(); ++i) {
    ASSERT_TRUE((*accepted)[i].ok());
    EXPECT_EQ((*accepted)[i]->nonce, refused_batch[i].nonce);
  }
}

TEST_F(DepositSenderOnDevnet, BadSignatureIsRefusedBeforeAnythingIsSent) {
  std::vector<DepositData> deposits = make_deposits(3, devnet_.fork_version());
  deposits[1].signature[95] ^= 1;
  auto sender = make_sender(*client_);
  auto nonce_before = client_->transaction_count(sender->funder_address(),
                                                 "pending");
  int journaled = 0;

  auto results = sender->submit(deposits, [&](const DepositSubmission&) {
    ++journaled;
    return Status();
  });

  ASSERT_FALSE(results.ok());
  EXPECT_EQ(results.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(results.error().message.find("deposit 1"), std::string::npos);
  EXPECT_EQ(journaled, 0);
  EXPECT_EQ(client_->transaction_count(sender->funder_address(), "pending")
                .value(),
            nonce_before.value());
}

TEST_F(DepositSenderOnDevnet, CorruptedDepositDataRootRevertsWithReason) {
  DepositData deposit = make_deposits(1, devnet_.fork_version())[0];
  Root wrong_root = deposit_data_root(deposit);
  wrong_root[0] ^= 0xff;
  Bytes call = encode_deposit_call(
                   ByteView(deposit.pubkey.data(), 48),
                   ByteView(deposit.withdrawal_credentials.data(), 32),
                   ByteView(deposit.signature.data(), 96),
                   ByteView(wrong_root.data(), 32))
                   .value();
  std::string from = crypto::to_checksum_address(devnet_.funder().address());

  auto gas = client_->estimate_gas({{"from", from},
                                    {"to", devnet_.contract()},
                                    {"value", "0x1bc16d674ec800000"},
                                    {"data", to_hex(call)}});

  ASSERT_FALSE(gas.ok());
  EXPECT_EQ(gas.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(gas.error().message.find("reverted"), std::string::npos);
  EXPECT_NE(gas.error().message.find("deposit_data_root"), std::string::npos)
      << gas.error().message;
  EXPECT_TRUE(contract_events().empty());
}

TEST_F(DepositSenderOnDevnet, UnfundedFunderGetsInsufficientFunds) {
  std::vector<DepositData> deposits = make_deposits(2, devnet_.fork_version());
  auto poor = crypto::EcdsaPrivateKey::generate().value();
  auto sender = DepositSender::create(*client_, poor, options()).value();

  auto results = sender->submit(deposits, nullptr);

  ASSERT_TRUE(results.ok()) << results.error().message;
  for (const auto& result : *results) {
    ASSERT_FALSE(result.ok());
    EXPECT_NE(result.error().message.find("insufficient funds"),
              std::string::npos)
        << result.error().message;
  }
  EXPECT_EQ(client_->transaction_count(sender->funder_address(), "pending")
                .value(),
            0u);
  EXPECT_TRUE(contract_events().empty());
}

// A JSON-RPC proxy in front of anvil that forwards the first `healthy`
// requests and then answers 503 as if the node had gone away. The request
// that crosses the limit is still forwarded, so its transactions reach the
// node while the sender sees a failure. With `recover`, only that one reply
// is lost and later requests pass again.
class FailingProxy {
 public:
  FailingProxy(const std::string& upstream, int healthy, bool recover = false)
      : upstream_(upstream), healthy_(healthy), recover_(recover) {
    server_.Post("/", [this](const httplib::Request& request,
                             httplib::Response& response) {
      int seen = ++requests_;
      if (seen > healthy_ + 1 && !recover_) {
        response.status = 503;
        return;
      }
      httplib::Client client(upstream_);
      auto forwarded = client.Post("/", request.body, "application/json");
      if (seen == healthy_ + 1 || !forwarded) {
        response.status = 503;
        return;
      }
      response.set_content(forwarded->body, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FailingProxy() {
    server_.stop();
    thread_.join();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }

 private:
  std::string upstream_;
  int healthy_;
  bool recover_;
  std::atomic<int> requests_{0};
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(DepositSenderOnDevnet, NodeGoingAwayMidBatchThenResumeSendsNoneTwice) {
  std::vector<DepositData> deposits =
      make_deposits(24, devnet_.fork_version());
  // create() makes 2 calls and submit() 1 (the base fee) before its
  // batches of 8: the first batch arrives, the second reaches anvil but its
  // reply is lost, the third finds the node gone.
  FailingProxy proxy(devnet_.rpc_url(), 4);
  JsonRpcClient::Options flaky;
  flaky.max_attempts = 1;
  auto proxied = JsonRpcClient::create(proxy.url(), flaky).value();
  DepositSender::Options small_batches = options();
  small_batches.batch_size = 8;
  small_batches.max_priority_fee_wei = 1000000000;
  auto sender =
      DepositSender::create(*proxied, devnet_.funder(), small_batches).value();
  std::vector<DepositSubmission> journal;

  auto results = sender->submit(deposits, [&](const DepositSubmission& s) {
    journal.push_back(s);
    return Status();
  });
  ASSERT_TRUE(results.ok()) << results.error().message;
  size_t unavailable = 0;
  for (const auto& result : *results) {
    unavailable += !result.ok() && result.error().code ==
                                       ErrorCode::kUnavailable;
  }
  EXPECT_EQ(unavailable, 16u);
  ASSERT_EQ(journal.size(), 24u);

  // Resume after a "restart": a new sender on a direct connection resends
  // what the journal holds, byte for byte.
  auto resumed = make_sender(*client_);
  for (const DepositSubmission& submission : journal) {
    auto state = resumed->resend(submission);
    ASSERT_TRUE(state.ok()) << state.error().message;
    EXPECT_NE(*state, SubmissionState::kReplaced);
  }
  auto receipts =
      resumed->wait_for_receipts(journal, 1, std::chrono::seconds(60));

  ASSERT_TRUE(receipts.ok()) << receipts.error().message;
  std::vector<DepositEvent> events = contract_events();
  std::set<std::vector<uint8_t>> pubkeys;
  for (const DepositEvent& event : events) {
    pubkeys.insert(std::vector<uint8_t>(event.pubkey.begin(),
                                        event.pubkey.end()));
  }
  EXPECT_EQ(events.size(), 24u);
  EXPECT_EQ(pubkeys.size(), 24u);
}

TEST_F(DepositSenderOnDevnet, LostReplyThenRetryCountsDepositsAsSent) {
  std::vector<DepositData> deposits =
      make_deposits(16, devnet_.fork_version());
  // The batch (request 4) reaches anvil, its reply is lost, and the
  // client's retry is refused as "already known".
  FailingProxy proxy(devnet_.rpc_url(), 3, /*recover=*/true);
  JsonRpcClient::Options retrying;
  retrying.max_attempts = 3;
  retrying.initial_backoff = std::chrono::milliseconds(10);
  auto proxied = JsonRpcClient::create(proxy.url(), retrying).value();
  DepositSender::Options one_batch = options();
  one_batch.max_priority_fee_wei = 1000000000;
  auto sender =
      DepositSender::create(*proxied, devnet_.funder(), one_batch).value();

  auto results = sender->submit(deposits, nullptr);

  ASSERT_TRUE(results.ok()) << results.error().message;
  std::vector<DepositSubmission> sent;
  for (const auto& result : *results) {
    ASSERT_TRUE(result.ok()) << result.error().message;
    sent.push_back(*result);
  }
  auto receipts = sender->wait_for_receipts(sent, 1, std::chrono::seconds(60));
  ASSERT_TRUE(receipts.ok()) << receipts.error().message;
  EXPECT_EQ(contract_events().size(), 16u);
  EXPECT_EQ(client_->transaction_count(sender->funder_address(), "latest")
                .value(),
            16u);
}

TEST_F(DepositSenderOnDevnet, NonceManagerContinuesFromTheNodeAfterRestart) {
  std::vector<DepositData> deposits = make_deposits(5, devnet_.fork_version());
  auto sender = make_sender(*client_);
  auto results = sender->submit(deposits, nullptr);
  ASSERT_TRUE(results.ok());

  auto nonces = NonceManager::create(*client_, sender->funder_address());

  ASSERT_TRUE(nonces.ok());
  EXPECT_EQ(nonces->reserve(), 5u);
  EXPECT_EQ(nonces->reserve(), 6u);
  nonces->release(6);
  nonces->release(5);
  EXPECT_EQ(nonces->reserve(), 5u);
}

}  // namespace
}  // namespace pkm::chain
