#include "actors/assignments_view.h"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <optional>
#include <string_view>
#include <utility>

namespace pkm::actors {
namespace {

// Reads made before a disagreement between pods and keys is reported as
// data loss rather than blamed on a concurrent transition.
constexpr int kReadAttempts = 3;

std::string_view as_view(const Bytes& bytes) {
  return std::string_view(reinterpret_cast<const char*>(bytes.data()),
                          bytes.size());
}

// Where a public key listed by a pod record sits in the view.
struct Listing {
  std::string_view public_key;  // points into the KeyView
  uint32_t pod = 0;
  uint32_t key = 0;
};

// One attempt: the view, or why pods and keys disagree. `racy` is set when
// the disagreement may come from a transition between the two scans, so a
// new read may clear it.
struct Attempt {
  std::optional<AssignmentsView> view;
  Error error;
  bool racy = false;
};

Error data_loss(std::string message) {
  return Error{ErrorCode::kDataLoss, std::move(message)};
}

// Copies the pods that hold keys, with placeholder KeyViews (state
// UNSPECIFIED until the key scan fills them in).
Status read_pods(const storage::Store& store, AssignmentsView& view,
                 size_t& listed_keys) {
  listed_keys = 0;
  return store.for_each_pod([&](const records::PodRecord& record) {
    if (record.public_keys_size() == 0) return true;
    PodView& pod = view.pods.emplace_back();
    pod.pod_name = record.pod_name();
    pod.lease_expires_unix_ms = record.lease_expires_unix_ms();
    pod.keys.resize(static_cast<size_t>(record.public_keys_size()));
    for (int i = 0; i < record.public_keys_size(); ++i) {
      const std::string& key = record.public_keys(i);
      pod.keys[static_cast<size_t>(i)].public_key.assign(key.begin(),
                                                         key.end());
    }
    listed_keys += pod.keys.size();
    return true;
  });
}

// Every listed key, sorted by public key for binary search. Must be built
// after view.pods stops growing: it points into the KeyViews.
Result<std::vector<Listing>> index_listings(const AssignmentsView& view,
                                            size_t listed_keys) {
  std::vector<Listing> listings;
  listings.reserve(listed_keys);
  for (size_t p = 0; p < view.pods.size(); ++p) {
    const auto& keys = view.pods[p].keys;
    for (size_t k = 0; k < keys.size(); ++k) {
      listings.push_back(Listing{as_view(keys[k].public_key),
                                 static_cast<uint32_t>(p),
                                 static_cast<uint32_t>(k)});
    }
  }
  std::sort(listings.begin(), listings.end(),
            [](const Listing& a, const Listing& b) {
              return a.public_key < b.public_key;
            });

  // Pods are one snapshot, so a key listed twice is a real inconsistency
  // (and would break invariant 1), never a race.
  for (size_t i = 1; i < listings.size(); ++i) {
    if (listings[i].public_key != listings[i - 1].public_key) continue;
    return data_loss(
        "key " + to_hex(ByteView(listings[i].public_key)) +
        " is listed by pod " + view.pods[listings[i - 1].pod].pod_name +
        " and by pod " + view.pods[listings[i].pod].pod_name);
  }
  return listings;
}

Attempt read_once(const storage::Store& store, uint64_t now_unix_ms) {
  Attempt attempt;
  AssignmentsView view;
  view.read_at_unix_ms = now_unix_ms;

  size_t listed_keys = 0;
  Status pods_read = read_pods(store, view, listed_keys);
  if (!pods_read.ok()) {
    attempt.error = pods_read.error();
    return attempt;
  }
  auto listings = index_listings(view, listed_keys);
  if (!listings.ok()) {
    attempt.error = listings.error();
    return attempt;
  }

  // Keys come in public-key order, like the sorted listings, so a cursor
  // that only moves forward finds each listed key. Should a key come out of
  // order, a binary search puts the cursor back; the result never depends
  // on the order.
  std::optional<Error> disagreement;
  auto cursor = listings->begin();
  Status keys_read = store.for_each_key([&](const records::KeyRecord& key) {
    switch (key.state()) {
      case records::KEY_STATE_GENERATED:
        ++view.generated;
        break;
      case records::KEY_STATE_DEPOSITING:
        ++view.depositing;
        break;
      case records::KEY_STATE_QUARANTINED:
        if (key.ready_at_unix_ms() <= now_unix_ms) {
          ++view.unassigned;
        } else {
          ++view.quarantined;
        }
        break;
      case records::KEY_STATE_UNASSIGNED:
        ++view.unassigned;
        break;
      case records::KEY_STATE_RETIRED:
        ++view.retired;
        break;
      default:
        break;
    }

    std::string_view public_key = key.public_key();
    if (cursor != listings->begin() &&
        std::prev(cursor)->public_key >= public_key) {
      cursor = std::lower_bound(
          listings->begin(), listings->end(), public_key,
          [](const Listing& listing, std::string_view wanted) {
            return listing.public_key < wanted;
          });
    }
    while (cursor != listings->end() && cursor->public_key < public_key) {
      ++cursor;
    }
    auto found = cursor;
    bool listed = found != listings->end() && found->public_key == public_key;
    if (!listed) {
      if (key.state() != records::KEY_STATE_ASSIGNED) return true;
      disagreement = data_loss("key " + to_hex(ByteView(public_key)) +
                               " is assigned to pod " + key.pod_name() +
                               ", which does not list it");
      return false;
    }

    const std::string& holder = view.pods[found->pod].pod_name;
    if (key.state() != records::KEY_STATE_ASSIGNED ||
        key.pod_name() != holder) {
      std::string state = key_state_name(key.state());
      if (!key.pod_name().empty()) state += " to pod " + key.pod_name();
      disagreement = data_loss("pod " + holder + " lists key " +
                               to_hex(ByteView(public_key)) +
                               ", whose record says " + state);
      return false;
    }
    KeyView& slot = view.pods[found->pod].keys[found->key];
    slot.state = key.state();
    slot.pod_name = key.pod_name();
    const std::string& tx = key.deposit().tx_hash();
    slot.deposit_tx.assign(tx.begin(), tx.end());
    slot.since_unix_ms = key.updated_unix_ms();
    return true;
  });
  if (!keys_read.ok()) {
    attempt.error = keys_read.error();
    return attempt;
  }
  if (disagreement) {
    attempt.error = std::move(*disagreement);
    attempt.racy = true;
    return attempt;
  }

  // Keys are scanned after the pods and pkm never deletes key rows, so a
  // listed key without a record is lost. It is still read again: a
  // transition that deleted the key and updated the pod would look alike.
  for (const PodView& pod : view.pods) {
    for (const KeyView& key : pod.keys) {
      if (key.state != records::KEY_STATE_UNSPECIFIED) continue;
      attempt.error = data_loss("pod " + pod.pod_name + " lists key " +
                                to_hex(key.public_key) +
                                ", which has no key record");
      attempt.racy = true;
      return attempt;
    }
  }
  attempt.view = std::move(view);
  return attempt;
}

}  // namespace

const char* key_state_name(records::KeyState state) {
  switch (state) {
    case records::KEY_STATE_GENERATED:
      return "generated";
    case records::KEY_STATE_DEPOSITING:
      return "depositing";
    case records::KEY_STATE_ASSIGNED:
      return "assigned";
    case records::KEY_STATE_QUARANTINED:
      return "quarantined";
    case records::KEY_STATE_UNASSIGNED:
      return "unassigned";
    case records::KEY_STATE_RETIRED:
      return "retired";
    default:
      return "unspecified";
  }
}

Result<AssignmentsView> read_assignments(const storage::Store& store,
                                         uint64_t now_unix_ms) {
  for (int attempt_number = 1;; ++attempt_number) {
    Attempt attempt = read_once(store, now_unix_ms);
    if (attempt.view) return std::move(*attempt.view);
    if (!attempt.racy || attempt_number == kReadAttempts) {
      if (attempt.racy) {
        attempt.error.message += " (seen on " +
                                 std::to_string(kReadAttempts) +
                                 " reads in a row)";
      }
      return attempt.error;
    }
  }
}

}  // namespace pkm::actors
