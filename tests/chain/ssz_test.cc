#include "chain/ssz.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace pkm::chain {
namespace {

using pkm::testing::hex;
using pkm::testing::load_vectors;

template <size_t N>
std::array<uint8_t, N> array_from_hex(const std::string& text) {
  Bytes bytes = hex(text);
  std::array<uint8_t, N> out{};
  EXPECT_EQ(bytes.size(), N) << text;
  std::copy_n(bytes.begin(), std::min(N, bytes.size()), out.begin());
  return out;
}

std::string hex_of(const Root& root) {
  return to_hex(ByteView(root.data(), root.size()));
}

Root filled_chunk(uint8_t value) {
  Root chunk;
  chunk.fill(value);
  return chunk;
}

// The deposit_intermediate.json vector: one CLI deposit, step by step.
class SszIntermediate : public ::testing::Test {
 protected:
  void SetUp() override {
    vector_ = load_vectors("deposit/deposit_intermediate.json");
    const nlohmann::json& input = vector_["input"];
    pubkey_ = array_from_hex<48>(input["pubkey"].get<std::string>());
    credentials_ =
        array_from_hex<32>(input["withdrawal_credentials"].get<std::string>());
    amount_ = input["amount"].get<uint64_t>();
    signature_ = array_from_hex<96>(vector_["signature"].get<std::string>());
  }

  std::string expected(const char* name) const {
    return vector_[name].get<std::string>();
  }

