#include "actors/pod_watcher_actor.h"

#include <string>
#include <utility>
#include <vector>

#include "actors/component_logger.h"
#include "actors/pod_gone_tracker.h"

namespace pkm::actors {
namespace {

struct WatcherState {
  std::unique_ptr<KubePodLister> lister;
  PodGoneTracker tracker;
  static inline const char* name = "pod_watcher";
};

caf::behavior watcher_behavior(caf::stateful_actor<WatcherState>* self,
                               PodWatcherOptions options,
                               std::shared_ptr<KubePodLister> lister) {
  self->state.lister.reset();
  auto log = component_logger("pod_watcher");
  auto observe = [self, options, lister, log](const PodHoldings& holdings) {
    std::vector<std::string> holders;
    for (const auto& pod : holdings.pods) holders.push_back(pod.pod_name);
    if (holders.empty()) return;

    auto listing = lister->list();
    if (!listing.ok()) {
      self->state.tracker.listing_failed();
      if (options.metrics != nullptr) options.metrics->add_pod_listing_failed();
      log->warn("pod listing failed; releasing nothing error={}",
                listing.error().message);
      return;
    }
    auto verdict = self->state.tracker.observe(*listing, holders);
    if (verdict.suspicious_empty) {
      if (options.metrics != nullptr) {
        options.metrics->add_pod_listing_suspicious();
      }
      log->warn("pod listing is empty while pods hold keys; releasing "
                "nothing pods_holding_keys={}",
                holders.size());
    }
    for (const auto& name : verdict.replaced) {
      log->info("pod replaced under the same name; its keys stay with the "
                "name pod={}",
                name);
    }
    for (auto& gone : verdict.gone) {
      log->info("pod gone pod={} evidence=\"{}\"", gone.pod_name,
                gone.evidence);
      if (options.metrics != nullptr) {
        options.metrics->add_pods_reported_gone(1);
      }
      self->send(options.allocator, pod_gone_atom::value, std::move(gone));
    }
  };

  self->send(self, tick_atom::value);
  return {
      [self, options, observe](tick_atom) {
        self->request(options.allocator, caf::infinite, pods_atom::value)
            .then([self, options, observe](PodHoldings& holdings) {
              observe(holdings);
              self->delayed_send(self, options.interval, tick_atom::value);
            },
            [self, options](caf::error&) {
              self->delayed_send(self, options.interval, tick_atom::value);
            });
      },
  };
}

}  // namespace

Result<caf::actor> spawn_pod_watcher(caf::actor_system& system,
                                     PodWatcherOptions options) {
  auto lister = KubePodLister::create(options.kube);
  if (!lister.ok()) return lister.error();
  component_logger("pod_watcher")
      ->info("watching pods api={} namespace={} selector=\"{}\" "
             "interval_ms={}",
             options.kube.api_url, options.kube.namespace_name,
             options.kube.label_selector, options.interval.count());
  std::shared_ptr<KubePodLister> shared(std::move(lister).value());
  return system.spawn<caf::detached>(watcher_behavior, std::move(options),
                                     shared);
}

}  // namespace pkm::actors
