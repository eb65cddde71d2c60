// The validator monitor: every interval asks a beacon node (standard
// beacon API) for the status of every deposited key pkm manages, in
// batches, and has the allocator retire keys of exited or slashed
// validators, which are then never handed out again. When the beacon node
// fails in any way nothing is retired; the failure is logged and counted.
#ifndef PKM_ACTORS_VALIDATOR_MONITOR_ACTOR_H_
#define PKM_ACTORS_VALIDATOR_MONITOR_ACTOR_H_

#include <chrono>
#include <memory>
#include <string>

#include "actors/actor_types.h"
#include "actors/service_metrics.h"
#include "storage/store.h"

namespace pkm::actors {

struct ValidatorMonitorOptions {
  std::string beacon_url;
  std::chrono::milliseconds interval{std::chrono::seconds(60)};
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
  size_t batch_size = 100;
  // Read directly (thread-safe) to find the managed keys.
  std::shared_ptr<storage::Store> store;
  allocator_actor allocator;
  // May be null; otherwise outlives the actor.
  ServiceMetrics* metrics = nullptr;
};

// Spawns the monitor on its own thread. Refuses a bad URL as
// BeaconValidatorClient::create does.
[[nodiscard]] Result<caf::actor> spawn_validator_monitor(
    caf::actor_system& system, ValidatorMonitorOptions options);

}  // namespace pkm::actors

#endif  // PKM_ACTORS_VALIDATOR_MONITOR_ACTOR_H_