  nlohmann::json vector_;
  Bytes48 pubkey_{};
  Bytes32 credentials_{};
  uint64_t amount_ = 0;
  Bytes96 signature_{};
};

TEST_F(SszIntermediate, PubkeyRootIsHashOfTwoPaddedChunks) {
  Root root = hash_tree_root_bytes(ByteView(pubkey_.data(), pubkey_.size()));

  EXPECT_EQ(hex_of(root), expected("pubkey_root"));
}

TEST_F(SszIntermediate, AmountLeafIsLittleEndianPaddedChunk) {
  Root leaf = hash_tree_root_uint64(amount_);

  EXPECT_EQ(hex_of(leaf), expected("amount_leaf"));
}

TEST_F(SszIntermediate, DepositMessageRootMatches) {
  Root root = hash_tree_root_deposit_message(pubkey_, credentials_, amount_);

  EXPECT_EQ(hex_of(root), expected("deposit_message_root"));
}

TEST_F(SszIntermediate, SignatureRootSpansFourLeafTree) {
  Root root =
      hash_tree_root_bytes(ByteView(signature_.data(), signature_.size()));

  EXPECT_EQ(hex_of(root), expected("signature_root"));
}

TEST_F(SszIntermediate, DepositDataRootMatches) {
  Root root =
      hash_tree_root_deposit_data(pubkey_, credentials_, amount_, signature_);

  EXPECT_EQ(hex_of(root), expected("deposit_data_root"));
}

TEST_F(SszIntermediate, ForkDataRootOfGenesisVersionMatches) {
  Bytes4 version = array_from_hex<4>(
      vector_["input"]["genesis_fork_version"].get<std::string>());

  Root root = hash_tree_root_fork_data(version, Root{});

  EXPECT_EQ(hex_of(root), expected("fork_data_root"));
}

TEST_F(SszIntermediate, SigningDataRootMatches) {
  Root message_root = array_from_hex<32>(expected("deposit_message_root"));
  Bytes32 domain = array_from_hex<32>(expected("domain"));

  Root root = hash_tree_root_signing_data(message_root, domain);

  EXPECT_EQ(hex_of(root), expected("signing_root"));
}

TEST(Ssz, CliUnitVectorIntermediatesMatch) {
  auto vector = load_vectors(
      "deposit/domain.json")["unit_vectors"]["compute_signing_root"];
  const nlohmann::json& message = vector["deposit_message"];
  auto pubkey = array_from_hex<48>(message["pubkey"].get<std::string>());
  auto credentials =
      array_from_hex<32>(message["withdrawal_credentials"].get<std::string>());
  uint64_t amount = message["amount"].get<uint64_t>();
  const nlohmann::json& expected = vector["intermediate"];

  Root pubkey_root =
      hash_tree_root_bytes(ByteView(pubkey.data(), pubkey.size()));
  Root amount_leaf = hash_tree_root_uint64(amount);
  Root message_root =
      hash_tree_root_deposit_message(pubkey, credentials, amount);

  EXPECT_EQ(hex_of(pubkey_root), expected["pubkey_root"]);
  EXPECT_EQ(hex_of(amount_leaf), expected["amount_leaf"]);
  EXPECT_EQ(hex_of(message_root), expected["deposit_message_root"]);
}

TEST(Ssz, HashPairIsSha256OfBothChunks) {
  Root left = filled_chunk(0x11);
  Root right = filled_chunk(0x22);
  Bytes joined(64);
  std::copy(left.begin(), left.end(), joined.begin());
  std::copy(right.begin(), right.end(), joined.begin() + 32);

  Root parent = hash_pair(left, right);

  EXPECT_EQ(parent, sha256(joined));
  EXPECT_NE(parent, hash_pair(right, left));
}

TEST(Ssz, Sha256OfEmptyInputIsTheKnownDigest) {
  Root digest = sha256(ByteView());

  EXPECT_EQ(
      hex_of(digest),
      "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Ssz, ZeroHashesDoubleUpFromTheZeroChunk) {
  Root zero{};

  EXPECT_EQ(zero_hash(0), zero);
  EXPECT_EQ(
      hex_of(zero_hash(1)),
      "0xf5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b");
  for (size_t depth = 1; depth <= kMaxMerkleDepth; ++depth) {
    EXPECT_EQ(zero_hash(depth),
              hash_pair(zero_hash(depth - 1), zero_hash(depth - 1)))
        << "depth " << depth;
  }
}

TEST(Ssz, Bytes32IsItsOwnRoot) {
  Root value = filled_chunk(0xab);

  Root root = hash_tree_root_bytes(ByteView(value.data(), value.size()));

  EXPECT_EQ(root, value);
}

TEST(Ssz, Bytes4RootIsTheValueZeroPadded) {
  Bytes4 version = {0x01, 0x02, 0x03, 0x04};
  Root expected{};
  expected[0] = 0x01;
  expected[1] = 0x02;
  expected[2] = 0x03;
  expected[3] = 0x04;

  Root root = hash_tree_root_bytes(ByteView(version.data(), version.size()));

  EXPECT_EQ(root, expected);
}

TEST(Ssz, Uint64RootPutsLeastSignificantByteFirst) {
  Root root = hash_tree_root_uint64(0x0102030405060708);

  EXPECT_EQ(
      hex_of(root),
      "0x0807060504030201000000000000000000000000000000000000000000000000");
}

TEST(Ssz, MerkleizeWithLimitPadsWithZeroSubtrees) {
  Root a = filled_chunk(1);
  Root b = filled_chunk(2);
  Root c = filled_chunk(3);

  auto root = merkleize({a, b, c}, 8);

  ASSERT_TRUE(root.ok()) << root.error().to_string();
  Root left = hash_pair(hash_pair(a, b), hash_pair(c, zero_hash(0)));
  EXPECT_EQ(*root, hash_pair(left, zero_hash(2)));
}

TEST(Ssz, MerkleizeWithoutLimitUsesNextPowerOfTwo) {
  Root a = filled_chunk(1);
  Root b = filled_chunk(2);
  Root c = filled_chunk(3);

  Root root = merkleize({a, b, c});

  EXPECT_EQ(root, hash_pair(hash_pair(a, b), hash_pair(c, Root{})));
  EXPECT_EQ(merkleize({a}), a);
}

TEST(Ssz, MerkleizeOfNoChunksIsTheZeroSubtreeOfTheLimit) {
  auto root = merkleize({}, kDepositListLimit);

  ASSERT_TRUE(root.ok()) << root.error().to_string();
  EXPECT_EQ(*root, zero_hash(32));
}

TEST(Ssz, MerkleizeRefusesMoreChunksThanTheLimit) {
  std::vector<Root> chunks(3, filled_chunk(7));

  auto root = merkleize(chunks, 2);

  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(root.error().message.find("limit of 2"), std::string::npos)
      << root.error().message;
}

TEST(Ssz, MixInLengthHashesRootWithLittleEndianLength) {
  Root root = filled_chunk(9);
  Root length{};
  length[0] = 0x2c;
  length[1] = 0x01;

  Root mixed = mix_in_length(root, 300);

  EXPECT_EQ(mixed, hash_pair(root, length));
}

TEST(Ssz, EmptyDepositListRootIsTheContractsInitialRoot) {
  auto root = hash_tree_root_list({}, kDepositListLimit);

  ASSERT_TRUE(root.ok()) << root.error().to_string();
  EXPECT_EQ(
      hex_of(*root),
      "0xd70a234731285c6804c2a4f56711ddb8c82c99740f207854891028af34e27e5e");
}

TEST(Ssz, ListRootMixesTheElementCountIntoTheTreeRoot) {
  std::vector<Root> elements = {filled_chunk(1), filled_chunk(2),
                                filled_chunk(3)};

  auto root = hash_tree_root_list(elements, kDepositListLimit);

  ASSERT_TRUE(root.ok()) << root.error().to_string();
  EXPECT_EQ(*root,
            mix_in_length(merkleize(elements, kDepositListLimit).value(), 3));
}

TEST(Ssz, ListRootRefusesMoreElementsThanTheLimit) {
  std::vector<Root> elements(5, filled_chunk(4));

  auto root = hash_tree_root_list(elements, 4);

  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace pkm::chain
