#include "crypto/secp256k1.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/sha.h>

#include "crypto/keccak.h"
#include "tests/support/test_support.h"

namespace pkm::crypto {
namespace {

using pkm::testing::hex;
using pkm::testing::load_vectors;

// The secp256k1 group order n and its neighbours, as key file text.
constexpr char kGroupOrderHex[] =
    "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";
constexpr char kGroupOrderPlusOneHex[] =
    "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364142";
constexpr char kHalfGroupOrderHex[] =
    "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0";

// The generator G, the public key of private key 1.
constexpr char kGeneratorCompressedHex[] =
    "0x0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
constexpr char kGeneratorUncompressedHex[] =
    "0x0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
    "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8";

std::array<uint8_t, 32> to_array32(const Bytes& bytes) {
  std::array<uint8_t, 32> out{};
  EXPECT_LE(bytes.size(), out.size());
  // Left-pad: RLP strips leading zeros from r and s.
  std::copy(bytes.begin(), bytes.end(),
            out.begin() + (out.size() - std::min(bytes.size(), out.size())));
  return out;
}

std::string hex_of(ByteView bytes) { return to_hex(bytes); }

template <size_t N>
std::string hex_of(const std::array<uint8_t, N>& bytes) {
  return to_hex(ByteView(bytes.data(), bytes.size()));
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(c));
  return text;
}

std::string upper_digits(std::string address) {
  for (size_t i = 2; i < address.size(); ++i) {
    address[i] = static_cast<char>(std::toupper(address[i]));
  }
  return address;
}

// n - value for 0 < value < n, big-endian.
std::array<uint8_t, 32> negate_mod_order(const std::array<uint8_t, 32>& value) {
  std::array<uint8_t, 32> order = to_array32(hex(kGroupOrderHex));
  std::array<uint8_t, 32> out{};
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int difference = order[i] - value[i] - borrow;
    borrow = difference < 0 ? 1 : 0;
    out[i] = static_cast<uint8_t>(difference + 256 * borrow);
  }
  return out;
}

EcdsaPrivateKey key_from_hex(const std::string& text) {
  Result<EcdsaPrivateKey> key = EcdsaPrivateKey::from_hex(text);
  EXPECT_TRUE(key.ok()) << key.error().to_string();
  return std::move(key).value();
}

EcdsaPrivateKey small_key(uint8_t value) {
  uint8_t bytes[32] = {};
  bytes[31] = value;
  Result<EcdsaPrivateKey> key = EcdsaPrivateKey::from_bytes(bytes);
  EXPECT_TRUE(key.ok()) << key.error().to_string();
  return std::move(key).value();
}

EcdsaPrivateKey fresh_key() {
  Result<EcdsaPrivateKey> key = EcdsaPrivateKey::generate();
  EXPECT_TRUE(key.ok()) << key.error().to_string();
  return std::move(key).value();
}

// Fails when `message` contains any 8-character piece of `secret_text`
// (compared case-insensitively, 0x prefix ignored).
void expect_message_hides(const std::string& message,
                          const std::string& secret_text) {
  std::string secret = lower(secret_text);
  if (secret.rfind("0x", 0) == 0) secret.erase(0, 2);
  std::string haystack = lower(message);
  for (size_t i = 0; i + 8 <= secret.size(); ++i) {
    ASSERT_EQ(haystack.find(secret.substr(i, 8)), std::string::npos)
        << "error message repeats key text: " << message;
  }
}

class Eip155Example : public ::testing::Test {
 protected:
  void SetUp() override {
    example_ = load_vectors("eth1/eip155.json")["example"];
  }

  EcdsaPrivateKey key() const { return key_from_hex(example_["private_key"]); }
  Bytes signing_hash() const { return hex(example_["signing_hash"]); }

  nlohmann::json example_;
};

TEST_F(Eip155Example, SignatureMatchesTheEip) {
  Result<RecoverableSignature> signature =
      key().sign_recoverable(signing_hash());

  ASSERT_TRUE(signature.ok()) << signature.error().to_string();
  EXPECT_EQ(hex_of(signature->r), example_["r_hex"]);
  EXPECT_EQ(hex_of(signature->s), example_["s_hex"]);
  EXPECT_EQ(signature->recovery_id, example_["recovery_id"].get<int>());
}

