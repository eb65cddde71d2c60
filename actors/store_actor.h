// The store actor: the only writer of pkm's RocksDB store. Transitions
// that queue while a synced write is running are merged into the next
// write (group commit), so a burst of allocations shares one fsync.
// Reads do not go through it: storage::Store is safe for concurrent reads
// and each transition is seen whole or not at all.
#ifndef PKM_ACTORS_STORE_ACTOR_H_
#define PKM_ACTORS_STORE_ACTOR_H_

#include <memory>

#include "actors/actor_types.h"
#include "actors/service_metrics.h"
#include "storage/store.h"

namespace pkm::actors {

// Spawns the store actor on its own thread (writes block on fsync).
// `metrics` may be null; otherwise it must outlive the actor.
store_actor spawn_store_actor(caf::actor_system& system,
                              std::shared_ptr<storage::Store> store,
                              ServiceMetrics* metrics);

}  // namespace pkm::actors

#endif  // PKM_ACTORS_STORE_ACTOR_H_
