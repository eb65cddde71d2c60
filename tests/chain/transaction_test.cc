#include "chain/transaction.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "chain/rlp.h"
#include "tests/support/test_support.h"

namespace pkm::chain {
namespace {

using crypto::EcdsaPrivateKey;
using crypto::EthereumAddress;
using nlohmann::json;
using pkm::testing::hex;
using pkm::testing::load_vectors;

// secp256k1 group order n, for making a high-s twin of a signature.
constexpr char kGroupOrder[] =
    "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

// A type-2 transaction with an access list, signed by ethers 6.17.0
// (Wallet.signTransaction) with private key 0x11..11; unsigned serialization,
// signing hash, raw signed bytes, hash and sender are ethers' output.
constexpr char kEthersKey[] =
    "0x1111111111111111111111111111111111111111111111111111111111111111";
constexpr char kEthersUnsigned[] =
    "0x02f8ab824268078459682f008506fc23ac008301d4c09400000000219ab540356cbb839c"
    "be05303d7705fa8901bc16d674ec80000084deadbeeff872f8599400000000219ab54035"
    "6cbb839cbe05303d7705faf842a0000000000000000000000000000000000000000000000"
    "0000000000000000001a0abababababababababababababababababababababababababab"
    "ababababababd6942222222222222222222222222222222222222222c0";
constexpr char kEthersSigningHash[] =
    "0x68994c7a355435fc9c056af9a56436c89caf531f948396af3e71ba00dc420ad5";
constexpr char kEthersRaw[] =
    "0x02f8ee824268078459682f008506fc23ac008301d4c09400000000219ab540356cbb839c"
    "be05303d7705fa8901bc16d674ec80000084deadbeeff872f8599400000000219ab54035"
    "6cbb839cbe05303d7705faf842a0000000000000000000000000000000000000000000000"
    "0000000000000000001a0abababababababababababababababababababababababababab"
    "ababababababd6942222222222222222222222222222222222222222c080a03336807a53"
    "3e099943eee13952fe6df15c3ca88bc461f61eaadd6d2eb3a689c8a03dfa440e90bb7520"
    "89a002b49532f5db751451a2338a8e1998b5cb2c0c86ba98";
constexpr char kEthersHash[] =
    "0x1cbbb1178644a87c65e0641804f7fd94c8ea47c03ff1c77bc998abb8749dc620";
constexpr char kEthersSender[] = "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A";

EthereumAddress address(const std::string& text) {
  Result<EthereumAddress> parsed = crypto::parse_address(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? *parsed : EthereumAddress{};
}

Uint256 decimal(const std::string& text) {
  Result<Uint256> value = Uint256::from_decimal(text);
  EXPECT_TRUE(value.ok()) << text;
  return value.ok() ? *value : Uint256();
}

// A vector field such as "0x", "0x00" or "0x04a817c800" as an integer.
Uint256 hex_integer(const json& field) {
  Result<Uint256> value =
      Uint256::from_big_endian(hex(field.get<std::string>()));
  EXPECT_TRUE(value.ok()) << field;
  return value.ok() ? *value : Uint256();
}

uint64_t hex_uint64(const json& field) {
  Result<uint64_t> value = hex_integer(field).to_uint64("field");
  EXPECT_TRUE(value.ok()) << field;
  return value.ok() ? *value : 0;
}

EcdsaPrivateKey key(const std::string& text) {
  Result<EcdsaPrivateKey> parsed = EcdsaPrivateKey::from_hex(text);
  if (!parsed.ok()) {
    ADD_FAILURE() << parsed.error().message;
    throw std::runtime_error("bad test key");
  }
  return std::move(parsed).value();
}

template <size_t N>
std::string hex_of(const std::array<uint8_t, N>& bytes) {
  return to_hex(ByteView(bytes.data(), N));
}

// The EIP-155 example transaction (eip155.json "example").
LegacyTransaction example_transaction(const json& example) {
  const json& fields = example.at("tx");
  LegacyTransaction tx;
  tx.chain_id = fields.at("chainId").get<uint64_t>();
  tx.nonce = fields.at("nonce").get<uint64_t>();
  tx.gas_price = decimal(fields.at("gasPrice").get<std::string>());
  tx.gas_limit = fields.at("gasLimit").get<uint64_t>();
  tx.to = address(fields.at("to").get<std::string>());
  tx.value = decimal(fields.at("value").get<std::string>());
  tx.data = hex(fields.at("data").get<std::string>());
  return tx;
}

Eip1559Transaction ethers_transaction() {
  Eip1559Transaction tx;
  tx.chain_id = 17000;
  tx.nonce = 7;
  tx.max_priority_fee_per_gas = Uint256(1500000000);
  tx.max_fee_per_gas = Uint256(30000000000);
  tx.gas_limit = 120000;
  tx.to = address("0x00000000219ab540356cBB839Cbe05303d7705Fa");
  tx.value = decimal("32000000000000000000");
  tx.data = hex("0xdeadbeef");
  AccessListEntry deposit_contract;
  deposit_contract.address = *tx.to;
  std::array<uint8_t, 32> slot_one{};
  slot_one[31] = 1;
  std::array<uint8_t, 32> slot_ab{};
  slot_ab.fill(0xab);
  deposit_contract.storage_keys = {slot_one, slot_ab};
  AccessListEntry no_keys;
  no_keys.address.fill(0x22);
  tx.access_list = {deposit_contract, no_keys};
  return tx;
}

SignedTransaction sign(const Eip1559Transaction& tx,
                       const EcdsaPrivateKey& signer) {
  Result<SignedTransaction> signed_tx = sign_transaction(tx, signer);
  if (!signed_tx.ok()) {
    ADD_FAILURE() << signed_tx.error().message;
    throw std::runtime_error("signing failed");
  }
  return std::move(signed_tx).value();
}

SignedTransaction sign(const LegacyTransaction& tx,
                       const EcdsaPrivateKey& signer) {
  Result<SignedTransaction> signed_tx = sign_transaction(tx, signer);
  if (!signed_tx.ok()) {
    ADD_FAILURE() << signed_tx.error().message;
    throw std::runtime_error("signing failed");
  }
  return std::move(signed_tx).value();
}

// `raw` (an RLP list, after `type_bytes` leading type bytes) with element
// `index` replaced by `replacement`, re-encoded canonically.
Bytes with_field(const Bytes& raw, size_t index, const RlpItem& replacement,
                 size_t type_bytes = 0) {
  Result<RlpItem> decoded =
      rlp_decode(ByteView(raw.data() + type_bytes, raw.size() - type_bytes));
  EXPECT_TRUE(decoded.ok());
  std::vector<RlpItem> items = decoded->items();
  items[index] = replacement;
  Bytes out(raw.begin(), raw.begin() + type_bytes);
  Bytes body = rlp_encode(RlpItem::list(items));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

RlpItem integer_item(const Uint256& value) {
  return RlpItem::string(value.to_minimal_bytes());
}

std::string decode_error(const Bytes& raw) {
  Result<SignedTransaction> decoded = decode_signed_transaction(raw);
  if (decoded.ok()) return "(accepted)";
  EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidArgument);
  return decoded.error().message;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class Eip155Example : public ::testing::Test {
 protected:
  void SetUp() override {
    example_ = load_vectors("eth1/eip155.json").at("example");
  }

  std::string field(const char* name) const {
    return example_.at(name).get<std::string>();
  }

  json example_;
};

TEST_F(Eip155Example, SigningPayloadEqualsTheEipsRlp) {
  LegacyTransaction tx = example_transaction(example_);

  Bytes payload = tx.signing_payload();

  EXPECT_EQ(to_hex(payload), field("signing_data_rlp"));
}

TEST_F(Eip155Example, SigningHashEqualsTheEips) {
  LegacyTransaction tx = example_transaction(example_);

  crypto::Keccak256Digest hash = tx.signing_hash();

  EXPECT_EQ(hex_of(hash), field("signing_hash"));
}

TEST_F(Eip155Example, SignatureEqualsTheEipsRAndSAndV) {
  LegacyTransaction tx = example_transaction(example_);

  SignedTransaction signed_tx = sign(tx, key(field("private_key")));

  EXPECT_EQ(hex_of(signed_tx.signature().r), field("r_hex"));
  EXPECT_EQ(hex_of(signed_tx.signature().s), field("s_hex"));
  EXPECT_EQ(signed_tx.signature().recovery_id,
            example_.at("recovery_id").get<int>());
  EXPECT_EQ(signed_tx.signature().recovery_id + 35 + 2 * tx.chain_id,
            example_.at("v").get<uint64_t>());
}

TEST_F(Eip155Example, RawSignedTransactionEqualsTheEips) {
  LegacyTransaction tx = example_transaction(example_);

  SignedTransaction signed_tx = sign(tx, key(field("private_key")));

  EXPECT_EQ(to_hex(signed_tx.raw()), field("signed_tx_rlp"));
  EXPECT_FALSE(signed_tx.is_eip1559());
}

TEST_F(Eip155Example, HashIsKeccakOfTheRawTransaction) {
  LegacyTransaction tx = example_transaction(example_);

  SignedTransaction signed_tx = sign(tx, key(field("private_key")));

  EXPECT_EQ(hex_of(signed_tx.hash()), field("tx_hash"));
}

TEST_F(Eip155Example, SenderIsTheSigningKeysAddress) {
  LegacyTransaction tx = example_transaction(example_);

  SignedTransaction signed_tx = sign(tx, key(field("private_key")));

  EXPECT_EQ(crypto::to_checksum_address(signed_tx.sender()),
            field("sender_address"));
}

TEST_F(Eip155Example, DecodingTheRawTransactionGivesBackFieldsAndSender) {
  LegacyTransaction expected = example_transaction(example_);

  Result<SignedTransaction> decoded =
      decode_signed_transaction(hex(field("signed_tx_rlp")));

  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ASSERT_FALSE(decoded->is_eip1559());
  EXPECT_EQ(std::get<LegacyTransaction>(decoded->transaction()), expected);
  EXPECT_EQ(crypto::to_checksum_address(decoded->sender()),
            field("sender_address"));
  EXPECT_EQ(hex_of(decoded->hash()), field("tx_hash"));
}

TEST_F(Eip155Example, PreEip155VIsRefusedAsUnprotected) {
  Bytes raw = hex(field("signed_tx_rlp"));
  Bytes unprotected = with_field(raw, 6, integer_item(Uint256(27)));

  std::string message = decode_error(unprotected);

  EXPECT_TRUE(contains(message, "replay protection")) << message;
}

TEST_F(Eip155Example, VNamingChainIdZeroIsRefused) {
  Bytes raw = hex(field("signed_tx_rlp"));
  Bytes chain_zero = with_field(raw, 6, integer_item(Uint256(35)));

  std::string message = decode_error(chain_zero);

  EXPECT_TRUE(contains(message, "v is 35")) << message;
}

TEST_F(Eip155Example, HighSTwinOfTheSignatureIsRefused) {
  Bytes raw = hex(field("signed_tx_rlp"));
  Uint256 s = *Uint256::from_quantity(field("s_hex"),
                                      QuantityParsing::kAllowLeadingZeros);
  Uint256 high_s = checked_sub(*Uint256::from_quantity(kGroupOrder), s).value();
  // (r, n - s) with the other parity is the same signature, malleated.
  Bytes malleated = with_field(with_field(raw, 8, integer_item(high_s)), 6,
                               integer_item(Uint256(38)));

  std::string message = decode_error(malleated);

  EXPECT_TRUE(contains(message, "above n/2")) << message;
}

TEST_F(Eip155Example, ChangedValueDecodesButRecoversAnotherSender) {
  Bytes raw = hex(field("signed_tx_rlp"));
  Bytes changed = with_field(raw, 4, integer_item(Uint256(2)));

  Result<SignedTransaction> decoded = decode_signed_transaction(changed);

  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_NE(crypto::to_checksum_address(decoded->sender()),
            field("sender_address"));
}

TEST_F(Eip155Example, NonceWithLeadingZeroIsRefusedNamingTheField) {
  Bytes raw = hex(field("signed_tx_rlp"));
  Bytes padded = with_field(raw, 0, RlpItem::string(hex("0x0009")));

  std::string message = decode_error(padded);

  EXPECT_TRUE(contains(message, "nonce has a leading zero")) << message;
  EXPECT_TRUE(contains(message, "offset 2")) << message;
}

TEST_F(Eip155Example, RecipientOfNineteenBytesIsRefused) {
  Bytes raw = hex(field("signed_tx_rlp"));
  Bytes short_to = with_field(raw, 3, RlpItem::string(Bytes(19, 0x35)));

  std::string message = decode_error(short_to);

  EXPECT_TRUE(contains(message, "to is 19 bytes")) << message;
}

TEST_F(Eip155Example, TrailingByteAfterTheTransactionIsRefused) {
  Bytes raw = hex(field("signed_tx_rlp"));
  raw.push_back(0x80);

  std::string message = decode_error(raw);

  EXPECT_TRUE(contains(message, "trailing")) << message;
}

TEST_F(Eip155Example, TenFieldLegacyTransactionIsRefused) {
  Result<RlpItem> decoded = rlp_decode(hex(field("signed_tx_rlp")));
  ASSERT_TRUE(decoded.ok());
  std::vector<RlpItem> items = decoded->items();
  items.push_back(RlpItem::string(Bytes()));

  std::string message = decode_error(rlp_encode(RlpItem::list(items)));

  EXPECT_TRUE(contains(message, "has 10 elements")) << message;
}

TEST(TransactionRecoveryVectors, EveryVectorDecodesToItsSenderAndHash) {
  json cases = load_vectors("eth1/eip155.json").at("recovery_vectors");
  ASSERT_EQ(cases.at("cases").size(), cases.at("count").get<size_t>());

  for (const json& test : cases.at("cases")) {
    SCOPED_TRACE(test.at("name").get<std::string>());
    Bytes raw = hex(test.at("rlp").get<std::string>());

    Result<SignedTransaction> decoded = decode_signed_transaction(raw);

    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(to_hex(ByteView(decoded->sender().data(), 20)),
              test.at("sender").get<std::string>());
    EXPECT_EQ(hex_of(decoded->hash()), test.at("tx_hash").get<std::string>());
    EXPECT_EQ(decoded->chain_id(), test.at("chain_id").get<uint64_t>());
    EXPECT_EQ(decoded->signature().recovery_id,
              test.at("recovery_id").get<int>());
    EXPECT_EQ(decoded->raw(), raw);
  }
}

TEST(TransactionRecoveryVectors, EveryVectorsFieldsAndSigningHashMatch) {
  json cases = load_vectors("eth1/eip155.json").at("recovery_vectors");

  for (const json& test : cases.at("cases")) {
    SCOPED_TRACE(test.at("name").get<std::string>());
    const json& fields = test.at("transaction");

    Result<SignedTransaction> decoded =
        decode_signed_transaction(hex(test.at("rlp").get<std::string>()));

    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    const auto& tx = std::get<LegacyTransaction>(decoded->transaction());
    EXPECT_EQ(tx.nonce, hex_uint64(fields.at("nonce")));
    EXPECT_EQ(tx.gas_price, hex_integer(fields.at("gasPrice")));
    EXPECT_EQ(tx.gas_limit, hex_uint64(fields.at("gasLimit")));
    ASSERT_TRUE(tx.to.has_value());
    EXPECT_EQ(*tx.to, address(fields.at("to").get<std::string>()));
    EXPECT_EQ(tx.value, hex_integer(fields.at("value")));
    EXPECT_EQ(to_hex(tx.data),
              to_hex(hex(fields.at("data").get<std::string>())));
    EXPECT_EQ(hex_of(decoded->signature().r),
              fields.at("r").get<std::string>());
    EXPECT_EQ(hex_of(decoded->signature().s),
              fields.at("s").get<std::string>());
    EXPECT_EQ(hex_of(tx.signing_hash()),
              test.at("signing_hash").get<std::string>());
  }
}

TEST(Eip1559Transaction, UnsignedSerializationEqualsEthers) {
  Eip1559Transaction tx = ethers_transaction();

  Bytes payload = tx.signing_payload();

  EXPECT_EQ(to_hex(payload), kEthersUnsigned);
  EXPECT_EQ(hex_of(tx.signing_hash()), kEthersSigningHash);
}

TEST(Eip1559Transaction, SignedBytesHashAndSenderEqualEthers) {
  Eip1559Transaction tx = ethers_transaction();

  SignedTransaction signed_tx = sign(tx, key(kEthersKey));

  EXPECT_EQ(to_hex(signed_tx.raw()), kEthersRaw);
  EXPECT_EQ(hex_of(signed_tx.hash()), kEthersHash);
  EXPECT_EQ(crypto::to_checksum_address(signed_tx.sender()), kEthersSender);
  EXPECT_TRUE(signed_tx.is_eip1559());
}

TEST(Eip1559Transaction, EthersRawTransactionDecodesWithAccessList) {
  Result<SignedTransaction> decoded =
      decode_signed_transaction(hex(kEthersRaw));

  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ASSERT_TRUE(decoded->is_eip1559());
  EXPECT_EQ(std::get<Eip1559Transaction>(decoded->transaction()),
            ethers_transaction());
  EXPECT_EQ(crypto::to_checksum_address(decoded->sender()), kEthersSender);
  EXPECT_EQ(hex_of(decoded->hash()), kEthersHash);
}

TEST(Eip1559Transaction, ContractCreationRoundTripsWithoutRecipient) {
  Eip1559Transaction tx = ethers_transaction();
  tx.to.reset();
  tx.access_list.clear();
  EcdsaPrivateKey signer = key(kEthersKey);

  SignedTransaction signed_tx = sign(tx, signer);
  Result<SignedTransaction> decoded =
      decode_signed_transaction(signed_tx.raw());

  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  const auto& back = std::get<Eip1559Transaction>(decoded->transaction());
  EXPECT_FALSE(back.to.has_value());
  EXPECT_EQ(back, tx);
  EXPECT_EQ(decoded->sender(), signer.address());
}

TEST(Eip1559Transaction, EmptyAccessListIsEncodedAsAnEmptyList) {
  Eip1559Transaction tx = ethers_transaction();
  tx.access_list.clear();

  Bytes payload = tx.signing_payload();

  // The last field of the unsigned payload is the access list.
  EXPECT_EQ(payload.back(), 0xc0);
}

TEST(Eip1559Transaction, ChainIdZeroIsRefusedWhenSigning) {
  Eip1559Transaction tx = ethers_transaction();
  tx.chain_id = 0;

  Result<SignedTransaction> signed_tx = sign_transaction(tx, key(kEthersKey));

  ASSERT_FALSE(signed_tx.ok());
  EXPECT_EQ(signed_tx.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(contains(signed_tx.error().message, "chain id is 0"));
}

TEST(Eip1559Transaction, PriorityFeeAboveFeeCapIsRefusedWhenSigning) {
  Eip1559Transaction tx = ethers_transaction();
  tx.max_priority_fee_per_gas = Uint256(30000000001);

  Result<SignedTransaction> signed_tx = sign_transaction(tx, key(kEthersKey));

  ASSERT_FALSE(signed_tx.ok());
  EXPECT_TRUE(contains(signed_tx.error().message,
                       "max priority fee per gas 30000000001 exceeds"))
      << signed_tx.error().message;
}

TEST(Eip1559Transaction, YParityTwoIsRefused) {
  Bytes raw = hex(kEthersRaw);
  Bytes bad_parity = with_field(raw, 9, integer_item(Uint256(2)), 1);

  std::string message = decode_error(bad_parity);

  EXPECT_TRUE(contains(message, "y parity is 2")) << message;
}

TEST(Eip1559Transaction, StorageKeyOfThirtyOneBytesIsRefused) {
  Bytes raw = hex(kEthersRaw);
  RlpItem short_key_list = RlpItem::list(
      {RlpItem::list({RlpItem::string(Bytes(20, 0x22)),
                      RlpItem::list({RlpItem::string(Bytes(31, 0x01))})})});
  Bytes bad = with_field(raw, 8, short_key_list, 1);

  std::string message = decode_error(bad);

  EXPECT_TRUE(contains(message, "storage key 0 is 31 bytes")) << message;
}

TEST(Eip1559Transaction, UnsupportedTransactionTypeIsRefused) {
  Bytes raw = hex(kEthersRaw);
  raw[0] = 0x01;

  std::string message = decode_error(raw);

  EXPECT_TRUE(contains(message, "type 1 is not supported")) << message;
}

TEST(Eip1559Transaction, ZeroRIsRefused) {
  Bytes raw = hex(kEthersRaw);
  Bytes zero_r = with_field(raw, 10, integer_item(Uint256()), 1);

  std::string message = decode_error(zero_r);

  EXPECT_TRUE(contains(message, "r is zero")) << message;
}

TEST(Eip1559Transaction, EmptyRawTransactionIsRefused) {
  std::string message = decode_error(Bytes());

  EXPECT_TRUE(contains(message, "empty")) << message;
}

TEST(LegacyTransaction, LargestChainIdRoundTripsThroughAVAbove64Bits) {
  LegacyTransaction tx;
  tx.chain_id = ~uint64_t{0};
  tx.nonce = 1;
  tx.gas_price = Uint256(1);
  tx.gas_limit = 21000;
  EcdsaPrivateKey signer = key(kEthersKey);

  SignedTransaction signed_tx = sign(tx, signer);
  Result<SignedTransaction> decoded =
      decode_signed_transaction(signed_tx.raw());

  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->chain_id(), ~uint64_t{0});
  EXPECT_EQ(decoded->sender(), signer.address());
  EXPECT_EQ(decoded->raw(), signed_tx.raw());
}

TEST(LegacyTransaction, ChainIdZeroIsRefusedWhenSigning) {
  LegacyTransaction tx;

  Result<SignedTransaction> signed_tx = sign_transaction(tx, key(kEthersKey));

  ASSERT_FALSE(signed_tx.ok());
  EXPECT_TRUE(contains(signed_tx.error().message, "chain id is 0"));
}

}  // namespace
}  // namespace pkm::chain
