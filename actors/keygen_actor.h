// Keygen actors: make fresh validator keys from the system's random
// generator, sign their deposit data and seal their secrets. Signing uses
// crypto/'s constant-time scalar code; a plaintext secret lives only
// inside one call and is wiped there.
#ifndef PKM_ACTORS_KEYGEN_ACTOR_H_
#define PKM_ACTORS_KEYGEN_ACTOR_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "actors/actor_types.h"
#include "chain/deposit.h"
#include "crypto/sealer.h"

namespace pkm::actors {

struct KeyFactoryOptions {
  // Seals every secret, with the public key as associated data.
  std::shared_ptr<const crypto::Sealer> sealer;
  chain::ForkVersion fork_version{};
  uint64_t amount_gwei = 32 * chain::kGweiPerEth;
  // 0x01 credentials of --withdrawal-address; absent: 0x00 credentials
  // from each key's own public key.
  std::optional<chain::Bytes32> withdrawal_credentials;
  // --deposit-mode none: deposits are recorded as not sent by
  // configuration instead of pending.
  bool record_only = false;
};

// Makes `count` keys as records in state GENERATED (deposit PENDING, or
// NOT_SENT_BY_CONFIGURATION when record_only) with signed deposit data and
// sealed secrets. Thread-safe; unavailable when the random generator or
// sealing fails.
[[nodiscard]] Result<std::vector<records::KeyRecord>> make_keys(
    const KeyFactoryOptions& options, uint32_t count, uint64_t now_unix_ms);

// Spawns one keygen actor on its own thread (key generation is CPU-bound
// and must not stall the allocator).
keygen_actor spawn_keygen_actor(caf::actor_system& system,
                                KeyFactoryOptions options);

// Milliseconds since the Unix epoch.
uint64_t unix_now_ms();

}  // namespace pkm::actors

#endif  // PKM_ACTORS_KEYGEN_ACTOR_H_
