#include "actors/keygen_actor.h"

#include <chrono>
#include <string>
#include <utility>

#include <openssl/rand.h>

#include "actors/component_logger.h"
#include "base/bytes.h"
#include "crypto/bls.h"

namespace pkm::actors {

uint64_t unix_now_ms() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
}

namespace {

// 48 random bytes reduced mod r: the bias is below 2^-128.
Result<crypto::SecretKey> random_secret_key() {
  for (int attempt = 0; attempt < 4; ++attempt) {
    SecretBytes wide(48);
    if (RAND_bytes(wide.data(), static_cast<int>(wide.size())) != 1) {
      return Error{ErrorCode::kUnavailable,
                   "the system random generator failed"};
    }
    crypto::SecretKey key = crypto::SecretKey::reduce_wide(wide.view());
    if (!key.is_zero()) return key;
  }
  return Error{ErrorCode::kInternal, "random scalars kept reducing to zero"};
}

}  // namespace

Result<std::vector<records::KeyRecord>> make_keys(
    const KeyFactoryOptions& options, uint32_t count, uint64_t now_unix_ms) {
  std::vector<records::KeyRecord> made;
  made.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    auto secret = random_secret_key();
    if (!secret.ok()) return secret.error();
    crypto::PublicKey public_key = secret->public_key();
    auto public_bytes = public_key.to_bytes();

    chain::Bytes32 credentials =
        options.withdrawal_credentials
            ? *options.withdrawal_credentials
            : chain::bls_withdrawal_credentials(public_key);
    auto deposit = chain::sign_deposit(*secret, credentials,
                                       options.amount_gwei,
                                       options.fork_version);
    if (!deposit.ok()) return deposit.error();
    // Checked here, in parallel across the pool, so that the deposit
    // worker need not verify each signature again on its single thread.
    Status valid = chain::verify_deposit(*deposit, options.fork_version);
    if (!valid.ok()) {
      return Error{ErrorCode::kInternal,
                   "a deposit signed here does not verify: " +
                       valid.error().message};
    }
    chain::Root root = chain::deposit_data_root(*deposit);

    SecretBytes secret_bytes = secret->to_bytes();
    auto sealed = options.sealer->seal(
        secret_bytes.view(),
        ByteView(public_bytes.data(), public_bytes.size()));
    if (!sealed.ok()) return sealed.error();

    records::KeyRecord record;
    record.set_public_key(public_bytes.data(), public_bytes.size());
    record.set_sealed_secret(sealed->data(), sealed->size());
    record.set_state(records::KEY_STATE_GENERATED);
    record.set_withdrawal_credentials(credentials.data(), credentials.size());
    record.set_created_unix_ms(now_unix_ms);
    record.set_updated_unix_ms(now_unix_ms);
    records::Deposit* stored = record.mutable_deposit();
    stored->set_signature(deposit->signature.data(),
                          deposit->signature.size());
    stored->set_amount_gwei(deposit->amount_gwei);
    stored->set_deposit_data_root(root.data(), root.size());
    stored->set_status(options.record_only
                           ? records::DEPOSIT_STATUS_NOT_SENT_BY_CONFIGURATION
                           : records::DEPOSIT_STATUS_PENDING);
    stored->set_job_id(to_hex(ByteView(public_bytes.data(), 48)));
    made.push_back(std::move(record));
  }
  return made;
}

namespace {

keygen_actor::behavior_type keygen_behavior(keygen_actor::pointer,
                                            KeyFactoryOptions options) {
  return {
      [options](generate_atom, uint32_t count) -> caf::result<KeyBatch> {
        auto made = make_keys(options, count, unix_now_ms());
        if (!made.ok()) {
          component_logger("keygen")->error(
              "key generation failed count={} error={}", count,
              made.error().message);
          return to_caf_error(made.error());
        }
        component_logger("keygen")->debug("keys made count={}", count);
        return KeyBatch{std::move(made).value(), false};
      },
  };
}

}  // namespace

// The options travel as a spawn argument: CAF 0.17 dereferences an empty
// argument tuple when an actor is spawned without arguments (UBSan).
keygen_actor spawn_keygen_actor(caf::actor_system& system,
                                KeyFactoryOptions options) {
  component_logger("keygen");
  return system.spawn<caf::detached>(keygen_behavior, std::move(options));
}

}  // namespace pkm::actors
