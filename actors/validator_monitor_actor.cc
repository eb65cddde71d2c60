#include "actors/validator_monitor_actor.h"

#include <string>
#include <utility>
#include <vector>

#include "actors/beacon_validator_client.h"
#include "actors/component_logger.h"

namespace pkm::actors {
namespace {

// The keys whose validators can exit: deposited and not retired.
Result<std::vector<std::string>> managed_keys(const storage::Store& store) {
  std::vector<std::string> keys;
  Status scanned = store.for_each_key([&](const records::KeyRecord& record) {
    switch (record.state()) {
      case records::KEY_STATE_ASSIGNED:
      case records::KEY_STATE_QUARANTINED:
      case records::KEY_STATE_UNASSIGNED:
        keys.push_back(record.public_key());
        break;
      default:
        break;
    }
    return true;
  });
  if (!scanned.ok()) return scanned.error();
  return keys;
}

caf::behavior monitor_behavior(caf::event_based_actor* self,
                               ValidatorMonitorOptions options,
                               std::shared_ptr<BeaconValidatorClient> client) {
  auto log = component_logger("validator_monitor");
  self->send(self, tick_atom::value);
  return {
      [self, options, client, log](tick_atom) {
        auto again = [self, options] {
          self->delayed_send(self, options.interval, tick_atom::value);
        };
        auto keys = managed_keys(*options.store);
        if (!keys.ok() || keys->empty()) {
          if (!keys.ok()) {
            log->error("cannot read the managed keys error={}",
                       keys.error().message);
          }
          again();
          return;
        }
        auto statuses = client->statuses(*keys);
        if (!statuses.ok()) {
          if (options.metrics != nullptr) {
            options.metrics->add_validator_check_failed();
          }
          log->warn("beacon node query failed; retiring nothing keys={} "
                    "error={}",
                    keys->size(), statuses.error().message);
          again();
          return;
        }
        RetireKeys retire;
        for (const auto& validator : *statuses) {
          if (!is_exited_or_slashed(validator)) continue;
          retire.public_keys.push_back(validator.pubkey);
          retire.reasons.push_back(
              validator.slashed || validator.status == "active_slashed" ||
                      validator.status == "exited_slashed"
                  ? "slashed"
                  : "exited (" + validator.status + ")");
        }
        log->debug("validators checked keys={} known={} to_retire={}",
                   keys->size(), statuses->size(), retire.public_keys.size());
        if (retire.public_keys.empty()) {
          again();
          return;
        }
        self->request(options.allocator, caf::infinite, retire_atom::value,
                      std::move(retire))
            .then(
                [options, again](uint64_t retired) {
                  if (options.metrics != nullptr && retired > 0) {
                    options.metrics->add_keys_retired_by_monitor(retired);
                  }
                  again();
                },
                [again](caf::error&) { again(); });
      },
  };
}

}  // namespace

Result<caf::actor> spawn_validator_monitor(caf::actor_system& system,
                                           ValidatorMonitorOptions options) {
  auto client = BeaconValidatorClient::create(
      options.beacon_url, options.timeout, options.batch_size);
  if (!client.ok()) return client.error();
  component_logger("validator_monitor")
      ->info("monitoring validators beacon={} interval_ms={}",
             options.beacon_url, options.interval.count());
  std::shared_ptr<BeaconValidatorClient> shared(std::move(client).value());
  return system.spawn<caf::detached>(monitor_behavior, std::move(options),
                                     shared);
}

}  // namespace pkm::actors
