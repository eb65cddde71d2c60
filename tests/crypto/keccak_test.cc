#include "crypto/keccak.h"

#include <string>

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "tests/support/test_support.h"

namespace pkm::crypto {
namespace {

using pkm::testing::hex;
using pkm::testing::load_vectors;

std::string digest_hex(const Keccak256Digest& digest) {
  return to_hex(ByteView(digest.data(), digest.size()));
}

// FIPS-202 SHA3-256 from OpenSSL: the hash Keccak-256 must not be confused
// with.
std::string sha3_256_hex(const Bytes& message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  bool ok = EVP_Digest(message.data(), message.size(), digest, &size,
                       EVP_sha3_256(), nullptr) == 1;
  EXPECT_TRUE(ok) << "OpenSSL SHA3-256 failed";
  return to_hex(ByteView(digest, size));
}

// The 272-byte "two rate blocks" input: 0x00..0xff, then 0x00..0x0f.
Bytes counting_bytes(size_t size) {
  Bytes bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(i);
  return bytes;
}

TEST(Keccak256, MatchesKeccakTeamKnownAnswers) {
  nlohmann::json vectors = load_vectors("eth1/keccak256.json");
  ASSERT_FALSE(vectors["kat"].empty());

  for (const auto& vector : vectors["kat"]) {
    Bytes message = hex(vector["msg_hex"]);
    ASSERT_EQ(message.size(), vector["msg_len_bytes"].get<size_t>());

    EXPECT_EQ(digest_hex(keccak256(message)), vector["digest"])
        << vector["name"];
  }
}

TEST(Keccak256, MatchesEthereumAndRateBoundaryVectors) {
  nlohmann::json vectors = load_vectors("eth1/keccak256.json");
  ASSERT_FALSE(vectors["derived"].empty());

  for (const auto& vector : vectors["derived"]) {
    Bytes message = hex(vector["msg_hex"]);
    ASSERT_EQ(message.size(), vector["msg_len_bytes"].get<size_t>());

    EXPECT_EQ(digest_hex(keccak256(message)), vector["digest"])
        << vector["name"];
  }
}

TEST(Keccak256, DiffersFromFipsSha3256) {
  nlohmann::json vectors = load_vectors("eth1/keccak256.json");
  ASSERT_FALSE(vectors["must_differ_from_sha3"].empty());

  for (const auto& vector : vectors["must_differ_from_sha3"]) {
    Bytes message = hex(vector["msg_hex"]);

    std::string keccak = digest_hex(keccak256(message));
    std::string sha3 = sha3_256_hex(message);

    EXPECT_EQ(sha3, vector["sha3_256"]) << "OpenSSL SHA3-256 disagrees";
    EXPECT_EQ(keccak, vector["keccak256"]) << vector["name"];
    EXPECT_NE(keccak, sha3) << vector["name"];
  }
}

TEST(Keccak256, HashesStringViewsAsTheirBytes) {
  Keccak256Digest digest = keccak256(std::string_view("abc"));

  EXPECT_EQ(digest_hex(digest),
            "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c"
            "45");
}

TEST(Keccak256Hasher, IncrementalDigestEqualsOneShotAtEverySplit) {
  Bytes message = counting_bytes(272);
  Keccak256Digest expected = keccak256(message);

  for (size_t split = 0; split <= message.size(); ++split) {
    Keccak256Hasher hasher;
    hasher.update(ByteView(message.data(), split))
        .update(ByteView(message.data() + split, message.size() - split));

    ASSERT_EQ(hasher.finish(), expected) << "split at " << split;
  }
}

TEST(Keccak256Hasher, ByteByByteDigestEqualsOneShot) {
  nlohmann::json vectors = load_vectors("eth1/keccak256.json");

  for (const char* section : {"kat", "derived"}) {
    for (const auto& vector : vectors[section]) {
      Bytes message = hex(vector["msg_hex"]);
      Keccak256Hasher hasher;
      for (uint8_t byte : message) hasher.update(ByteView(&byte, 1));

      EXPECT_EQ(digest_hex(hasher.finish()), vector["digest"])
          << vector["name"];
    }
  }
}

TEST(Keccak256Hasher, FinishStartsANewMessage) {
  Keccak256Hasher hasher;
  hasher.update(std::string_view("first message"));
  (void)hasher.finish();

  hasher.update(std::string_view("abc"));

  EXPECT_EQ(hasher.finish(), keccak256(std::string_view("abc")));
}

TEST(Keccak256Hasher, EmptyHasherGivesDigestOfEmptyMessage) {
  Keccak256Hasher hasher;

  EXPECT_EQ(digest_hex(hasher.finish()),
            "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a4"
            "70");
}

TEST(Keccak256Hasher, CopyContinuesFromTheSharedPrefix) {
  Keccak256Hasher prefix;
  prefix.update(std::string_view("transfer("));

  Keccak256Hasher copy = prefix;
  copy.update(std::string_view("address,uint256)"));
  prefix.update(std::string_view("address)"));

  EXPECT_EQ(copy.finish(),
            keccak256(std::string_view("transfer(address,uint256)")));
  EXPECT_EQ(prefix.finish(), keccak256(std::string_view("transfer(address)")));
}

TEST(Keccak256Hasher, MovedFromHasherStartsAfresh) {
  Keccak256Hasher source;
  source.update(std::string_view("abc"));

  Keccak256Hasher target = std::move(source);
  source.update(std::string_view("xyz"));  // NOLINT(bugprone-use-after-move)

  EXPECT_EQ(target.finish(), keccak256(std::string_view("abc")));
  EXPECT_EQ(source.finish(), keccak256(std::string_view("xyz")));
}

}  // namespace
}  // namespace pkm::crypto
