// The store actor over a real RocksDB store on disk: every transition is
// durable before its reply, and transitions that queue during a write
// share the next one (group commit).
#include "actors/store_actor.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/child_process.h"

namespace pkm::actors {
namespace {

records::KeyRecord key_record(uint32_t id) {
  records::KeyRecord record;
  std::string pubkey(48, '\0');
  for (int i = 0; i < 4; ++i) pubkey[i] = static_cast<char>(id >> (8 * i));
  record.set_public_key(pubkey);
  record.set_state(records::KEY_STATE_GENERATED);
  record.set_sealed_secret(std::string(61, 's'));
  return record;
}

class StoreActorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions options;
    options.data_dir = dir_.path() + "/data";
    options.sealing_key_check = Bytes(32, 7);
    store_ = std::shared_ptr<storage::Store>(
        storage::Store::open(options).value().release());
    actor_ = spawn_store_actor(system_, store_, &metrics_);
  }

  void TearDown() override {
    caf::anon_send_exit(actor_, caf::exit_reason::user_shutdown);
  }

  pkm::testing::TempDir dir_;
  caf::actor_system_config config_;
  caf::actor_system system_{config_};
  ServiceMetrics metrics_;
  std::shared_ptr<storage::Store> store_;
  store_actor actor_;
};

TEST_F(StoreActorTest, ConcurrentTransitionsAreDurableAndShareWrites) {
  caf::scoped_actor self{system_};
  constexpr uint32_t kTransitions = 256;

  for (uint32_t id = 0; id < kTransitions; ++id) {
    auto transition = std::make_shared<storage::Transition>();
    transition->put_key(key_record(id));
    self->send(actor_, apply_atom::value, TransitionPtr(transition));
  }
  uint32_t acknowledged = 0;
  for (uint32_t i = 0; i < kTransitions; ++i) {
    self->receive([&](bool durable) { acknowledged += durable ? 1 : 0; },
                  [&](caf::error& error) {
                    ADD_FAILURE() << caf::to_string(error);
                  });
  }

  EXPECT_EQ(acknowledged, kTransitions);
  for (uint32_t id = 0; id < kTransitions; ++id) {
    EXPECT_TRUE(store_->get_key(ByteView(reinterpret_cast<const uint8_t*>(
                                             key_record(id)
                                                 .public_key()
                                                 .data()),
                                         48))
                    .ok());
  }
  auto counters = store_->counters();
  EXPECT_LT(counters.writes, kTransitions);
  EXPECT_EQ(metrics_.snapshot().store_writes, counters.writes);
}

TEST_F(StoreActorTest, RefusedTransitionGetsAnErrorAndWritesNothing) {
  caf::scoped_actor self{system_};
  auto transition = std::make_shared<storage::Transition>();
  records::KeyRecord record = key_record(1);
  record.set_state(records::KEY_STATE_UNSPECIFIED);
  transition->put_key(record);

  Error error{ErrorCode::kInternal, "no reply"};
  self->request(actor_, caf::infinite, apply_atom::value,
                TransitionPtr(transition))
      .receive([&](bool) { error = Error{ErrorCode::kInternal, "ok"}; },
               [&](caf::error& refused) { error = from_caf_error(refused); });

  EXPECT_EQ(error.code, ErrorCode::kInvalidArgument) << error.message;
  EXPECT_EQ(store_->get_key(ByteView(reinterpret_cast<const uint8_t*>(
                                         record.public_key().data()),
                                     48))
                .error()
                .code,
            ErrorCode::kNotFound);
}

}  // namespace
}  // namespace pkm::actors
