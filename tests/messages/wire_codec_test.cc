#include "messages/wire_codec.h"

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/bytes.h"

namespace pkm::messages {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kInterchange[] =
    R"({"metadata":{"interchange_format_version":"5",)"
    R"("genesis_validators_root":)"
    R"("0x04700007fabc8282644aed6d1c7c9e21d38a03a0c4ba193f3afe428824b3a673"},)"
    R"("data":[{"pubkey":"0xb845","signed_blocks":[{"slot":"81952"}],)"
    R"("signed_attestations":[]}]})";

std::string bytes_of(size_t size, uint8_t first) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i) out[i] = static_cast<char>(first + i);
  return out;
}

// A private key whose hex is easy to search for in any output.
std::string secret_key_bytes() { return std::string(32, '\x5e'); }
std::string secret_key_hex() {
  std::string hex;
  for (int i = 0; i < 32; ++i) hex += "5e";
  return hex;
}

wire::AllocatedKey sample_key(uint8_t seed) {
  wire::AllocatedKey key;
  key.set_public_key(bytes_of(48, seed));
  key.set_private_key(secret_key_bytes());
  key.set_withdrawal_credentials(bytes_of(32, 0));
  key.set_deposit_tx(bytes_of(32, static_cast<uint8_t>(seed + 1)));
  return key;
}

wire::AllocateReply sample_allocate_reply() {
  wire::AllocateReply reply;
  reply.set_pod_name("validator-0");
  *reply.add_keys() = sample_key(0xa0);
  wire::AllocatedKey recycled = sample_key(0xb0);
  recycled.set_deposit_tx("");
  recycled.set_slashing_protection(nlohmann::json::parse(kInterchange).dump());
  *reply.add_keys() = recycled;
  return reply;
}

// Builds protobuf wire bytes by hand, for inputs no encoder would make.
std::string varint_field(int number, uint64_t value) {
  std::string out(1, static_cast<char>(number << 3));
  do {
    uint8_t byte = value & 0x7f;
    value >>= 7;
    out += static_cast<char>(value ? byte | 0x80 : byte);
  } while (value);
  return out;
}

std::string string_field(int number, const std::string& value) {
  std::string out(1, static_cast<char>(number << 3 | 2));
  out += static_cast<char>(value.size());
  return out + value;
}

class WireCodecTest : public ::testing::Test {
 protected:
  WireCodec codec_;
};

// ---------------------------------------------------------------------------
// Requests as DESIGN.md writes them

TEST_F(WireCodecTest, DecodesTheAllocateRequestOfTheDesign) {
  auto request = codec_.decode_allocate_request(
      R"({"pod_name":"validator-0","number_of_keys":2})", Encoding::kJson);

  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->pod_name(), "validator-0");
  EXPECT_EQ(request->number_of_keys(), 2u);
}

TEST_F(WireCodecTest, ZeroKeysMeansOneKey) {
  auto json = codec_.decode_allocate_request(
      R"({"pod_name":"a","number_of_keys":0})", Encoding::kJson);
  auto absent =
      codec_.decode_allocate_request(R"({"pod_name":"a"})", Encoding::kJson);
  auto protobuf = codec_.decode_allocate_request(
      string_field(1, "a") + varint_field(2, 0), Encoding::kProtobuf);

  ASSERT_TRUE(json.ok() && absent.ok() && protobuf.ok());
  EXPECT_EQ(json->number_of_keys(), 1u);
  EXPECT_EQ(absent->number_of_keys(), 1u);
  EXPECT_EQ(protobuf->number_of_keys(), 1u);
}

TEST_F(WireCodecTest, AcceptsExactlyTheMaximumNumberOfKeys) {
  auto request = codec_.decode_allocate_request(
      R"({"pod_name":"a","number_of_keys":256})", Encoding::kJson);

  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->number_of_keys(), 256u);
}

TEST_F(WireCodecTest, RefusesMoreKeysThanTheCallerAllowsInsteadOfTruncating) {
  auto codec = WireCodec::create(WireLimits{64 * 1024, 1 << 20, 4});
  ASSERT_TRUE(codec.ok());

  auto json = codec->decode_allocate_request(
      R"({"pod_name":"a","number_of_keys":5})", Encoding::kJson);
  auto protobuf = codec->decode_allocate_request(
      string_field(1, "a") + varint_field(2, 5), Encoding::kProtobuf);

  ASSERT_FALSE(json.ok());
  ASSERT_FALSE(protobuf.ok());
  for (const auto* error : {&json.error(), &protobuf.error()}) {
    EXPECT_EQ(error->code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(error->message,
              "number_of_keys is 5; allowed: at most 4 keys per request "
              "(--max-keys-per-request)");
  }
}

TEST_F(WireCodecTest, UnknownFieldIsRefusedByName) {
  auto request = codec_.decode_allocate_request(
      R"({"pod_name":"a","number_of_keys":1,"namespace":"default"})",
      Encoding::kJson);

  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.error().message,
            "allocate request has unknown field \"namespace\"; allowed: "
            "pod_name, number_of_keys");
}

