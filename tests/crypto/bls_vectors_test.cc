// The published BLS vectors of ../shared/vectors/bls and hash_to_curve.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "crypto/bls.h"
#include "crypto/hash_to_curve.h"
#include "tests/support/test_support.h"

namespace pkm::crypto {
namespace {

using pkm::testing::hex;
using pkm::testing::load_vectors;
using nlohmann::json;

std::optional<PublicKey> parse_public_key(const std::string& text) {
  auto bytes = from_hex(text);
  if (!bytes.ok()) return std::nullopt;
  auto key = PublicKey::from_bytes(*bytes);
  if (!key.ok()) return std::nullopt;
  return *key;
}

std::optional<Signature> parse_signature(const std::string& text) {
  auto bytes = from_hex(text);
  if (!bytes.ok()) return std::nullopt;
  auto signature = Signature::from_bytes(*bytes);
  if (!signature.ok()) return std::nullopt;
  return *signature;
}

// Parses "c0,c1" big-endian hex into Fp2.
Fp2 parse_fp2(const std::string& text) {
  size_t comma = text.find(',');
  Bytes c0 = hex(text.substr(0, comma));
  Bytes c1 = hex(text.substr(comma + 1));
  EXPECT_EQ(c0.size(), 48u);
  EXPECT_EQ(c1.size(), 48u);
  bool ok0 = false;
  bool ok1 = false;
  Fp2 out{Fp::from_big_endian(c0.data(), &ok0),
          Fp::from_big_endian(c1.data(), &ok1)};
  EXPECT_TRUE(ok0 && ok1);
  return out;
}

void expect_affine(const G2& point, const json& expected) {
  Fp2 x, y;
  point.to_affine(&x, &y);
  EXPECT_TRUE(x == parse_fp2(expected["x"].get<std::string>()));
  EXPECT_TRUE(y == parse_fp2(expected["y"].get<std::string>()));
}

ByteView text_bytes(const std::string& text) { return ByteView(text); }

TEST(BlsVectors, SkToPkMatchesEveryValidCase) {
  json vectors = load_vectors("bls/sk_to_pk.json");

  for (const json& c : vectors["valid"]) {
    auto secret = SecretKey::from_bytes(hex(c["privkey"]));
    ASSERT_TRUE(secret.ok()) << secret.error().message;
    EXPECT_EQ(to_hex(ByteView(secret->public_key().to_bytes().data(), 48)),
              c["pubkey"].get<std::string>());
  }
}

TEST(BlsVectors, SkToPkRefusesZeroAndKeysNotBelowR) {
  json vectors = load_vectors("bls/sk_to_pk.json");

  ASSERT_EQ(vectors["invalid"].size(), 3u);
  for (const json& c : vectors["invalid"]) {
    auto secret = SecretKey::from_bytes(hex(c["privkey"]));
    ASSERT_FALSE(secret.ok()) << c["reason"];
    EXPECT_EQ(secret.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(secret.error().message.find("0 < key < r"), std::string::npos);
  }
}

TEST(BlsVectors, SignMatchesEveryCase) {
  json vectors = load_vectors("bls/sign.json");

  int checked = 0;
  for (const json& c : vectors["cases"]) {
    auto secret = SecretKey::from_bytes(hex(c["input"]["privkey"]));
    if (c["output"].is_null()) {
      EXPECT_FALSE(secret.ok()) << c["name"];
      continue;
    }
    ASSERT_TRUE(secret.ok()) << c["name"];
    Signature signature = secret->sign(hex(c["input"]["message"]));
    EXPECT_EQ(to_hex(ByteView(signature.to_bytes().data(), 96)),
              c["output"].get<std::string>())
        << c["name"];
    ++checked;
  }
  EXPECT_EQ(checked, 9);
}

TEST(BlsVectors, VerifyMatchesEveryCase) {
  json vectors = load_vectors("bls/verify.json");

  for (const json& c : vectors["cases"]) {
    auto key = parse_public_key(c["input"]["pubkey"]);
    auto signature = parse_signature(c["input"]["signature"]);
    bool result = key && signature &&
                  verify(*key, hex(c["input"]["message"]), *signature);
    EXPECT_EQ(result, c["output"].get<bool>()) << c["name"];
  }
}

TEST(BlsVectors, AggregateMatchesEveryCase) {
  json vectors = load_vectors("bls/aggregate.json");

  for (const json& c : vectors["cases"]) {
    std::vector<Signature> signatures;
    bool all_decoded = true;
    for (const json& text : c["input"]) {
      auto signature = parse_signature(text);
      all_decoded &= signature.has_value();
      if (signature) signatures.push_back(*signature);
    }
    auto result = aggregate(signatures);
    if (c["output"].is_null()) {
      EXPECT_FALSE(all_decoded && result.ok()) << c["name"];
      continue;
    }
    ASSERT_TRUE(all_decoded && result.ok()) << c["name"];
    EXPECT_EQ(to_hex(ByteView(result->to_bytes().data(), 96)),
              c["output"].get<std::string>())
        << c["name"];
  }
}

TEST(BlsVectors, FastAggregateVerifyMatchesEveryCase) {
  json vectors = load_vectors("bls/fast_aggregate_verify.json");

  for (const json& c : vectors["cases"]) {
    std::vector<PublicKey> keys;
    bool all_decoded = true;
    for (const json& text : c["input"]["pubkeys"]) {
      auto key = parse_public_key(text);
      all_decoded &= key.has_value();
      if (key) keys.push_back(*key);
    }
    auto signature = parse_signature(c["input"]["signature"]);
    bool result = all_decoded && signature &&
                  fast_aggregate_verify(keys, hex(c["input"]["message"]),
                                        *signature);
    EXPECT_EQ(result, c["output"].get<bool>()) << c["name"];
  }
}

TEST(BlsVectors, AggregateVerifyMatchesEveryCase) {
  json vectors = load_vectors("bls/aggregate_verify.json");

  for (const json& c : vectors["cases"]) {
    std::vector<PublicKey> keys;
    std::vector<Bytes> messages;
    bool all_decoded = true;
    for (const json& text : c["input"]["pubkeys"]) {
      auto key = parse_public_key(text);
      all_decoded &= key.has_value();
      if (key) keys.push_back(*key);
    }
    for (const json& text : c["input"]["messages"]) {
      messages.push_back(hex(text));
    }
    auto signature = parse_signature(c["input"]["signature"]);
    bool result = all_decoded && signature &&
                  aggregate_verify(keys, messages, *signature);
    EXPECT_EQ(result, c["output"].get<bool>()) << c["name"];
  }
}

TEST(BlsVectors, BatchOfTriplesVerifiesOnlyWhenEveryTripleDoes) {
  json vectors = load_vectors("bls/batch_verify.json");

  for (const json& c : vectors["cases"]) {
    const json& input = c["input"];
    bool result = !input["pubkeys"].empty();
    for (size_t i = 0; i < input["pubkeys"].size(); ++i) {
      auto key = parse_public_key(input["pubkeys"][i]);
      auto signature = parse_signature(input["signatures"][i]);
      result &= key && signature &&
                verify(*key, hex(input["messages"][i]), *signature);
    }
    EXPECT_EQ(result, c["output"].get<bool>()) << c["name"];
  }
}

TEST(BlsVectors, G1DeserializationMatchesEveryCase) {
  json vectors = load_vectors("bls/deserialization_G1.json");

  for (const json& c : vectors["cases"]) {
    auto bytes = from_hex(c["input"]["pubkey"].get<std::string>());
    bool decoded = bytes.ok() && g1_decompress(*bytes).ok();
    EXPECT_EQ(decoded, c["output"].get<bool>()) << c["name"];
  }
}

TEST(BlsVectors, G2DeserializationMatchesEveryCase) {
  json vectors = load_vectors("bls/deserialization_G2.json");

  for (const json& c : vectors["cases"]) {
    auto bytes = from_hex(c["input"]["signature"].get<std::string>());
    bool decoded = bytes.ok() && g2_decompress(*bytes).ok();
    EXPECT_EQ(decoded, c["output"].get<bool>()) << c["name"];
  }
}

TEST(BlsVectors, HashToG2WithTestDstMatchesEveryCase) {
  json vectors = load_vectors("bls/hash_to_G2.json");
  const std::string dst = "QUUX-V01-CS02-with-BLS12381G2_XMD:SHA-256_SSWU_RO_";

  for (const json& c : vectors["cases"]) {
    std::string message = c["input"]["msg"];
    auto point = hash_to_g2(text_bytes(message), text_bytes(dst));
    ASSERT_TRUE(point.ok());
    expect_affine(*point, c["output"]);
  }
}

TEST(BlsVectors, HashToG2WithPopDstMatchesEveryCase) {
  json vectors = load_vectors("bls/hash_to_G2_pop_dst.json");

  for (const json& c : vectors["cases"]) {
    auto point = hash_to_g2(hex(c["msg"]), text_bytes(kBlsDst));
    ASSERT_TRUE(point.ok());
    expect_affine(*point, c);
    EXPECT_EQ(to_hex(ByteView(g2_compress(*point).data(), 96)),
              c["compressed"].get<std::string>());
  }
}

TEST(HashToCurveVectors, Rfc9380SuiteMatchesFieldMapAndPoint) {
  json vectors =
      load_vectors("hash_to_curve/BLS12381G2_XMD-SHA-256_SSWU_RO_.json");
  std::string dst = vectors["dst"];

  ASSERT_EQ(vectors["vectors"].size(), 5u);
  for (const json& v : vectors["vectors"]) {
    std::string message = v["msg"];
    auto u = hash_to_field_fp2(text_bytes(message), text_bytes(dst));
    ASSERT_TRUE(u.ok());
    EXPECT_TRUE((*u)[0] == parse_fp2(v["u"][0])) << message;
    EXPECT_TRUE((*u)[1] == parse_fp2(v["u"][1])) << message;
    expect_affine(map_to_curve_g2((*u)[0]), v["Q0"]);
    expect_affine(map_to_curve_g2((*u)[1]), v["Q1"]);
    expect_affine(hash_to_g2(text_bytes(message), text_bytes(dst)).value(),
                  v["P"]);
  }
}

void check_expander_file(const std::string& file) {
  json vectors = load_vectors(file);
  std::string dst = vectors["DST"];

  ASSERT_EQ(vectors["tests"].size(), 10u);
  for (const json& t : vectors["tests"]) {
    std::string message = t["msg"];
    size_t length = std::stoul(t["len_in_bytes"].get<std::string>(), nullptr,
                               16);
    auto uniform = expand_message_xmd(text_bytes(message), text_bytes(dst),
                                      length);
    ASSERT_TRUE(uniform.ok());
    EXPECT_EQ(to_hex(*uniform, false), t["uniform_bytes"].get<std::string>())
        << file << " msg=" << message;
  }
}

TEST(HashToCurveVectors, ExpandMessageXmdShortDst) {
  check_expander_file("hash_to_curve/expand_message_xmd_SHA256_38.json");
}

TEST(HashToCurveVectors, ExpandMessageXmdLongDstIsHashedFirst) {
  check_expander_file("hash_to_curve/expand_message_xmd_SHA256_256.json");
}

TEST(HashToCurve, ExpandRefusesEmptyDstAndOversizedOutput) {
  auto empty_dst = expand_message_xmd(ByteView(std::string_view("m")),
                                      ByteView(), 32);
  auto too_long = expand_message_xmd(ByteView(std::string_view("m")),
                                     ByteView(std::string_view("D")), 8161);

  EXPECT_FALSE(empty_dst.ok());
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.error().message.find("8160"), std::string::npos);
}

}  // namespace
}  // namespace pkm::crypto
