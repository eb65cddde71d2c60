// The depositor and its in-process deposit workers. The depositor queues
// stored GENERATED keys and hands them in batches to one worker, which
// signs their transactions from the funder account, journals them (state
// DEPOSITING with tx hash, nonce and raw bytes, one synced write per
// batch) and only then sends them; a receipt waiter follows the sent ones
// until they have the confirmations. Each outcome goes back to the actor
// that asked for the deposit (the allocator). Batches pipeline: the next
// batch is signed and sent while the previous one waits for its block.
//
// Invariant 3 (no public key deposited twice): a journaled transaction is
// only ever re-sent byte for byte; a key is sent again under a new
// transaction only when the node shows its old nonce taken by another.
#ifndef PKM_ACTORS_DEPOSITOR_ACTOR_H_
#define PKM_ACTORS_DEPOSITOR_ACTOR_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "actors/actor_types.h"
#include "actors/service_metrics.h"
#include "chain/deposit.h"
#include "crypto/secp256k1.h"

namespace pkm::actors {

struct DepositorOptions {
  std::string eth_rpc_url;
  std::string contract_address;  // EIP-55
  // The funder's key; the workers sign with it. Required.
  std::shared_ptr<const crypto::EcdsaPrivateKey> funder;
  chain::ForkVersion fork_version{};
  uint64_t confirmations = 1;
  // Deposits per batch handed to the worker (one journal write each).
  size_t max_batch = 1000;
  // How long the waiter follows a batch before it reports the rest as
  // unresolved (left DEPOSITING, resumed at the next start).
  std::chrono::milliseconds receipt_timeout{std::chrono::minutes(10)};
  store_actor store;
  // May be null; otherwise outlives the actors.
  ServiceMetrics* metrics = nullptr;
};

// Spawns the depositor with one worker and two receipt waiters (one for new
// deposits, one for those resumed at start-up), each on its own thread
// (they block on JSON-RPC). The node is first contacted when the first
// batch arrives.
depositor_actor spawn_depositor(caf::actor_system& system,
                                DepositorOptions options);

}  // namespace pkm::actors

#endif  // PKM_ACTORS_DEPOSITOR_ACTOR_H_