TEST_F(WireCodecTest, UnknownFieldNameIsShownCutAndEscaped) {
  std::string name = "bad\nname" + std::string(100, 'x');

  auto request = codec_.decode_renew_request(
      R"({"pod_name":"a",")" + std::string("bad\\nname") +
          std::string(100, 'x') + R"(":1})",
      Encoding::kJson);

  ASSERT_FALSE(request.ok());
  EXPECT_THAT(request.error().message, HasSubstr("\"bad\\nname"));
  EXPECT_THAT(request.error().message, HasSubstr("...\""));
  EXPECT_THAT(request.error().message, Not(HasSubstr(name)));
}

TEST_F(WireCodecTest, AssignmentsRequestMayBeEmptyOrAnEmptyObject) {
  auto empty = codec_.decode_assignments_request("", Encoding::kJson);
  auto object = codec_.decode_assignments_request(" {} ", Encoding::kJson);
  auto protobuf = codec_.decode_assignments_request("", Encoding::kProtobuf);

  EXPECT_TRUE(empty.ok());
  EXPECT_TRUE(object.ok());
  EXPECT_TRUE(protobuf.ok());
}

TEST_F(WireCodecTest, ReleaseKeepsSlashingProtectionAsCompactJson) {
  std::string body = std::string(R"({"pod_name":"a","slashing_protection":)") +
                     kInterchange + "}";

  auto request = codec_.decode_release_request(body, Encoding::kJson);

  ASSERT_TRUE(request.ok()) << request.error().message;
  ASSERT_TRUE(request->has_slashing_protection());
  EXPECT_EQ(nlohmann::json::parse(request->slashing_protection()),
            nlohmann::json::parse(kInterchange));
}

TEST_F(WireCodecTest, ReleaseWithoutSlashingProtectionLeavesItAbsent) {
  auto request =
      codec_.decode_release_request(R"({"pod_name":"a"})", Encoding::kJson);

  ASSERT_TRUE(request.ok());
  EXPECT_FALSE(request->has_slashing_protection());
}

// ---------------------------------------------------------------------------
// A table of bad requests

enum class Kind { kAllocate, kRelease, kRenew, kAssignments };

struct BadRequest {
  std::string name;
  Kind kind;
  Encoding encoding;
  std::string payload;
  ErrorCode code;
  std::string fragment;
};

void PrintTo(const BadRequest& row, std::ostream* out) { *out << row.name; }

std::optional<Error> decode_error(const WireCodec& codec,
                                  const BadRequest& row) {
  auto first_error = [](const auto& result) -> std::optional<Error> {
    if (result.ok()) return std::nullopt;
    return result.error();
  };
  switch (row.kind) {
    case Kind::kAllocate:
      return first_error(
          codec.decode_allocate_request(row.payload, row.encoding));
    case Kind::kRelease:
      return first_error(
          codec.decode_release_request(row.payload, row.encoding));
    case Kind::kRenew:
      return first_error(codec.decode_renew_request(row.payload, row.encoding));
    case Kind::kAssignments:
      return first_error(
          codec.decode_assignments_request(row.payload, row.encoding));
  }
  return std::nullopt;
}

std::string allocate(const std::string& fields) {
  return R"({"pod_name":"validator-0",)" + fields + "}";
}

std::string release_with(const std::string& protection) {
  return R"({"pod_name":"a","slashing_protection":)" + protection + "}";
}

