#include "crypto/eip2333.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/bls.h"
#include "crypto/mnemonic.h"
#include "tests/support/test_support.h"

namespace pkm::crypto {
namespace {

using pkm::testing::hex;
using pkm::testing::load_vectors;

std::string secret_hex(const SecretKey& key) {
  return to_hex(key.to_bytes().view());
}

std::string pubkey_hex(const SecretKey& key) {
  auto bytes = key.public_key().to_bytes();
  return to_hex(ByteView(bytes.data(), bytes.size()));
}

SecretKey key_from_hex(const std::string& text) {
  auto key = SecretKey::from_bytes(hex(text));
  EXPECT_TRUE(key.ok()) << text;
  return std::move(key).value();
}

// The 255 chunks of a vector's Lamport list, laid end to end.
Bytes joined_chunks(const nlohmann::json& chunks) {
  Bytes joined;
  for (const auto& chunk : chunks) {
    Bytes bytes = hex(chunk.get<std::string>());
    joined.insert(joined.end(), bytes.begin(), bytes.end());
  }
  return joined;
}

class Eip2333Intermediate : public ::testing::Test {
 protected:
  void SetUp() override {
    vector_ = load_vectors("eip2333/tree_kdf_intermediate.json");
  }

  SecretKey master() const {
    return key_from_hex(vector_["master_SK_hex"].get<std::string>());
  }
  uint32_t index() const { return vector_["child_index"].get<uint32_t>(); }