TEST_F(Eip155Example, VIsRecoveryIdPlus35PlusTwiceTheChainId) {
  int chain_id = example_["tx"]["chainId"];

  Result<RecoverableSignature> signature =
      key().sign_recoverable(signing_hash());

  ASSERT_TRUE(signature.ok()) << signature.error().to_string();
  EXPECT_EQ(signature->recovery_id + chain_id * 2 + 35,
            example_["v"].get<int>());
}

TEST_F(Eip155Example, SenderAddressIsTheKeysAddress) {
  EXPECT_EQ(to_checksum_address(key().address()), example_["sender_address"]);
}

TEST_F(Eip155Example, SignatureRecoversTheSender) {
  Result<RecoverableSignature> signature =
      key().sign_recoverable(signing_hash());
  ASSERT_TRUE(signature.ok()) << signature.error().to_string();

  Result<EthereumAddress> sender = recover_address(signing_hash(), *signature);

  ASSERT_TRUE(sender.ok()) << sender.error().to_string();
  EXPECT_EQ(to_checksum_address(*sender), example_["sender_address"]);
}

TEST(RecoverAddress, RecoversTheSenderOfEveryEip155VitalikTransaction) {
  nlohmann::json cases = load_vectors("eth1/eip155.json")["recovery_vectors"]
                                     ["cases"];
  ASSERT_EQ(cases.size(), 11u);

  for (const auto& vector : cases) {
    SCOPED_TRACE(vector["name"].get<std::string>());
    const auto& tx = vector["transaction"];
    RecoverableSignature signature;
    signature.r = to_array32(hex(tx["r"]));
    signature.s = to_array32(hex(tx["s"]));
    signature.recovery_id = vector["recovery_id"].get<uint8_t>();
    int v = std::stoi(tx["v"].get<std::string>(), nullptr, 16);
    int chain_id = vector["chain_id"];
    ASSERT_EQ(v, signature.recovery_id + 35 + 2 * chain_id);

    Result<EthereumAddress> sender =
        recover_address(hex(vector["signing_hash"]), signature);

    ASSERT_TRUE(sender.ok()) << sender.error().to_string();
    EXPECT_EQ(hex_of(*sender), vector["sender"]);
  }
}

TEST(ParseAddress, AcceptsEveryValidEip55Case) {
  nlohmann::json vectors = load_vectors("eth1/eip55.json");
  ASSERT_FALSE(vectors["valid"].empty());

  for (const auto& vector : vectors["valid"]) {
    std::string text = vector["address"];

    Result<EthereumAddress> address = parse_address(text);

    ASSERT_TRUE(address.ok()) << text << ": " << address.error().to_string();
    EXPECT_EQ(hex_of(*address), lower(text));
  }
}

TEST(ToChecksumAddress, ReproducesEveryValidEip55Case) {
  nlohmann::json vectors = load_vectors("eth1/eip55.json");

  for (const auto& vector : vectors["valid"]) {
    std::string text = vector["address"];
    Result<EthereumAddress> address = parse_address(lower(text));
    ASSERT_TRUE(address.ok()) << address.error().to_string();

    EXPECT_EQ(to_checksum_address(*address), text);
  }
}