const std::vector<BadRequest>& bad_requests() {
  constexpr auto kJson = Encoding::kJson;
  constexpr auto kProto = Encoding::kProtobuf;
  constexpr auto kInvalid = ErrorCode::kInvalidArgument;
  static const std::vector<BadRequest> rows = {
      {"EmptyBody", Kind::kAllocate, kJson, "", kInvalid,
       "allocate request is empty; allowed: a JSON object such as "
       "{\"pod_name\":\"validator-0\",\"number_of_keys\":2}"},
      {"BlankBody", Kind::kRenew, kJson, " \n", kInvalid,
       "renew request is empty"},
      {"TruncatedJson", Kind::kAllocate, kJson, R"({"pod_name":)", kInvalid,
       "not valid JSON (syntax error at byte"},
      {"TrailingGarbage", Kind::kAllocate, kJson, R"({"pod_name":"a"} x)",
       kInvalid, "not valid JSON"},
      {"SingleQuotes", Kind::kAllocate, kJson, "{'pod_name':'a'}", kInvalid,
       "not valid JSON"},
      {"InvalidUtf8", Kind::kAllocate, kJson, "{\"pod_name\":\"\xff\"}",
       kInvalid, "not valid JSON"},
      {"NumberOverflow", Kind::kAllocate, kJson,
       allocate(R"("number_of_keys":1e999)"), kInvalid,
       "a number is out of range"},
      {"TopLevelArray", Kind::kAllocate, kJson, "[1,2]", kInvalid,
       "allocate request is an array in JSON; allowed: a JSON object"},
      {"TopLevelString", Kind::kRelease, kJson, R"("validator-0")",
       kInvalid, "release request is a string in JSON"},
      {"TopLevelNull", Kind::kAllocate, kJson, "null", kInvalid,
       "is null in JSON"},
      {"DeeplyNestedArray", Kind::kAllocate, kJson,
       std::string(20000, '[') + std::string(20000, ']'), kInvalid,
       "is an array in JSON"},
      {"UnknownField", Kind::kAllocate, kJson, allocate(R"("count":2)"),
       kInvalid, "unknown field \"count\"; allowed: pod_name, number_of_keys"},
      {"RenewWithNumberOfKeys", Kind::kRenew, kJson,
       allocate(R"("number_of_keys":1)"), kInvalid,
       "renew request has unknown field \"number_of_keys\"; allowed: "
       "pod_name"},
      {"AssignmentsWithField", Kind::kAssignments, kJson,
       R"({"pod_name":"a"})", kInvalid, "allowed: no fields"},
      {"DuplicateField", Kind::kAllocate, kJson,
       R"({"pod_name":"a","pod_name":"b"})", kInvalid,
       "field \"pod_name\" more than once"},
      {"MissingPodName", Kind::kAllocate, kJson, R"({"number_of_keys":1})",
       kInvalid,
       "pod_name is missing; allowed: a string holding a DNS-1123 "
       "subdomain"},
      {"PodNameNumber", Kind::kRenew, kJson, R"({"pod_name":7})", kInvalid,
       "pod_name is a number; allowed: a string"},
      {"PodNameNull", Kind::kRelease, kJson, R"({"pod_name":null})",
       kInvalid, "pod_name is null"},
      {"PodNameEmpty", Kind::kAllocate, kJson, R"({"pod_name":""})",
       kInvalid, "pod name is empty"},
      {"PodNameUpperCase", Kind::kAllocate, kJson,
       R"({"pod_name":"Validator-0"})", kInvalid, "(upper case)"},
      {"PodNameTooLong", Kind::kAllocate, kJson,
       R"({"pod_name":")" + std::string(254, 'a') + R"("})", kInvalid,
       "pod name longer than 253 characters (254); allowed: a DNS-1123 "
       "subdomain"},
      {"PodNameLabelTooLong", Kind::kRelease, kJson,
       R"({"pod_name":")" + std::string(64, 'a') + R"("})", kInvalid,
       "label of 64 characters"},
      {"PodNameLeadingDash", Kind::kAllocate, kJson,
       R"({"pod_name":"-a"})", kInvalid, "starting with '-'"},
      {"PodNameNulCharacter", Kind::kAllocate, kJson,
       R"({"pod_name":"a\u0000b"})", kInvalid, "\\x00 at position 1"},
      {"KeysAsString", Kind::kAllocate, kJson,
       allocate(R"("number_of_keys":"2")"), kInvalid,
       "number_of_keys is a string; allowed: a whole number from 0 to 256 "
       "(0 means 1)"},
      {"KeysNegative", Kind::kAllocate, kJson,
       allocate(R"("number_of_keys":-1)"), kInvalid,
       "number_of_keys is -1, a negative number"},
      {"KeysFractional", Kind::kAllocate, kJson,
       allocate(R"("number_of_keys":1.5)"), kInvalid,
       "number_of_keys is 1.5, not a whole number"},
      {"KeysWithFractionPart", Kind::kAllocate, kJson,
       allocate(R"("number_of_keys":2.0)"), kInvalid,
       "written with a fraction or exponent"},
      {"KeysAboveTwoToThe31", Kind::kAllocate, kJson,
       allocate(R"("number_of_keys":2147483648)"), kInvalid,
       "number_of_keys is 2147483648; allowed: at most 256"},
      {"KeysAboveTwoToThe64", Kind::kAllocate, kJson,
       allocate(R"("number_of_keys":100000000000000000000000)"), kInvalid,
       "allowed: at most 256"},
      {"KeysBoolean", Kind::kAllocate, kJson,
       allocate(R"("number_of_keys":true)"), kInvalid,
       "number_of_keys is a boolean"},
      {"KeysNull", Kind::kAllocate, kJson,
       allocate(R"("number_of_keys":null)"), kInvalid,
       "number_of_keys is null"},
      {"KeysArray", Kind::kAllocate, kJson,
       allocate(R"("number_of_keys":[2])"), kInvalid,
       "number_of_keys is an array"},
      {"KeysAboveMaximum", Kind::kAllocate, kJson,
       allocate(R"("number_of_keys":257)"), kInvalid,
       "at most 256 keys per request (--max-keys-per-request)"},
      {"OversizedJson", Kind::kAllocate, kJson,
       allocate(R"("x":")" + std::string(64 * 1024, 'x') + "\""), kInvalid,
       "allowed: at most 65536 bytes"},
      {"SlashingProtectionString", Kind::kRelease, kJson,
       release_with(R"("{}")"), kInvalid,
       "slashing_protection is a string; allowed: an EIP-3076"},
      {"SlashingProtectionNull", Kind::kRelease, kJson, release_with("null"),
       kInvalid, "slashing_protection is null"},
      {"SlashingProtectionWithoutData", Kind::kRelease, kJson,
       release_with(R"({"metadata":{"interchange_format_version":"5",)"
                    R"("genesis_validators_root":"0x)" +
                    std::string(64, '0') + R"("}})"),
       kInvalid, "has no \"data\" array"},
      {"SlashingProtectionOldVersion", Kind::kRelease, kJson,
       release_with(R"({"metadata":{"interchange_format_version":"4"},)"
                    R"("data":[]})"),
       kInvalid, "has no interchange_format_version \"5\""},
      {"SlashingProtectionShortRoot", Kind::kRelease, kJson,
       release_with(R"({"metadata":{"interchange_format_version":"5",)"
                    R"("genesis_validators_root":"0x00"},"data":[]})"),
       kInvalid, "genesis_validators_root of 32 bytes"},
      {"GarbageProtobuf", Kind::kAllocate, kProto, "\xff\xff\xff", kInvalid,
       "allocate request is not a valid protobuf pkm.wire.AllocateRequest"},
      {"TruncatedProtobuf", Kind::kRenew, kProto,
       string_field(1, "validator-0").substr(0, 5), kInvalid,
       "not a valid protobuf pkm.wire.RenewRequest"},
      {"ProtobufUnknownField", Kind::kAllocate, kProto,
       string_field(1, "a") + varint_field(9, 1), kInvalid,
       "unknown protobuf field number 9; allowed: the fields of "
       "pkm.wire.AllocateRequest"},
      {"ProtobufAssignmentsWithField", Kind::kAssignments, kProto,
       string_field(1, "a"), kInvalid, "unknown protobuf field number 1"},
      {"ProtobufEmptyPodName", Kind::kAllocate, kProto, varint_field(2, 1),
       kInvalid, "pod name is empty"},
      {"ProtobufBadPodName", Kind::kRenew, kProto, string_field(1, "a_b"),
       kInvalid, "'_' at position 1"},
      {"ProtobufKeysAboveMaximum", Kind::kAllocate, kProto,
       string_field(1, "a") + varint_field(2, 1000), kInvalid,
       "number_of_keys is 1000; allowed: at most 256"},
      {"ProtobufKeysAboveTwoToThe31", Kind::kAllocate, kProto,
       string_field(1, "a") + varint_field(2, 0x80000000u), kInvalid,
       "number_of_keys is 2147483648"},
      {"ProtobufSlashingProtectionNotJson", Kind::kRelease, kProto,
       string_field(1, "a") + string_field(2, "not json"), kInvalid,
       "slashing_protection is not valid JSON"},
      {"OversizedProtobuf", Kind::kRenew, kProto,
       std::string(64 * 1024 + 1, '\0'), kInvalid,
       "renew request is 65537 bytes; allowed: at most 65536 bytes"},
  };
  return rows;
}

