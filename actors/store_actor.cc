#include "actors/store_actor.h"

#include <utility>
#include <vector>

#include "actors/component_logger.h"

namespace pkm::actors {
namespace {

// The store actor's private interface: the public one plus the flush
// message it sends itself.
using store_actor_impl = store_actor::extend<caf::reacts_to<tick_atom>>;

struct StoreActorState {
  std::shared_ptr<storage::Store> store;
  ServiceMetrics* metrics = nullptr;
  std::vector<std::pair<TransitionPtr, caf::typed_response_promise<bool>>>
      pending;
  bool flush_queued = false;
  static inline const char* name = "store";
};

store_actor_impl::behavior_type store_behavior(
    store_actor_impl::stateful_pointer<StoreActorState> self,
    std::shared_ptr<storage::Store> store, ServiceMetrics* metrics) {
  self->state.store = std::move(store);
  self->state.metrics = metrics;
  return {
      [self](apply_atom, TransitionPtr transition) -> caf::result<bool> {
        auto promise = self->make_response_promise<bool>();
        self->state.pending.emplace_back(std::move(transition), promise);
        // Everything already in the mailbox is taken before the flush
        // message, so it joins this group.
        if (!self->state.flush_queued) {
          self->state.flush_queued = true;
          self->send(self, tick_atom::value);
        }
        return promise;
      },
      [self](tick_atom) {
        auto& state = self->state;
        state.flush_queued = false;
        auto group = std::move(state.pending);
        state.pending.clear();
        if (group.empty()) return;

        storage::Transition merged;
        for (const auto& entry : group) merged.append(*entry.first);
        Status written = state.store->apply(merged);
        if (state.metrics != nullptr) {
          auto counters = state.store->counters();
          state.metrics->set_store_counters(counters.transitions,
                                            counters.writes);
        }
        if (!written.ok()) {
          component_logger("store")->error(
              "write failed transitions={} error={}", group.size(),
              written.error().message);
        }
        for (auto& entry : group) {
          if (written.ok()) {
            entry.second.deliver(true);
          } else {
            entry.second.deliver(to_caf_error(written.error()));
          }
        }
      },
  };
}

}  // namespace

store_actor spawn_store_actor(caf::actor_system& system,
                              std::shared_ptr<storage::Store> store,
                              ServiceMetrics* metrics) {
  component_logger("store");
  auto impl = system.spawn<caf::detached>(store_behavior, std::move(store),
                                          metrics);
  return caf::actor_cast<store_actor>(impl);
}

}  // namespace pkm::actors