TEST(ParseAddress, RefusesEveryMiscasedEip55CaseAsAWrongChecksum) {
  nlohmann::json vectors = load_vectors("eth1/eip55.json");
  ASSERT_FALSE(vectors["invalid"].empty());

  for (const auto& vector : vectors["invalid"]) {
    std::string text = vector["address"];

    Result<EthereumAddress> address = parse_address(text);

    ASSERT_FALSE(address.ok()) << text << " was accepted";
    EXPECT_EQ(address.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(address.error().message.find("checksum is wrong"),
              std::string::npos)
        << address.error().message;
  }
}

TEST(ParseAddress, AcceptsSingleCaseFormsOfAChecksummedAddress) {
  std::string checksummed = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

  Result<EthereumAddress> from_lower = parse_address(lower(checksummed));
  Result<EthereumAddress> from_upper = parse_address(upper_digits(checksummed));

  ASSERT_TRUE(from_lower.ok()) << from_lower.error().to_string();
  ASSERT_TRUE(from_upper.ok()) << from_upper.error().to_string();
  EXPECT_EQ(*from_lower, *from_upper);
}

TEST(ParseAddress, RefusesMalformedTextWithoutRepeatingIt) {
  const std::string good = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "does not start with 0x"},
      {good.substr(2), "does not start with 0x"},
      {"0X" + good.substr(2), "does not start with 0x"},
      {good.substr(0, 41), "39 characters"},
      {good + "0", "41 characters"},
      {" " + good, "does not start with 0x"},
      {good + "\n", "41 characters"},
      {"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg", "non-hex"},
      {"0x" + std::string(64, 'a'), "64 characters"},
  };

  for (const auto& [text, expected] : cases) {
    Result<EthereumAddress> address = parse_address(text);

    ASSERT_FALSE(address.ok()) << "accepted: " << text;
    EXPECT_EQ(address.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(address.error().message.find(expected), std::string::npos)
        << address.error().message;
    expect_message_hides(address.error().message, text);
  }
}

TEST(EcdsaPrivateKey, DerivesTheEip55DerivationVectorAddress) {
  nlohmann::json vectors = load_vectors("eth1/eip55.json");
  ASSERT_FALSE(vectors["address_derivation"].empty());

  for (const auto& vector : vectors["address_derivation"]) {
    EcdsaPrivateKey key = key_from_hex(vector["private_key"]);

    EXPECT_EQ(to_checksum_address(key.address()), vector["address"]);
  }
}

TEST(EcdsaPrivateKey, ParsesKeyFileTextWithPrefixAndWhitespace) {
  std::string digits;
  for (int i = 0; i < 32; ++i) digits += "46";
  const std::string expected = "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F";

  for (const std::string& text :
       {digits, "0x" + digits, "0X" + digits, "  0x" + digits + "\n",
        "\t" + digits + "\r\n"}) {
    SCOPED_TRACE(::testing::PrintToString(text));

    EcdsaPrivateKey key = key_from_hex(text);

    EXPECT_EQ(to_checksum_address(key.address()), expected);
  }
}

TEST(EcdsaPrivateKey, ParsesHexDigitsInEitherCase) {
  std::string lower_case = kHalfGroupOrderHex;
  std::string upper_case = upper_digits("0x" + lower_case);

  EcdsaPrivateKey from_lower = key_from_hex(lower_case);
  EcdsaPrivateKey from_upper = key_from_hex(upper_case);

  EXPECT_EQ(from_lower.public_key(), from_upper.public_key());
}

struct BadKeyText {
  std::string text;
  std::string expected_in_message;
};

TEST(EcdsaPrivateKey, RefusesBadKeyTextWithoutRepeatingIt) {
  const std::string n = kGroupOrderHex;
  const std::vector<BadKeyText> cases = {
      {"0x" + std::string(64, '0'), "zero"},
      {n, "group order"},
      {"0x" + n, "group order"},
      {kGroupOrderPlusOneHex, "group order"},
      {std::string(62, 'a'), "62 characters"},
      {"0x" + std::string(66, 'b'), "66 characters"},
      {std::string(63, 'c') + "g", "non-hex character at digit 64"},
      {"0x" + std::string(31, 'd') + " " + std::string(32, 'd'), "non-hex"},
      {"", "no hex digits"},
      {" \n", "no hex digits"},
      {"0x", "no hex digits"},
  };

  for (const BadKeyText& bad : cases) {
    SCOPED_TRACE(bad.expected_in_message);

    Result<EcdsaPrivateKey> key = EcdsaPrivateKey::from_hex(bad.text);

    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(key.error().message.find(bad.expected_in_message),
              std::string::npos)
        << key.error().message;
    expect_message_hides(key.error().message, bad.text);
  }
}

