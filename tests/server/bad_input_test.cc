// Malformed input gets a clear error reply and changes nothing (DESIGN.md,
// "Wire API over NATS"); error replies have the documented shape; protobuf
// requests get protobuf replies.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/bytes.h"
#include "messages/wire.pb.h"
#include "tests/server/server_fixture.h"

namespace pkm::testing {
namespace {

using nlohmann::json;

constexpr char kProtobuf[] = "application/x-protobuf";

// One refused request and what the reply must say.
struct BadRequest {
  std::string what;  // shown when the row fails
  std::string subject;
  std::string body;
  std::string content_type;
  std::string code;      // error.code
  int service_code = 0;  // Nats-Service-Error-Code
  std::string message_part;
};

std::string allocate_body(const json& pod_name, const json& keys) {
  return json{{"pod_name", pod_name}, {"number_of_keys", keys}}.dump();
}

std::vector<BadRequest> bad_requests() {
  const std::string allocate = "pkm.allocate";
  const std::string invalid = "invalid_argument";
  // Field 1 (pod_name) says 2^35 bytes follow; none do.
  const std::string truncated_protobuf("\x0a\xff\xff\xff\xff\x7f", 6);
  // Field 15 as a varint: not in AllocateRequest.
  const std::string unknown_protobuf_field("\x78\x01", 2);
  return {
      {"malformed JSON", allocate, R"({"pod_name":"validator-9",)", "",
       invalid, 400, "not valid JSON"},
      {"JSON array", allocate, "[1,2]", "", invalid, 400, "an array"},
      {"duplicate field", allocate,
       R"({"pod_name":"validator-9","pod_name":"validator-8"})", "", invalid,
       400, "more than once"},
      {"pod_name a number", allocate, allocate_body(7, 1), "", invalid, 400,
       "pod_name is a number"},
      {"number_of_keys a string", allocate, allocate_body("validator-9", "2"),
       "", invalid, 400, "number_of_keys is a string"},
      {"number_of_keys a fraction", allocate,
       allocate_body("validator-9", 1.5), "", invalid, 400,
       "not a whole number"},
      {"number_of_keys negative", allocate, allocate_body("validator-9", -1),
       "", invalid, 400, "negative"},
      {"pod_name missing", allocate, R"({"number_of_keys":1})", "", invalid,
       400, "pod_name is missing"},
      {"unknown field", allocate,
       R"({"pod_name":"validator-9","colour":"red"})", "", invalid, 400,
       "unknown field \"colour\""},
      {"pod name upper case", allocate, allocate_body("Validator-9", 1), "",
       invalid, 400, "upper case"},
      {"pod name underscore", allocate, allocate_body("validator_9", 1), "",
       invalid, 400, "'_'"},
      {"pod name of 254 characters", allocate,
       allocate_body(std::string(254, 'a'), 1), "", invalid, 400,
       "longer than 253 characters"},
      {"pod name empty", allocate, allocate_body("", 1), "", invalid, 400,
       "pod name is empty"},
      {"pod name leading dash", allocate, allocate_body("-validator-9", 1),
       "", invalid, 400, "starting with '-'"},
      {"number_of_keys above --max-keys-per-request", allocate,
       allocate_body("validator-9", 9), "", invalid, 400, "at most 8"},
      {"number_of_keys 2^40", allocate,
       allocate_body("validator-9", uint64_t{1} << 40), "", invalid, 400,
       "at most 8"},
      {"garbage protobuf", allocate, truncated_protobuf, kProtobuf, invalid,
       400, "not a valid protobuf"},
      {"protobuf with an unknown field", allocate, unknown_protobuf_field,
       kProtobuf, invalid, 400, "unknown protobuf field number 15"},
      {"unknown Content-Type", allocate, allocate_body("validator-9", 1),
       "text/plain", invalid, 400, "Content-Type \"text/plain\""},
      {"payload over 64 KiB", allocate,
       json{{"pod_name", "validator-9"}, {"pad", std::string(70000, 'x')}}
           .dump(),
       "", invalid, 400, "allowed: at most 65536 bytes"},
      {"release of an invalid pod name", "pkm.release",
       R"({"pod_name":"Validator-0"})", "", invalid, 400, "upper case"},
      {"release without pod_name", "pkm.release", "{}", "", invalid, 400,
       "pod_name is missing"},
      {"release with a bad slashing_protection", "pkm.release",
       R"({"pod_name":"validator-0","slashing_protection":42})", "", invalid,
       400, "slashing_protection"},
      {"renew with pod_name an array", "pkm.renew",
       R"({"pod_name":["validator-0"]})", "", invalid, 400,
       "pod_name is an array"},
      {"renew with malformed JSON", "pkm.renew", "pod_name=validator-0", "",
       invalid, 400, "not valid JSON"},
      {"renew of a pod that holds nothing", "pkm.renew",
       R"({"pod_name":"validator-9"})", "", "not_found", 404,
       "holds no keys"},
      {"assignments with an unknown field", "pkm.assignments",
       R"({"verbose":true})", "", invalid, 400, "unknown field"},
  };
}

// The server's public state: the /assignments page, the pkm.assignments
// reply and the key and store counters of /metrics.
struct ServerState {
  json page;
  json listing;
  std::string key_counts;
  std::string store_counts;
};

class BadInput : public ServerTest {
 protected:
  void SetUp() override {
    PkmServerOptions options = default_options();
    options.lease_ttl = "600s";
    options.extra_args = {"--max-keys-per-request", "8"};
    ASSERT_TRUE(start_server(options));
  }

