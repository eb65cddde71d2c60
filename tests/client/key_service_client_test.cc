// KeyServiceClient against a real nats-server on a free loopback port. The
// answers come from FakeKeyService, a stand-in until pkm-server exists.
#include "client/key_service_client.h"

#include <chrono>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/validator_key.h"
#include "tests/client/fake_key_service.h"
#include "tests/client/nats_server.h"
#include "tests/support/child_process.h"

namespace pkm::client {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

class KeyServiceClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(nats_.start()); }

  ServiceOptions options(milliseconds timeout) const {
    ServiceOptions options;
    options.servers = {nats_.url()};
    options.timeout = timeout;
    return options;
  }

  wire::AllocateRequest request(uint32_t keys) const {
    wire::AllocateRequest request;
    request.set_pod_name("validator-0");
    request.set_number_of_keys(keys);
    return request;
  }

  testing::TempDir temp_;
  testing::NatsServer nats_{temp_.path() + "/nats.log"};
};

TEST_F(KeyServiceClientTest, AllocateReturnsTheServedKeys) {
  testing::FakeKeyService service(nats_.url());
  KeyServiceClient client(options(seconds(10)));

  auto reply = client.allocate(request(2));

  ASSERT_TRUE(reply.ok()) << reply.error().to_string();
  auto keys = take_validator_keys(*reply, "validator-0", 2);
  ASSERT_TRUE(keys.ok()) << keys.error().to_string();
  EXPECT_EQ((*keys)[1].public_key_hex(), service.public_hex(1));
  EXPECT_EQ(client.last_attempts(), 1u);
}

TEST_F(KeyServiceClientTest, NoRespondersGivesUpAsUnavailableAfterTimeout) {
  KeyServiceClient client(options(milliseconds(800)));
  auto started = std::chrono::steady_clock::now();

  auto reply = client.allocate(request(1));

  auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kUnavailable);
  EXPECT_THAT(reply.error().message, HasSubstr("no responders"));
  EXPECT_GE(client.last_attempts(), 3u);
  EXPECT_LT(elapsed, seconds(3));
}

TEST_F(KeyServiceClientTest, ErrorReplyKeepsTheServerCode) {
  testing::FakeKeyService service(nats_.url());
  service.set_error_reply(
      Error{ErrorCode::kPermissionDenied, "pod is not allowed keys"});
  KeyServiceClient client(options(seconds(10)));

  auto reply = client.allocate(request(1));

  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(reply.error().message,
              HasSubstr("permission_denied: pod is not allowed keys"));
}

TEST_F(KeyServiceClientTest, ReplyWithKeysAndAnErrorObjectIsAnError) {
  testing::FakeKeyService service(nats_.url());
  service.set_error_beside_keys(
      Error{ErrorCode::kPermissionDenied, "pod is not allowed keys"});
  KeyServiceClient client(options(seconds(10)));

  auto reply = client.allocate(request(1));

  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kPermissionDenied)
      << reply.error().to_string();
}

TEST_F(KeyServiceClientTest, CancelEndsACallThatIsRetrying) {
  KeyServiceClient client(options(seconds(60)));
  std::thread canceller([&client] {
    std::this_thread::sleep_for(milliseconds(300));
    client.cancel();
  });
  auto started = std::chrono::steady_clock::now();

  auto reply = client.allocate(request(1));

  auto elapsed = std::chrono::steady_clock::now() - started;
  canceller.join();
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().message, "cancelled");
  EXPECT_LT(elapsed, seconds(5));
}

TEST(SubjectPrefix, AcceptsDottedTokensAndRefusesWildcards) {
  EXPECT_TRUE(validate_subject_prefix("pkm").ok());
  EXPECT_TRUE(validate_subject_prefix("team-a.pkm_1").ok());

  for (const char* prefix : {"", "pkm.", ".pkm", "pk*", "pkm.>", "a b"}) {
    EXPECT_FALSE(validate_subject_prefix(prefix).ok()) << prefix;
  }
}

TEST(ServerList, SplitsCommaSeparatedUrlsAndRefusesEmptyEntries) {
  auto servers = parse_server_list("nats://127.0.0.1:1, nats://127.0.0.1:2");

  ASSERT_TRUE(servers.ok());
  EXPECT_EQ(*servers, (std::vector<std::string>{"nats://127.0.0.1:1",
                                                "nats://127.0.0.1:2"}));
  EXPECT_FALSE(parse_server_list("nats://127.0.0.1:1,").ok());
  EXPECT_FALSE(parse_server_list("").ok());
}

}  // namespace
}  // namespace pkm::client
