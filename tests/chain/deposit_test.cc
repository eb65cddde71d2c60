#include "chain/deposit.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crypto/bls.h"
#include "crypto/secp256k1.h"
#include "tests/support/test_support.h"

namespace pkm::chain {
namespace {

using pkm::testing::hex;
using pkm::testing::load_vectors;

template <size_t N>
std::string hex_of(const std::array<uint8_t, N>& bytes) {
  return to_hex(ByteView(bytes.data(), bytes.size()));
}

template <size_t N>
std::string plain_hex_of(const std::array<uint8_t, N>& bytes) {
  return to_hex(ByteView(bytes.data(), bytes.size()), /*prefix=*/false);
}

template <size_t N>
std::array<uint8_t, N> array_from_hex(const std::string& text) {
  Bytes bytes = hex(text);
  std::array<uint8_t, N> out{};
  EXPECT_EQ(bytes.size(), N) << text;
  std::copy_n(bytes.begin(), std::min(N, bytes.size()), out.begin());
  return out;
}

// The DepositData fields of a CLI-shaped JSON object, or nothing when a
// field has the wrong length (as the 47-byte pubkey case does).
std::optional<DepositData> deposit_from_json(const nlohmann::json& object) {
  auto pubkey = from_hex_exact(object["pubkey"].get<std::string>(), 48, "pk");
  auto credentials = from_hex_exact(
      object["withdrawal_credentials"].get<std::string>(), 32, "wc");
  auto signature =
      from_hex_exact(object["signature"].get<std::string>(), 96, "sig");
  if (!pubkey.ok() || !credentials.ok() || !signature.ok()) {
    return std::nullopt;
  }
  DepositData deposit;
  std::copy(pubkey->begin(), pubkey->end(), deposit.pubkey.begin());
  std::copy(credentials->begin(), credentials->end(),
            deposit.withdrawal_credentials.begin());
  deposit.amount_gwei = object["amount"].get<uint64_t>();
  std::copy(signature->begin(), signature->end(), deposit.signature.begin());
  return deposit;
}

ForkVersion fork_from_json(const nlohmann::json& object) {
  auto version = parse_fork_version(object["fork_version"].get<std::string>());
  EXPECT_TRUE(version.ok());
  return version.ok() ? *version : ForkVersion{};
}

crypto::SecretKey key_from_hex(const std::string& text) {
  auto key = crypto::SecretKey::from_bytes(hex(text));
  EXPECT_TRUE(key.ok()) << "bad secret key in test data";
  return std::move(key).value();
}

// Every entry of every set in deposit_data_cli.json.
std::vector<nlohmann::json> cli_entries() {
  std::vector<nlohmann::json> entries;
  auto vectors = load_vectors("deposit/deposit_data_cli.json");
  for (const auto& set : vectors["sets"]) {
    for (const auto& entry : set["deposit_data"]) {
      entries.push_back(entry);
    }
  }
  return entries;
}

// --- domains -------------------------------------------------------------

TEST(DepositDomain, CliUnitVectorDomainMatches) {
  auto vector = load_vectors(
      "deposit/domain.json")["unit_vectors"]["compute_deposit_domain"];
  Bytes fork_version = hex(vector["fork_version"].get<std::string>());

  auto domain = compute_deposit_domain(fork_version);

  ASSERT_TRUE(domain.ok()) << domain.error().to_string();
  EXPECT_EQ(hex_of(*domain), vector["expected"]);
}

TEST(DepositDomain, CliUnitVectorForkDataRootMatches) {
  auto vector = load_vectors(
      "deposit/domain.json")["unit_vectors"]["compute_deposit_fork_data_root"];
  auto version =
      array_from_hex<4>(vector["current_version"].get<std::string>());
  auto validators_root =
      array_from_hex<32>(vector["genesis_validators_root"].get<std::string>());

  Root root = hash_tree_root_fork_data(version, validators_root);

  EXPECT_EQ(hex_of(root), vector["expected"]);
}

TEST(DepositDomain, CliUnitVectorSigningRootMatches) {
  auto vector = load_vectors(
      "deposit/domain.json")["unit_vectors"]["compute_signing_root"];
  const nlohmann::json& message = vector["deposit_message"];
  DepositData deposit;
  deposit.pubkey = array_from_hex<48>(message["pubkey"].get<std::string>());
  deposit.withdrawal_credentials =
      array_from_hex<32>(message["withdrawal_credentials"].get<std::string>());
  deposit.amount_gwei = message["amount"].get<uint64_t>();
  Bytes domain = hex(vector["domain"].get<std::string>());

  auto root = compute_signing_root(deposit_message_root(deposit), domain);

  ASSERT_TRUE(root.ok()) << root.error().to_string();
  EXPECT_EQ(hex_of(*root), vector["expected"]);
}

TEST(DepositDomain, CliUnitVectorWrongLengthsAreRefused) {
  auto unit = load_vectors("deposit/domain.json")["unit_vectors"];
  DepositData deposit;
  const nlohmann::json& message =
      unit["compute_signing_root"]["deposit_message"];
  deposit.pubkey = array_from_hex<48>(message["pubkey"].get<std::string>());
  deposit.amount_gwei = message["amount"].get<uint64_t>();
  ASSERT_EQ(unit["invalid_inputs"].size(), 4u);

  for (const auto& invalid : unit["invalid_inputs"]) {
    std::string function = invalid["fn"].get<std::string>();
    Status outcome;
    if (function == "compute_deposit_domain") {
      Bytes version = hex(invalid["fork_version"].get<std::string>());
      auto domain = compute_deposit_domain(version);
      if (!domain.ok()) outcome = domain.error();
    } else {
      ASSERT_EQ(function, "compute_signing_root");
      Bytes domain = hex(invalid["domain"].get<std::string>());
      auto root = compute_signing_root(deposit_message_root(deposit), domain);
      if (!root.ok()) outcome = root.error();
    }

    ASSERT_FALSE(outcome.ok()) << invalid.dump();
    EXPECT_EQ(outcome.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(outcome.error().message.find("allowed: exactly"),
              std::string::npos)
        << outcome.error().message;
  }
}

TEST(DepositDomain, EveryNetworkDomainMatches) {
  auto networks = load_vectors("deposit/domain.json")["networks"];
  ASSERT_EQ(networks.size(), 7u);

  for (const auto& network : networks) {
    auto version =
        parse_fork_version(network["genesis_fork_version"].get<std::string>());
    ASSERT_TRUE(version.ok()) << network["network"];

    Root fork_data_root = hash_tree_root_fork_data(*version, Root{});
    auto domain =
        compute_deposit_domain(ByteView(version->data(), version->size()));

    ASSERT_TRUE(domain.ok()) << network["network"];
    EXPECT_EQ(hex_of(fork_data_root), network["fork_data_root"])
        << network["network"];
    EXPECT_EQ(hex_of(*domain), network["deposit_domain"]) << network["network"];
  }
}

TEST(DepositDomain, ComputeDomainRefusesWrongLengthTypeAndRoot) {
  Bytes four(4, 0);
  Bytes three(3, 0);
  Bytes root(32, 0);
  Bytes short_root(31, 0);

  auto bad_type = compute_domain(three, four, root);
  auto bad_root = compute_domain(four, four, short_root);
  auto good = compute_domain(four, four, root);

  ASSERT_FALSE(bad_type.ok());
  EXPECT_NE(bad_type.error().message.find("domain type is 3 bytes"),
            std::string::npos)
      << bad_type.error().message;
  ASSERT_FALSE(bad_root.ok());
  EXPECT_NE(bad_root.error().message.find("genesis validators root is 31"),
            std::string::npos)
      << bad_root.error().message;
  EXPECT_TRUE(good.ok());
}

TEST(DepositDomain, ComputeDomainUsesTheGenesisValidatorsRoot) {
  Bytes type = {0x04, 0x00, 0x00, 0x00};
  Bytes version = {0x00, 0x00, 0x00, 0x00};
  Bytes zero_root(32, 0);
  Bytes other_root(32, 0x4b);

  auto with_zero = compute_domain(type, version, zero_root);
  auto with_other = compute_domain(type, version, other_root);

  ASSERT_TRUE(with_zero.ok());
  ASSERT_TRUE(with_other.ok());
  EXPECT_NE(*with_zero, *with_other);
  EXPECT_EQ((*with_other)[0], 0x04);
}

TEST(DepositDomain, ParseForkVersionAcceptsEightHexDigits) {
  auto with_prefix = parse_fork_version("0x10000910");
  auto without_prefix = parse_fork_version("01017000");

  ASSERT_TRUE(with_prefix.ok());
  ASSERT_TRUE(without_prefix.ok());
  EXPECT_EQ(*with_prefix, (ForkVersion{0x10, 0x00, 0x09, 0x10}));
  EXPECT_EQ(*without_prefix, (ForkVersion{0x01, 0x01, 0x70, 0x00}));
}

TEST(DepositDomain, ParseForkVersionRefusesOtherLengthsAndText) {
  for (const char* text :
       {"", "0x", "0x121212", "0x1212121212", "mainnet", "0x1000091g"}) {
    auto version = parse_fork_version(text);

    ASSERT_FALSE(version.ok()) << text;
    EXPECT_EQ(version.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(version.error().message.find("fork version"), std::string::npos)
        << version.error().message;
  }
}

// --- the intermediate vector ----------------------------------------------

class DepositIntermediate : public ::testing::Test {
 protected:
  void SetUp() override {
    vector_ = load_vectors("deposit/deposit_intermediate.json");
    const nlohmann::json& input = vector_["input"];
    deposit_.pubkey = array_from_hex<48>(input["pubkey"].get<std::string>());
    deposit_.withdrawal_credentials =
        array_from_hex<32>(input["withdrawal_credentials"].get<std::string>());
    deposit_.amount_gwei = input["amount"].get<uint64_t>();
    deposit_.signature =
        array_from_hex<96>(vector_["signature"].get<std::string>());
    auto version =
        parse_fork_version(input["genesis_fork_version"].get<std::string>());
    ASSERT_TRUE(version.ok());
    fork_version_ = *version;
  }

  nlohmann::json vector_;
  DepositData deposit_;
  ForkVersion fork_version_{};
};

TEST_F(DepositIntermediate, DomainAndSigningRootMatch) {
  auto domain = compute_deposit_domain(
      ByteView(fork_version_.data(), fork_version_.size()));
  ASSERT_TRUE(domain.ok());

  auto signing_root = compute_signing_root(
      deposit_message_root(deposit_), ByteView(domain->data(), domain->size()));

  ASSERT_TRUE(signing_root.ok());
  EXPECT_EQ(hex_of(*domain), vector_["domain"]);
  EXPECT_EQ(hex_of(*signing_root), vector_["signing_root"]);
}

TEST_F(DepositIntermediate, BothRootsMatch) {
  Root message_root = deposit_message_root(deposit_);
  Root data_root = deposit_data_root(deposit_);

  EXPECT_EQ(hex_of(message_root), vector_["deposit_message_root"]);
  EXPECT_EQ(hex_of(data_root), vector_["deposit_data_root"]);
}

TEST_F(DepositIntermediate, SigningReproducesTheSignature) {
  crypto::SecretKey key =
      key_from_hex(vector_["input"]["signing_sk"].get<std::string>());

  auto signed_deposit = sign_deposit(key, deposit_.withdrawal_credentials,
                                     deposit_.amount_gwei, fork_version_);

  ASSERT_TRUE(signed_deposit.ok()) << signed_deposit.error().to_string();
  EXPECT_EQ(*signed_deposit, deposit_);
}

// --- CLI deposit data -------------------------------------------------------

TEST(DepositCli, BothRootsOfEveryEntryMatchTheCli) {
  std::vector<nlohmann::json> entries = cli_entries();
  ASSERT_EQ(entries.size(), 33u);

  for (const auto& entry : entries) {
    auto deposit = deposit_from_json(entry);
    ASSERT_TRUE(deposit.has_value());

    EXPECT_EQ(plain_hex_of(deposit_message_root(*deposit)),
              entry["deposit_message_root"])
        << entry["pubkey"];
    EXPECT_EQ(plain_hex_of(deposit_data_root(*deposit)),
              entry["deposit_data_root"])
        << entry["pubkey"];
  }
}

TEST(DepositCli, EverySignatureVerifiesUnderItsForkVersion) {
  std::vector<nlohmann::json> entries = cli_entries();
  ASSERT_EQ(entries.size(), 33u);

  for (const auto& entry : entries) {
    auto deposit = deposit_from_json(entry);
    ASSERT_TRUE(deposit.has_value());

    Status status = verify_deposit(*deposit, fork_from_json(entry));

    EXPECT_TRUE(status.ok()) << status.error().to_string();
  }
}

TEST(DepositCli, ResigningWithDerivedKeysReproducesEverySignature) {
  std::map<std::string, std::string> secret_by_pubkey;
  auto keys = load_vectors("eip2333/eip2334_test_mnemonic_keys.json")["keys"];
  for (const auto& key : keys) {
    std::string pubkey = key["signing_pubkey"].get<std::string>();
    secret_by_pubkey[pubkey.substr(2)] = key["signing_sk"].get<std::string>();
  }
  size_t resigned = 0;

  for (const auto& entry : cli_entries()) {
    auto found = secret_by_pubkey.find(entry["pubkey"].get<std::string>());
    ASSERT_NE(found, secret_by_pubkey.end()) << entry["pubkey"];
    auto expected = deposit_from_json(entry);
    ASSERT_TRUE(expected.has_value());

    auto deposit = sign_deposit(key_from_hex(found->second),
                                expected->withdrawal_credentials,
                                expected->amount_gwei, fork_from_json(entry));

    ASSERT_TRUE(deposit.ok()) << deposit.error().to_string();
    EXPECT_EQ(plain_hex_of(deposit->signature), entry["signature"])
        << entry["pubkey"] << " " << entry["network_name"];
    EXPECT_EQ(*deposit, *expected);
    ++resigned;
  }

  EXPECT_EQ(resigned, 33u);
}

TEST(DepositSignatureCases, EachCaseVerifiesAsExpected) {
  auto cases = load_vectors("deposit/deposit_signature_cases.json")["cases"];
  ASSERT_EQ(cases.size(), 11u);

  for (const auto& test_case : cases) {
    auto deposit = deposit_from_json(test_case);
    auto version =
        parse_fork_version(test_case["fork_version"].get<std::string>());
    ASSERT_TRUE(version.ok());

    bool valid = deposit.has_value() && verify_deposit(*deposit, *version).ok();

    EXPECT_EQ(valid, test_case["expect_valid"].get<bool>())
        << test_case["name"] << ": " << test_case["reason"];
  }
}

TEST(DepositSignatureCases, RefusalNamesWhatFailed) {
  auto cases = load_vectors("deposit/deposit_signature_cases.json")["cases"];
  std::map<std::string, std::string> expected_fragment = {
      {"mainnet_signature_checked_under_hoodi_fork", "does not verify"},
      {"pubkey_infinity", "not a usable BLS public key"},
      {"signature_infinity", "does not verify"},
  };

  for (const auto& test_case : cases) {
    auto fragment = expected_fragment.find(test_case["name"]);
    if (fragment == expected_fragment.end()) continue;
    auto deposit = deposit_from_json(test_case);
    ASSERT_TRUE(deposit.has_value());

    Status status = verify_deposit(*deposit, fork_from_json(test_case));

    ASSERT_FALSE(status.ok()) << test_case["name"];
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(status.error().message.find(fragment->second), std::string::npos)
        << status.error().message;
  }
}

TEST(DepositSigning, SignDepositRefusesAmountBelowOneEth) {
  crypto::SecretKey key = key_from_hex(
      "0x289dc119396fd3a66c7afbaaefd60cc1267a5fd315fa027810db7d47f6bdc605");

  auto deposit = sign_deposit(key, Bytes32{}, kGweiPerEth - 1, ForkVersion{});

  ASSERT_FALSE(deposit.ok());
  EXPECT_EQ(deposit.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(deposit.error().message.find("minimum of 1 ETH"), std::string::npos)
      << deposit.error().message;
}

TEST(DepositSigning, VerifyDepositRefusesAmountBelowOneEth) {
  crypto::SecretKey key = key_from_hex(
      "0x289dc119396fd3a66c7afbaaefd60cc1267a5fd315fa027810db7d47f6bdc605");
  auto deposit = sign_deposit(key, Bytes32{}, kGweiPerEth, ForkVersion{});
  ASSERT_TRUE(deposit.ok());
  deposit->amount_gwei = kGweiPerEth / 2;

  Status status = verify_deposit(*deposit, ForkVersion{});

  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("0.5 ETH is below the minimum"),
            std::string::npos)
      << status.error().message;
}

TEST(DepositSigning, SignedDepositVerifiesOnlyUnderItsOwnFork) {
  crypto::SecretKey key = key_from_hex(
      "0x0c7557205e9f370945cd4cde08ec0c5b3dfe835e058a6015451f7e625b4bfd38");
  ForkVersion hoodi = {0x10, 0x00, 0x09, 0x10};
  ForkVersion mainnet = {0x00, 0x00, 0x00, 0x00};

  auto deposit = sign_deposit(key, Bytes32{}, 32 * kGweiPerEth, hoodi);

  ASSERT_TRUE(deposit.ok());
  EXPECT_TRUE(verify_deposit(*deposit, hoodi).ok());
  EXPECT_FALSE(verify_deposit(*deposit, mainnet).ok());
}

// --- withdrawal credentials -------------------------------------------------

TEST(WithdrawalCredentials, BlsCredentialsMatchEveryDerivedKey) {
  auto keys = load_vectors("eip2333/eip2334_test_mnemonic_keys.json")["keys"];
  ASSERT_EQ(keys.size(), 8u);

  for (const auto& key : keys) {
    auto pubkey = crypto::PublicKey::from_bytes(
        hex(key["withdrawal_pubkey"].get<std::string>()));
    ASSERT_TRUE(pubkey.ok());

    Bytes32 credentials = bls_withdrawal_credentials(*pubkey);

    EXPECT_EQ(hex_of(credentials), key["bls_withdrawal_credentials"])
        << "index " << key["index"];
  }
}

TEST(WithdrawalCredentials, BlsCredentialsAreZeroPrefixedHashTail) {
  auto pubkey = crypto::PublicKey::from_bytes(hex(
      "0xa868f11a86df775a1972db842cdb91b28daa55f9808e71643e0ecde9b23b11c21c528e"
      "b23e0833a7748afbaf47bb4ba9"));
  ASSERT_TRUE(pubkey.ok());
  auto encoded = pubkey->to_bytes();
  Root digest = sha256(ByteView(encoded.data(), encoded.size()));

  Bytes32 credentials = bls_withdrawal_credentials(*pubkey);

  EXPECT_EQ(credentials[0], 0x00);
  EXPECT_TRUE(std::equal(credentials.begin() + 1, credentials.end(),
                         digest.begin() + 1));
}

TEST(WithdrawalCredentials, ExecutionCredentialsMatchCliEntries) {
  auto vectors = load_vectors("deposit/deposit_data_cli.json");
  std::string address = vectors["eth1_withdrawal_address"].get<std::string>();
  size_t checked = 0;

  for (const auto& set : vectors["sets"]) {
    std::string type = set["withdrawal"].get<std::string>();
    if (type == "0x00") continue;
    auto credentials = type == "0x01"
                           ? execution_withdrawal_credentials(address)
                           : compounding_withdrawal_credentials(address);
    ASSERT_TRUE(credentials.ok()) << credentials.error().to_string();

    for (const auto& entry : set["deposit_data"]) {
      EXPECT_EQ(plain_hex_of(*credentials), entry["withdrawal_credentials"])
          << set["name"];
      ++checked;
    }
  }

  EXPECT_EQ(checked, 10u);
}

TEST(WithdrawalCredentials, ExecutionCredentialsArePrefixZerosAndAddress) {
  auto credentials = execution_withdrawal_credentials(
      "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");

  ASSERT_TRUE(credentials.ok()) << credentials.error().to_string();
  EXPECT_EQ(
      hex_of(*credentials),
      "0x0100000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
}

TEST(WithdrawalCredentials, CompoundingCredentialsUseThePrefix02) {
  auto credentials = compounding_withdrawal_credentials(
      "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");

  ASSERT_TRUE(credentials.ok()) << credentials.error().to_string();
  EXPECT_EQ(
      hex_of(*credentials),
      "0x0200000000000000000000005aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
}

TEST(WithdrawalCredentials, EveryValidEip55AddressIsAccepted) {
  auto valid = load_vectors("eth1/eip55.json")["valid"];
  ASSERT_FALSE(valid.empty());

  for (const auto& item : valid) {
    auto credentials =
        execution_withdrawal_credentials(item["address"].get<std::string>());

    EXPECT_TRUE(credentials.ok()) << item["address"];
  }
}

TEST(WithdrawalCredentials, BadChecksumAddressesAreRefused) {
  auto invalid = load_vectors("eth1/eip55.json")["invalid"];
  ASSERT_EQ(invalid.size(), 5u);

  for (const auto& item : invalid) {
    auto credentials =
        execution_withdrawal_credentials(item["address"].get<std::string>());

    ASSERT_FALSE(credentials.ok()) << item["address"];
    EXPECT_EQ(credentials.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(credentials.error().message.find("withdrawal address refused"),
              std::string::npos)
        << credentials.error().message;
  }
}

TEST(WithdrawalCredentials, MalformedAddressesAreRefused) {
  for (const char* text : {"", "0x", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea",
                           "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00",
                           "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
                           "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg",
                           " 0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"}) {
    auto credentials = compounding_withdrawal_credentials(text);

    ASSERT_FALSE(credentials.ok()) << "'" << text << "'";
    EXPECT_EQ(credentials.error().code, ErrorCode::kInvalidArgument);
  }
}

// --- amounts ----------------------------------------------------------------

struct GoodAmount {
  const char* text;
  uint64_t gwei;
};

TEST(DepositAmount, GoodAmountsParseToGwei) {
  const GoodAmount table[] = {
      {"32 ETH", 32000000000},
      {"32 eth", 32000000000},
      {"32ETH", 32000000000},
      {"32 ether", 32000000000},
      {"  32 ETH\n", 32000000000},
      {"0032 ETH", 32000000000},
      {"1 ETH", 1000000000},
      {"1.5 ETH", 1500000000},
      {"1.000000001 ETH", 1000000001},
      {"1.5000000000000 ETH", 1500000000},
      {"2048 ETH", 2048000000000},
      {"32000000000 gwei", 32000000000},
      {"32000000000 Gwei", 32000000000},
      {"32000000000.000 GWEI", 32000000000},
      {"32000000000000000000 wei", 32000000000},
      {"1000000000000000000 wei", 1000000000},
      {"18446744073709551615 gwei", 18446744073709551615u},
      {"18446744073.709551615 ETH", 18446744073709551615u},
  };

  for (const GoodAmount& row : table) {
    auto amount = parse_amount(row.text);

    ASSERT_TRUE(amount.ok())
        << "'" << row.text << "': " << amount.error().to_string();
    EXPECT_EQ(*amount, row.gwei) << row.text;
  }
}

struct BadAmount {
  const char* text;
  const char* message_fragment;
};

TEST(DepositAmount, BadAmountsAreRefusedSayingWhy) {
  const BadAmount table[] = {
      {"", "empty"},
      {"   ", "empty"},
      {"32", "no unit"},
      {"32 ", "no unit"},
      {"ETH", "does not start with a decimal number"},
      {"-1 ETH", "negative"},
      {"+1 ETH", "does not start with a decimal number"},
      {".5 ETH", "does not start with a decimal number"},
      {"1. ETH", "does not start with a decimal number"},
      {"0x20 ETH", "not known"},
      {"1e9 gwei", "not known"},
      {"1,5 ETH", "not known"},
      {"32 000 ETH", "not known"},
      {"32 ETH ETH", "not known"},
      {"32 btc", "not known"},
      {"32 ETH.", "not known"},
      {"1.0000000001 ETH", "not a whole number of gwei"},
      {"1.5 gwei", "not a whole number of gwei"},
      {"1000000000000000001 wei", "not a whole number of gwei"},
      {"5 wei", "not a whole number of gwei"},
      {"0 ETH", "0 ETH is below the minimum deposit of 1 ETH"},
      {"0.5 ETH", "0.5 ETH is below the minimum deposit of 1 ETH"},
      {"999999999 gwei", "0.999999999 ETH is below the minimum"},
      {"18446744073709551616 gwei", "2^64 - 1"},
      {"18446744073.709551616 ETH", "2^64 - 1"},
      {"100000000000000000000000000000000 ETH", "2^64 - 1"},
  };

  for (const BadAmount& row : table) {
    auto amount = parse_amount(row.text);

    ASSERT_FALSE(amount.ok()) << "'" << row.text << "' parsed as " << *amount;
    EXPECT_EQ(amount.error().code, ErrorCode::kInvalidArgument) << row.text;
    EXPECT_NE(amount.error().message.find(row.message_fragment),
              std::string::npos)
        << "'" << row.text << "': " << amount.error().message;
  }
}

TEST(DepositAmount, RefusalsSayWhatIsAllowed) {
  auto no_unit = parse_amount("32");

  ASSERT_FALSE(no_unit.ok());
  EXPECT_NE(no_unit.error().message.find("allowed:"), std::string::npos);
  EXPECT_NE(no_unit.error().message.find("\"32 ETH\""), std::string::npos);
}

TEST(DepositAmount, FormatWritesEthWithoutTrailingZeros) {
  EXPECT_EQ(format_amount(32000000000), "32 ETH");
  EXPECT_EQ(format_amount(1500000000), "1.5 ETH");
  EXPECT_EQ(format_amount(1000000001), "1.000000001 ETH");
  EXPECT_EQ(format_amount(1), "0.000000001 ETH");
  EXPECT_EQ(format_amount(0), "0 ETH");
  EXPECT_EQ(format_amount(18446744073709551615u), "18446744073.709551615 ETH");
}

TEST(DepositAmount, FormattedAmountsParseBack) {
  for (uint64_t gwei :
       {uint64_t{1000000000}, uint64_t{1000000001}, uint64_t{32000000000},
        uint64_t{33333333333}, uint64_t{2048000000000},
        uint64_t{18446744073709551615u}}) {
    std::string text = format_amount(gwei);

    auto parsed = parse_amount(text);

    ASSERT_TRUE(parsed.ok()) << text;
    EXPECT_EQ(*parsed, gwei) << text;
  }
}

}  // namespace
}  // namespace pkm::chain