TEST(EcdsaPrivateKey, RefusesBadKeyBytesWithoutRepeatingThem) {
  const std::vector<std::pair<Bytes, std::string>> cases = {
      {Bytes(32, 0), "zero"},
      {hex(kGroupOrderHex), "group order"},
      {hex(kGroupOrderPlusOneHex), "group order"},
      {Bytes(32, 0xff), "group order"},
      {Bytes(31, 0x46), "31 bytes"},
      {Bytes(33, 0x46), "33 bytes"},
      {Bytes(), "0 bytes"},
  };

  for (const auto& [bytes, expected] : cases) {
    SCOPED_TRACE(expected);

    Result<EcdsaPrivateKey> key = EcdsaPrivateKey::from_bytes(bytes);

    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(key.error().message.find(expected), std::string::npos)
        << key.error().message;
    expect_message_hides(key.error().message, to_hex(bytes, false));
  }
}

TEST(EcdsaPrivateKey, AcceptsTheLargestKeyBelowTheOrder) {
  Bytes largest = hex(kGroupOrderHex);
  largest[31] -= 1;

  Result<EcdsaPrivateKey> key = EcdsaPrivateKey::from_bytes(largest);

  // n - 1 = -1, so its public key is -G: G's x with the other y parity.
  ASSERT_TRUE(key.ok()) << key.error().to_string();
  EXPECT_EQ(hex_of(key->public_key().compressed()),
            "0x03" + std::string(kGeneratorCompressedHex).substr(4));
}

TEST(EcdsaPublicKey, KeyOneHasTheGeneratorAsPublicKey) {
  EcdsaPrivateKey one = small_key(1);

  EXPECT_EQ(hex_of(one.public_key().compressed()), kGeneratorCompressedHex);
  EXPECT_EQ(hex_of(one.public_key().uncompressed()), kGeneratorUncompressedHex);
}

TEST(EcdsaPublicKey, ParsesBothEncodingsToTheSameKey) {
  EcdsaPrivateKey key = fresh_key();
  auto compressed = key.public_key().compressed();
  auto uncompressed = key.public_key().uncompressed();

  Result<EcdsaPublicKey> from_compressed = EcdsaPublicKey::from_bytes(
      ByteView(compressed.data(), compressed.size()));
  Result<EcdsaPublicKey> from_uncompressed = EcdsaPublicKey::from_bytes(
      ByteView(uncompressed.data(), uncompressed.size()));

  ASSERT_TRUE(from_compressed.ok()) << from_compressed.error().to_string();
  ASSERT_TRUE(from_uncompressed.ok()) << from_uncompressed.error().to_string();
  EXPECT_EQ(*from_compressed, key.public_key());
  EXPECT_EQ(*from_uncompressed, key.public_key());
  EXPECT_EQ(from_compressed->address(), key.address());
}

TEST(EcdsaPublicKey, RefusesBadEncodingsAndPointsOffTheCurve) {
  Bytes generator = hex(kGeneratorUncompressedHex);
  Bytes off_curve = generator;
  off_curve[64] ^= 1;
  Bytes hybrid = generator;
  hybrid[0] = 0x06;  // 0x04-style point with a parity prefix: not SEC1 here
  Bytes compressed_without_point(33, 0);
  compressed_without_point[0] = 0x02;
  compressed_without_point[32] = 5;  // x = 5: x^3 + 7 is not a square mod p
  Bytes bad_prefix = hex(kGeneratorCompressedHex);
  bad_prefix[0] = 0x04;
  const std::vector<std::pair<Bytes, std::string>> cases = {
      {off_curve, "not a point on secp256k1"},
      {hybrid, "does not start with 0x04"},
      {compressed_without_point, "not a point on secp256k1"},
      {bad_prefix, "does not start with 0x02 or 0x03"},
      {Bytes(64, 1), "64 bytes"},
      {Bytes(), "0 bytes"},
  };

  for (const auto& [bytes, expected] : cases) {
    Result<EcdsaPublicKey> key = EcdsaPublicKey::from_bytes(bytes);

    ASSERT_FALSE(key.ok()) << "accepted " << to_hex(bytes);
    EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(key.error().message.find(expected), std::string::npos)
        << key.error().message;
  }
}

