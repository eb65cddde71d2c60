// A read-only picture of who holds which keys, built from the store for the
// /assignments page and the pkm.assignments reply. Part of actors/: it reads
// storage::Store and knows nothing of HTTP, NATS or secrets (sealed secrets
// are never copied into it).
#ifndef PKM_ACTORS_ASSIGNMENTS_VIEW_H_
#define PKM_ACTORS_ASSIGNMENTS_VIEW_H_

#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "messages/records.pb.h"
#include "storage/store.h"

namespace pkm::actors {

// One key held by a pod.
// The lower-case name of a key state for pages and messages: "generated",
// "depositing", "assigned", "quarantined", "unassigned", "retired" (or
// "unspecified").
const char* key_state_name(records::KeyState state);

struct KeyView {
  // 48-byte compressed BLS12-381 public key.
  Bytes public_key;
  records::KeyState state = records::KEY_STATE_UNSPECIFIED;
  // The holder (the key record's pod_name) when ASSIGNED.
  std::string pod_name;
  // Hash of the deposit transaction; empty when none was sent.
  Bytes deposit_tx;
  // The key record's updated_unix_ms: when it entered its state.
  uint64_t since_unix_ms = 0;
};

// One pod that holds keys.
struct PodView {
  std::string pod_name;
  // In the order the pod record lists them (the order of assignment).
  std::vector<KeyView> keys;
  // 0 when the pod has no lease.
  uint64_t lease_expires_unix_ms = 0;
};

struct AssignmentsView {
  // Pods holding at least one key, by pod name (byte order).
  std::vector<PodView> pods;
  // Keys not held by any pod, by state. A QUARANTINED key whose
  // ready_at_unix_ms has passed counts as unassigned: it may be handed out.
  uint64_t unassigned = 0;
  uint64_t quarantined = 0;
  uint64_t depositing = 0;
  uint64_t retired = 0;
  uint64_t generated = 0;
  // The `now_unix_ms` the view was read with.
  uint64_t read_at_unix_ms = 0;
};

// Reads every pod and key record of `store` into an AssignmentsView,
// judging quarantine against `now_unix_ms`. Scans the pods, then the keys:
// two snapshots, so when a transition between them makes pods and keys
// disagree, it reads again (3 reads at most).
// Returns data_loss naming the pod and the key when two pods (or one pod
// twice) list the same key, or when on every read a pod lists a key that
// has no record or whose record names another holder or state, or a key
// is ASSIGNED to a pod that does not list it. Store errors are passed on.
// Thread-safe as Store is; copies no sealed secret.
[[nodiscard]] Result<AssignmentsView> read_assignments(
    const storage::Store& store, uint64_t now_unix_ms);

}  // namespace pkm::actors

#endif  // PKM_ACTORS_ASSIGNMENTS_VIEW_H_
