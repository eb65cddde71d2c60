// The crash test's invariant checks find what they look for: each check
// against a small consistent state, then against the same state with one
// violation planted.
#include "tests/server/invariant_checker.h"

#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "crypto/bls.h"

namespace pkm::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr std::chrono::milliseconds kDelay{3000};

struct TestKey {
  std::string public_key;  // 48 bytes
  std::string public_hex;
  std::string private_hex;
  std::string sealed;
};

// Two keys: "a" holds key 0 since 200; "b" held key 1 (acknowledged at
// 500), released it at 1000; key 1 waits in quarantine until 4000.
class InvariantCheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SecretBytes master(32);
    for (size_t i = 0; i < 32; ++i) master[i] = 0x42;
    auto sealer = crypto::Sealer::create(master);
    ASSERT_TRUE(sealer.ok());
    sealer_ = std::make_shared<const crypto::Sealer>(std::move(*sealer));
    checker_ = std::make_unique<InvariantChecker>(sealer_, kDelay);
    for (uint8_t scalar = 1; scalar <= 2; ++scalar) {
      keys_.push_back(make(scalar));
    }

    disk_.keys[keys_[0].public_key] =
        record(keys_[0], records::KEY_STATE_ASSIGNED, "a");
    disk_.pods["a"] = pod("a", {keys_[0].public_key});
    records::KeyRecord released =
        record(keys_[1], records::KEY_STATE_QUARANTINED, "");
    released.set_released_unix_ms(1000);
    released.set_ready_at_unix_ms(4000);
    disk_.keys[keys_[1].public_key] = released;
    disk_.unassigned.push_back(queued(4000, keys_[1]));
    deposits_ = {keys_[0].public_key, keys_[1].public_key};

    history_.add({allocation("a", 100, 200, {0}),
                  allocation("b", 400, 500, {1}),
                  release("b", 1000, 1001)});
    for (const auto& key : keys_) {
      history_.add_secret(key.public_hex, key.private_hex);
    }
  }

  TestKey make(uint8_t scalar) {
    Bytes bytes(32, 0);
    bytes[31] = scalar;
    auto secret = crypto::SecretKey::from_bytes(bytes);
    EXPECT_TRUE(secret.ok());
    auto public_bytes = secret->public_key().to_bytes();
    TestKey key;
    key.public_key.assign(public_bytes.begin(), public_bytes.end());
    key.public_hex = to_hex(ByteView(public_bytes.data(), 48));
    key.private_hex = to_hex(bytes);
    auto sealed = sealer_->seal(bytes, ByteView(public_bytes.data(), 48));
    EXPECT_TRUE(sealed.ok());
    key.sealed.assign(sealed->begin(), sealed->end());
    return key;
  }

  static records::KeyRecord record(const TestKey& key,
                                   records::KeyState state,
                                   const std::string& pod_name) {
    records::KeyRecord record;
    record.set_public_key(key.public_key);
    record.set_sealed_secret(key.sealed);
    record.set_state(state);
    record.set_pod_name(pod_name);
    record.mutable_deposit()->set_status(records::DEPOSIT_STATUS_CONFIRMED);
    return record;
  }

  static records::PodRecord pod(const std::string& name,
                                const std::vector<std::string>& keys) {
    records::PodRecord record;
    record.set_pod_name(name);
    for (const auto& key : keys) record.add_public_keys(key);
    return record;
  }

  static storage::UnassignedEntry queued(uint64_t ready_at,
                                         const TestKey& key) {
    storage::UnassignedEntry entry;
    entry.ready_at_unix_ms = ready_at;
    entry.public_key.assign(key.public_key.begin(), key.public_key.end());
    return entry;
  }

  RequestRecord allocation(const std::string& pod_name, uint64_t sent,
                           uint64_t received, std::vector<int> indexes) {
    RequestRecord record;
    record.kind = RequestKind::kAllocate;
    record.pod_name = pod_name;
    record.sent_unix_ms = sent;
    record.received_unix_ms = received;
    record.acknowledged = true;
    record.keys_asked = static_cast<uint32_t>(indexes.size());
    for (int index : indexes) {
      record.public_keys.push_back(keys_[index].public_hex);
    }
    return record;
  }

  static RequestRecord release(const std::string& pod_name, uint64_t sent,
                               uint64_t received) {
    RequestRecord record;
    record.kind = RequestKind::kRelease;
    record.pod_name = pod_name;
    record.sent_unix_ms = sent;
    record.received_unix_ms = received;
    record.acknowledged = received != 0;
    return record;
  }

  std::shared_ptr<const crypto::Sealer> sealer_;
  std::unique_ptr<InvariantChecker> checker_;
  std::vector<TestKey> keys_;
  DiskState disk_;
  std::vector<std::string> deposits_;
  TrafficHistory history_;
};

TEST_F(InvariantCheckerTest, ConsistentStatePassesEveryCheck) {
  EXPECT_THAT(checker_->check_one_pod_per_key(disk_, history_), IsEmpty());
  EXPECT_THAT(checker_->check_secret_stored_before_deposit(disk_, deposits_),
              IsEmpty());
  EXPECT_THAT(checker_->check_deposited_once(disk_, deposits_), IsEmpty());
  EXPECT_THAT(checker_->check_recycle_delay(disk_, history_), IsEmpty());
  EXPECT_THAT(checker_->check_no_secret_in("pod=a keys=1", "log", history_),
              IsEmpty());
  EXPECT_THAT(checker_->check_acknowledged_survive(disk_, history_),
              IsEmpty());
}

