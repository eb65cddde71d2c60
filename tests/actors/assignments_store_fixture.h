// A real Store on disk in a temp dir, with helpers that write key and pod
// records the way the allocator's transitions do. Shared by the tests of
// actors::read_assignments and of the HTTP gateway; header-only so each
// test binary can include it.
#ifndef PKM_TESTS_ACTORS_ASSIGNMENTS_STORE_FIXTURE_H_
#define PKM_TESTS_ACTORS_ASSIGNMENTS_STORE_FIXTURE_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "messages/records.pb.h"
#include "storage/store.h"
#include "storage/transition.h"
#include "tests/support/child_process.h"

namespace pkm::testing {

// A 48-byte stand-in public key: pseudo-random bytes like a real
// compressed point (first byte with the compression flag set), ending in
// `id` so that keys of different ids always differ. The store only checks
// the size.
inline Bytes test_public_key(uint64_t id) {
  Bytes key(storage::kPublicKeySize, 0);
  uint64_t state = id * 0x9e3779b97f4a7c15u + 0x632be59bd9b4e019u;
  for (size_t i = 0; i < 40; ++i) {
    state ^= state >> 29;
    state *= 0xbf58476d1ce4e5b9u;
    state ^= state >> 32;
    key[i] = static_cast<uint8_t>(state >> 24);
  }
  key[0] = static_cast<uint8_t>(0x80 | (key[0] & 0x3f));
  for (int i = 0; i < 8; ++i) {
    key[40 + i] = static_cast<uint8_t>(id >> (8 * (7 - i)));
  }
  return key;
}

// Sealed-secret stand-in: 61 bytes no public field ever contains, so a
// test can look for them in every response.
inline std::string test_sealed_secret(uint64_t id) {
  std::string sealed(61, '\0');
  for (size_t i = 0; i < sealed.size(); ++i) {
    sealed[i] = static_cast<char>(0x5a ^ ((i * 37 + id * 101) & 0xff));
  }
  return sealed;
}

// A 32-byte stand-in transaction hash.
inline std::string test_tx_hash(uint64_t id) {
  std::string hash(32, static_cast<char>(0x7d));
  hash[31] = static_cast<char>(id & 0xff);
  return hash;
}

inline std::string as_string(const Bytes& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

inline records::KeyRecord test_key_record(uint64_t id,
                                          records::KeyState state,
                                          const std::string& pod_name = "") {
  records::KeyRecord record;
  record.set_public_key(as_string(test_public_key(id)));
  record.set_sealed_secret(test_sealed_secret(id));
  record.set_state(state);
  record.set_pod_name(pod_name);
  record.set_withdrawal_credentials(std::string(32, '\x01'));
  record.set_created_unix_ms(1700000000000 + id);
  record.set_updated_unix_ms(1700000100000 + id);
  auto* deposit = record.mutable_deposit();
  deposit->set_signature(std::string(96, '\x22'));
  deposit->set_amount_gwei(32000000000);
  if (state != records::KEY_STATE_GENERATED) {
    deposit->set_tx_hash(test_tx_hash(id));
    deposit->set_status(records::DEPOSIT_STATUS_CONFIRMED);
  }
  return record;
}

inline records::PodRecord test_pod_record(const std::string& pod_name,
                                          const std::vector<uint64_t>& ids,
                                          uint64_t lease_expires_unix_ms = 0) {
  records::PodRecord record;
  record.set_pod_name(pod_name);
  for (uint64_t id : ids) {
    record.add_public_keys(as_string(test_public_key(id)));
  }
  record.set_lease_expires_unix_ms(lease_expires_unix_ms);
  return record;
}

class AssignmentsStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions options;
    options.data_dir = temp_dir_.path() + "/data";
    options.sealing_key_check = Bytes(32, 0x11);
    auto opened = storage::Store::open(options);
    ASSERT_TRUE(opened.ok()) << opened.error().to_string();
    store_ = std::move(opened).value();
  }

  void apply(const storage::Transition& transition) {
    Status applied = store_->apply(transition);
    ASSERT_TRUE(applied.ok()) << applied.error().to_string();
  }

  // Keys `ids` become ASSIGNED to `pod_name`, listed in that order, in
  // one transition.
  void assign(const std::string& pod_name, const std::vector<uint64_t>& ids,
              uint64_t lease_expires_unix_ms = 0) {
    storage::Transition transition;
    for (uint64_t id : ids) {
      transition.put_key(
          test_key_record(id, records::KEY_STATE_ASSIGNED, pod_name));
    }
    transition.put_pod(
        test_pod_record(pod_name, ids, lease_expires_unix_ms));
    apply(transition);
  }

  void put_key(const records::KeyRecord& record) {
    storage::Transition transition;
    transition.put_key(record);
    apply(transition);
  }

  void put_pod(const records::PodRecord& record) {
    storage::Transition transition;
    transition.put_pod(record);
    apply(transition);
  }

  // A released key waiting until `ready_at_unix_ms`.
  void quarantine(uint64_t id, uint64_t ready_at_unix_ms) {
    records::KeyRecord record =
        test_key_record(id, records::KEY_STATE_QUARANTINED);
    record.set_ready_at_unix_ms(ready_at_unix_ms);
    record.set_last_pod_name("gone-0");
    storage::Transition transition;
    transition.put_key(record);
    transition.add_unassigned(ready_at_unix_ms, test_public_key(id));
    apply(transition);
  }

  TempDir temp_dir_;
  std::unique_ptr<storage::Store> store_;
};

}  // namespace pkm::testing

#endif  // PKM_TESTS_ACTORS_ASSIGNMENTS_STORE_FIXTURE_H_
