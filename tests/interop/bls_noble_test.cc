// Differential tests of pkm's BLS12-381 against @noble/curves: public keys,
// signatures, Verify, point decoding and aggregation must give the answers
// noble gave for the cases bls_noble_cases.mjs wrote (see bls.cmake).
//
// Usage: pkm_bls_interop_tests [gtest flags] CASES.json
//        (or $PKM_BLS_NOBLE_CASES instead of the argument)
//
// Each test walks every case of its kind, collects the disagreements and
// fails once, listing the first few; each also fails when it found nothing to
// compare, so a truncated file cannot pass.
#include <gtest/gtest.h>

#include "tests/interop/oracle_cases.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/bls.h"
#include "crypto/g1.h"
#include "crypto/g2.h"

namespace pkm::crypto {
namespace {

using nlohmann::json;

// The cases file, loaded by main() before any test runs.
json g_cases;

Bytes hex(const json& field) { return pkm::testing::cases_hex(field); }

const json& section(const char* name) {
  return pkm::testing::cases_section(g_cases, name);
}

using pkm::testing::hex_of;

// Disagreements with noble, by case; reports the first few.
class Disagreements : public pkm::testing::Disagreements {
 public:
  Disagreements() : pkm::testing::Disagreements("noble") {}
};

// The ctest fixture generates this many; fewer means a broken generator.
constexpr size_t kMinimumKeys = 1000;

std::string at(const char* name, size_t index, const json& item) {
  std::string where = std::string(name) + "[" + std::to_string(index) + "]";
  if (item.contains("kind")) where += " (" + item["kind"].get<std::string>();
  if (item.contains("tampering")) {
    where += "/" + item["tampering"].get<std::string>();
  }
  if (item.contains("kind")) where += ")";
  return where;
}

std::optional<PublicKey> public_key_of(const json& field) {
  auto key = PublicKey::from_bytes(hex(field));
  if (!key.ok()) return std::nullopt;
  return *key;
}

std::optional<Signature> signature_of(const json& field) {
  auto signature = Signature::from_bytes(hex(field));
  if (!signature.ok()) return std::nullopt;
  return *signature;
}

TEST(BlsAgainstNoble, CasesFileHoldsAThousandKeysForTheEthereumSuite) {
  const json& keys = section("keys");

  size_t count = keys.size();

  EXPECT_GE(count, kMinimumKeys)
      << "regenerate with bls_noble_cases.mjs --cases " << kMinimumKeys;
  EXPECT_EQ(g_cases.at("dst").get<std::string>(), std::string(kBlsDst));
}

TEST(BlsAgainstNoble, PublicKeysEqualNoblesByteForByte) {
  const json& keys = section("keys");
  Disagreements disagreements;

  for (size_t i = 0; i < keys.size(); ++i) {
    auto secret = SecretKey::from_bytes(hex(keys[i]["secret_key"]));
    if (!secret.ok()) {
      disagreements.add(at("keys", i, keys[i]), secret.error().message);
      continue;
    }
    std::string ours = hex_of(secret->public_key().to_bytes());
    std::string noble = keys[i]["public_key"].get<std::string>();
    if (ours != noble) {
      disagreements.add(at("keys", i, keys[i]),
                        "ours " + ours + ", noble " + noble);
    }
  }

  ASSERT_FALSE(keys.empty());
  EXPECT_EQ(disagreements.count(), 0u) << disagreements.summary();
}

TEST(BlsAgainstNoble, SignaturesEqualNoblesByteForByte) {
  const json& keys = section("keys");
  Disagreements disagreements;

  for (size_t i = 0; i < keys.size(); ++i) {
    auto secret = SecretKey::from_bytes(hex(keys[i]["secret_key"]));
    if (!secret.ok()) {
      disagreements.add(at("keys", i, keys[i]), secret.error().message);
      continue;
    }
    std::string ours = hex_of(secret->sign(hex(keys[i]["message"])).to_bytes());
    std::string noble = keys[i]["signature"].get<std::string>();
    if (ours != noble) {
      disagreements.add(at("keys", i, keys[i]),
                        "ours " + ours + ", noble " + noble);
    }
  }

  ASSERT_FALSE(keys.empty());
  EXPECT_EQ(disagreements.count(), 0u) << disagreements.summary();
}

TEST(BlsAgainstNoble, VerifyAgreesWithNobleOnEveryCombination) {
  const json& verifications = section("verifications");
  Disagreements disagreements;

  for (size_t i = 0; i < verifications.size(); ++i) {
    const json& item = verifications[i];
    std::string where = at("verifications", i, item);
    auto public_key = public_key_of(item["public_key"]);
    if (!public_key) {
      disagreements.add(where, "noble's public key does not decode");
      continue;
    }
    auto signature = signature_of(item["signature"]);
    bool noble_decodes = item["signature_decodes"].get<bool>();
    if (signature.has_value() != noble_decodes) {
      disagreements.add(where, std::string("signature decodes: ours ") +
                                   (signature ? "yes" : "no") + ", noble " +
                                   (noble_decodes ? "yes" : "no"));
      continue;
    }
    bool ours =
        signature && verify(*public_key, hex(item["message"]), *signature);
    if (ours != item["valid"].get<bool>()) {
      disagreements.add(
          where, std::string("Verify: ours ") + (ours ? "true" : "false"));
    }
  }

  ASSERT_FALSE(verifications.empty());
  EXPECT_EQ(disagreements.count(), 0u) << disagreements.summary();
}

// Guards the file, not pkm: if noble's answers were all alike, agreeing with
// them would prove little.
TEST(BlsAgainstNoble, VerificationCasesCoverBothAnswersOfEachKind) {
  const json& verifications = section("verifications");
  std::map<std::string, std::map<bool, size_t>> answers;

  for (const json& item : verifications) {
    ++answers[item["kind"].get<std::string>()][item["valid"].get<bool>()];
  }

  EXPECT_GT(answers["valid"][true], 0u);
  EXPECT_EQ(answers["valid"][false], 0u);
  for (const char* kind :
       {"wrong_message", "wrong_key", "tampered_signature"}) {
    EXPECT_GT(answers[kind][false], 0u) << kind;
    EXPECT_EQ(answers[kind][true], 0u) << kind;
  }
}

// "accepted", or why the group's decoder refused the bytes.
std::string verdict_of(const std::string& section_name, const Bytes& bytes) {
  if (section_name == "g1_decodings") {
    auto point = g1_decompress(bytes);
    return point.ok() ? "accepted" : point.error().message;
  }
  auto point = g2_decompress(bytes);
  return point.ok() ? "accepted" : point.error().message;
}

std::string noble_verdict_of(const json& item) {
  return item["accepted"].get<bool>() ? "accepted"
                                      : item["noble_error"].get<std::string>();
}

// Compares one group's decoder with noble's verdicts. `decode` returns the
// compressed re-encoding, or nullopt when it refuses the bytes.
template <class Decode>
void expect_decoding_agrees(const char* name, Decode decode) {
  const json& cases = section(name);
  Disagreements disagreements;
  size_t compared = 0;

  for (size_t i = 0; i < cases.size(); ++i) {
    const json& item = cases[i];
    if (item["kind"] == "uncompressed") continue;  // see its own test
    ++compared;
    std::optional<std::string> ours = decode(hex(item["bytes"]));
    bool noble_accepts = item["accepted"].get<bool>();
    if (ours.has_value() != noble_accepts) {
      disagreements.add(at(name, i, item),
                        std::string("ours ") + (ours ? "accepts" : "refuses") +
                            ", noble: " + noble_verdict_of(item) + "; " +
                            item["bytes"].get<std::string>());
      continue;
    }
    if (ours && *ours != item["reencoded"].get<std::string>()) {
      disagreements.add(at(name, i, item),
                        "re-encoded: ours " + *ours + ", noble " +
                            item["reencoded"].get<std::string>());
    }
  }

  ASSERT_GT(compared, 0u);
  EXPECT_EQ(disagreements.count(), 0u) << disagreements.summary();
}

// Decoders under test: the compressed re-encoding, or nullopt on refusal.
std::optional<std::string> g1_reencoded(const Bytes& bytes) {
  auto point = g1_decompress(bytes);
  if (!point.ok()) return std::nullopt;
  return hex_of(g1_compress(*point));
}

std::optional<std::string> g2_reencoded(const Bytes& bytes) {
  auto point = g2_decompress(bytes);
  if (!point.ok()) return std::nullopt;
  return hex_of(g2_compress(*point));
}

std::optional<std::string> signature_reencoded(const Bytes& bytes) {
  auto signature = Signature::from_bytes(bytes);
  if (!signature.ok()) return std::nullopt;
  return hex_of(signature->to_bytes());
}

TEST(BlsAgainstNoble, G1DecodingAcceptsAndRefusesWhatNobleDoes) {
  expect_decoding_agrees("g1_decodings", g1_reencoded);
}

TEST(BlsAgainstNoble, G2DecodingAcceptsAndRefusesWhatNobleDoes) {
  expect_decoding_agrees("g2_decodings", g2_reencoded);
}

TEST(BlsAgainstNoble, SignatureDecodingAcceptsAndRefusesWhatNobleDoes) {
  expect_decoding_agrees("g2_decodings", signature_reencoded);
}

// KeyValidate is noble's G1 decoding plus refusing the point at infinity.
TEST(BlsAgainstNoble, PublicKeyDecodingRefusesWhatNobleRefusesAndInfinity) {
  const json& cases = section("g1_decodings");
  Disagreements disagreements;
  size_t infinities = 0;

  for (size_t i = 0; i < cases.size(); ++i) {
    const json& item = cases[i];
    if (item["kind"] == "uncompressed") continue;
    bool infinity =
        item["accepted"].get<bool>() && item["infinity"].get<bool>();
    infinities += infinity;
    bool expected = item["accepted"].get<bool>() && !infinity;
    bool ours = PublicKey::from_bytes(hex(item["bytes"])).ok();
    if (ours != expected) {
      disagreements.add(at("g1_decodings", i, item),
                        std::string("ours ") + (ours ? "accepts" : "refuses"));
    }
  }

  EXPECT_GT(infinities, 0u);
  EXPECT_EQ(disagreements.count(), 0u) << disagreements.summary();
}

// The random points on the curve are the cases most likely to slip through
// a decoder that skips the subgroup check; both sides must refuse them for
// that reason, not an earlier one.
TEST(BlsAgainstNoble, PointsOutsideTheSubgroupAreRefusedForThatReason) {
  Disagreements disagreements;
  size_t compared = 0;

  for (const char* name : {"g1_decodings", "g2_decodings"}) {
    const json& cases = section(name);
    for (size_t i = 0; i < cases.size(); ++i) {
      const json& item = cases[i];
      if (item["kind"] != "not_in_subgroup") continue;
      ++compared;
      std::string ours = verdict_of(name, hex(item["bytes"]));
      std::string noble = noble_verdict_of(item);
      if (ours.find("subgroup") == std::string::npos ||
          noble.find("subgroup") == std::string::npos) {
        disagreements.add(at(name, i, item),
                          "ours: " + ours + "; noble: " + noble);
      }
    }
  }

  EXPECT_GE(compared, 40u);
  EXPECT_EQ(disagreements.count(), 0u) << disagreements.summary();
}

// Ethereum keys and signatures are compressed only. Noble's general G1
// decoder also reads the 96-byte uncompressed form (its signature decoder
// does not); pkm refuses both, a deliberate difference.
TEST(BlsAgainstNoble, UncompressedEncodingsAreRefused) {
  size_t compared = 0;

  for (const char* name : {"g1_decodings", "g2_decodings"}) {
    for (const json& item : section(name)) {
      if (item["kind"] != "uncompressed") continue;
      ++compared;
      Bytes bytes = hex(item["bytes"]);
      bool key_decodes = PublicKey::from_bytes(bytes).ok();
      bool signature_decodes = Signature::from_bytes(bytes).ok();

      EXPECT_NE(verdict_of(name, bytes), "accepted")
          << name << ", noble: " << noble_verdict_of(item);
      EXPECT_FALSE(key_decodes || signature_decodes) << name;
    }
  }

  EXPECT_EQ(compared, 2u);
}

TEST(BlsAgainstNoble, AggregateSignaturesEqualNobles) {
  Disagreements disagreements;
  size_t compared = 0;

  for (const char* name : {"fast_aggregates", "aggregate_verifications"}) {
    const json& cases = section(name);
    for (size_t i = 0; i < cases.size(); ++i) {
      std::vector<Signature> signatures;
      for (const json& text : cases[i]["signatures"]) {
        auto signature = signature_of(text);
        if (signature) signatures.push_back(*signature);
      }
      ++compared;
      auto sum = aggregate(signatures);
      std::string ours =
          sum.ok() ? hex_of(sum->to_bytes()) : sum.error().message;
      std::string noble = cases[i]["aggregate_signature"].get<std::string>();
      if (signatures.size() != cases[i]["signatures"].size() || ours != noble) {
        disagreements.add(at(name, i, cases[i]),
                          "ours " + ours + ", noble " + noble);
      }
    }
  }

  ASSERT_GT(compared, 0u);
  EXPECT_EQ(disagreements.count(), 0u) << disagreements.summary();
}

std::vector<PublicKey> public_keys_of(const json& list) {
  std::vector<PublicKey> keys;
  for (const json& text : list) {
    auto key = public_key_of(text);
    if (!key) throw std::runtime_error("noble's public key does not decode");
    keys.push_back(*key);
  }
  return keys;
}

TEST(BlsAgainstNoble, FastAggregateVerifyAgreesWithNoble) {
  const json& cases = section("fast_aggregates");
  Disagreements disagreements;

  for (size_t i = 0; i < cases.size(); ++i) {
    const json& item = cases[i];
    auto signature = signature_of(item["aggregate_signature"]);
    bool ours =
        signature && fast_aggregate_verify(public_keys_of(item["public_keys"]),
                                           hex(item["message"]), *signature);
    if (ours != item["valid"].get<bool>()) {
      disagreements.add(at("fast_aggregates", i, item),
                        std::string("ours ") + (ours ? "true" : "false"));
    }
  }

  ASSERT_FALSE(cases.empty());
  EXPECT_EQ(disagreements.count(), 0u) << disagreements.summary();
}

TEST(BlsAgainstNoble, AggregateVerifyAgreesWithNoble) {
  const json& cases = section("aggregate_verifications");
  Disagreements disagreements;

  for (size_t i = 0; i < cases.size(); ++i) {
    const json& item = cases[i];
    std::vector<Bytes> messages;
    for (const json& text : item["messages"]) messages.push_back(hex(text));
    auto signature = signature_of(item["aggregate_signature"]);
    bool ours =
        signature && aggregate_verify(public_keys_of(item["public_keys"]),
                                      messages, *signature);
    if (ours != item["valid"].get<bool>()) {
      disagreements.add(at("aggregate_verifications", i, item),
                        std::string("ours ") + (ours ? "true" : "false"));
    }
  }

  ASSERT_FALSE(cases.empty());
  EXPECT_EQ(disagreements.count(), 0u) << disagreements.summary();
}

}  // namespace
}  // namespace pkm::crypto

int main(int argc, char** argv) {
  return pkm::testing::run_with_cases_file(
      argc, argv, "PKM_BLS_NOBLE_CASES", "noble",
      "tests/interop/bls_noble_cases.mjs", &pkm::crypto::g_cases);
}
