#include "actors/assignments_view.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "tests/actors/assignments_store_fixture.h"

namespace pkm::actors {
namespace {

using ::pkm::testing::test_key_record;
using ::pkm::testing::test_pod_record;
using ::pkm::testing::test_public_key;
using ::pkm::testing::test_tx_hash;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr uint64_t kNow = 1700000500000;

std::vector<std::string> pod_names(const AssignmentsView& view) {
  std::vector<std::string> names;
  for (const auto& pod : view.pods) names.push_back(pod.pod_name);
  return names;
}

std::vector<Bytes> public_keys(const PodView& pod) {
  std::vector<Bytes> keys;
  for (const auto& key : pod.keys) keys.push_back(key.public_key);
  return keys;
}

class ReadAssignmentsTest : public testing::AssignmentsStoreTest {
 protected:
  Result<AssignmentsView> read(uint64_t now_unix_ms = kNow) {
    return read_assignments(*store_, now_unix_ms);
  }
};

TEST_F(ReadAssignmentsTest, EmptyStoreGivesAnEmptyView) {
  auto view = read();

  ASSERT_TRUE(view.ok()) << view.error().to_string();
  EXPECT_TRUE(view->pods.empty());
  EXPECT_EQ(view->unassigned + view->quarantined + view->depositing +
                view->retired + view->generated,
            0u);
  EXPECT_EQ(view->read_at_unix_ms, kNow);
}

TEST_F(ReadAssignmentsTest, PodsComeByNameWithKeysInPodRecordOrder) {
  assign("validator-2", {7, 3});
  assign("validator-0", {5, 1, 9});
  assign("validator-1", {2});

  auto view = read();

  ASSERT_TRUE(view.ok()) << view.error().to_string();
  EXPECT_THAT(pod_names(*view),
              ElementsAre("validator-0", "validator-1", "validator-2"));
  EXPECT_THAT(public_keys(view->pods[0]),
              ElementsAre(test_public_key(5), test_public_key(1),
                          test_public_key(9)));
  EXPECT_THAT(public_keys(view->pods[2]),
              ElementsAre(test_public_key(7), test_public_key(3)));
}

TEST_F(ReadAssignmentsTest, KeyViewCarriesStateHolderDepositTxAndSince) {
  assign("validator-0", {4}, /*lease_expires_unix_ms=*/1700000900000);

  auto view = read();

  ASSERT_TRUE(view.ok()) << view.error().to_string();
  ASSERT_EQ(view->pods.size(), 1u);
  EXPECT_EQ(view->pods[0].lease_expires_unix_ms, 1700000900000u);
  ASSERT_EQ(view->pods[0].keys.size(), 1u);
  const KeyView& key = view->pods[0].keys[0];
  EXPECT_EQ(key.state, records::KEY_STATE_ASSIGNED);
  EXPECT_EQ(key.pod_name, "validator-0");
  std::string tx = test_tx_hash(4);
  EXPECT_EQ(key.deposit_tx, Bytes(tx.begin(), tx.end()));
  EXPECT_EQ(key.since_unix_ms, 1700000100000u + 4);
}

TEST_F(ReadAssignmentsTest, CountsKeysNotHeldByState) {
  assign("validator-0", {1, 2});
  put_key(test_key_record(10, records::KEY_STATE_GENERATED));
  put_key(test_key_record(11, records::KEY_STATE_DEPOSITING));
  put_key(test_key_record(12, records::KEY_STATE_DEPOSITING));
  put_key(test_key_record(13, records::KEY_STATE_UNASSIGNED));
  put_key(test_key_record(14, records::KEY_STATE_RETIRED));
  quarantine(15, kNow + 60000);

  auto view = read();

  ASSERT_TRUE(view.ok()) << view.error().to_string();
  EXPECT_EQ(view->generated, 1u);
  EXPECT_EQ(view->depositing, 2u);
  EXPECT_EQ(view->unassigned, 1u);
  EXPECT_EQ(view->retired, 1u);
  EXPECT_EQ(view->quarantined, 1u);
  ASSERT_EQ(view->pods.size(), 1u);
  EXPECT_EQ(view->pods[0].keys.size(), 2u);
}

TEST_F(ReadAssignmentsTest, QuarantineThatIsOverCountsAsUnassigned) {
  quarantine(20, kNow - 1);
  quarantine(21, kNow);
  quarantine(22, kNow + 1);

  auto view = read();

  ASSERT_TRUE(view.ok()) << view.error().to_string();
  EXPECT_EQ(view->unassigned, 2u);
  EXPECT_EQ(view->quarantined, 1u);
}

TEST_F(ReadAssignmentsTest, PodWithoutKeysIsLeftOut) {
  put_pod(test_pod_record("validator-empty", {}));
  assign("validator-1", {1});

  auto view = read();

  ASSERT_TRUE(view.ok()) << view.error().to_string();
  EXPECT_THAT(pod_names(*view), ElementsAre("validator-1"));
}

TEST_F(ReadAssignmentsTest, PodListingAMissingKeyIsDataLossNamingPodAndKey) {
  assign("validator-0", {1});
  put_pod(test_pod_record("validator-3", {30}));

  auto view = read();

  ASSERT_FALSE(view.ok());
  EXPECT_EQ(view.error().code, ErrorCode::kDataLoss);
  EXPECT_THAT(view.error().message, HasSubstr("validator-3"));
  EXPECT_THAT(view.error().message, HasSubstr(to_hex(test_public_key(30))));
}

TEST_F(ReadAssignmentsTest, KeyAssignedToAPodThatDoesNotListItIsDataLoss) {
  assign("validator-0", {1});
  put_key(test_key_record(2, records::KEY_STATE_ASSIGNED, "validator-9"));

  auto view = read();

  ASSERT_FALSE(view.ok());
  EXPECT_EQ(view.error().code, ErrorCode::kDataLoss);
  EXPECT_THAT(view.error().message, HasSubstr("validator-9"));
  EXPECT_THAT(view.error().message, HasSubstr(to_hex(test_public_key(2))));
}

TEST_F(ReadAssignmentsTest, PodListingAKeyHeldByAnotherPodIsDataLoss) {
  assign("validator-0", {1});
  put_pod(test_pod_record("validator-5", {1}));

  auto view = read();

  ASSERT_FALSE(view.ok());
  EXPECT_EQ(view.error().code, ErrorCode::kDataLoss);
  EXPECT_THAT(view.error().message, HasSubstr("validator-0"));
  EXPECT_THAT(view.error().message, HasSubstr("validator-5"));
  EXPECT_THAT(view.error().message, HasSubstr(to_hex(test_public_key(1))));
}

TEST_F(ReadAssignmentsTest, PodListingAReleasedKeyIsDataLossNamingItsState) {
  quarantine(6, kNow + 1000);
  put_pod(test_pod_record("validator-6", {6}));

  auto view = read();

  ASSERT_FALSE(view.ok());
  EXPECT_EQ(view.error().code, ErrorCode::kDataLoss);
  EXPECT_THAT(view.error().message, HasSubstr("validator-6"));
  EXPECT_THAT(view.error().message, HasSubstr("quarantined"));
}

TEST_F(ReadAssignmentsTest, HundredThousandAssignedKeysAreReadInOnePass) {
  constexpr uint64_t kKeys = 100000;
  constexpr uint64_t kKeysPerPod = 100;
  for (uint64_t first = 0; first < kKeys; first += 1000) {
    storage::Transition transition;
    for (uint64_t pod = first; pod < first + 1000; pod += kKeysPerPod) {
      std::vector<uint64_t> ids;
      std::string name = "validator-" + std::to_string(pod / kKeysPerPod);
      for (uint64_t id = pod; id < pod + kKeysPerPod; ++id) {
        ids.push_back(id);
        transition.put_key(
            test_key_record(id, records::KEY_STATE_ASSIGNED, name));
      }
      transition.put_pod(test_pod_record(name, ids));
    }
    apply(transition);
  }

  auto started = std::chrono::steady_clock::now();
  auto view = read();
  double seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - started)
                       .count();

  ASSERT_TRUE(view.ok()) << view.error().to_string();
  size_t keys = 0;
  for (const auto& pod : view->pods) keys += pod.keys.size();
  EXPECT_EQ(keys, kKeys);
  EXPECT_EQ(view->pods.size(), kKeys / kKeysPerPod);
  // Timing is reported, not asserted: the machine is shared.
  RecordProperty("read_seconds", std::to_string(seconds));
  std::cout << "read_assignments of " << kKeys << " keys took " << seconds
            << " s\n";
}

}  // namespace
}  // namespace pkm::actors
