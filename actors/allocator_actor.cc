#include "actors/allocator_actor.h"

#include <algorithm>
#include <deque>
#include <set>
#include <tuple>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "actors/component_logger.h"
#include "actors/free_key_queue.h"
#include "actors/keygen_actor.h"
#include "messages/slashing_protection.h"

namespace pkm::actors {
namespace {

using allocator_impl = allocator_actor::extend<caf::reacts_to<tick_atom>>;

std::string hex_of(const std::string& bytes) {
  return to_hex(ByteView(reinterpret_cast<const uint8_t*>(bytes.data()),
                         bytes.size()));
}

ByteView view_of(const std::string& bytes) {
  return ByteView(reinterpret_cast<const uint8_t*>(bytes.data()),
                  bytes.size());
}

struct PodEntry {
  std::vector<std::string> keys;  // public keys, oldest first
  uint64_t lease_expires_unix_ms = 0;
  uint64_t created_unix_ms = 0;
};

// One queued request of a pod, with the promise its reply goes to.
struct PendingRequest {
  std::variant<wire::AllocateRequest, wire::ReleaseRequest,
               wire::RenewRequest>
      request;
  caf::typed_response_promise<wire::AllocateReply> allocate_promise;
  caf::typed_response_promise<wire::ReleaseReply> release_promise;
  caf::typed_response_promise<wire::RenewReply> renew_promise;
  // Set for releases the server decides itself (lease expired, pod gone):
  // nobody waits for their reply.
  std::string internal_reason;
};

// An allocation waiting for new keys.
struct WaitingAllocation {
  std::string pod_name;
  std::vector<FreeKeyQueue::Entry> recycled;
  std::vector<records::KeyRecord> ready;  // new keys, deposited
  size_t expected = 0;                    // new keys asked for
  size_t resolved = 0;                    // of them: ready or failed
  std::vector<std::string> errors;
};

struct AllocatorState {
  AllocatorOptions options;
  std::unordered_map<std::string, PodEntry> pods;
  uint64_t assigned = 0;
  FreeKeyQueue free_queue;
  std::deque<records::KeyRecord> spare;
  uint64_t depositing = 0;
  uint64_t generating = 0;
  uint64_t retired = 0;
  bool recovered = false;
  size_t next_keygen = 0;
  std::unordered_map<std::string, std::deque<PendingRequest>> busy;
  uint64_t next_waiting_id = 1;
  std::unordered_map<uint64_t, WaitingAllocation> waiting;
  std::unordered_map<std::string, uint64_t> waiting_by_key;
  bool failed = false;
  // Pods the watcher reported gone, and pods with a release of the
  // server's own queued.
  std::set<std::string> gone_pods;
  std::set<std::string> releasing;
  static inline const char* name = "allocator";
};

using Self = allocator_impl::stateful_pointer<AllocatorState>;

void advance(Self self, const std::string& pod_name);

void fatal(Self self, const Error& error) {
  if (self->state.failed) return;
  self->state.failed = true;
  // A write that failed leaves memory ahead of disk; a read that found
  // corruption will not heal by restarting, so say which it was.
  if (error.code == ErrorCode::kDataLoss) {
    component_logger("allocator")
        ->critical("the store is corrupt; stopping. Restore the data dir "
                   "from a backup (a restart alone will not help) "
                   "error={}",
                   error.message);
  } else {
    component_logger("allocator")
        ->critical("store write failed; stopping so that a restart "
                   "reloads the state from disk error={}",
                   error.message);
  }
  if (self->state.options.on_fatal) self->state.options.on_fatal(error);
}

// Writes `transition`, then runs `then`. A failed write is fatal.
template <class F>
void write(Self self, std::shared_ptr<storage::Transition> transition,
           F then) {
  TransitionPtr frozen = std::move(transition);
  self->request(self->state.options.store_writer, caf::infinite,
                apply_atom::value, frozen)
      .then([then](bool) mutable { then(); },
            [self](caf::error& error) { fatal(self, from_caf_error(error)); });
}

// Pops the head request of `pod_name` (it is answered) and goes on.
void complete(Self self, const std::string& pod_name) {
  auto it = self->state.busy.find(pod_name);
  if (it == self->state.busy.end()) return;
  it->second.pop_front();
  advance(self, pod_name);
}

Result<records::KeyRecord> read_key(Self self, const std::string& pubkey) {
  auto record = self->state.options.store->get_key(view_of(pubkey));
  if (!record.ok() && record.error().code == ErrorCode::kNotFound) {
    return Error{ErrorCode::kDataLoss,
                 "key " + hex_of(pubkey) + " is in memory but not on disk"};
  }
  return record;
}

// The reply for a pod: every key it holds, with secrets unsealed.
// `known` holds records the caller has at hand (just written), saving a
// read each.
Result<wire::AllocateReply> reply_for(
    Self self, const std::string& pod_name,
    const std::unordered_map<std::string, records::KeyRecord>& known = {}) {
  wire::AllocateReply reply;
  reply.set_pod_name(pod_name);
  auto it = self->state.pods.find(pod_name);
  if (it == self->state.pods.end()) return reply;
  for (const std::string& pubkey : it->second.keys) {
    auto at_hand = known.find(pubkey);
    auto record = at_hand != known.end()
                      ? Result<records::KeyRecord>(at_hand->second)
                      : read_key(self, pubkey);
    if (!record.ok()) return record.error();
    auto secret = self->state.options.sealer->open(
        view_of(record->sealed_secret()), view_of(pubkey));
    if (!secret.ok()) {
      return Error{secret.error().code,
                   "cannot unseal the secret of key " + hex_of(pubkey) +
                       ": " + secret.error().message};
    }
    wire::AllocatedKey* key = reply.add_keys();
    key->set_public_key(pubkey);
    key->set_private_key(reinterpret_cast<const char*>(secret->data()),
                         secret->size());
    key->set_withdrawal_credentials(record->withdrawal_credentials());
    key->set_deposit_tx(record->deposit().tx_hash());
    if (record->has_slashing_protection()) {
      key->set_slashing_protection(record->slashing_protection());
    }
  }
  return reply;
}

void deliver_allocation(
    Self self, const std::string& pod_name, PendingRequest& pending,
    const std::unordered_map<std::string, records::KeyRecord>& known = {}) {
  auto reply = reply_for(self, pod_name, known);
  if (reply.ok()) {
    pending.allocate_promise.deliver(std::move(reply).value());
  } else {
    component_logger("allocator")
        ->error("cannot answer pod={} error={}", pod_name,
                reply.error().message);
    pending.allocate_promise.deliver(to_caf_error(reply.error()));
  }
}

records::PodRecord pod_record(const std::string& pod_name,
                              const PodEntry& entry, uint64_t now) {
  records::PodRecord record;
  record.set_pod_name(pod_name);
  for (const auto& key : entry.keys) record.add_public_keys(key);
  record.set_lease_expires_unix_ms(entry.lease_expires_unix_ms);
  record.set_created_unix_ms(entry.created_unix_ms);
  record.set_updated_unix_ms(now);
  return record;
}

// Assigns recycled and new keys to the pod in one synced write, then
// answers the head request of the pod.
void commit(Self self, const std::string& pod_name,
            std::vector<FreeKeyQueue::Entry> recycled,
            std::vector<records::KeyRecord> fresh) {
  auto& state = self->state;
  uint64_t now = unix_now_ms();
  auto transition = std::make_shared<storage::Transition>();
  auto written = std::make_shared<
      std::unordered_map<std::string, records::KeyRecord>>();
  PodEntry& entry = state.pods[pod_name];
  if (entry.created_unix_ms == 0) entry.created_unix_ms = now;

  for (const auto& [ready_at, pubkey] : recycled) {
    auto record = read_key(self, pubkey);
    if (!record.ok()) {
      fatal(self, record.error());
      return;
    }
    transition->remove_unassigned(ready_at, view_of(pubkey));
    record->set_state(records::KEY_STATE_ASSIGNED);
    record->set_pod_name(pod_name);
    record->set_ready_at_unix_ms(0);
    record->set_updated_unix_ms(now);
    transition->put_key(*record);
    entry.keys.push_back(pubkey);
    written->emplace(pubkey, std::move(record).value());
  }
  for (auto& record : fresh) {
    record.set_state(records::KEY_STATE_ASSIGNED);
    record.set_pod_name(pod_name);
    record.set_updated_unix_ms(now);
    transition->put_key(record);
    entry.keys.push_back(record.public_key());
    written->emplace(record.public_key(), std::move(record));
  }
  if (state.options.lease_ttl.count() > 0) {
    entry.lease_expires_unix_ms =
        now + static_cast<uint64_t>(state.options.lease_ttl.count());
  }
  transition->put_pod(pod_record(pod_name, entry, now));
  state.assigned += recycled.size() + fresh.size();

  component_logger("allocator")
      ->info("keys assigned pod={} recycled={} new={} held={}", pod_name,
             recycled.size(), fresh.size(), entry.keys.size());
  write(self, transition, [self, pod_name, written] {
    deliver_allocation(self, pod_name, self->state.busy[pod_name].front(),
                       *written);
    complete(self, pod_name);
  });
}

// Takes up to `count` ready keys from the recycling queue.
std::vector<FreeKeyQueue::Entry> take_recycled(Self self, size_t count) {
  return self->state.free_queue.take_ready(unix_now_ms(), count);
}

// Finishes a waiting allocation once every new key it asked for is
// resolved.
void settle(Self self, uint64_t id) {
  auto& state = self->state;
  auto it = state.waiting.find(id);
  if (it == state.waiting.end()) return;
  WaitingAllocation& waiting = it->second;
  if (waiting.resolved < waiting.expected) return;
  WaitingAllocation done = std::move(waiting);
  state.waiting.erase(it);

  if (done.errors.empty()) {
    commit(self, done.pod_name, std::move(done.recycled),
           std::move(done.ready));
    return;
  }

  // All or nothing: give back what was taken; deposited new keys become
  // free keys.
  for (auto it = done.recycled.rbegin(); it != done.recycled.rend(); ++it) {
    state.free_queue.put_back(*it);
  }
  uint64_t now = unix_now_ms();
  auto transition = std::make_shared<storage::Transition>();
  for (auto& record : done.ready) {
    record.set_state(records::KEY_STATE_UNASSIGNED);
    record.set_updated_unix_ms(now);
    record.set_ready_at_unix_ms(now);
    transition->put_key(record);
    transition->add_unassigned(now, view_of(record.public_key()));
    state.free_queue.push(now, record.public_key());
  }
  std::string message =
      "could not get " + std::to_string(done.errors.size()) + " of " +
      std::to_string(done.expected) +
      " new keys deposited, so no key was assigned; ask again later (first "
      "error: " +
      done.errors.front() + ")";
  component_logger("allocator")
      ->warn("allocation failed pod={} failed_keys={} error={}",
             done.pod_name, done.errors.size(), done.errors.front());
  std::string pod_name = done.pod_name;
  auto finish = [self, pod_name, message] {
    self->state.busy[pod_name].front().allocate_promise.deliver(
        to_caf_error(Error{ErrorCode::kUnavailable, message}));
    complete(self, pod_name);
  };
  if (transition->empty()) {
    finish();
  } else {
    write(self, transition, finish);
  }
}

// Hands stored GENERATED keys to the depositor for waiting allocation id.
void deposit_for(Self self, uint64_t id, std::vector<records::KeyRecord> keys) {
  auto& state = self->state;
  for (const auto& record : keys) {
    state.waiting_by_key[record.public_key()] = id;
  }
  state.depositing += keys.size();
  self->send(*state.options.depositor, deposit_atom::value,
             KeyBatch{std::move(keys), false});
}

// New keys for waiting allocation `id`: in deposit mode none they are
// ready as made; otherwise they are stored, then deposited.
void receive_new_keys(Self self, uint64_t id,
                      std::vector<records::KeyRecord> keys) {
  auto& state = self->state;
  state.generating -= std::min<uint64_t>(state.generating, keys.size());
  auto it = state.waiting.find(id);
  if (it == state.waiting.end()) return;
  if (!state.options.depositor) {
    it->second.resolved += keys.size();
    for (auto& record : keys) it->second.ready.push_back(std::move(record));
    settle(self, id);
    return;
  }
  auto transition = std::make_shared<storage::Transition>();
  for (const auto& record : keys) transition->put_key(record);
  // Invariant 2: sealed and synced before the depositor sees them.
  write(self, transition, [self, id, keys = std::move(keys)]() mutable {
    deposit_for(self, id, std::move(keys));
  });
}

void ask_keygen(Self self, uint64_t id, size_t count) {
  auto& state = self->state;
  const size_t pool = state.options.keygen.size();
  const size_t chunk = std::max<size_t>(1, (count + pool - 1) / pool);
  state.generating += count;
  for (size_t offset = 0; offset < count; offset += chunk) {
    uint32_t part = static_cast<uint32_t>(std::min(chunk, count - offset));
    keygen_actor worker =
        state.options.keygen[state.next_keygen++ % pool];
    self->request(worker, caf::infinite, generate_atom::value, part)
        .then(
            [self, id](KeyBatch& batch) {
              receive_new_keys(self, id, std::move(batch.records));
            },
            [self, id, part](caf::error& error) {
              auto& state = self->state;
              state.generating -= std::min<uint64_t>(state.generating, part);
              auto it = state.waiting.find(id);
              if (it == state.waiting.end()) return;
              it->second.resolved += part;
              for (uint32_t i = 0; i < part; ++i) {
                it->second.errors.push_back(from_caf_error(error).message);
              }
              settle(self, id);
            });
  }
}

// Returns true when the request was answered at once.
bool run_allocate(Self self, const std::string& pod_name,
                  PendingRequest& pending) {
  auto& state = self->state;
  const auto& request = std::get<wire::AllocateRequest>(pending.request);
  size_t wanted = std::max<uint32_t>(1, request.number_of_keys());
  auto pod = state.pods.find(pod_name);
  size_t held = pod == state.pods.end() ? 0 : pod->second.keys.size();
  if (held >= wanted) {
    deliver_allocation(self, pod_name, pending);
    return true;
  }

  size_t missing = wanted - held;
  auto recycled = take_recycled(self, missing);
  if (recycled.size() == missing) {
    commit(self, pod_name, std::move(recycled), {});
    return false;
  }

  uint64_t id = state.next_waiting_id++;
  WaitingAllocation& waiting = state.waiting[id];
  waiting.pod_name = pod_name;
  waiting.expected = missing - recycled.size();
  waiting.recycled = std::move(recycled);

  std::vector<records::KeyRecord> spares;
  while (spares.size() < waiting.expected && !state.spare.empty()) {
    spares.push_back(std::move(state.spare.front()));
    state.spare.pop_front();
  }
  size_t to_make = waiting.expected - spares.size();
  component_logger("allocator")
      ->info("making keys pod={} new={} reused_undeposited={} recycled={}",
             pod_name, to_make, spares.size(), waiting.recycled.size());
  if (!spares.empty()) {
    if (state.options.depositor) {
      deposit_for(self, id, std::move(spares));
    } else {
      waiting.resolved += spares.size();
      for (auto& record : spares) waiting.ready.push_back(std::move(record));
    }
  }
  if (to_make > 0) {
    ask_keygen(self, id, to_make);
  } else {
    settle(self, id);
  }
  return false;
}

bool run_release(Self self, const std::string& pod_name,
                 PendingRequest& pending) {
  auto& state = self->state;
  const auto& request = std::get<wire::ReleaseRequest>(pending.request);
  wire::ReleaseReply reply;
  reply.set_pod_name(pod_name);
  auto pod = state.pods.find(pod_name);
  static const std::vector<std::string> kNoKeys;
  const std::vector<std::string>& held =
      pod == state.pods.end() ? kNoKeys : pod->second.keys;

  // The pod's EIP-3076 record: checked whole before anything changes,
  // also when the pod holds nothing (a record naming keys is then wrong).
  std::optional<messages::Interchange> interchange;
  if (request.has_slashing_protection()) {
    auto parsed = messages::parse_interchange(request.slashing_protection());
    Status fits = parsed.ok() ? messages::check_release_interchange(
                                    *parsed, pod_name, held,
                                    state.options.genesis_validators_root)
                              : Status(parsed.error());
    if (!fits.ok()) {
      Error refused{ErrorCode::kInvalidArgument,
                    "slashing_protection refused, nothing was released: " +
                        fits.error().message};
      state.releasing.erase(pod_name);
      if (pending.release_promise.pending()) {
        pending.release_promise.deliver(to_caf_error(refused));
      }
      return true;
    }
    interchange = std::move(parsed).value();
  }
  if (pod == state.pods.end()) {
    reply.set_released(0);
    state.releasing.erase(pod_name);
    if (pending.release_promise.pending()) {
      pending.release_promise.deliver(reply);
    }
    return true;
  }

  uint64_t now = unix_now_ms();
  auto transition = std::make_shared<storage::Transition>();
  size_t unprotected = 0;
  for (const std::string& pubkey : pod->second.keys) {
    auto record = read_key(self, pubkey);
    if (!record.ok()) {
      fatal(self, record.error());
      return false;
    }
    // Keys whose history came back wait --recycle-delay; the others wait
    // --unprotected-recycle-delay. The record joins what earlier holders
    // left, so a pod that never imported it cannot wipe their history.
    std::string history = interchange
                              ? messages::interchange_for_key(*interchange,
                                                              pubkey)
                              : std::string();
    auto delay = state.options.recycle_delay;
    if (history.empty()) {
      delay = std::max(delay, state.options.unprotected_recycle_delay);
      ++unprotected;
    } else {
      auto merged = messages::merge_interchanges(
          {record->slashing_protection(), history});
      record->set_slashing_protection(merged.ok() ? *merged : history);
    }
    uint64_t ready_at = now + static_cast<uint64_t>(delay.count());
    record->set_state(records::KEY_STATE_QUARANTINED);
    record->clear_pod_name();
    record->set_last_pod_name(pod_name);
    record->set_released_unix_ms(now);
    record->set_ready_at_unix_ms(ready_at);
    record->set_updated_unix_ms(now);
    transition->put_key(*record);
    transition->add_unassigned(ready_at, view_of(pubkey));
    state.free_queue.push(ready_at, pubkey);
  }
  transition->delete_pod(pod_name);
  size_t released = pod->second.keys.size();
  state.assigned -= std::min<uint64_t>(state.assigned, released);
  state.pods.erase(pod);
  state.gone_pods.erase(pod_name);
  state.releasing.erase(pod_name);
  reply.set_released(static_cast<uint32_t>(released));
  component_logger("allocator")
      ->info("keys released pod={} keys={} without_slashing_protection={} "
             "by={}",
             pod_name, released, unprotected,
             pending.internal_reason.empty() ? "request"
                                             : pending.internal_reason);
  write(self, transition, [self, pod_name, reply] {
    auto& head = self->state.busy[pod_name].front();
    if (head.release_promise.pending()) head.release_promise.deliver(reply);
    complete(self, pod_name);
  });
  return false;
}

bool run_renew(Self self, const std::string& pod_name,
               PendingRequest& pending) {
  auto& state = self->state;
  wire::RenewReply reply;
  reply.set_pod_name(pod_name);
  if (state.options.lease_ttl.count() <= 0) {
    reply.set_lease_expires_unix_ms(0);
    pending.renew_promise.deliver(reply);
    return true;
  }
  auto pod = state.pods.find(pod_name);
  if (pod == state.pods.end()) {
    pending.renew_promise.deliver(to_caf_error(
        Error{ErrorCode::kNotFound,
              "pod " + pod_name + " holds no keys; allocate first"}));
    return true;
  }
  uint64_t now = unix_now_ms();
  pod->second.lease_expires_unix_ms =
      now + static_cast<uint64_t>(state.options.lease_ttl.count());
  reply.set_lease_expires_unix_ms(pod->second.lease_expires_unix_ms);
  auto transition = std::make_shared<storage::Transition>();
  transition->put_pod(pod_record(pod_name, pod->second, now));
  write(self, transition, [self, pod_name, reply] {
    self->state.busy[pod_name].front().renew_promise.deliver(reply);
    complete(self, pod_name);
  });
  return false;
}

// Runs the requests of `pod_name` in order until one has to wait.
void advance(Self self, const std::string& pod_name) {
  auto it = self->state.busy.find(pod_name);
  while (it != self->state.busy.end() && !it->second.empty()) {
    PendingRequest& head = it->second.front();
    bool answered = false;
    if (std::holds_alternative<wire::AllocateRequest>(head.request)) {
      answered = run_allocate(self, pod_name, head);
    } else if (std::holds_alternative<wire::ReleaseRequest>(head.request)) {
      answered = run_release(self, pod_name, head);
    } else {
      answered = run_renew(self, pod_name, head);
    }
    if (!answered) return;
    it = self->state.busy.find(pod_name);
    it->second.pop_front();
  }
  if (it != self->state.busy.end()) self->state.busy.erase(it);
}

void enqueue(Self self, const std::string& pod_name, PendingRequest pending) {
  auto& queue = self->state.busy[pod_name];
  queue.push_back(std::move(pending));
  if (queue.size() == 1) advance(self, pod_name);
}

AllocatorStatus status_of(Self self) {
  auto& state = self->state;
  AllocatorStatus status;
  uint64_t now = unix_now_ms();
  std::tie(status.unassigned, status.quarantined) =
      state.free_queue.count(now);
  status.generated = state.generating + state.spare.size();
  status.depositing = state.depositing;
  status.assigned = state.assigned;
  status.retired = state.retired;
  status.pods = state.pods.size();
  status.waiting_requests = state.waiting.size();
  status.recovered = state.recovered;
  return status;
}

void publish_counts(Self self) {
  if (self->state.options.metrics == nullptr) return;
  AllocatorStatus status = status_of(self);
  self->state.options.metrics->set_key_counts(
      status.generated, status.depositing, status.assigned,
      status.quarantined, status.unassigned, status.retired);
}

void receive_outcomes(Self self, DepositOutcomes& outcomes) {
  auto& state = self->state;
  uint64_t now = unix_now_ms();
  auto transition = std::make_shared<storage::Transition>();
  std::set<uint64_t> touched;
  for (auto& outcome : outcomes.outcomes) {
    records::KeyRecord& record = outcome.record;
    std::string pubkey = record.public_key();
    state.depositing -= std::min<uint64_t>(state.depositing, 1);
    auto owner = state.waiting_by_key.find(pubkey);
    WaitingAllocation* waiting = nullptr;
    if (owner != state.waiting_by_key.end()) {
      auto it = state.waiting.find(owner->second);
      if (it != state.waiting.end()) {
        waiting = &it->second;
        touched.insert(owner->second);
      }
      state.waiting_by_key.erase(owner);
    }
    switch (outcome.kind) {
      case DepositOutcome::Kind::kConfirmed:
        component_logger("allocator")
            ->info("deposit confirmed pubkey={} tx={} block={}",
                   hex_of(pubkey), hex_of(record.deposit().tx_hash()),
                   record.deposit().block_number());
        if (waiting != nullptr) {
          waiting->ready.push_back(std::move(record));
          waiting->resolved += 1;
        } else {
          record.set_state(records::KEY_STATE_UNASSIGNED);
          record.set_updated_unix_ms(now);
          record.set_ready_at_unix_ms(now);
          transition->put_key(record);
          transition->add_unassigned(now, view_of(pubkey));
          state.free_queue.push(now, pubkey);
        }
        break;
      case DepositOutcome::Kind::kFailed:
      case DepositOutcome::Kind::kRetry:
        component_logger("allocator")
            ->warn("deposit failed pubkey={} error={}", hex_of(pubkey),
                   outcome.error);
        record.set_state(records::KEY_STATE_GENERATED);
        record.set_updated_unix_ms(now);
        transition->put_key(record);
        state.spare.push_back(record);
        if (waiting != nullptr) {
          waiting->errors.push_back(outcome.error);
          waiting->resolved += 1;
        }
        break;
      case DepositOutcome::Kind::kUnresolved:
        // Left DEPOSITING on disk; the next start follows it again.
        component_logger("allocator")
            ->warn("deposit unresolved pubkey={} tx={}", hex_of(pubkey),
                   hex_of(record.deposit().tx_hash()));
        if (waiting != nullptr) {
          waiting->errors.push_back("deposit transaction " +
                                    hex_of(record.deposit().tx_hash()) +
                                    " not confirmed in time");
          waiting->resolved += 1;
        }
        break;
    }
  }
  auto settle_all = [self, touched] {
    for (uint64_t id : touched) settle(self, id);
  };
  if (transition->empty()) {
    settle_all();
  } else {
    write(self, transition, settle_all);
  }
}

// Queues a release the server decided itself.
void release_internally(Self self, const std::string& pod_name,
                        const std::string& reason) {
  auto& state = self->state;
  if (state.pods.count(pod_name) == 0 || state.releasing.count(pod_name)) {
    return;
  }
  state.releasing.insert(pod_name);
  component_logger("allocator")
      ->info("releasing pod={} reason=\"{}\"", pod_name, reason);
  PendingRequest pending;
  wire::ReleaseRequest request;
  request.set_pod_name(pod_name);
  pending.request = std::move(request);
  pending.internal_reason = reason;
  enqueue(self, pod_name, std::move(pending));
}

// Leases: a pod whose lease ran out is gone; with the pod watcher on, the
// watcher must have reported it gone too.
void check_leases(Self self) {
  auto& state = self->state;
  if (state.options.lease_ttl.count() <= 0) return;
  uint64_t now = unix_now_ms();
  std::vector<std::string> expired;
  for (const auto& [pod_name, entry] : state.pods) {
    if (entry.lease_expires_unix_ms == 0 ||
        entry.lease_expires_unix_ms > now) {
      continue;
    }
    if (state.options.pod_watcher_enabled &&
        state.gone_pods.count(pod_name) == 0) {
      continue;
    }
    expired.push_back(pod_name);
  }
  for (const auto& pod_name : expired) {
    release_internally(self, pod_name, "lease expired");
  }
}

void receive_pod_gone(Self self, const PodGone& gone) {
  auto& state = self->state;
  if (state.pods.count(gone.pod_name) == 0) return;
  component_logger("allocator")
      ->info("pod reported gone pod={} evidence=\"{}\"", gone.pod_name,
             gone.evidence);
  if (state.options.lease_ttl.count() > 0) {
    // Both must agree: released once the lease also runs out.
    state.gone_pods.insert(gone.pod_name);
    check_leases(self);
    return;
  }
  release_internally(self, gone.pod_name, "pod gone: " + gone.evidence);
}

// Retires keys of exited or slashed validators: taken from their pod or
// the recycling queue, never handed out again. Replies with how many
// changed, once synced.
caf::result<uint64_t> retire_keys(Self self, const RetireKeys& retire) {
  auto& state = self->state;
  uint64_t now = unix_now_ms();
  auto transition = std::make_shared<storage::Transition>();
  std::set<std::string> changed_pods;
  uint64_t retired = 0;
  for (size_t i = 0; i < retire.public_keys.size(); ++i) {
    const std::string& pubkey = retire.public_keys[i];
    auto record = state.options.store->get_key(view_of(pubkey));
    if (!record.ok()) continue;
    switch (record->state()) {
      case records::KEY_STATE_ASSIGNED: {
        auto pod = state.pods.find(record->pod_name());
        if (pod != state.pods.end()) {
          auto& keys = pod->second.keys;
          keys.erase(std::remove(keys.begin(), keys.end(), pubkey),
                     keys.end());
          changed_pods.insert(record->pod_name());
        }
        state.assigned -= std::min<uint64_t>(state.assigned, 1);
        record->set_last_pod_name(record->pod_name());
        record->clear_pod_name();
        break;
      }
      case records::KEY_STATE_QUARANTINED:
      case records::KEY_STATE_UNASSIGNED:
        state.free_queue.remove(record->ready_at_unix_ms(), pubkey);
        transition->remove_unassigned(record->ready_at_unix_ms(),
                                      view_of(pubkey));
        break;
      default:
        // Not deposited yet or already retired: nothing to do.
        continue;
    }
    record->set_state(records::KEY_STATE_RETIRED);
    record->set_ready_at_unix_ms(0);
    record->set_updated_unix_ms(now);
    record->set_retired_reason(i < retire.reasons.size() ? retire.reasons[i]
                                                         : "exited");
    transition->put_key(*record);
    ++retired;
    ++state.retired;
    component_logger("allocator")
        ->warn("key retired pubkey={} reason={} last_pod={}", hex_of(pubkey),
               record->retired_reason(), record->last_pod_name());
  }
  for (const auto& pod_name : changed_pods) {
    auto pod = state.pods.find(pod_name);
    if (pod->second.keys.empty()) {
      transition->delete_pod(pod_name);
      state.pods.erase(pod);
    } else {
      transition->put_pod(pod_record(pod_name, pod->second, now));
    }
  }
  auto promise = self->make_response_promise<uint64_t>();
  if (transition->empty()) {
    promise.deliver(retired);
    return promise;
  }
  write(self, transition, [promise, retired]() mutable {
    promise.deliver(retired);
  });
  return promise;
}

allocator_impl::behavior_type allocator_behavior(
    Self self, AllocatorOptions options,
    std::unordered_map<std::string, PodEntry> pods,
    FreeKeyQueue free_queue) {
  auto& state = self->state;
  state.options = std::move(options);
  state.pods = std::move(pods);
  for (const auto& entry : state.pods) {
    state.assigned += entry.second.keys.size();
  }
  state.free_queue = std::move(free_queue);
  self->send(self, tick_atom::value);

  return {
      [self](allocate_atom, wire::AllocateRequest& request)
          -> caf::result<wire::AllocateReply> {
        // A pod that asks is alive, whatever the watcher saw before.
        self->state.gone_pods.erase(request.pod_name());
        PendingRequest pending;
        auto promise = self->make_response_promise<wire::AllocateReply>();
        pending.allocate_promise = promise;
        std::string pod_name = request.pod_name();
        pending.request = std::move(request);
        enqueue(self, pod_name, std::move(pending));
        return promise;
      },
      [self](release_atom, wire::ReleaseRequest& request)
          -> caf::result<wire::ReleaseReply> {
        PendingRequest pending;
        auto promise = self->make_response_promise<wire::ReleaseReply>();
        pending.release_promise = promise;
        std::string pod_name = request.pod_name();
        pending.request = std::move(request);
        enqueue(self, pod_name, std::move(pending));
        return promise;
      },
      [self](renew_atom, wire::RenewRequest& request)
          -> caf::result<wire::RenewReply> {
        PendingRequest pending;
        auto promise = self->make_response_promise<wire::RenewReply>();
        pending.renew_promise = promise;
        std::string pod_name = request.pod_name();
        pending.request = std::move(request);
        enqueue(self, pod_name, std::move(pending));
        return promise;
      },
      [self](status_atom) -> AllocatorStatus { return status_of(self); },
      [self](deposited_atom, DepositOutcomes& outcomes) {
        receive_outcomes(self, outcomes);
      },
      [self](recovered_atom, RecoveryScan& scan) {
        auto& state = self->state;
        state.recovered = true;
        state.retired = scan.retired;
        if (!scan.error.empty()) {
          fatal(self, Error{ErrorCode::kDataLoss, scan.error});
          return;
        }
        component_logger("allocator")
            ->info("recovery scan done keys={} pending_deposits={} "
                   "undeposited={} elapsed_ms={}",
                   scan.total, scan.pending.size(), scan.spare.size(),
                   scan.elapsed_ms);
        for (auto& record : scan.spare) {
          state.spare.push_back(std::move(record));
        }
        if (scan.pending.empty()) return;
        if (!state.options.depositor) {
          // Deposit mode none: nothing is sent, so they can be used.
          for (auto& record : scan.pending) {
            state.spare.push_back(std::move(record));
          }
          return;
        }
        state.depositing += scan.pending.size();
        self->send(*state.options.depositor, deposit_atom::value,
                   KeyBatch{std::move(scan.pending), true});
      },
      [self](pod_gone_atom, PodGone& gone) { receive_pod_gone(self, gone); },
      [self](retire_atom, RetireKeys& retire) -> caf::result<uint64_t> {
        return retire_keys(self, retire);
      },
      [self](pods_atom) -> PodHoldings {
        PodHoldings holdings;
        for (const auto& [pod_name, entry] : self->state.pods) {
          holdings.pods.push_back({pod_name, entry.lease_expires_unix_ms});
        }
        return holdings;
      },
      [self](tick_atom) {
        check_leases(self);
        publish_counts(self);
        self->delayed_send(self, std::chrono::seconds(1), tick_atom::value);
      },
  };
}

// Scans every key once: the keys still being made or deposited, and the
// retired ones. Runs on its own thread so that start-up does not wait.
void scan_keys(caf::blocking_actor* self, std::shared_ptr<storage::Store> store,
               allocator_actor allocator) {
  RecoveryScan scan;
  auto started = std::chrono::steady_clock::now();
  Status scanned = store->for_each_key([&](const records::KeyRecord& record) {
    ++scan.total;
    switch (record.state()) {
      case records::KEY_STATE_RETIRED:
        ++scan.retired;
        break;
      case records::KEY_STATE_GENERATED:
        if (record.deposit().status() == records::DEPOSIT_STATUS_FAILED) {
          scan.spare.push_back(record);
        } else {
          scan.pending.push_back(record);
        }
        break;
      case records::KEY_STATE_DEPOSITING:
        scan.pending.push_back(record);
        break;
      default:
        break;
    }
    return true;
  });
  if (!scanned.ok()) scan.error = scanned.error().message;
  scan.elapsed_ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started)
          .count());
  self->send(allocator, recovered_atom::value, std::move(scan));
}

}  // namespace