class BadRequestTest : public ::testing::TestWithParam<BadRequest> {};

TEST_P(BadRequestTest, IsRefusedWithCodeAndMessage) {
  const BadRequest& row = GetParam();
  WireCodec codec;

  std::optional<Error> error = decode_error(codec, row);

  ASSERT_TRUE(error.has_value()) << row.name << " was accepted";
  EXPECT_EQ(error->code, row.code) << error->message;
  EXPECT_THAT(error->message, HasSubstr(row.fragment));
  EXPECT_EQ(nats_service_error_code(error->code), 400);
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadRequestTest, ::testing::ValuesIn(bad_requests()),
    [](const ::testing::TestParamInfo<BadRequest>& info) {
      return info.param.name;
    });

TEST(BadRequestTable, HasAtLeastTwentyFiveRows) {
  EXPECT_GE(bad_requests().size(), 25u);
}

// ---------------------------------------------------------------------------
// Round trips

template <class Message>
void expect_same(const Message& expected, const Message& actual) {
  EXPECT_TRUE(MessageDifferencer::Equals(expected, actual))
      << "expected " << expected.ShortDebugString() << "\nactual   "
      << actual.ShortDebugString();
}

class RoundTrip : public ::testing::TestWithParam<Encoding> {
 protected:
  WireCodec codec_;
};

