// Differential tests of pkm's transactions and deposit-contract ABI against
// ethers v6: for the random cases tx_cases.mjs wrote (see tx.cmake), our
// signing payloads, signed raw bytes, hashes and senders must equal ethers',
// decoding ethers' raw bytes must give back the fields, and our ABI call
// data and decoders must agree with ethers' Interface.
//
// Usage: pkm_tx_interop_tests [gtest flags] CASES.json
//        (or $PKM_TX_ETHERS_CASES instead of the argument)
//
// Each test walks every case of its kind, collects the disagreements and
// fails once listing the first few; each also fails when there is nothing
// to compare, so a truncated file cannot pass.
#include <gtest/gtest.h>

#include "tests/interop/oracle_cases.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "chain/abi.h"
#include "chain/transaction.h"
#include "chain/uint256.h"

namespace pkm::chain {
namespace {

using nlohmann::json;

// The cases file, loaded by main() before any test runs.
json g_cases;

Bytes hex(const json& field) { return pkm::testing::cases_hex(field); }

const json& section(const char* name) {
  return pkm::testing::cases_section(g_cases, name);
}

using pkm::testing::hex_of;

// Disagreements with ethers, by case; reports the first few.
class Disagreements : public pkm::testing::Disagreements {
 public:
  Disagreements() : pkm::testing::Disagreements("ethers") {}
};

// The ctest fixture generates this many; fewer means a broken generator.
constexpr size_t kMinimumTransactions = 500;
constexpr size_t kMinimumDepositCalls = 100;

Uint256 decimal(const json& field) {
  auto value = Uint256::from_decimal(field.get<std::string>());
  if (!value.ok()) {
    throw std::runtime_error("bad integer in the cases file: " +
                             value.error().message);
  }
  return *value;
}

uint64_t decimal64(const json& field) {
  auto value = decimal(field).to_uint64("field");
  if (!value.ok()) throw std::runtime_error(value.error().message);
  return *value;
}

template <size_t N>
std::array<uint8_t, N> fixed(const json& field) {
  Bytes bytes = hex(field);
  if (bytes.size() != N) {
    throw std::runtime_error("field of " + std::to_string(bytes.size()) +
                             " bytes in the cases file; expected " +
                             std::to_string(N));
  }
  std::array<uint8_t, N> out{};
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

std::string at(const char* name, size_t index) {
  return std::string(name) + "[" + std::to_string(index) + "]";
}

std::optional<crypto::EthereumAddress> recipient(const json& item) {
  if (item.at("to").is_null()) return std::nullopt;
  return fixed<20>(item.at("to"));
}

Eip1559Transaction eip1559_of(const json& item) {
  Eip1559Transaction tx;
  tx.chain_id = decimal64(item.at("chain_id"));
  tx.nonce = decimal64(item.at("nonce"));
  tx.max_priority_fee_per_gas = decimal(item.at("max_priority_fee_per_gas"));
  tx.max_fee_per_gas = decimal(item.at("max_fee_per_gas"));
  tx.gas_limit = decimal64(item.at("gas_limit"));
  tx.to = recipient(item);
  tx.value = decimal(item.at("value"));
  tx.data = hex(item.at("data"));
  for (const json& entry : item.at("access_list")) {
    AccessListEntry parsed;
    parsed.address = fixed<20>(entry.at("address"));
    for (const json& key : entry.at("storage_keys")) {
      parsed.storage_keys.push_back(fixed<32>(key));
    }
    tx.access_list.push_back(std::move(parsed));
  }
  return tx;
}

LegacyTransaction legacy_of(const json& item) {
  LegacyTransaction tx;
  tx.chain_id = decimal64(item.at("chain_id"));
  tx.nonce = decimal64(item.at("nonce"));
  tx.gas_price = decimal(item.at("gas_price"));
  tx.gas_limit = decimal64(item.at("gas_limit"));
  tx.to = recipient(item);
  tx.value = decimal(item.at("value"));
  tx.data = hex(item.at("data"));
  return tx;
}

bool is_eip1559(const json& item) { return item.at("type").get<int>() == 2; }

// Our unsigned payload and signed transaction for a case.
struct Ours {
  Bytes signing_payload;
  crypto::Keccak256Digest signing_hash{};
  Result<SignedTransaction> signed_tx = Error{};
};

Ours ours_for(const json& item) {
  auto key = crypto::EcdsaPrivateKey::from_hex(
      item.at("private_key").get<std::string>());
  if (!key.ok()) throw std::runtime_error(key.error().message);

  Ours ours;
  if (is_eip1559(item)) {
    Eip1559Transaction tx = eip1559_of(item);
    ours.signing_payload = tx.signing_payload();
    ours.signing_hash = tx.signing_hash();
    ours.signed_tx = sign_transaction(tx, *key);
  } else {
    LegacyTransaction tx = legacy_of(item);
    ours.signing_payload = tx.signing_payload();
    ours.signing_hash = tx.signing_hash();
    ours.signed_tx = sign_transaction(tx, *key);
  }
  return ours;
}

TEST(TxAgainstEthers, CasesFileHoldsEnoughOfEachKind) {
  const json& transactions = section("transactions");
  size_t eip1559 = 0;
  size_t creations = 0;
  size_t access_lists = 0;

  for (const json& item : transactions) {
    if (is_eip1559(item)) {
      ++eip1559;
      if (!item.at("access_list").empty()) ++access_lists;
    }
    if (item.at("to").is_null()) ++creations;
  }

  EXPECT_GE(transactions.size(), kMinimumTransactions);
  EXPECT_GT(eip1559, 0u);
  EXPECT_LT(eip1559, transactions.size());
  EXPECT_GT(creations, 0u);
  EXPECT_GT(access_lists, 0u);
  EXPECT_GE(section("deposit_calls").size(), kMinimumDepositCalls);
  EXPECT_EQ(g_cases.at("ethers_version").get<std::string>(), "6.17.0");
}

TEST(TxAgainstEthers, SigningPayloadsAndHashesEqualEthers) {
  const json& transactions = section("transactions");
  Disagreements disagreements;

  for (size_t i = 0; i < transactions.size(); ++i) {
    const json& item = transactions[i];
    Ours ours = ours_for(item);
    std::string where = at("transactions", i);
    disagreements.compare(where, "unsigned serialization",
                          to_hex(ours.signing_payload),
                          item.at("unsigned_serialized"));
    disagreements.compare(where, "signing hash", hex_of(ours.signing_hash),
                          item.at("signing_hash"));
  }

  ASSERT_FALSE(transactions.empty());
  EXPECT_EQ(disagreements.count(), 0u) << disagreements.summary();
}

TEST(TxAgainstEthers, SignedRawBytesHashesAndSendersEqualEthers) {
  const json& transactions = section("transactions");
  Disagreements disagreements;

  for (size_t i = 0; i < transactions.size(); ++i) {
    const json& item = transactions[i];
    Ours ours = ours_for(item);
    std::string where = at("transactions", i);
    if (!ours.signed_tx.ok()) {
      disagreements.add(
          where, "we refused to sign: " + ours.signed_tx.error().message);
      continue;
    }
    const SignedTransaction& signed_tx = *ours.signed_tx;
    disagreements.compare(where, "raw", to_hex(signed_tx.raw()),
                          item.at("raw"));
    disagreements.compare(where, "hash", hex_of(signed_tx.hash()),
                          item.at("hash"));
    disagreements.compare(where, "sender",
                          crypto::to_checksum_address(signed_tx.sender()),
                          item.at("sender"));
  }

  ASSERT_FALSE(transactions.empty());
  EXPECT_EQ(disagreements.count(), 0u) << disagreements.summary();
}

TEST(TxAgainstEthers, DecodingEthersRawBytesGivesBackFieldsAndSender) {
  const json& transactions = section("transactions");
  Disagreements disagreements;

  for (size_t i = 0; i < transactions.size(); ++i) {
    const json& item = transactions[i];
    std::string where = at("transactions", i);

    Result<SignedTransaction> decoded =
        decode_signed_transaction(hex(item.at("raw")));

    if (!decoded.ok()) {
      disagreements.add(
          where, "we refused ethers' raw bytes: " + decoded.error().message);
      continue;
    }
    bool fields_equal =
        is_eip1559(item)
            ? decoded->is_eip1559() &&
                  std::get<Eip1559Transaction>(decoded->transaction()) ==
                      eip1559_of(item)
            : !decoded->is_eip1559() &&
                  std::get<LegacyTransaction>(decoded->transaction()) ==
                      legacy_of(item);
    if (!fields_equal) disagreements.add(where, "decoded fields differ");
    disagreements.compare(where, "decoded sender",
                          crypto::to_checksum_address(decoded->sender()),
                          item.at("sender"));
    disagreements.compare(where, "decoded hash", hex_of(decoded->hash()),
                          item.at("hash"));
    disagreements.compare(where, "y parity",
                          std::to_string(decoded->signature().recovery_id),
                          std::to_string(item.at("y_parity").get<int>()));
  }

  ASSERT_FALSE(transactions.empty());
  EXPECT_EQ(disagreements.count(), 0u) << disagreements.summary();
}

TEST(AbiAgainstEthers, DepositCallDataEqualsEthersInterface) {
  const json& calls = section("deposit_calls");
  Disagreements disagreements;
  size_t checked = 0;

  for (size_t i = 0; i < calls.size(); ++i) {
    const json& item = calls[i];
    std::string where = at("deposit_calls", i);
    std::string ours;
    if (item.at("kind") == "deposit") {
      Result<Bytes> call = encode_deposit_call(
          hex(item.at("pubkey")), hex(item.at("withdrawal_credentials")),
          hex(item.at("signature")), hex(item.at("deposit_data_root")));
      if (!call.ok()) {
        disagreements.add(where, "we refused: " + call.error().message);
        continue;
      }
      ours = to_hex(*call);
    } else {
      // Any byte lengths: the general encoder with the deposit selector.
      ours = to_hex(encode_call(
          function_selector(kDepositFunction),
          {AbiArgument::dynamic_bytes(hex(item.at("pubkey"))),
           AbiArgument::dynamic_bytes(hex(item.at("withdrawal_credentials"))),
           AbiArgument::dynamic_bytes(hex(item.at("signature"))),
           AbiArgument::word(fixed<32>(item.at("deposit_data_root")))}));
    }
    disagreements.compare(where, "call data", ours, item.at("call_data"));
    ++checked;
  }

  EXPECT_GE(checked, kMinimumDepositCalls);
  EXPECT_EQ(disagreements.count(), 0u) << disagreements.summary();
}

TEST(AbiAgainstEthers, DepositEventsFromEthersDecodeToTheirFields) {
  const json& events = section("deposit_events");
  Disagreements disagreements;

  for (size_t i = 0; i < events.size(); ++i) {
    const json& item = events[i];
    std::string where = at("deposit_events", i);
    disagreements.compare(where, "topic",
                          hex_of(event_topic(kDepositEventSignature)),
                          item.at("topic"));

    Result<DepositEvent> event = decode_deposit_event(hex(item.at("data")));

    if (!event.ok()) {
      disagreements.add(where, "we refused: " + event.error().message);
      continue;
    }
    disagreements.compare(where, "pubkey", hex_of(event->pubkey),
                          item.at("pubkey"));
    disagreements.compare(where, "withdrawal credentials",
                          hex_of(event->withdrawal_credentials),
                          item.at("withdrawal_credentials"));
    disagreements.compare(where, "amount", std::to_string(event->amount_gwei),
                          item.at("amount_gwei"));
    disagreements.compare(where, "signature", hex_of(event->signature),
                          item.at("signature"));
    disagreements.compare(where, "index", std::to_string(event->index),
                          item.at("index"));
  }

  ASSERT_FALSE(events.empty());
  EXPECT_EQ(disagreements.count(), 0u) << disagreements.summary();
}

TEST(AbiAgainstEthers, DepositCountsFromEthersDecode) {
  const json& counts = section("deposit_counts");
  Disagreements disagreements;

  for (size_t i = 0; i < counts.size(); ++i) {
    const json& item = counts[i];
    std::string where = at("deposit_counts", i);

    Result<uint64_t> count = decode_deposit_count(hex(item.at("data")));

    if (!count.ok()) {
      disagreements.add(where, "we refused: " + count.error().message);
      continue;
    }
    disagreements.compare(where, "count", std::to_string(*count),
                          item.at("count"));
  }

  ASSERT_FALSE(counts.empty());
  EXPECT_EQ(disagreements.count(), 0u) << disagreements.summary();
}

TEST(AbiAgainstEthers, RevertReasonsFromEthersDecode) {
  const json& reasons = section("revert_reasons");
  Disagreements disagreements;

  for (size_t i = 0; i < reasons.size(); ++i) {
    const json& item = reasons[i];
    std::string where = at("revert_reasons", i);

    Result<std::string> reason = decode_revert_reason(hex(item.at("data")));

    if (!reason.ok()) {
      disagreements.add(where, "we refused: " + reason.error().message);
      continue;
    }
    disagreements.compare(where, "message", to_hex(ByteView(*reason)),
                          item.at("message_hex"));
  }

  ASSERT_FALSE(reasons.empty());
  EXPECT_EQ(disagreements.count(), 0u) << disagreements.summary();
}

}  // namespace
}  // namespace pkm::chain

int main(int argc, char** argv) {
  return pkm::testing::run_with_cases_file(
      argc, argv, "PKM_TX_ETHERS_CASES", "ethers", "tests/interop/tx_cases.mjs",
      &pkm::chain::g_cases);
}