TEST(EcdsaPrivateKey, SignaturesAreDeterministicLowSAndRecoverToTheKey) {
  EcdsaPrivateKey key = fresh_key();
  Keccak256Digest hash = keccak256(std::string_view("pkm deposit tx"));
  ByteView hash_view(hash.data(), hash.size());
  std::array<uint8_t, 32> half_order = to_array32(hex(kHalfGroupOrderHex));

  Result<RecoverableSignature> first = key.sign_recoverable(hash_view);
  Result<RecoverableSignature> second = key.sign_recoverable(hash_view);

  ASSERT_TRUE(first.ok()) << first.error().to_string();
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  EXPECT_EQ(*first, *second);
  EXPECT_LE(first->recovery_id, 1);
  EXPECT_LE(std::memcmp(first->s.data(), half_order.data(), 32), 0);
  Result<EcdsaPublicKey> recovered = recover_public_key(hash_view, *first);
  ASSERT_TRUE(recovered.ok()) << recovered.error().to_string();
  EXPECT_EQ(*recovered, key.public_key());
}

TEST(EcdsaPrivateKey, RefusesToSignAHashThatIsNot32Bytes) {
  EcdsaPrivateKey key = fresh_key();

  for (size_t size : {0, 20, 31, 33, 64}) {
    Result<RecoverableSignature> signature =
        key.sign_recoverable(Bytes(size, 0xab));

    ASSERT_FALSE(signature.ok()) << size << " bytes were signed";
    EXPECT_EQ(signature.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(signature.error().message.find(std::to_string(size) + " bytes"),
              std::string::npos)
        << signature.error().message;
  }
}

TEST(EcdsaPrivateKey, GeneratesDistinctKeys) {
  EcdsaPrivateKey first = fresh_key();
  EcdsaPrivateKey second = fresh_key();

  EXPECT_NE(first.public_key(), second.public_key());
}

TEST(EcdsaPrivateKey, SignsTheSameFromManyThreadsAtOnce) {
  EcdsaPrivateKey key = small_key(42);
  Keccak256Digest hash = keccak256(std::string_view("shared context"));
  ByteView hash_view(hash.data(), hash.size());
  Result<RecoverableSignature> expected = key.sign_recoverable(hash_view);
  ASSERT_TRUE(expected.ok()) << expected.error().to_string();
  constexpr int kThreads = 4;
  std::vector<int> mismatches(kThreads, 0);

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        Result<RecoverableSignature> signature =
            key.sign_recoverable(hash_view);
        Result<EcdsaPublicKey> recovered =
            signature.ok() ? recover_public_key(hash_view, *signature)
                           : Result<EcdsaPublicKey>(signature.error());
        if (!signature.ok() || *signature != *expected || !recovered.ok() ||
            *recovered != key.public_key()) {
          ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(mismatches, std::vector<int>(kThreads, 0));
}

class RecoverPublicKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hash_ = keccak256(std::string_view("recover me"));
    Result<RecoverableSignature> signature = key_.sign_recoverable(hash());
    ASSERT_TRUE(signature.ok()) << signature.error().to_string();
    signature_ = *signature;
  }

  ByteView hash() const { return ByteView(hash_.data(), hash_.size()); }

  void expect_refused(const RecoverableSignature& signature,
                      const std::string& expected) {
    Result<EcdsaPublicKey> key = recover_public_key(hash(), signature);
    ASSERT_FALSE(key.ok()) << "recovered from a bad signature";
    EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(key.error().message.find(expected), std::string::npos)
        << key.error().message;
  }

  EcdsaPrivateKey key_ = small_key(7);
  Keccak256Digest hash_{};
  RecoverableSignature signature_;
};

TEST_F(RecoverPublicKeyTest, RefusesRecoveryIdsAboveOne) {
  for (uint8_t id : {2, 3, 27, 37}) {
    RecoverableSignature bad = signature_;
    bad.recovery_id = id;

    expect_refused(bad, "recovery id is " + std::to_string(id));
  }
}

