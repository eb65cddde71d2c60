// The pod watcher: lists the pods of one namespace and label selector
// every interval and tells the allocator about pods that are gone, judged
// by PodGoneTracker (positive evidence only). An API error, a timeout or
// a suspicious empty listing releases nothing; each is logged and counted.
#ifndef PKM_ACTORS_POD_WATCHER_ACTOR_H_
#define PKM_ACTORS_POD_WATCHER_ACTOR_H_

#include <chrono>
#include <memory>

#include "actors/actor_types.h"
#include "actors/kube_pod_lister.h"
#include "actors/service_metrics.h"

namespace pkm::actors {

struct PodWatcherOptions {
  KubeConfig kube;
  std::chrono::milliseconds interval{std::chrono::seconds(10)};
  allocator_actor allocator;
  // May be null; otherwise outlives the actor.
  ServiceMetrics* metrics = nullptr;
};

// Spawns the watcher on its own thread (listing blocks on HTTP). Refuses
// the configuration as KubePodLister::create does.
[[nodiscard]] Result<caf::actor> spawn_pod_watcher(caf::actor_system& system,
                                                   PodWatcherOptions options);

}  // namespace pkm::actors

#endif  // PKM_ACTORS_POD_WATCHER_ACTOR_H_