Result<allocator_actor> spawn_allocator(caf::actor_system& system,
                                        AllocatorOptions options) {
  component_logger("allocator");
  if (options.keygen.empty()) {
    return Error{ErrorCode::kInvalidArgument, "no keygen actor given"};
  }
  std::unordered_map<std::string, PodEntry> pods;
  Status loaded = options.store->for_each_pod(
      [&](const records::PodRecord& record) {
        PodEntry& entry = pods[record.pod_name()];
        entry.keys.assign(record.public_keys().begin(),
                          record.public_keys().end());
        entry.lease_expires_unix_ms = record.lease_expires_unix_ms();
        entry.created_unix_ms = record.created_unix_ms();
        return true;
      });
  if (!loaded.ok()) return loaded.error();

  FreeKeyQueue free_queue;
  Status queued = options.store->for_each_unassigned(
      0, [&](const storage::UnassignedEntry& entry) {
        free_queue.push(
            entry.ready_at_unix_ms,
            std::string(entry.public_key.begin(), entry.public_key.end()));
        return true;
      });
  if (!queued.ok()) return queued.error();

  auto store = options.store;
  auto impl = system.spawn(allocator_behavior, std::move(options),
                           std::move(pods), std::move(free_queue));
  auto allocator = caf::actor_cast<allocator_actor>(impl);
  system.spawn<caf::detached>(scan_keys, store, allocator);
  return allocator;
}

}  // namespace pkm::actors