  nlohmann::json vector_;
};

TEST(Eip2333, MasterKeysMatchTreeKdfVectors) {
  auto vectors = load_vectors("eip2333/tree_kdf.json");
  ASSERT_EQ(vectors["cases"].size(), 4u);

  for (const auto& test : vectors["cases"]) {
    SCOPED_TRACE(test["seed"].get<std::string>());
    auto master = derive_master_sk(hex(test["seed"].get<std::string>()));

    ASSERT_TRUE(master.ok()) << master.error().to_string();
    EXPECT_EQ(secret_hex(*master), test["master_SK_hex"].get<std::string>());
  }
}

TEST(Eip2333, ChildKeysMatchTreeKdfVectors) {
  auto vectors = load_vectors("eip2333/tree_kdf.json");
  ASSERT_EQ(vectors["cases"].size(), 4u);

  for (const auto& test : vectors["cases"]) {
    SCOPED_TRACE(test["seed"].get<std::string>());
    SecretKey master = key_from_hex(test["master_SK_hex"].get<std::string>());
    auto child = derive_child_sk(master, test["child_index"].get<uint32_t>());

    ASSERT_TRUE(child.ok()) << child.error().to_string();
    EXPECT_EQ(secret_hex(*child), test["child_SK_hex"].get<std::string>());
  }
}

TEST(Eip2333, DerivePathWithOneLevelMatchesTreeKdfVectors) {
  auto vectors = load_vectors("eip2333/tree_kdf.json");

  for (const auto& test : vectors["cases"]) {
    std::string path =
        "m/" + std::to_string(test["child_index"].get<uint32_t>());
    SCOPED_TRACE(path);
    auto child = derive_path(hex(test["seed"].get<std::string>()), path);

    ASSERT_TRUE(child.ok()) << child.error().to_string();
    EXPECT_EQ(secret_hex(*child), test["child_SK_hex"].get<std::string>());
  }
}

TEST_F(Eip2333Intermediate, LamportSecretKeysMatchTheVector) {
  SecretBytes ikm = master().to_bytes();
  SecretBytes not_ikm(ikm.size());
  for (size_t i = 0; i < ikm.size(); ++i)
    not_ikm[i] = static_cast<uint8_t>(~ikm[i]);

  auto lamport_0 = detail::ikm_to_lamport_sk(ikm.view(), index());
  auto lamport_1 = detail::ikm_to_lamport_sk(not_ikm.view(), index());

  ASSERT_TRUE(lamport_0.ok());
  ASSERT_TRUE(lamport_1.ok());
  ASSERT_EQ(vector_["lamport_0"].size(), detail::kLamportChunks);
  ASSERT_EQ(vector_["lamport_1"].size(), detail::kLamportChunks);
  EXPECT_EQ(to_hex(lamport_0->view()),
            to_hex(joined_chunks(vector_["lamport_0"])));
  EXPECT_EQ(to_hex(lamport_1->view()),
            to_hex(joined_chunks(vector_["lamport_1"])));
}

TEST_F(Eip2333Intermediate, CompressedLamportPublicKeyMatchesTheVector) {
  auto compressed = detail::parent_sk_to_lamport_pk(master(), index());

  ASSERT_TRUE(compressed.ok());
  EXPECT_EQ(to_hex(compressed->view()),
            vector_["compressed_lamport_PK"].get<std::string>());
}

TEST_F(Eip2333Intermediate, HkdfModROfCompressedLamportKeyIsTheChild) {
  Bytes compressed = hex(vector_["compressed_lamport_PK"].get<std::string>());

  auto child = detail::hkdf_mod_r(compressed);

  ASSERT_TRUE(child.ok());
  EXPECT_EQ(secret_hex(*child), vector_["child_SK_hex"].get<std::string>());
}

TEST_F(Eip2333Intermediate, MnemonicToChildChainMatchesTheVector) {
  auto seed = mnemonic_to_seed(vector_["mnemonic"].get<std::string>(),
                               vector_["mnemonic_password"].get<std::string>());
  ASSERT_TRUE(seed.ok()) << seed.error().to_string();

  auto master_key = derive_master_sk(seed->view());
  auto child = derive_path(seed->view(), vector_["path"].get<std::string>());

  EXPECT_EQ(to_hex(seed->view()), vector_["seed"].get<std::string>());
  ASSERT_TRUE(master_key.ok());
  EXPECT_EQ(secret_hex(*master_key),
            vector_["master_SK_hex"].get<std::string>());
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(secret_hex(*child), vector_["child_SK_hex"].get<std::string>());
}

TEST(Eip2333, SeedShorterThan32BytesIsRefused) {
  Bytes seed(31, 0x42);

  auto master = derive_master_sk(seed);

  ASSERT_FALSE(master.ok());
  EXPECT_EQ(master.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(master.error().message,
            "seed is 31 bytes; allowed: at least 32 bytes");
}

TEST(Eip2333, SeedOfExactly32BytesIsAccepted) {
  Bytes seed(32, 0x42);

  auto master = derive_master_sk(seed);

  ASSERT_TRUE(master.ok());
  EXPECT_FALSE(master->is_zero());
}

TEST(Eip2333, DerivePathRefusesShortSeed) {
  Bytes seed(16, 0x01);

  auto key = derive_path(seed, "m/12381/3600/0/0/0");

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
}

class Eip2334Mnemonic : public ::testing::Test {
 protected:
  void SetUp() override {
    vectors_ = load_vectors("eip2333/eip2334_test_mnemonic_keys.json");
    seed_ = hex(vectors_["seed"].get<std::string>());
  }

  nlohmann::json vectors_;
  Bytes seed_;
};

TEST_F(Eip2334Mnemonic, SeedOfTestMnemonicMatches) {
  auto seed =
      mnemonic_to_seed(vectors_["mnemonic"].get<std::string>(),
                       vectors_["mnemonic_password"].get<std::string>());

  ASSERT_TRUE(seed.ok()) << seed.error().to_string();
  EXPECT_EQ(to_hex(seed->view()), vectors_["seed"].get<std::string>());
}

TEST_F(Eip2334Mnemonic, MasterKeyOfTestMnemonicMatches) {
  auto master = derive_path(seed_, "m");

  ASSERT_TRUE(master.ok());
  EXPECT_EQ(secret_hex(*master), vectors_["master_SK_hex"].get<std::string>());
}

TEST_F(Eip2334Mnemonic, SigningKeysAndPubkeysMatchTheTable) {
  ASSERT_EQ(vectors_["keys"].size(), 8u);

  for (const auto& entry : vectors_["keys"]) {
    uint32_t index = entry["index"].get<uint32_t>();
    SCOPED_TRACE("validator index " + std::to_string(index));
    std::string path = signing_key_path(index);
    auto key = derive_path(seed_, path);

    EXPECT_EQ(path, entry["signing_path"].get<std::string>());
    ASSERT_TRUE(key.ok()) << key.error().to_string();
    EXPECT_EQ(secret_hex(*key), entry["signing_sk"].get<std::string>());
    EXPECT_EQ(pubkey_hex(*key), entry["signing_pubkey"].get<std::string>());
  }
}

TEST_F(Eip2334Mnemonic, WithdrawalKeysAndPubkeysMatchTheTable) {
  ASSERT_EQ(vectors_["keys"].size(), 8u);

  for (const auto& entry : vectors_["keys"]) {
    uint32_t index = entry["index"].get<uint32_t>();
    SCOPED_TRACE("validator index " + std::to_string(index));
    std::string path = withdrawal_key_path(index);
    auto key = derive_path(seed_, path);

    EXPECT_EQ(path, entry["withdrawal_path"].get<std::string>());
    ASSERT_TRUE(key.ok()) << key.error().to_string();
    EXPECT_EQ(secret_hex(*key), entry["withdrawal_sk"].get<std::string>());
    EXPECT_EQ(pubkey_hex(*key), entry["withdrawal_pubkey"].get<std::string>());
  }
}

TEST_F(Eip2334Mnemonic, SigningKeyIsChildZeroOfWithdrawalKey) {
  auto withdrawal = derive_path(seed_, withdrawal_key_path(12));
  ASSERT_TRUE(withdrawal.ok());

  auto signing = derive_child_sk(*withdrawal, 0);
  auto expected = derive_path(seed_, signing_key_path(12));

  ASSERT_TRUE(signing.ok());
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(secret_hex(*signing), secret_hex(*expected));
}

TEST(Eip2334, PathHelpersFormatValidatorPaths) {
  EXPECT_EQ(signing_key_path(0), "m/12381/3600/0/0/0");
  EXPECT_EQ(signing_key_path(4294967295u), "m/12381/3600/4294967295/0/0");
  EXPECT_EQ(withdrawal_key_path(7), "m/12381/3600/7/0");
}

TEST(Eip2334, ParsePathReturnsTheIndices) {
  auto indices = parse_path("m/12381/3600/4294967295/0/0");

  ASSERT_TRUE(indices.ok());
  EXPECT_EQ(*indices, (std::vector<uint32_t>{12381, 3600, 4294967295u, 0, 0}));
}

TEST(Eip2334, BareMIsTheMasterKeyPath) {
  auto indices = parse_path("m");

  ASSERT_TRUE(indices.ok());
  EXPECT_TRUE(indices->empty());
}

TEST(Eip2334, PathOf32LevelsIsAcceptedAnd33Refused) {
  std::string path = "m";
  for (int i = 0; i < 32; ++i) path += "/1";

  auto accepted = parse_path(path);
  auto refused = parse_path(path + "/1");

  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(accepted->size(), 32u);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("at most 32"), std::string::npos);
}

struct BadPath {
  std::string path;
  std::string message_part;
};

TEST(Eip2334, MalformedPathsAreRefusedNamingTheProblem) {
  const std::vector<BadPath> cases = {
      {"", "key path is empty"},
      {"12381/3600/0/0/0", "must start with \"m/\""},
      {"M/12381", "must start with \"m/\""},
      {"m12381", "must start with \"m/\""},
      {" m/0", "must start with \"m/\""},
      {"m/", "level 1 is empty"},
      {"m//0", "level 1 is empty"},
      {"m/0/", "level 2 is empty"},
      {"m/12381/36a0", "level 2 \"36a0\" is not a decimal index"},
      {"m/-1", "level 1 \"-1\" is not a decimal index"},
      {"m/+1", "level 1 \"+1\" is not a decimal index"},
      {"m/1 ", "level 1 \"1 \" is not a decimal index"},
      {"m/0x10", "level 1 \"0x10\" is not a decimal index"},
      {"m/12381/3600/0'", "level 3 \"0'\" carries a hardened marker"},
      {"m/12381h", "hardened marker"},
      {"m/012381", "level 1 \"012381\" has a leading zero"},
      {"m/4294967296", "level 1 \"4294967296\" is too large"},
      {"m/99999999999999999999999", "is too large"},
      {std::string("m/1\0", 4), "level 1 \"1?\" is not a decimal index"},
  };

  for (const auto& test : cases) {
    SCOPED_TRACE(test.path);
    auto indices = parse_path(test.path);

    ASSERT_FALSE(indices.ok());
    EXPECT_EQ(indices.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(indices.error().message.find(test.message_part),
              std::string::npos)
        << indices.error().message;
  }
}

TEST(Eip2334, DerivePathRefusesMalformedPath) {
  Bytes seed(32, 0x01);

  auto key = derive_path(seed, "m/12381/3600/x/0/0");

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(key.error().message.find("level 3"), std::string::npos);
}

}  // namespace
}  // namespace pkm::crypto
