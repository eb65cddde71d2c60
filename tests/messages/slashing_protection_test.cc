// EIP-3076 interchange documents: parsing, the release check, per-key
// split, merge and minimal form. ../shared/vectors holds no EIP-3076 files
// (see its README), so the documents here are written inline; their keys
// and roots are arbitrary bytes (nothing here checks curve points).
#include "messages/slashing_protection.h"

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace pkm::messages {
namespace {

using Json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// 0x + `bytes` bytes of `pattern` (two hex digits).
std::string hex_of_size(size_t bytes, const std::string& pattern) {
  std::string out = "0x";
  for (size_t i = 0; i < bytes; ++i) out += pattern;
  return out;
}

// 48 raw bytes whose hex is hex_of_size(48, pattern).
std::string raw_key(uint8_t byte) { return std::string(48, char(byte)); }

const std::string kRoot = hex_of_size(32, "4a");
const std::string kOtherRoot = hex_of_size(32, "5b");
const std::string kKeyA = hex_of_size(48, "a1");
const std::string kKeyB = hex_of_size(48, "b2");
const std::string kKeyC = hex_of_size(48, "c3");
const std::string kBlockRoot = hex_of_size(32, "0d");
const std::string kAttestationRoot = hex_of_size(32, "0e");

// Two keys: A signed two blocks and two attestations (one of each with a
// signing root); B signed one attestation and no block.
Json sample_document() {
  return Json{
      {"metadata",
       {{"interchange_format_version", "5"},
        {"genesis_validators_root", kRoot}}},
      {"data",
       Json::array(
           {{{"pubkey", kKeyA},
             {"signed_blocks",
              Json::array({{{"slot", "70001"}, {"signing_root", kBlockRoot}},
                           {{"slot", "70000"}}})},
             {"signed_attestations",
              Json::array({{{"source_epoch", "2100"},
                            {"target_epoch", "2188"},
                            {"signing_root", kAttestationRoot}},
                           {{"source_epoch", "2100"},
                            {"target_epoch", "2187"}}})}},
            {{"pubkey", kKeyB},
             {"signed_blocks", Json::array()},
             {"signed_attestations",
              Json::array(
                  {{{"source_epoch", "0"}, {"target_epoch", "1"}}})}}})}};
}

Interchange parse_ok(const std::string& text) {
  auto parsed = parse_interchange(text);
  EXPECT_TRUE(parsed.ok()) << parsed.error().to_string();
  return parsed.ok() ? *parsed : Interchange();
}

std::string error_of(const std::string& text) {
  auto parsed = parse_interchange(text);
  EXPECT_FALSE(parsed.ok()) << text;
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  return parsed.error().message;
}

Bytes32 root_of(uint8_t byte) {
  Bytes32 root;
  root.fill(byte);
  return root;
}

TEST(SlashingProtection, ParsesEveryFieldOfACompleteDocument) {
  Interchange interchange = parse_ok(sample_document().dump());

  EXPECT_EQ(interchange.genesis_validators_root, root_of(0x4a));
  ASSERT_EQ(interchange.data.size(), 2u);
  const InterchangeEntry& a = interchange.data[0];
  EXPECT_EQ(std::string(a.pubkey.begin(), a.pubkey.end()), raw_key(0xa1));
  ASSERT_EQ(a.signed_blocks.size(), 2u);
  EXPECT_EQ(a.signed_blocks[0].slot, 70001u);
  EXPECT_EQ(a.signed_blocks[0].signing_root, root_of(0x0d));
  EXPECT_EQ(a.signed_blocks[1].slot, 70000u);
  EXPECT_FALSE(a.signed_blocks[1].signing_root.has_value());
  ASSERT_EQ(a.signed_attestations.size(), 2u);
  EXPECT_EQ(a.signed_attestations[0].source_epoch, 2100u);
  EXPECT_EQ(a.signed_attestations[0].target_epoch, 2188u);
  EXPECT_EQ(a.signed_attestations[0].signing_root, root_of(0x0e));
  EXPECT_FALSE(a.signed_attestations[1].signing_root.has_value());
  EXPECT_TRUE(interchange.data[1].signed_blocks.empty());
  EXPECT_EQ(interchange.data[1].signed_attestations[0].target_epoch, 1u);
}

TEST(SlashingProtection, SerializedDocumentParsesBackToTheSameInterchange) {
  Interchange original = parse_ok(sample_document().dump());

  std::string compact = serialize_interchange(original);
  std::string indented =
      serialize_interchange(original, JsonLayout::kIndented);

  EXPECT_EQ(parse_ok(compact), original);
  EXPECT_EQ(parse_ok(indented), original);
  EXPECT_EQ(Json::parse(compact), sample_document());
  EXPECT_EQ(compact.find(' '), std::string::npos);
  EXPECT_EQ(indented.back(), '\n');
}

TEST(SlashingProtection, SerializerKeepsTheFieldOrderOfTheEip) {
  Interchange interchange = parse_ok(sample_document().dump());

  std::string text = serialize_interchange(interchange);

  EXPECT_THAT(text, StartsWith(R"({"metadata":{"interchange_format_version":)"
                               R"("5","genesis_validators_root":")"));
  EXPECT_THAT(text, HasSubstr(R"({"pubkey":")" + kKeyA +
                              R"(","signed_blocks":[{"slot":"70001",)"
                              R"("signing_root":")"));
  EXPECT_THAT(text, HasSubstr(R"({"source_epoch":"2100","target_epoch":)"
                              R"("2187"})"));
}

TEST(SlashingProtection, EmptyDataIsAValidDocument) {
  Json document = sample_document();
  document["data"] = Json::array();

  Interchange interchange = parse_ok(document.dump());

  EXPECT_TRUE(interchange.data.empty());
  EXPECT_EQ(interchange.genesis_validators_root, root_of(0x4a));
}

TEST(SlashingProtection, LargestDecimalsAndUpperCaseHexAreAccepted) {
  Json document = sample_document();
  document["data"][0]["signed_blocks"][0]["slot"] = "18446744073709551615";
  document["data"][0]["signed_blocks"][1]["slot"] = "007";
  document["data"][0]["pubkey"] = hex_of_size(48, "A1");

  Interchange interchange = parse_ok(document.dump());

  EXPECT_EQ(interchange.data[0].signed_blocks[0].slot, UINT64_MAX);
  EXPECT_EQ(interchange.data[0].signed_blocks[1].slot, 7u);
  EXPECT_THAT(serialize_interchange(interchange), HasSubstr(kKeyA));
}

TEST(SlashingProtection, UnknownFieldsAreAcceptedAndDropped) {
  Json document = sample_document();
  document["exported_by"] = "some validator client";
  document["metadata"]["note"] = 1;
  document["data"][0]["index"] = "17";
  document["data"][0]["signed_blocks"][1]["proposer"] = true;

  Interchange interchange = parse_ok(document.dump());

  EXPECT_EQ(interchange, parse_ok(sample_document().dump()));
  EXPECT_EQ(serialize_interchange(interchange).find("exported_by"),
            std::string::npos);
}

TEST(SlashingProtection, EntriesOfOneKeyAreMergedKeepingEveryRecord) {
  Json document = sample_document();
  document["data"].push_back(
      {{"pubkey", kKeyA},
       {"signed_blocks", Json::array({{{"slot", "80000"}}})},
       {"signed_attestations", Json::array()}});

  Interchange interchange = parse_ok(document.dump());

  ASSERT_EQ(interchange.data.size(), 2u);
  ASSERT_EQ(interchange.data[0].signed_blocks.size(), 3u);
  EXPECT_EQ(interchange.data[0].signed_blocks[2].slot, 80000u);
  EXPECT_EQ(interchange.data[0].signed_attestations.size(), 2u);
}

// One malformed document: a change to sample_document() and the message
// it must get, which starts with the path of the bad field.
struct Malformed {
  std::string name;
  std::string pointer;  // JSON pointer into sample_document()
  std::optional<Json> value;  // nullopt: remove the field
  std::string message_start;
  std::string allowed;
};

std::ostream& operator<<(std::ostream& out, const Malformed& malformed) {
  return out << malformed.name;
}

class MalformedField : public ::testing::TestWithParam<Malformed> {};

TEST_P(MalformedField, IsRefusedNamingItsPathAndWhatIsAllowed) {
  const Malformed& malformed = GetParam();
  Json document = sample_document();
  Json::json_pointer pointer(malformed.pointer);
  if (malformed.value) {
    document[pointer] = *malformed.value;
  } else {
    document[pointer.parent_pointer()].erase(pointer.back());
  }

  std::string message = error_of(document.dump());

  EXPECT_THAT(message, StartsWith(malformed.message_start));
  EXPECT_THAT(message, HasSubstr("; allowed: " + malformed.allowed));
}

const char kDecimal[] = "a string of decimal digits from \"0\" to";

INSTANTIATE_TEST_SUITE_P(
    EveryField, MalformedField,
    ::testing::Values(
        Malformed{"OldVersion", "/metadata/interchange_format_version",
                  Json("4"),
                  "metadata.interchange_format_version is \"4\"", "\"5\""},
        Malformed{"VersionAsNumber", "/metadata/interchange_format_version",
                  Json(5),
                  "metadata.interchange_format_version is the number 5",
                  "\"5\""},
        Malformed{"NoVersion", "/metadata/interchange_format_version",
                  std::nullopt,
                  "metadata.interchange_format_version is missing", "\"5\""},
        Malformed{"NoMetadata", "/metadata", std::nullopt,
                  "metadata is missing", "an object"},
        Malformed{"MetadataArray", "/metadata", Json::array(),
                  "metadata is an array", "an object"},
        Malformed{"NoRoot", "/metadata/genesis_validators_root",
                  std::nullopt, "metadata.genesis_validators_root is missing",
                  "0x-prefixed hex"},
        Malformed{"ShortRoot", "/metadata/genesis_validators_root",
                  Json(hex_of_size(31, "4a")),
                  "metadata.genesis_validators_root is \"0x4a4a",
                  "0x followed by 64 hex digits (32 bytes)"},
        Malformed{"RootWithout0x", "/metadata/genesis_validators_root",
                  Json(std::string(64, '4')),
                  "metadata.genesis_validators_root is \"4444",
                  "0x followed by 64"},
        Malformed{"RootNotHex", "/metadata/genesis_validators_root",
                  Json(hex_of_size(32, "zz")),
                  "metadata.genesis_validators_root is \"0xzz",
                  "0x followed by 64"},
        Malformed{"NoData", "/data", std::nullopt, "data is missing",
                  "an array"},
        Malformed{"DataObject", "/data", Json::object(),
                  "data is an object", "an array"},
        Malformed{"EntryString", "/data/1", Json("0x"),
                  "data[1] is \"0x\"", "an object with \"pubkey\""},
        Malformed{"NoPubkey", "/data/1/pubkey", std::nullopt,
                  "data[1].pubkey is missing", "0x-prefixed hex"},
        Malformed{"ShortPubkey", "/data/1/pubkey",
                  Json(hex_of_size(47, "b2")), "data[1].pubkey is \"0xb2",
                  "0x followed by 96 hex digits (48 bytes)"},
        Malformed{"PubkeyNumber", "/data/1/pubkey", Json(12),
                  "data[1].pubkey is the number 12", "0x followed by 96"},
        Malformed{"NoBlocks", "/data/0/signed_blocks", std::nullopt,
                  "data[0].signed_blocks is missing", "an array"},
        Malformed{"AttestationsNull", "/data/0/signed_attestations",
                  Json(nullptr), "data[0].signed_attestations is null",
                  "an array"},
        Malformed{"BlockArray", "/data/0/signed_blocks/1", Json::array(),
                  "data[0].signed_blocks[1] is an array",
                  "an object with \"slot\""},
        Malformed{"NoSlot", "/data/0/signed_blocks/1/slot", std::nullopt,
                  "data[0].signed_blocks[1].slot is missing", kDecimal},
        Malformed{"SlotNumber", "/data/0/signed_blocks/0/slot", Json(70001),
                  "data[0].signed_blocks[0].slot is the number 70001",
                  kDecimal},
        Malformed{"SlotNegative", "/data/0/signed_blocks/0/slot", Json("-1"),
                  "data[0].signed_blocks[0].slot is \"-1\", not a decimal",
                  kDecimal},
        Malformed{"SlotPlus", "/data/0/signed_blocks/0/slot", Json("+1"),
                  "data[0].signed_blocks[0].slot is \"+1\"", kDecimal},
        Malformed{"SlotFraction", "/data/0/signed_blocks/0/slot",
                  Json("1.5"), "data[0].signed_blocks[0].slot is \"1.5\"",
                  kDecimal},
        Malformed{"SlotEmpty", "/data/0/signed_blocks/0/slot", Json(""),
                  "data[0].signed_blocks[0].slot is \"\"", kDecimal},
        Malformed{"SlotSpace", "/data/0/signed_blocks/0/slot", Json(" 1"),
                  "data[0].signed_blocks[0].slot is \" 1\"", kDecimal},
        Malformed{"SlotHex", "/data/0/signed_blocks/0/slot", Json("0x10"),
                  "data[0].signed_blocks[0].slot is \"0x10\"", kDecimal},
        Malformed{"SlotTooLarge", "/data/0/signed_blocks/0/slot",
                  Json("18446744073709551616"),
                  "data[0].signed_blocks[0].slot is "
                  "\"18446744073709551616\", above 2^64 - 1",
                  kDecimal},
        Malformed{"BlockRootNull", "/data/0/signed_blocks/0/signing_root",
                  Json(nullptr),
                  "data[0].signed_blocks[0].signing_root is null",
                  "0x followed by 64"},
        Malformed{"BlockRootShort", "/data/0/signed_blocks/0/signing_root",
                  Json("0x0d"),
                  "data[0].signed_blocks[0].signing_root is \"0x0d\", 2 hex",
                  "0x followed by 64"},
        Malformed{"NoSourceEpoch",
                  "/data/1/signed_attestations/0/source_epoch", std::nullopt,
                  "data[1].signed_attestations[0].source_epoch is missing",
                  kDecimal},
        Malformed{"TargetEpochWord",
                  "/data/1/signed_attestations/0/target_epoch", Json("abc"),
                  "data[1].signed_attestations[0].target_epoch is \"abc\"",
                  kDecimal},
        Malformed{"AttestationRootWithout0x",
                  "/data/0/signed_attestations/0/signing_root",
                  Json(std::string(64, 'e')),
                  "data[0].signed_attestations[0].signing_root is \"eeee",
                  "0x followed by 64"},
        Malformed{"SourceAboveTarget",
                  "/data/0/signed_attestations/1/source_epoch",
                  Json("2188"),
                  "data[0].signed_attestations[1].source_epoch is 2188, "
                  "above target_epoch 2187",
                  "a source epoch at most the target epoch"}),
    [](const ::testing::TestParamInfo<Malformed>& info) {
      return info.param.name;
    });

TEST(SlashingProtection, DocumentThatIsNotAnObjectIsRefused) {
  EXPECT_THAT(error_of("[]"), StartsWith("interchange is an array"));
  EXPECT_THAT(error_of("\"5\""), StartsWith("interchange is \"5\""));
  EXPECT_THAT(error_of("{\"metadata\":"),
              StartsWith("interchange is not valid JSON (syntax error"));
  EXPECT_THAT(error_of(""), StartsWith("interchange is not valid JSON"));
}

TEST(SlashingProtection, FieldGivenTwiceIsRefusedNamingItsPath) {
  std::string text = sample_document().dump();
  std::string slot = R"("slot":"70000")";
  text.replace(text.find(slot), slot.size(), slot + R"(,"slot":"1")");

  std::string message = error_of(text);

  EXPECT_THAT(message,
              StartsWith("data[0].signed_blocks[1].slot is given more than "
                         "once"));
}

TEST(SlashingProtection, TopLevelFieldGivenTwiceIsRefused) {
  std::string text = sample_document().dump();
  text.insert(text.size() - 1, R"(,"data":[])");

  EXPECT_THAT(error_of(text), StartsWith("data is given more than once"));
}

TEST(SlashingProtection, LongValuesAreCutInMessages) {
  Json document = sample_document();
  document["data"][0]["pubkey"] = std::string(5000, 'q');

  std::string message = error_of(document.dump());

  EXPECT_LT(message.size(), 300u);
  EXPECT_THAT(message, HasSubstr("...,"));
}

// ---------------------------------------------------------------------------
// The release check

TEST(SlashingProtection, ReleaseOfThePodsOwnKeysPasses) {
  Interchange interchange = parse_ok(sample_document().dump());

  Status status = check_release_interchange(
      interchange, "validator-0", {raw_key(0xc3), raw_key(0xb2), raw_key(0xa1)},
      root_of(0x4a));

  EXPECT_TRUE(status.ok()) << status.error().to_string();
}

TEST(SlashingProtection, ReleaseNamingAForeignKeyIsRefusedNamingIt) {
  Interchange interchange = parse_ok(sample_document().dump());

  Status status = check_release_interchange(
      interchange, "validator-0", {raw_key(0xa1), raw_key(0xc3)},
      std::nullopt);

  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(status.error().message,
              StartsWith("slashing protection names key " + kKeyB +
                         " which pod validator-0 does not hold"));
}

TEST(SlashingProtection, ReleaseForAnotherChainIsRefusedNamingBothRoots) {
  Interchange interchange = parse_ok(sample_document().dump());

  Status status = check_release_interchange(
      interchange, "validator-0", {raw_key(0xa1), raw_key(0xb2)},
      root_of(0x5b));

  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(status.error().message, HasSubstr(kRoot));
  EXPECT_THAT(status.error().message, HasSubstr(kOtherRoot));
}

TEST(SlashingProtection, ReleaseRootIsNotCheckedWhenNoneIsExpected) {
  Interchange interchange = parse_ok(sample_document().dump());

  Status status = check_release_interchange(
      interchange, "validator-0", {raw_key(0xa1), raw_key(0xb2)},
      std::nullopt);

  EXPECT_TRUE(status.ok());
}

TEST(SlashingProtection, ReleaseOfAPodWithoutKeysMayCarryAnEmptyDocument) {
  Json document = sample_document();
  document["data"] = Json::array();

  Status status = check_release_interchange(parse_ok(document.dump()),
                                            "validator-0", {}, std::nullopt);

  EXPECT_TRUE(status.ok());
}

// ---------------------------------------------------------------------------
// Per-key split and merge

TEST(SlashingProtection, DocumentForAKeyHoldsThatKeysEntryAlone) {
  Interchange interchange = parse_ok(sample_document().dump());

  std::string text = interchange_for_key(interchange, raw_key(0xb2));

  Interchange stored = parse_ok(text);
  EXPECT_EQ(stored.genesis_validators_root, root_of(0x4a));
  ASSERT_EQ(stored.data.size(), 1u);
  EXPECT_EQ(stored.data[0], interchange.data[1]);
  EXPECT_EQ(text.find(kKeyA), std::string::npos);
}

TEST(SlashingProtection, DocumentForAKeyWithoutEntryIsEmpty) {
  Interchange interchange = parse_ok(sample_document().dump());

  EXPECT_EQ(interchange_for_key(interchange, raw_key(0xc3)), "");
  EXPECT_EQ(interchange_for_key(interchange, "short"), "");
}

TEST(SlashingProtection, SplitPerKeyThenMergedGivesBackTheSameEntries) {
  Interchange original = parse_ok(sample_document().dump());
  std::vector<std::string> stored;
  for (uint8_t key : {0xa1, 0xc3, 0xb2}) {
    stored.push_back(interchange_for_key(original, raw_key(key)));
  }

  auto merged = merge_interchanges(stored);

  ASSERT_TRUE(merged.ok()) << merged.error().to_string();
  EXPECT_EQ(parse_ok(*merged), original);
  EXPECT_EQ(Json::parse(*merged), sample_document());
}

TEST(SlashingProtection, MergeInIndentedLayoutParsesToTheSameEntries) {
  Interchange original = parse_ok(sample_document().dump());
  std::vector<std::string> stored{
      interchange_for_key(original, raw_key(0xa1)),
      interchange_for_key(original, raw_key(0xb2))};

  auto merged = merge_interchanges(stored, JsonLayout::kIndented);

  ASSERT_TRUE(merged.ok()) << merged.error().to_string();
  EXPECT_THAT(*merged, HasSubstr("\n  \"metadata\": {\n"));
  EXPECT_EQ(parse_ok(*merged), original);
}

TEST(SlashingProtection, MergeOfNoHistoryIsEmpty) {
  auto merged = merge_interchanges({"", ""});

  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(*merged, "");
  EXPECT_EQ(*merge_interchanges({}), "");
}

TEST(SlashingProtection, MergeJoinsTheRecordsOfAKeyFoundTwice) {
  Interchange original = parse_ok(sample_document().dump());
  std::string a = interchange_for_key(original, raw_key(0xa1));

  auto merged = merge_interchanges({a, "", a});

  ASSERT_TRUE(merged.ok());
  Interchange result = parse_ok(*merged);
  ASSERT_EQ(result.data.size(), 1u);
  EXPECT_EQ(result.data[0].signed_blocks.size(), 4u);
  EXPECT_EQ(result.data[0].signed_attestations.size(), 4u);
}

TEST(SlashingProtection, MergeRefusesDocumentsOfDifferentChains) {
  Json other = sample_document();
  other["metadata"]["genesis_validators_root"] = kOtherRoot;
  other["data"].erase(0);

  auto merged = merge_interchanges(
      {"", sample_document().dump(), other.dump()});

  ASSERT_FALSE(merged.ok());
  EXPECT_EQ(merged.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(merged.error().message,
              StartsWith("documents[2] is for genesis_validators_root " +
                         kOtherRoot + " but documents[1] for " + kRoot));
}

TEST(SlashingProtection, MergeNamesTheDocumentThatDoesNotParse) {
  Json broken = sample_document();
  broken["data"][1]["signed_attestations"][0]["target_epoch"] = 1;

  auto merged = merge_interchanges({sample_document().dump(), broken.dump()});

  ASSERT_FALSE(merged.ok());
  EXPECT_THAT(merged.error().message,
              StartsWith("documents[1]: data[1].signed_attestations[0]."
                         "target_epoch is the number 1"));
}

// ---------------------------------------------------------------------------
// Minimal form

TEST(SlashingProtection, MinimalFormKeepsTheHighestSlotAndEpochsPerKey) {
  Json document = sample_document();
  document["data"][0]["signed_attestations"].push_back(
      {{"source_epoch", "2150"}, {"target_epoch", "2160"}});

  Interchange minimal = minify_interchange(parse_ok(document.dump()));

  ASSERT_EQ(minimal.data.size(), 2u);
  const InterchangeEntry& a = minimal.data[0];
  ASSERT_EQ(a.signed_blocks.size(), 1u);
  EXPECT_EQ(a.signed_blocks[0], (SignedBlock{70001, std::nullopt}));
  ASSERT_EQ(a.signed_attestations.size(), 1u);
  EXPECT_EQ(a.signed_attestations[0],
            (SignedAttestation{2150, 2188, std::nullopt}));
  EXPECT_TRUE(minimal.data[1].signed_blocks.empty());
  EXPECT_EQ(minimal.data[1].signed_attestations.size(), 1u);
  EXPECT_EQ(minimal.genesis_validators_root, root_of(0x4a));
}

// Whether a signer that imported `records` (without signing roots) must
// refuse an attestation (source, target): slashable against a record
// (double vote or surround, either way) or below the EIP's minimums.
bool refuses(const std::vector<SignedAttestation>& records, uint64_t source,
             uint64_t target) {
  if (records.empty()) return false;
  uint64_t min_source = UINT64_MAX;
  uint64_t min_target = UINT64_MAX;
  for (const SignedAttestation& record : records) {
    bool double_vote = record.target_epoch == target;
    bool surrounds =
        source < record.source_epoch && target > record.target_epoch;
    bool surrounded =
        source > record.source_epoch && target < record.target_epoch;
    if (double_vote || surrounds || surrounded) return true;
    min_source = std::min(min_source, record.source_epoch);
    min_target = std::min(min_target, record.target_epoch);
  }
  return source < min_source || target <= min_target;
}

TEST(SlashingProtection, MinimalFormRefusesEveryAttestationTheCompleteDoes) {
  std::vector<SignedAttestation> complete{
      {3, 4, std::nullopt}, {4, 9, std::nullopt}, {6, 7, std::nullopt},
      {1, 12, std::nullopt}, {8, 10, std::nullopt}};
  Interchange interchange;
  interchange.data.push_back(InterchangeEntry{{}, {}, complete});

  std::vector<SignedAttestation> minimal =
      minify_interchange(interchange).data[0].signed_attestations;

  for (uint64_t source = 0; source < 16; ++source) {
    for (uint64_t target = source; target < 16; ++target) {
      if (refuses(complete, source, target)) {
        EXPECT_TRUE(refuses(minimal, source, target))
            << "source " << source << " target " << target;
      }
    }
  }
}

}  // namespace
}  // namespace pkm::messages