TEST_F(InvariantCheckerTest, KeyListedByTwoPodsIsInvariant1) {
  disk_.pods["c"] = pod("c", {keys_[0].public_key});

  auto violations = checker_->check_one_pod_per_key(disk_, history_);

  ASSERT_FALSE(violations.empty());
  EXPECT_THAT(violations[0], HasSubstr("invariant 1: key"));
  EXPECT_THAT(violations[0], HasSubstr("listed by pods a and c"));
}

TEST_F(InvariantCheckerTest, AssignedKeyInTheRecyclingQueueIsInvariant1) {
  disk_.unassigned.push_back(queued(50, keys_[0]));

  auto violations = checker_->check_one_pod_per_key(disk_, history_);

  ASSERT_EQ(violations.size(), 1u);
  EXPECT_THAT(violations[0], HasSubstr("is KEY_STATE_ASSIGNED"));
}

TEST_F(InvariantCheckerTest, KeyGivenTwiceWithoutReleaseIsInvariant1) {
  history_.add({allocation("c", 250, 300, {0})});

  auto violations = checker_->check_one_pod_per_key(disk_, history_);

  ASSERT_EQ(violations.size(), 1u);
  EXPECT_THAT(violations[0], HasSubstr("no release of a sent in between"));
}

TEST_F(InvariantCheckerTest, DepositOfAnUnstoredKeyIsInvariant2) {
  deposits_.push_back(std::string(48, '\x07'));

  auto violations =
      checker_->check_secret_stored_before_deposit(disk_, deposits_);

  ASSERT_EQ(violations.size(), 1u);
  EXPECT_THAT(violations[0], HasSubstr("deposited on chain but not stored"));
}

TEST_F(InvariantCheckerTest, SealedSecretOfAnotherKeyIsInvariant2) {
  disk_.keys[keys_[0].public_key].set_sealed_secret(keys_[1].sealed);

  auto violations =
      checker_->check_secret_stored_before_deposit(disk_, deposits_);

  ASSERT_EQ(violations.size(), 1u);
  EXPECT_THAT(violations[0], HasSubstr("does not open"));
}

TEST_F(InvariantCheckerTest, SecondDepositOfAKeyIsInvariant3) {
  deposits_.push_back(keys_[1].public_key);

  auto violations = checker_->check_deposited_once(disk_, deposits_);

  ASSERT_FALSE(violations.empty());
  EXPECT_THAT(violations[0], HasSubstr("deposited 2 times"));
}

TEST_F(InvariantCheckerTest, GeneratedKeyAlreadyOnChainIsInvariant3) {
  disk_.keys[keys_[1].public_key].set_state(records::KEY_STATE_GENERATED);
  disk_.unassigned.clear();

  auto violations = checker_->check_deposited_once(disk_, deposits_);

  ASSERT_EQ(violations.size(), 1u);
  EXPECT_THAT(violations[0], HasSubstr("would deposit it again"));
}

TEST_F(InvariantCheckerTest, KeyHandedOutBeforeTheDelayIsInvariant4) {
  history_.add({allocation("c", 2400, 2500, {1})});

  auto violations = checker_->check_recycle_delay(disk_, history_);

  ASSERT_EQ(violations.size(), 1u);
  EXPECT_THAT(violations[0], HasSubstr("only 1500 ms before"));
}

TEST_F(InvariantCheckerTest, KeyHandedOutAfterTheDelayPasses) {
  history_.add({allocation("c", 3900, 4001, {1})});

  EXPECT_THAT(checker_->check_recycle_delay(disk_, history_), IsEmpty());
  EXPECT_THAT(checker_->check_one_pod_per_key(disk_, history_), IsEmpty());
}

TEST_F(InvariantCheckerTest, QueuedReadyBeforeTheDelayIsInvariant4) {
  disk_.unassigned[0].ready_at_unix_ms = 2000;

  auto violations = checker_->check_recycle_delay(disk_, history_);

  ASSERT_EQ(violations.size(), 1u);
  EXPECT_THAT(violations[0], HasSubstr("before the delay"));
}

TEST_F(InvariantCheckerTest, PrivateKeyInALogIsInvariant5) {
  std::string bare = keys_[1].private_hex.substr(2);
  for (auto& c : bare) c = static_cast<char>(std::toupper(c));

  auto violations = checker_->check_no_secret_in("secret=" + bare, "the log",
                                                 history_);

  ASSERT_EQ(violations.size(), 1u);
  EXPECT_THAT(violations[0], HasSubstr("appears in the log"));
}

TEST_F(InvariantCheckerTest, LostAcknowledgedAllocationIsInvariant6) {
  disk_.pods.erase("a");
  disk_.keys[keys_[0].public_key].set_state(records::KEY_STATE_GENERATED);

  auto violations = checker_->check_acknowledged_survive(disk_, history_);

  ASSERT_EQ(violations.size(), 1u);
  EXPECT_THAT(violations[0], HasSubstr("but holds [] on disk"));
}

TEST_F(InvariantCheckerTest, LostAcknowledgedReleaseIsInvariant6) {
  disk_.pods["b"] = pod("b", {keys_[1].public_key});

  auto violations = checker_->check_acknowledged_survive(disk_, history_);

  ASSERT_EQ(violations.size(), 1u);
  EXPECT_THAT(violations[0], HasSubstr("had its release acknowledged"));
}

TEST_F(InvariantCheckerTest, KeyTakenAwayFromAPodIsInvariant6) {
  history_.add({allocation("a", 600, 700, {1})});

  auto violations = checker_->check_acknowledged_survive(disk_, history_);

  EXPECT_THAT(violations,
              ElementsAre(HasSubstr("then [" + keys_[1].public_hex.substr(
                                        0, 12)),
                          HasSubstr("but holds")));
}

}  // namespace
}  // namespace pkm::testing
