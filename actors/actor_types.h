// actors/: the CAF actors of DESIGN.md: allocator, store, keygen pool and
// depositor with its in-process deposit workers. They exchange the typed
// messages declared here. Depends on the pure libraries (base, crypto,
// chain, storage, messages) and CAF only; knows nothing of NATS or HTTP
// (the gateways translate).
//
// Errors cross actor boundaries as caf::error in the "pkm" category, made
// from and back into pkm::Error by to_caf_error / from_caf_error, so a
// gateway can map them to wire error codes without string matching.
#ifndef PKM_ACTORS_ACTOR_TYPES_H_
#define PKM_ACTORS_ACTOR_TYPES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "base/result.h"
#include "messages/records.pb.h"
#include "messages/wire.pb.h"
#include "storage/transition.h"

namespace pkm::actors {

using allocate_atom = caf::atom_constant<caf::atom("allocate")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using renew_atom = caf::atom_constant<caf::atom("renew")>;
using apply_atom = caf::atom_constant<caf::atom("apply")>;
using generate_atom = caf::atom_constant<caf::atom("generate")>;
using deposit_atom = caf::atom_constant<caf::atom("deposit")>;
using deposited_atom = caf::atom_constant<caf::atom("deposited")>;
using recovered_atom = caf::atom_constant<caf::atom("recovered")>;
using submit_atom = caf::atom_constant<caf::atom("submit")>;
using submitted_atom = caf::atom_constant<caf::atom("submitted")>;
using receipts_atom = caf::atom_constant<caf::atom("receipts")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using pod_gone_atom = caf::atom_constant<caf::atom("podgone")>;
using pods_atom = caf::atom_constant<caf::atom("pods")>;
using retire_atom = caf::atom_constant<caf::atom("retire")>;

// A transition on its way to the store actor; immutable once sent.
using TransitionPtr = std::shared_ptr<const storage::Transition>;

// Key records with sealed secrets only: what keygen makes, what the
// depositor tracks. Never carries a plaintext secret.
struct KeyBatch {
  std::vector<records::KeyRecord> records;
  // Found on disk at start-up: their transactions may or may not have
  // reached the node, so each is looked up before it is waited for.
  bool resumed = false;
};

// What became of one deposit. `record` is the key's latest record as the
// depositor knows it (deposit fields filled in).
struct DepositOutcome {
  enum class Kind {
    kConfirmed,   // included with the confirmations, not reverted
    kFailed,      // reverted, or refused before anything was sent
    kUnresolved,  // may still land: left DEPOSITING for the next start
    kRetry,       // never sent (its nonce went to another transaction)
  };
  Kind kind = Kind::kFailed;
  records::KeyRecord record;
  std::string error;
};

struct DepositOutcomes {
  std::vector<DepositOutcome> outcomes;
};

// The depositor's report of what was recovered at start-up.
struct RecoveryScan {
  // Keys GENERATED or DEPOSITING on disk whose deposit is pending or sent:
  // their deposits are resumed.
  std::vector<records::KeyRecord> pending;
  // Keys whose deposit failed before anything was deposited (GENERATED,
  // deposit FAILED): used before new keys are made.
  std::vector<records::KeyRecord> spare;
  uint64_t retired = 0;
  uint64_t total = 0;
  uint64_t elapsed_ms = 0;
  std::string error;  // the scan failed (data_loss names the row)
};

// Evidence from the pod watcher that a pod is gone.
struct PodGone {
  std::string pod_name;
  // What showed it, for the log: "absent in two consecutive listings".
  std::string evidence;
};

// Keys whose validators exited or were slashed, from the validator
// monitor. Each is retired: never handed out again.
struct RetireKeys {
  // 48-byte public keys.
  std::vector<std::string> public_keys;
  // "exited" or "slashed", per key (same order).
  std::vector<std::string> reasons;
};

// The pods that hold keys, with their leases, for the pod watcher.
struct PodHoldings {
  struct Pod {
    std::string pod_name;
    uint64_t lease_expires_unix_ms = 0;
  };
  std::vector<Pod> pods;
};

// Counts the allocator keeps, for /metrics and readiness.
struct AllocatorStatus {
  uint64_t generated = 0;
  uint64_t depositing = 0;
  uint64_t assigned = 0;
  uint64_t quarantined = 0;
  uint64_t unassigned = 0;
  uint64_t retired = 0;
  uint64_t pods = 0;
  uint64_t waiting_requests = 0;
  bool recovered = false;
};

// The store actor: the only writer of RocksDB. Replies true once the
// transition is durable (synced); an error otherwise.
using store_actor =
    caf::typed_actor<caf::replies_to<apply_atom, TransitionPtr>::with<bool>>;

// A keygen actor: makes `count` fresh keys with signed deposit data and
// sealed secrets, as records in state GENERATED. Nothing is stored.
using keygen_actor =
    caf::typed_actor<caf::replies_to<generate_atom, uint32_t>::with<KeyBatch>>;

// The allocator: the single owner of allocation state.
using allocator_actor = caf::typed_actor<
    caf::replies_to<allocate_atom, wire::AllocateRequest>::with<
        wire::AllocateReply>,
    caf::replies_to<release_atom, wire::ReleaseRequest>::with<
        wire::ReleaseReply>,
    caf::replies_to<renew_atom, wire::RenewRequest>::with<wire::RenewReply>,
    caf::replies_to<status_atom>::with<AllocatorStatus>,
    caf::reacts_to<deposited_atom, DepositOutcomes>,
    caf::reacts_to<recovered_atom, RecoveryScan>,
    caf::reacts_to<pod_gone_atom, PodGone>,
    caf::replies_to<retire_atom, RetireKeys>::with<uint64_t>,
    caf::replies_to<pods_atom>::with<PodHoldings>>;

// The depositor: takes stored GENERATED keys, gets their deposits on chain
// through its workers and reports each outcome to the allocator.
using depositor_actor = caf::typed_actor<
    caf::reacts_to<deposit_atom, KeyBatch>,
    caf::reacts_to<submitted_atom, DepositOutcomes, KeyBatch>,
    caf::reacts_to<receipts_atom, DepositOutcomes>>;

// pkm::Error <-> caf::error (category "pkm", the ErrorCode as code, the
// message as context).
caf::error to_caf_error(const Error& error);
Error from_caf_error(const caf::error& error);

}  // namespace pkm::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pkm::actors::TransitionPtr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pkm::actors::KeyBatch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pkm::actors::DepositOutcomes)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pkm::actors::RecoveryScan)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pkm::actors::AllocatorStatus)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pkm::actors::PodGone)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pkm::actors::RetireKeys)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pkm::actors::PodHoldings)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pkm::wire::AllocateRequest)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pkm::wire::AllocateReply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pkm::wire::ReleaseRequest)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pkm::wire::ReleaseReply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pkm::wire::RenewRequest)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(pkm::wire::RenewReply)

#endif  // PKM_ACTORS_ACTOR_TYPES_H_