TEST_P(RoundTrip, AllocateRequestSurvives) {
  wire::AllocateRequest request;
  request.set_pod_name("validator-0.pkm");
  request.set_number_of_keys(3);

  auto body = encode(request, GetParam());
  ASSERT_TRUE(body.ok());
  auto decoded = codec_.decode_allocate_request(*body, GetParam());

  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  expect_same(request, *decoded);
}

TEST_P(RoundTrip, ReleaseRequestWithSlashingProtectionSurvives) {
  wire::ReleaseRequest request;
  request.set_pod_name("validator-0");
  request.set_slashing_protection(nlohmann::json::parse(kInterchange).dump());

  auto body = encode(request, GetParam());
  ASSERT_TRUE(body.ok());
  auto decoded = codec_.decode_release_request(*body, GetParam());

  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  expect_same(request, *decoded);
}

TEST_P(RoundTrip, RenewAndAssignmentsRequestsSurvive) {
  wire::RenewRequest renew;
  renew.set_pod_name("lighthouse-3");

  auto renew_body = encode(renew, GetParam());
  auto assignments_body = encode(wire::AssignmentsRequest(), GetParam());
  ASSERT_TRUE(renew_body.ok() && assignments_body.ok());
  auto decoded_renew = codec_.decode_renew_request(*renew_body, GetParam());
  auto decoded_assignments =
      codec_.decode_assignments_request(*assignments_body, GetParam());

  ASSERT_TRUE(decoded_renew.ok());
  expect_same(renew, *decoded_renew);
  EXPECT_TRUE(decoded_assignments.ok());
}

TEST_P(RoundTrip, AllocateReplySurvives) {
  wire::AllocateReply reply = sample_allocate_reply();

  auto body = encode(reply, GetParam());
  ASSERT_TRUE(body.ok());
  auto decoded = codec_.decode_allocate_reply(*body, GetParam());

  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  expect_same(reply, *decoded);
}

TEST_P(RoundTrip, ReleaseAndRenewRepliesSurvive) {
  wire::ReleaseReply release;
  release.set_pod_name("validator-0");
  release.set_released(2);
  wire::RenewReply renew;
  renew.set_pod_name("validator-0");
  renew.set_lease_expires_unix_ms(1'700'000'123'456);

  auto release_body = encode(release, GetParam());
  auto renew_body = encode(renew, GetParam());
  ASSERT_TRUE(release_body.ok() && renew_body.ok());
  auto decoded_release = codec_.decode_release_reply(*release_body,
                                                     GetParam());
  auto decoded_renew = codec_.decode_renew_reply(*renew_body, GetParam());

  ASSERT_TRUE(decoded_release.ok() && decoded_renew.ok());
  expect_same(release, *decoded_release);
  expect_same(renew, *decoded_renew);
}

TEST_P(RoundTrip, AssignmentsReplySurvives) {
  wire::AssignmentsReply reply;
  auto* first = reply.add_assignments();
  first->set_pod_name("validator-0");
  first->add_public_keys(bytes_of(48, 1));
  first->add_public_keys(bytes_of(48, 2));
  reply.add_assignments()->set_pod_name("validator-1");
  reply.set_unassigned(4);
  reply.set_quarantined(3);
  reply.set_depositing(2);
  reply.set_retired(1);

  auto body = encode(reply, GetParam());
  ASSERT_TRUE(body.ok());
  auto decoded = codec_.decode_assignments_reply(*body, GetParam());

  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  expect_same(reply, *decoded);
}

