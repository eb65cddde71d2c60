// BeaconValidatorClient against FakeBeaconApi, a local stand-in HTTP
// server on 127.0.0.1 that answers the validators endpoint with the JSON
// shape the beacon API documents; a real beacon node cannot run in these
// tests.
#include "actors/beacon_validator_client.h"

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/actors/fake_beacon_api.h"

namespace pkm::actors {
namespace {

using pkm::testing::FakeBeaconApi;
using pkm::testing::FakeBeaconRequest;
using pkm::testing::FakeValidator;

// A distinct 48-byte public key per number.
std::string pubkey(int number) {
  std::string key(48, '\x11');
  key[0] = static_cast<char>(0x80 | (number >> 8));
  key[47] = static_cast<char>(number & 0xff);
  return key;
}

std::vector<std::string> pubkeys(int count) {
  std::vector<std::string> keys;
  for (int i = 0; i < count; ++i) keys.push_back(pubkey(i));
  return keys;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::vector<size_t> batch_sizes(const std::vector<FakeBeaconRequest>& seen,
                                const std::string& method) {
  std::vector<size_t> sizes;
  for (const FakeBeaconRequest& request : seen) {
    if (request.method == method) sizes.push_back(request.ids);
  }
  return sizes;
}

class BeaconClientWithLocalFakeNode : public ::testing::Test {
 protected:
  std::unique_ptr<BeaconValidatorClient> client(
      size_t batch_size = BeaconValidatorClient::kDefaultBatchSize) {
    auto created = BeaconValidatorClient::create(
        fake_.url(), std::chrono::milliseconds(2000), batch_size);
    EXPECT_TRUE(created.ok()) << created.error().to_string();
    return created.ok() ? std::move(*created) : nullptr;
  }

  void know_all(int count) {
    for (int i = 0; i < count; ++i) {
      fake_.set_validator(pubkey(i), {"active_ongoing", false,
                                      static_cast<uint64_t>(1000 + i)});
    }
  }

  FakeBeaconApi fake_;
};

TEST_F(BeaconClientWithLocalFakeNode, AsksInBatchesOfTheConfiguredSize) {
  know_all(7);

  auto statuses = client(3)->statuses(pubkeys(7));

  ASSERT_TRUE(statuses.ok()) << statuses.error().to_string();
  EXPECT_EQ(statuses->size(), 7u);
  EXPECT_EQ(batch_sizes(fake_.requests(), "POST"),
            (std::vector<size_t>{3, 3, 1}));
}

TEST_F(BeaconClientWithLocalFakeNode, DefaultBatchIsOneHundredKeys) {
  know_all(150);

  auto statuses = client()->statuses(pubkeys(150));

  ASSERT_TRUE(statuses.ok()) << statuses.error().to_string();
  EXPECT_EQ(batch_sizes(fake_.requests(), "POST"),
            (std::vector<size_t>{100, 50}));
}

TEST_F(BeaconClientWithLocalFakeNode, StatusSlashedAndIndexAreParsed) {
  fake_.set_validator(pubkey(1), {"active_ongoing", false, 42});
  fake_.set_validator(pubkey(2), {"exited_slashed", true, 7});
  fake_.set_validator(pubkey(3), {"pending_queued", false, 0});

  auto statuses = client()->statuses({pubkey(1), pubkey(2), pubkey(3)});

  ASSERT_TRUE(statuses.ok()) << statuses.error().to_string();
  ASSERT_EQ(statuses->size(), 3u);
  // The fake answers in reverse; results follow the order asked.
  EXPECT_EQ((*statuses)[0].pubkey, pubkey(1));
  EXPECT_EQ((*statuses)[0].status, "active_ongoing");
  EXPECT_FALSE((*statuses)[0].slashed);
  EXPECT_EQ((*statuses)[0].index, 42u);
  EXPECT_EQ((*statuses)[1].pubkey, pubkey(2));
  EXPECT_EQ((*statuses)[1].status, "exited_slashed");
  EXPECT_TRUE((*statuses)[1].slashed);
  EXPECT_EQ((*statuses)[1].index, 7u);
  EXPECT_EQ((*statuses)[2].status, "pending_queued");
}

TEST_F(BeaconClientWithLocalFakeNode, UnknownKeysAreAbsentNotErrors) {
  fake_.set_validator(pubkey(2), {"active_ongoing", false, 2});

  auto statuses = client()->statuses({pubkey(1), pubkey(2), pubkey(3)});

  ASSERT_TRUE(statuses.ok()) << statuses.error().to_string();
  ASSERT_EQ(statuses->size(), 1u);
  EXPECT_EQ((*statuses)[0].pubkey, pubkey(2));
}

TEST_F(BeaconClientWithLocalFakeNode, PostRefusedWith405FallsBackToGet) {
  know_all(3);
  fake_.refuse_post(405);
  auto beacon = client();

  auto first = beacon->statuses(pubkeys(3));
  auto second = beacon->statuses(pubkeys(3));

  ASSERT_TRUE(first.ok()) << first.error().to_string();
  ASSERT_TRUE(second.ok()) << second.error().to_string();
  EXPECT_EQ(first->size(), 3u);
  EXPECT_TRUE(beacon->uses_get());
  // One refused POST, then GET only.
  EXPECT_EQ(batch_sizes(fake_.requests(), "POST"),
            (std::vector<size_t>{3}));
  EXPECT_EQ(batch_sizes(fake_.requests(), "GET"),
            (std::vector<size_t>{3, 3}));
}

TEST_F(BeaconClientWithLocalFakeNode, PostRefusedWith404FallsBackToGet) {
  know_all(2);
  fake_.refuse_post(404);

  auto statuses = client()->statuses(pubkeys(2));

  ASSERT_TRUE(statuses.ok()) << statuses.error().to_string();
  EXPECT_EQ(statuses->size(), 2u);
}

TEST_F(BeaconClientWithLocalFakeNode, GetBatchesStayWithinTheApiIdLimit) {
  know_all(100);
  fake_.refuse_post(405);

  auto statuses = client(100)->statuses(pubkeys(100));

  ASSERT_TRUE(statuses.ok()) << statuses.error().to_string();
  EXPECT_EQ(statuses->size(), 100u);
  EXPECT_EQ(batch_sizes(fake_.requests(), "GET"),
            (std::vector<size_t>{64, 36}));
}

TEST_F(BeaconClientWithLocalFakeNode, ServiceUnavailableIsUnavailable) {
  know_all(2);
  fake_.fail_with(503);

  auto statuses = client()->statuses(pubkeys(2));

  ASSERT_FALSE(statuses.ok());
  EXPECT_EQ(statuses.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(contains(statuses.error().message, "503"));
}

TEST_F(BeaconClientWithLocalFakeNode, ServerErrorIsUnavailable) {
  fake_.fail_with(500);

  auto statuses = client()->statuses(pubkeys(1));

  ASSERT_FALSE(statuses.ok());
  EXPECT_EQ(statuses.error().code, ErrorCode::kUnavailable);
}

TEST_F(BeaconClientWithLocalFakeNode, FailureInALaterBatchFailsTheCall) {
  know_all(4);
  auto beacon = client(2);
  ASSERT_TRUE(beacon->statuses(pubkeys(4)).ok());
  fake_.fail_with(500);

  auto statuses = beacon->statuses(pubkeys(4));

  EXPECT_FALSE(statuses.ok());
}

TEST_F(BeaconClientWithLocalFakeNode, UnreachableNodeIsUnavailable) {
  std::string url;
  {
    FakeBeaconApi gone;
    url = gone.url();
  }
  auto beacon = BeaconValidatorClient::create(
      url, std::chrono::milliseconds(1000));
  ASSERT_TRUE(beacon.ok());

  auto statuses = (*beacon)->statuses(pubkeys(1));

  ASSERT_FALSE(statuses.ok());
  EXPECT_EQ(statuses.error().code, ErrorCode::kUnavailable);
}

TEST_F(BeaconClientWithLocalFakeNode, KeyOfWrongLengthIsRefusedUnasked) {
  std::vector<std::string> keys = {pubkey(1), std::string(47, 'x')};

  auto statuses = client()->statuses(keys);

  ASSERT_FALSE(statuses.ok());
  EXPECT_EQ(statuses.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(contains(statuses.error().message, "position 1"));
  EXPECT_TRUE(fake_.requests().empty());
}

TEST_F(BeaconClientWithLocalFakeNode, DuplicateKeysAreAskedOnce) {
  know_all(2);

  auto statuses = client()->statuses({pubkey(0), pubkey(1), pubkey(0)});

  ASSERT_TRUE(statuses.ok()) << statuses.error().to_string();
  EXPECT_EQ(statuses->size(), 2u);
  EXPECT_EQ(batch_sizes(fake_.requests(), "POST"),
            (std::vector<size_t>{2}));
}

TEST_F(BeaconClientWithLocalFakeNode, NoKeysMeansNoRequest) {
  auto statuses = client()->statuses({});

  ASSERT_TRUE(statuses.ok());
  EXPECT_TRUE(statuses->empty());
  EXPECT_TRUE(fake_.requests().empty());
}

TEST(BeaconValidatorClient, CreateRefusesZeroBatchAndBadUrl) {
  auto zero = BeaconValidatorClient::create(
      "http://127.0.0.1:5052", std::chrono::milliseconds(1000), 0);
  auto no_scheme = BeaconValidatorClient::create(
      "127.0.0.1:5052", std::chrono::milliseconds(1000));

  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().code, ErrorCode::kInvalidArgument);
  ASSERT_FALSE(no_scheme.ok());
  EXPECT_EQ(no_scheme.error().code, ErrorCode::kInvalidArgument);
}

TEST(BeaconValidatorClient, MalformedResponseIsDataLossNamingTheField) {
  const std::string good_key = "0x" + std::string(96, 'a');
  struct Case {
    std::string body;
    const char* named;
  };
  const Case cases[] = {
      {"not json", "not JSON"},
      {R"({"execution_optimistic":false})", "no data array"},
      {R"({"data":[{"status":"active_ongoing","validator":{"pubkey":")" +
           good_key + R"(","slashed":false}}]})",
       "data[0].index"},
      {R"({"data":[{"index":"x1","status":"active_ongoing","validator":)"
       R"({"pubkey":")" + good_key + R"(","slashed":false}}]})",
       "data[0].index"},
      {R"({"data":[{"index":"1","validator":{"pubkey":")" + good_key +
           R"(","slashed":false}}]})",
       "data[0].status"},
      {R"({"data":[{"index":"1","status":"active_ongoing","validator":)"
       R"({"pubkey":"0xabcd","slashed":false}}]})",
       "data[0].validator.pubkey"},
      {R"({"data":[{"index":"1","status":"active_ongoing","validator":)"
       R"({"pubkey":")" + good_key + R"(","slashed":"false"}}]})",
       "data[0].validator.slashed"},
  };

  for (const Case& c : cases) {
    auto parsed = parse_validators_response(c.body);

    ASSERT_FALSE(parsed.ok()) << c.body;
    EXPECT_EQ(parsed.error().code, ErrorCode::kDataLoss) << c.body;
    EXPECT_TRUE(contains(parsed.error().message, c.named))
        << c.body << " -> " << parsed.error().message;
  }
}

TEST(BeaconValidatorClient, IsExitedOrSlashedTruthTable) {
  struct Row {
    const char* status;
    bool slashed;
    bool expected;
  };
  const Row rows[] = {
      {"pending_initialized", false, false},
      {"pending_queued", false, false},
      {"active_ongoing", false, false},
      {"active_exiting", false, false},
      {"active_slashed", false, true},
      {"exited_unslashed", false, true},
      {"exited_slashed", false, true},
      {"withdrawal_possible", false, true},
      {"withdrawal_done", false, true},
      {"active_ongoing", true, true},
      {"active_exiting", true, true},
      {"pending_queued", true, true},
  };

  for (const Row& row : rows) {
    ValidatorStatus validator;
    validator.status = row.status;
    validator.slashed = row.slashed;

    EXPECT_EQ(is_exited_or_slashed(validator), row.expected)
        << row.status << " slashed=" << row.slashed;
  }
}

}  // namespace
}  // namespace pkm::actors