TEST_F(RecoverPublicKeyTest, RefusesZeroROrS) {
  RecoverableSignature zero_r = signature_;
  zero_r.r.fill(0);
  RecoverableSignature zero_s = signature_;
  zero_s.s.fill(0);

  expect_refused(zero_r, "signature r is zero");
  expect_refused(zero_s, "signature s is zero");
}

TEST_F(RecoverPublicKeyTest, RefusesROrSNotBelowTheGroupOrder) {
  RecoverableSignature big_r = signature_;
  big_r.r = to_array32(hex(kGroupOrderHex));
  RecoverableSignature big_s = signature_;
  big_s.s = to_array32(hex(kGroupOrderPlusOneHex));

  expect_refused(big_r, "signature r is not below");
  expect_refused(big_s, "signature s is not below");
}

TEST_F(RecoverPublicKeyTest, RefusesTheHighSTwinOfAValidSignature) {
  // (r, n - s) with the other recovery id is the same signature in high-s
  // form; plain ECDSA accepts it, Ethereum transactions must not.
  RecoverableSignature high = signature_;
  high.s = negate_mod_order(signature_.s);
  high.recovery_id ^= 1;

  expect_refused(high, "above n/2");
}

TEST_F(RecoverPublicKeyTest, RefusesRThatIsNotTheXOfACurvePoint) {
  RecoverableSignature bad = signature_;
  bad.r.fill(0);
  bad.r[31] = 5;  // x = 5: x^3 + 7 is not a square mod p

  expect_refused(bad, "no public key can be recovered");
}

TEST_F(RecoverPublicKeyTest, RefusesAHashThatIsNot32Bytes) {
  Result<EcdsaPublicKey> key =
      recover_public_key(ByteView(hash_.data(), 31), signature_);

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(key.error().message.find("31 bytes"), std::string::npos)
      << key.error().message;
}

TEST_F(RecoverPublicKeyTest, AnotherHashRecoversAnotherKey) {
  Keccak256Digest other = keccak256(std::string_view("something else"));

  Result<EthereumAddress> address =
      recover_address(ByteView(other.data(), other.size()), signature_);

  ASSERT_TRUE(address.ok()) << address.error().to_string();
  EXPECT_NE(*address, key_.address());
}

TEST(DeriveSharedSecret, BothSidesAgreeOnA32ByteSecret) {
  EcdsaPrivateKey alice = fresh_key();
  EcdsaPrivateKey bob = fresh_key();
  EcdsaPrivateKey carol = fresh_key();

  Result<SecretBytes> alice_bob = alice.derive_shared_secret(bob.public_key());
  Result<SecretBytes> bob_alice = bob.derive_shared_secret(alice.public_key());
  Result<SecretBytes> alice_carol =
      alice.derive_shared_secret(carol.public_key());

  ASSERT_TRUE(alice_bob.ok()) << alice_bob.error().to_string();
  ASSERT_TRUE(bob_alice.ok()) << bob_alice.error().to_string();
  ASSERT_TRUE(alice_carol.ok()) << alice_carol.error().to_string();
  EXPECT_EQ(alice_bob->size(), 32u);
  EXPECT_TRUE(constant_time_equal(alice_bob->view(), bob_alice->view()));
  EXPECT_FALSE(constant_time_equal(alice_bob->view(), alice_carol->view()));
}

TEST(DeriveSharedSecret, IsSha256OfTheCompressedSharedPoint) {
  // With private key 1 the shared point is the peer's own public key.
  EcdsaPrivateKey one = small_key(1);
  EcdsaPrivateKey peer = fresh_key();
  auto compressed = peer.public_key().compressed();
  uint8_t expected[SHA256_DIGEST_LENGTH];
  SHA256(compressed.data(), compressed.size(), expected);

  Result<SecretBytes> shared = one.derive_shared_secret(peer.public_key());

  ASSERT_TRUE(shared.ok()) << shared.error().to_string();
  EXPECT_EQ(hex_of(shared->view()), hex_of(ByteView(expected)));
}

}  // namespace
}  // namespace pkm::crypto
