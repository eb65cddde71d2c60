// The allocator: the single owner of allocation state (which pod holds
// which keys, the recycling queue, keys being made). It answers allocate,
// release and renew; requests of one pod run one at a time, requests of
// different pods never wait for each other. Every reply is sent only after
// the store actor has synced the transition behind it (invariant 6).
//
// Allocation: a pod asking again gets the keys it holds, topped up when it
// asks for more; missing keys come from the recycling queue (oldest ready
// first, never before ready-at: invariant 4), then from keys whose earlier
// deposit failed, then from keygen. New keys are stored sealed before their
// deposits are sent (invariant 2). A request is all or nothing: when a new
// key cannot be deposited the pod gets an error and keeps none of them;
// keys that did get deposited join the recycling queue.
//
// A failed store write stops the process through `on_fatal`: memory may
// then be ahead of disk, and a restart rebuilds it from disk.
#ifndef PKM_ACTORS_ALLOCATOR_ACTOR_H_
#define PKM_ACTORS_ALLOCATOR_ACTOR_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "actors/actor_types.h"
#include "actors/service_metrics.h"
#include "crypto/sealer.h"
#include "storage/store.h"

namespace pkm::actors {

struct AllocatorOptions {
  // Read directly (thread-safe); written only through `store_writer`.
  std::shared_ptr<storage::Store> store;
  store_actor store_writer;
  // At least one.
  std::vector<keygen_actor> keygen;
  // Absent with --deposit-mode none: new keys are assigned at once.
  std::optional<depositor_actor> depositor;
  std::shared_ptr<const crypto::Sealer> sealer;
  std::chrono::milliseconds recycle_delay{768000};
  // 0: leases off. A pod whose lease ran out is released (with the pod
  // watcher on, only once the watcher also reported it gone).
  std::chrono::milliseconds lease_ttl{0};
  // The pod watcher reports pods that are gone (PodGone).
  bool pod_watcher_enabled = false;
  // Quarantine of a key released without an EIP-3076 record for it (a
  // release that carried none, or one by lease or pod watcher): its
  // signing history is unknown, so it waits longer.
  std::chrono::milliseconds unprotected_recycle_delay{1536000};
  // When set, a release's EIP-3076 document must name this chain.
  std::optional<std::array<uint8_t, 32>> genesis_validators_root;
  // May be null; otherwise outlives the actor.
  ServiceMetrics* metrics = nullptr;
  // Called once when a store write fails; must end the process.
  std::function<void(const Error&)> on_fatal;
};

// Loads pods and the recycling queue from the store, then spawns the
// allocator. Keys that were being made or deposited are found by a scan
// in the background; their deposits resume when it reports. data_loss (or
// another store error) when the state does not load.
[[nodiscard]] Result<allocator_actor> spawn_allocator(
    caf::actor_system& system, AllocatorOptions options);

}  // namespace pkm::actors

#endif  // PKM_ACTORS_ALLOCATOR_ACTOR_H_