TEST_P(RoundTrip, ErrorReplySurvives) {
  Error error = invalid_argument("pod name is empty; allowed: a DNS-1123 "
                                 "subdomain");

  std::string body = encode_error_reply(error, GetParam());
  auto decoded = codec_.decode_error_reply(body, GetParam());

  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->error().code(), "invalid_argument");
  EXPECT_EQ(decoded->error().message(), error.message);
}

INSTANTIATE_TEST_SUITE_P(
    BothEncodings, RoundTrip,
    ::testing::Values(Encoding::kJson, Encoding::kProtobuf),
    [](const ::testing::TestParamInfo<Encoding>& info) {
      return info.param == Encoding::kJson ? "Json" : "Protobuf";
    });

// ---------------------------------------------------------------------------
// JSON shapes of DESIGN.md

TEST_F(WireCodecTest, AllocateReplyJsonHasTheDesignShape) {
  wire::AllocateReply reply;
  reply.set_pod_name("validator-0");
  wire::AllocatedKey* key = reply.add_keys();
  key->set_public_key("\xab\x01");
  key->set_private_key("\x5e");
  key->set_withdrawal_credentials("\x00\x02", 2);
  key->set_deposit_tx("\xff");

  auto body = encode(reply, Encoding::kJson);

  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body,
            R"({"pod_name":"validator-0","keys":[{"public_key":"0xab01",)"
            R"("private_key":"0x5e","withdrawal_credentials":"0x0002",)"
            R"("deposit_tx":"0xff"}]})");
}

TEST_F(WireCodecTest, ReleaseAndRenewReplyJsonHaveTheDesignShape) {
  wire::ReleaseReply release;
  release.set_pod_name("validator-0");
  release.set_released(2);
  wire::RenewReply renew;
  renew.set_pod_name("validator-0");
  renew.set_lease_expires_unix_ms(1234);

  auto release_body = encode(release, Encoding::kJson);
  auto renew_body = encode(renew, Encoding::kJson);

  ASSERT_TRUE(release_body.ok() && renew_body.ok());
  EXPECT_EQ(*release_body, R"({"pod_name":"validator-0","released":2})");
  EXPECT_EQ(*renew_body,
            R"({"pod_name":"validator-0","lease_expires_unix_ms":1234})");
}

TEST_F(WireCodecTest, AssignmentsReplyJsonHasTheDesignShape) {
  wire::AssignmentsReply reply;
  auto* assignment = reply.add_assignments();
  assignment->set_pod_name("validator-0");
  assignment->add_public_keys("\x8f\x3a");
  reply.set_unassigned(1);
  reply.set_quarantined(2);
  reply.set_depositing(3);
  reply.set_retired(4);

  auto body = encode(reply, Encoding::kJson);

  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body,
            R"({"assignments":[{"pod_name":"validator-0",)"
            R"("public_keys":["0x8f3a"]}],"unassigned":1,"quarantined":2,)"
            R"("depositing":3,"retired":4})");
}

TEST_F(WireCodecTest, ErrorReplyJsonHasTheDesignShape) {
  Error error = invalid_argument("pod_name is missing");

  std::string body = encode_error_reply(error, Encoding::kJson);

  EXPECT_EQ(body, R"({"error":{"code":"invalid_argument",)"
                  R"("message":"pod_name is missing"}})");
}

TEST_F(WireCodecTest, ErrorReplyMessageIsMadeValidUtf8) {
  Error error = invalid_argument("bad byte \xff here");

  wire::ErrorReply reply = make_error_reply(error);
  std::string protobuf = encode_error_reply(error, Encoding::kProtobuf);

  EXPECT_EQ(reply.error().message(), "bad byte ? here");
  EXPECT_FALSE(protobuf.empty());
}

TEST_F(WireCodecTest, EmptyDepositTxIsWrittenAsBareHexPrefix) {
  wire::AllocateReply reply = sample_allocate_reply();

  auto body = encode(reply, Encoding::kJson);

  ASSERT_TRUE(body.ok());
  EXPECT_THAT(*body, HasSubstr(R"("deposit_tx":"0x",)"));
}

// ---------------------------------------------------------------------------
// Content types and NATS service errors

TEST(ContentType, AbsentOrJsonMeansJson) {
  auto absent = encoding_from_content_type("");
  auto json = encoding_from_content_type(" Application/JSON; charset=utf-8");

  ASSERT_TRUE(absent.ok() && json.ok());
  EXPECT_EQ(*absent, Encoding::kJson);
  EXPECT_EQ(*json, Encoding::kJson);
}

TEST(ContentType, XProtobufMeansProtobuf) {
  auto protobuf = encoding_from_content_type("application/x-protobuf");

  ASSERT_TRUE(protobuf.ok());
  EXPECT_EQ(*protobuf, Encoding::kProtobuf);
  EXPECT_EQ(content_type_of(Encoding::kProtobuf), "application/x-protobuf");
}