  // Two pods hold keys and one key is free again.
  void hold_some_keys() {
    ASSERT_EQ(public_keys(allocate("validator-0", 2)).size(), 2u);
    ASSERT_EQ(public_keys(allocate("validator-1", 1)).size(), 1u);
    ASSERT_EQ(release("validator-1"), 1);
    // The key gauges follow the allocator about once a second.
    ASSERT_TRUE(wait_until(
        [&] {
          std::string text = metrics();
          return metric_sample(text, "pkm_keys{state=\"assigned\"}") == 2.0 &&
                 metric_sample(text, "pkm_keys{state=\"unassigned\"}") == 1.0;
        },
        std::chrono::seconds(10)));
  }

  ServerState read_state() {
    ServerState state;
    state.page = assignments_over_http();
    state.listing = assignments_over_nats();
    std::string text = metrics();
    state.key_counts = metric_family(text, "pkm_keys{");
    state.store_counts = metric_family(text, "pkm_store_");
    return state;
  }

  double refused_requests() {
    std::string text = metrics();
    double refused = 0;
    for (const char* kind : {"allocate", "release", "renew", "assignments"}) {
      refused += metric_sample(text, std::string("pkm_requests_total{kind=\"") +
                                         kind + "\",result=\"error\"}")
                     .value_or(0);
    }
    return refused;
  }
};

TEST_F(BadInput, EveryBadRequestGetsAClearErrorAndChangesNothing) {
  hold_some_keys();
  ServerState before = read_state();
  double refused_before = refused_requests();
  auto table = bad_requests();

  std::vector<NatsReply> replies;
  for (const BadRequest& row : table) {
    replies.push_back(
        requester_->request(row.subject, row.body, row.content_type));
  }

  for (size_t i = 0; i < table.size(); ++i) {
    const BadRequest& row = table[i];
    const NatsReply& reply = replies[i];
    SCOPED_TRACE(row.what);
    ASSERT_TRUE(reply.ok) << reply.error;
    ErrorReplyFields error = read_error_reply(reply);
    EXPECT_TRUE(error.well_formed) << reply.body;
    EXPECT_EQ(error.code, row.code);
    EXPECT_NE(error.message.find(row.message_part), std::string::npos)
        << error.message;
    EXPECT_EQ(reply.service_error_code(), row.service_code);
    EXPECT_EQ(reply.headers.count("Nats-Service-Error"), 1u);
    EXPECT_EQ(reply.headers.at("Nats-Service-Error"), error.message);
    // Requests come back in the encoding they came in; an unknown
    // Content-Type is answered in JSON.
    std::string expected_type =
        row.content_type == kProtobuf ? kProtobuf : "application/json";
    EXPECT_EQ(reply.headers.at("Content-Type"), expected_type);
  }
  ServerState after = read_state();
  EXPECT_EQ(after.page, before.page);
  EXPECT_EQ(after.listing, before.listing);
  EXPECT_EQ(after.key_counts, before.key_counts);
  EXPECT_EQ(after.store_counts, before.store_counts);
  EXPECT_EQ(refused_requests() - refused_before,
            static_cast<double>(table.size()));
}

TEST_F(BadInput, ErrorReplyHasTheDocumentedShapeAndHeaders) {
  auto reply = requester_->request("pkm.allocate",
                                   allocate_body("Validator-0", 1));

  ASSERT_TRUE(reply.ok) << reply.error;
  json body = parse_json(reply.body);
  ASSERT_TRUE(body.is_object()) << reply.body;
  ASSERT_EQ(body.size(), 1u) << reply.body;
  const json& error = body.at("error");
  ASSERT_TRUE(error.is_object()) << reply.body;
  EXPECT_EQ(error.size(), 2u) << reply.body;
  EXPECT_EQ(error.at("code"), "invalid_argument");
  ASSERT_TRUE(error.at("message").is_string());
  std::string message = error.at("message");
  // It names what is wrong and where.
  EXPECT_NE(message.find("'V' at position 0"), std::string::npos) << message;
  EXPECT_NE(message.find("allowed:"), std::string::npos) << message;
  EXPECT_EQ(reply.headers.at("Nats-Service-Error-Code"), "400");
  EXPECT_EQ(reply.headers.at("Nats-Service-Error"), message);
}

TEST_F(BadInput, ProtobufRequestGetsAProtobufReply) {
  wire::AllocateRequest request;
  request.set_pod_name("validator-7");
  request.set_number_of_keys(2);

  auto reply = requester_->request("pkm.allocate",
                                   request.SerializeAsString(), kProtobuf);

  ASSERT_TRUE(reply.ok) << reply.error;
  EXPECT_EQ(reply.service_error_code(), 0);
  EXPECT_EQ(reply.headers.at("Content-Type"), kProtobuf);
  wire::AllocateReply allocated;
  ASSERT_TRUE(allocated.ParseFromString(reply.body));
  EXPECT_EQ(allocated.pod_name(), "validator-7");
  ASSERT_EQ(allocated.keys_size(), 2);
  for (const auto& key : allocated.keys()) {
    EXPECT_EQ(key.public_key().size(), 48u);
    EXPECT_EQ(key.private_key().size(), 32u);
    EXPECT_EQ(key.withdrawal_credentials().size(), 32u);
  }
  json again = allocate("validator-7", 1);
  auto keys = public_keys(again);
  ASSERT_EQ(keys.size(), 2u);
  const std::string& first = allocated.keys(0).public_key();
  EXPECT_EQ(keys[0],
            to_hex(ByteView(reinterpret_cast<const uint8_t*>(first.data()),
                            first.size())));
}

}  // namespace
}  // namespace pkm::testing