TEST(ContentType, OtherTypesAreRefusedNamingThem) {
  auto other = encoding_from_content_type("text/xml");

  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().message,
            "Content-Type \"text/xml\" is not supported; allowed: "
            "application/json (the default) or application/x-protobuf");
}

TEST(NatsServiceError, CodesFollowWhatTheCallerShouldDo) {
  EXPECT_EQ(nats_service_error_code(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(nats_service_error_code(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(nats_service_error_code(ErrorCode::kNotFound), 404);
  EXPECT_EQ(nats_service_error_code(ErrorCode::kFailedPrecondition), 503);
  EXPECT_EQ(nats_service_error_code(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(nats_service_error_code(ErrorCode::kDataLoss), 500);
  EXPECT_EQ(nats_service_error_code(ErrorCode::kInternal), 500);
}

TEST(NatsServiceError, DescriptionIsOneHeaderSafeLine) {
  Error error = invalid_argument("first\r\nNats-Injected: yes\x01" +
                                 std::string(2000, 'x'));

  std::string description = nats_service_error_description(error);

  EXPECT_EQ(description.find_first_of("\r\n\x01"), std::string::npos);
  EXPECT_EQ(description.size(), 1024u);
  EXPECT_THAT(description, HasSubstr("first  Nats-Injected: yes "));
}

// ---------------------------------------------------------------------------
// Limits

TEST(WireCodecLimits, RefusesZeroAndExcessiveLimits) {
  auto no_keys = WireCodec::create(WireLimits{1024, 1024, 0});
  auto too_many = WireCodec::create(WireLimits{1024, 1024, 0x80000000u});
  auto no_bytes = WireCodec::create(WireLimits{0, 1024, 1});

  ASSERT_FALSE(no_keys.ok());
  ASSERT_FALSE(too_many.ok());
  ASSERT_FALSE(no_bytes.ok());
  EXPECT_THAT(no_keys.error().message,
              HasSubstr("max_keys_per_request is 0; allowed: 1 to"));
  EXPECT_THAT(too_many.error().message, HasSubstr("2147483648"));
  EXPECT_THAT(no_bytes.error().message, HasSubstr("max_request_bytes is 0"));
}

TEST(WireCodecLimits, RequestAtTheByteLimitIsAccepted) {
  std::string body = R"({"pod_name":"a"})";
  auto codec = WireCodec::create(WireLimits{body.size(), 1024, 1});
  ASSERT_TRUE(codec.ok());

  auto at_limit = codec->decode_renew_request(body, Encoding::kJson);
  auto above = codec->decode_renew_request(body + " ", Encoding::kJson);

  EXPECT_TRUE(at_limit.ok());
  EXPECT_FALSE(above.ok());
}

// ---------------------------------------------------------------------------
// Replies checked on the client side

TEST_F(WireCodecTest, AllocateReplyWithShortPrivateKeyIsRefusedWithoutIt) {
  wire::AllocateReply reply = sample_allocate_reply();
  reply.mutable_keys(1)->set_private_key(std::string(31, '\x5e'));
  auto body = encode(reply, Encoding::kJson);
  ASSERT_TRUE(body.ok());

  auto decoded = codec_.decode_allocate_reply(*body, Encoding::kJson);

  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().message,
            "keys[1].private_key is 31 bytes; allowed: 32 bytes (a BLS "
            "secret key)");
}

TEST_F(WireCodecTest, AllocateReplyWithBadHexNamesTheFieldNotTheValue) {
  std::string body = R"({"pod_name":"a","keys":[{"public_key":"0x00",)"
                     R"("private_key":"0x5e5e5e5e5g",)"
                     R"("withdrawal_credentials":"0x","deposit_tx":"0x"}]})";

  auto decoded = codec_.decode_allocate_reply(body, Encoding::kJson);

  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.error().message,
              HasSubstr("keys[0].private_key: non-hex character"));
  EXPECT_THAT(decoded.error().message, Not(HasSubstr("5e5e")));
}

TEST_F(WireCodecTest, ReplyDecoderIgnoresFieldsAddedByNewerServers) {
  auto decoded = codec_.decode_release_reply(
      R"({"pod_name":"a","released":1,"released_at":"later"})",
      Encoding::kJson);

  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->released(), 1u);
}

TEST_F(WireCodecTest, ReplyDecoderRefusesWrongTypes) {
  auto decoded = codec_.decode_release_reply(
      R"({"pod_name":"a","released":"1"})", Encoding::kJson);

  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.error().message,
              HasSubstr("released is a string; allowed: a whole number"));
}

// ---------------------------------------------------------------------------
// Redaction: private keys never reach text meant for people

TEST_F(WireCodecTest, DebugStringOfAllocateReplyRedactsPrivateKeys) {
  wire::AllocateReply reply = sample_allocate_reply();

  std::string text = redacted_debug_string(reply);

  EXPECT_THAT(text, Not(HasSubstr(secret_key_hex())));
  EXPECT_THAT(text, Not(HasSubstr(secret_key_bytes())));
  EXPECT_THAT(text, HasSubstr("private_key=<redacted>"));
  EXPECT_THAT(text, HasSubstr("pod_name=validator-0 keys=2"));
  EXPECT_THAT(text, HasSubstr("public_key=" + to_hex(ByteView(
                                  std::string_view(bytes_of(48, 0xa0))))));
}

TEST_F(WireCodecTest, PrivateKeyIsInTheReplyBodyOnly) {
  wire::AllocateReply reply = sample_allocate_reply();

  auto body = encode(reply, Encoding::kJson);

  ASSERT_TRUE(body.ok());
  EXPECT_THAT(*body, HasSubstr("\"private_key\":\"0x" + secret_key_hex() +
                               "\""));
}

TEST_F(WireCodecTest, DebugStringsOfOtherRepliesAreKeyValueLines) {
  wire::ReleaseReply release;
  release.set_pod_name("validator-0");
  release.set_released(2);
  wire::ErrorReply error = make_error_reply(invalid_argument("bad"));

  EXPECT_EQ(redacted_debug_string(release), "pod_name=validator-0 released=2");
  EXPECT_EQ(redacted_debug_string(error),
            "code=invalid_argument message=\"bad\"");
}

// ---------------------------------------------------------------------------
// Deposit queue

wire::DepositJob sample_job() {
  wire::DepositJob job;
  job.set_job_id("deposit-1");
  job.set_pubkey(bytes_of(48, 1));
  job.set_withdrawal_credentials(bytes_of(32, 0));
  job.set_amount_gwei(32'000'000'000);
  job.set_signature(bytes_of(96, 2));
  job.set_deposit_data_root(bytes_of(32, 3));
  return job;
}

TEST_F(WireCodecTest, DepositJobSurvivesARoundTrip) {
  wire::DepositJob job = sample_job();

  auto body = encode(job);
  ASSERT_TRUE(body.ok());
  auto decoded = codec_.decode_deposit_job(*body);

  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  expect_same(job, *decoded);
}

TEST_F(WireCodecTest, DepositJobBelowOneEtherIsRefused) {
  wire::DepositJob job = sample_job();
  job.set_amount_gwei(999'999'999);
  auto body = encode(job);
  ASSERT_TRUE(body.ok());

  auto decoded = codec_.decode_deposit_job(*body);

  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.error().message,
              HasSubstr("amount_gwei is 999999999; allowed: at least"));
}

TEST_F(WireCodecTest, DepositJobWithShortSignatureIsRefused) {
  wire::DepositJob job = sample_job();
  job.set_signature(bytes_of(95, 2));
  auto body = encode(job);
  ASSERT_TRUE(body.ok());

  auto decoded = codec_.decode_deposit_job(*body);

  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.error().message,
              HasSubstr("signature is 95 bytes; allowed: 96 bytes"));
}

TEST_F(WireCodecTest, DepositResultNotSentMayNotCarryATxHash) {
  wire::DepositResult result;
  result.set_job_id("deposit-1");
  result.set_pubkey(bytes_of(48, 1));
  result.set_status(wire::DepositResult::NOT_SENT);
  result.set_error("funder balance too low");
  auto fine = encode(result);
  result.set_tx_hash(bytes_of(32, 9));
  auto contradictory = encode(result);
  ASSERT_TRUE(fine.ok() && contradictory.ok());

  auto accepted = codec_.decode_deposit_result(*fine);
  auto refused = codec_.decode_deposit_result(*contradictory);

  EXPECT_TRUE(accepted.ok());
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message, HasSubstr("status is NOT_SENT"));
}

TEST_F(WireCodecTest, DepositResultWithUnknownStatusIsRefused) {
  std::string body = string_field(1, "deposit-1") +
                     string_field(2, bytes_of(48, 1)) + varint_field(6, 9);

  auto decoded = codec_.decode_deposit_result(body);

  ASSERT_FALSE(decoded.ok());
  EXPECT_THAT(decoded.error().message, HasSubstr("status is 9"));
}

}  // namespace
}  // namespace pkm::messages
