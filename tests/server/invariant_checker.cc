#include "tests/server/invariant_checker.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <set>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

#include "chain/abi.h"
#include "chain/json_rpc_client.h"
#include "crypto/bls.h"
#include "storage/store.h"

namespace pkm::testing {
namespace {

std::string hex(const std::string& bytes) {
  return to_hex(ByteView(std::string_view(bytes)));
}

// A public key shortened for messages: 0x1234abcd…
std::string short_hex(const std::string& bytes) {
  return hex(bytes).substr(0, 12) + "...";
}

std::string bytes_of_hex(const std::string& text) {
  auto bytes = from_hex(text);
  if (!bytes.ok()) return std::string();
  return std::string(bytes->begin(), bytes->end());
}

std::string state_name(records::KeyState state) {
  return records::KeyState_Name(state);
}

bool is_free(records::KeyState state) {
  return state == records::KEY_STATE_QUARANTINED ||
         state == records::KEY_STATE_UNASSIGNED;
}

bool is_handed_out(records::KeyState state) {
  return state == records::KEY_STATE_ASSIGNED || is_free(state);
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return text;
}

bool starts_with(const std::vector<std::string>& list,
                 const std::vector<std::string>& prefix) {
  return prefix.size() <= list.size() &&
         std::equal(prefix.begin(), prefix.end(), list.begin());
}

std::string join(const std::vector<std::string>& keys) {
  std::string out = "[";
  for (const auto& key : keys) {
    if (out.size() > 1) out += ",";
    out += key.substr(0, 12) + "...";
  }
  return out + "]";
}

}  // namespace

size_t DiskState::count(records::KeyState state) const {
  size_t total = 0;
  for (const auto& [pubkey, record] : keys) {
    if (record.state() == state) ++total;
  }
  return total;
}

InvariantChecker::InvariantChecker(
    std::shared_ptr<const crypto::Sealer> sealer,
    std::chrono::milliseconds recycle_delay)
    : sealer_(std::move(sealer)), recycle_delay_(recycle_delay) {}

Result<DiskState> InvariantChecker::read_disk(
    const std::string& data_dir) const {
  storage::StoreOptions options;
  options.data_dir = data_dir;
  options.sealing_key_check = sealer_->key_check_value();
  options.written_by = "pkm 0.1.0";
  auto store = storage::Store::open(options);
  if (!store.ok()) return store.error();

  DiskState disk;
  Status keys = (*store)->for_each_key([&](const records::KeyRecord& r) {
    disk.keys.emplace(r.public_key(), r);
    return true;
  });
  if (!keys.ok()) return keys.error();
  Status pods = (*store)->for_each_pod([&](const records::PodRecord& r) {
    disk.pods.emplace(r.pod_name(), r);
    return true;
  });
  if (!pods.ok()) return pods.error();
  Status queue = (*store)->for_each_unassigned(
      0, [&](const storage::UnassignedEntry& entry) {
        disk.unassigned.push_back(entry);
        return true;
      });
  if (!queue.ok()) return queue.error();
  return disk;
}

Result<std::vector<std::string>> InvariantChecker::read_deposits(
    const std::string& rpc_url, const std::string& contract) {
  auto client = chain::JsonRpcClient::create(rpc_url);
  if (!client.ok()) return client.error();
  auto topic = chain::event_topic(chain::kDepositEventSignature);
  std::string topic_hex = to_hex(ByteView(topic.data(), topic.size()));
  nlohmann::json filter = {{"fromBlock", "0x0"},
                           {"toBlock", "latest"},
                           {"address", contract},
                           {"topics", {topic_hex}}};
  auto logs = (*client)->logs(filter);
  if (!logs.ok()) return logs.error();

  std::vector<std::string> pubkeys;
  for (const auto& log : *logs) {
    auto data = chain::parse_data(log.value("data", nlohmann::json()));
    if (!data.ok()) return data.error();
    auto event = chain::decode_deposit_event(*data);
    if (!event.ok()) return event.error();
    pubkeys.emplace_back(event->pubkey.begin(), event->pubkey.end());
  }
  return pubkeys;
}

Result<std::string> InvariantChecker::open_secret(
    const records::KeyRecord& record) {
  const std::string& sealed = record.sealed_secret();
  auto cached = opened_.find(sealed);
  if (cached != opened_.end()) return cached->second;

  ByteView pubkey{std::string_view(record.public_key())};
  auto secret = sealer_->open(ByteView(std::string_view(sealed)), pubkey);
  if (!secret.ok()) return secret.error();
  auto key = crypto::SecretKey::from_bytes(secret->view());
  if (!key.ok()) return key.error();
  auto derived = key->public_key().to_bytes();
  if (!std::equal(derived.begin(), derived.end(), pubkey.begin(),
                  pubkey.end())) {
    return Error{ErrorCode::kDataLoss,
                 "the sealed secret belongs to another public key"};
  }
  std::string private_hex = to_hex(secret->view());
  opened_.emplace(sealed, private_hex);
  return private_hex;
}

std::vector<std::string> InvariantChecker::check_one_pod_per_key(
    const DiskState& disk, const TrafficHistory& history) const {
  std::vector<std::string> violations;
  auto fail = [&](const std::string& text) {
    violations.push_back("invariant 1: " + text);
  };

  // Pod records against key records.
  std::map<std::string, std::string> holder;
  for (const auto& [name, pod] : disk.pods) {
    if (pod.pod_name() != name) fail("pod row " + name + " names another");
    for (const std::string& pubkey : pod.public_keys()) {
      auto [it, fresh] = holder.emplace(pubkey, name);
      if (!fresh) {
        fail("key " + short_hex(pubkey) + " listed by pods " + it->second +
             " and " + name);
        continue;
      }
      auto key = disk.keys.find(pubkey);
      if (key == disk.keys.end()) {
        fail("pod " + name + " lists key " + short_hex(pubkey) +
             " that has no record");
      } else if (key->second.state() != records::KEY_STATE_ASSIGNED ||
                 key->second.pod_name() != name) {
        fail("pod " + name + " lists key " + short_hex(pubkey) +
             " whose record is " + state_name(key->second.state()) +
             " for pod '" + key->second.pod_name() + "'");
      }
    }
  }
  for (const auto& [pubkey, record] : disk.keys) {
    if (record.state() == records::KEY_STATE_ASSIGNED &&
        holder.count(pubkey) == 0) {
      fail("key " + short_hex(pubkey) + " is ASSIGNED to pod '" +
           record.pod_name() + "' whose record does not list it");
    }
  }

  // The recycling queue hands out what it holds: an assigned key in it
  // would go to a second pod; a free key twice in it to two pods.
  std::map<std::string, int> queued;
  for (const auto& entry : disk.unassigned) {
    std::string pubkey(entry.public_key.begin(), entry.public_key.end());
    queued[pubkey] += 1;
    auto key = disk.keys.find(pubkey);
    if (key == disk.keys.end()) {
      fail("queued key " + short_hex(pubkey) + " has no record");
    } else if (!is_free(key->second.state())) {
      fail("queued key " + short_hex(pubkey) + " is " +
           state_name(key->second.state()));
    }
  }
  for (const auto& [pubkey, record] : disk.keys) {
    if (!is_free(record.state())) continue;
    int rows = queued.count(pubkey) ? queued[pubkey] : 0;
    if (rows != 1) {
      fail("free key " + short_hex(pubkey) + " (" +
           state_name(record.state()) + ") is in the recycling queue " +
           std::to_string(rows) + " times; expected once");
    }
  }

  std::vector<std::string> from_history;
  check_handovers(history, &from_history, nullptr);
  violations.insert(violations.end(), from_history.begin(),
                    from_history.end());
  return violations;
}

std::vector<std::string> InvariantChecker::check_secret_stored_before_deposit(
    const DiskState& disk, const std::vector<std::string>& deposits) {
  std::vector<std::string> violations;
  for (const auto& [pubkey, record] : disk.keys) {
    auto secret = open_secret(record);
    if (!secret.ok()) {
      violations.push_back("invariant 2: the sealed secret of key " +
                           short_hex(pubkey) + " (" +
                           state_name(record.state()) + ", deposit tx " +
                           hex(record.deposit().tx_hash()) +
                           ") does not open: " + secret.error().message);
    }
  }
  for (const std::string& pubkey : deposits) {
    if (disk.keys.count(pubkey) == 0) {
      violations.push_back("invariant 2: key " + short_hex(pubkey) +
                           " is deposited on chain but not stored");
    }
  }
  return violations;
}

std::vector<std::string> InvariantChecker::check_deposited_once(
    const DiskState& disk, const std::vector<std::string>& deposits) const {
  std::vector<std::string> violations;
  std::map<std::string, int> times;
  for (const std::string& pubkey : deposits) times[pubkey] += 1;
  for (const auto& [pubkey, count] : times) {
    if (count > 1) {
      violations.push_back("invariant 3: key " + short_hex(pubkey) +
                           " deposited " + std::to_string(count) +
                           " times");
    }
  }
  for (const auto& [pubkey, record] : disk.keys) {
    int count = times.count(pubkey) ? times[pubkey] : 0;
    if (record.state() == records::KEY_STATE_GENERATED && count > 0) {
      violations.push_back(
          "invariant 3: key " + short_hex(pubkey) +
          " is GENERATED (pkm would deposit it again) but is deposited "
          "on chain; deposit status " +
          records::DepositStatus_Name(record.deposit().status()));
    }
    if (is_handed_out(record.state()) && count != 1) {
      violations.push_back("invariant 3: key " + short_hex(pubkey) + " is " +
                           state_name(record.state()) + " but has " +
                           std::to_string(count) +
                           " deposits on chain; expected 1");
    }
  }
  return violations;
}

std::vector<std::string> InvariantChecker::check_recycle_delay(
    const DiskState& disk, const TrafficHistory& history) const {
  std::vector<std::string> violations;
  const uint64_t delay = static_cast<uint64_t>(recycle_delay_.count());
  for (const auto& entry : disk.unassigned) {
    std::string pubkey(entry.public_key.begin(), entry.public_key.end());
    auto key = disk.keys.find(pubkey);
    if (key == disk.keys.end()) continue;
    uint64_t released = key->second.released_unix_ms();
    if (key->second.state() == records::KEY_STATE_QUARANTINED &&
        entry.ready_at_unix_ms < released + delay) {
      violations.push_back(
          "invariant 4: key " + short_hex(pubkey) + " released at " +
          std::to_string(released) + " is queued ready at " +
          std::to_string(entry.ready_at_unix_ms) + ", before the delay");
    }
  }
  check_handovers(history, nullptr, &violations);
  return violations;
}

void InvariantChecker::check_handovers(
    const TrafficHistory& history, std::vector<std::string>* one_pod,
    std::vector<std::string>* delay_violations) const {
  const uint64_t delay = static_cast<uint64_t>(recycle_delay_.count());
  auto by_pod = history.by_pod();

  // Per pod, for each record: the index of the first release after it,
  // and of the first acknowledged one (records.size() when none).
  std::map<std::string, std::vector<size_t>> next_release;
  std::map<std::string, std::vector<size_t>> next_acked_release;
  // Per key, per pod: the records whose acknowledgement held the key.
  std::map<std::string, std::map<std::string, std::vector<size_t>>> acks;
  for (const auto& [pod, records] : by_pod) {
    auto& any = next_release[pod];
    auto& acked = next_acked_release[pod];
    any.assign(records.size(), records.size());
    acked.assign(records.size(), records.size());
    for (size_t i = records.size(); i-- > 1;) {
      bool release = records[i].kind == RequestKind::kRelease;
      any[i - 1] = release ? i : any[i];
      acked[i - 1] = release && records[i].acknowledged ? i : acked[i];
    }
    for (size_t i = 0; i < records.size(); ++i) {
      const RequestRecord& record = records[i];
      if (record.kind != RequestKind::kAllocate || !record.acknowledged) {
        continue;
      }
      for (const auto& pubkey : record.public_keys) {
        acks[pubkey][pod].push_back(i);
      }
    }
  }

  for (const auto& [pubkey, holders] : acks) {
    for (const auto& [pod, indexes] : holders) {
      for (size_t index : indexes) {
        const uint64_t received = by_pod.at(pod)[index].received_unix_ms;
        for (const auto& [other, other_indexes] : holders) {
          const auto& records = by_pod.at(other);
          // The other holder's last acknowledgement of the key before
          // this one: by position for the same pod, else by time (a
          // pod's replies arrive in order).
          auto after = other == pod
                           ? std::lower_bound(other_indexes.begin(),
                                              other_indexes.end(), index)
                           : std::lower_bound(
                                 other_indexes.begin(), other_indexes.end(),
                                 received, [&](size_t i, uint64_t time) {
                                   return records[i].received_unix_ms < time;
                                 });
          if (after == other_indexes.begin()) continue;
          size_t other_index = *std::prev(after);
          const RequestRecord& earlier = records[other_index];

          // The release that must have freed the key. The pod's own
          // counts only when it surely applied (acknowledged); another
          // pod's must have happened for the key to move at all.
          size_t release_index = other == pod
                                     ? next_acked_release[other][other_index]
                                     : next_release[other][other_index];
          const RequestRecord* release = nullptr;
          if (release_index < records.size() &&
              (other != pod || release_index < index)) {
            release = &records[release_index];
          }
          std::string pair_text =
              "key " + pubkey.substr(0, 12) + "... acknowledged to " +
              other + " at " + std::to_string(earlier.received_unix_ms) +
              " and to " + pod + " at " + std::to_string(received);
          if (other != pod &&
              (release == nullptr || release->sent_unix_ms >= received)) {
            if (one_pod != nullptr) {
              one_pod->push_back("invariant 1: " + pair_text +
                                 ", with no release of " + other +
                                 " sent in between");
            }
            continue;
          }
          if (release == nullptr || delay_violations == nullptr) continue;
          if (received < release->sent_unix_ms + delay) {
            delay_violations->push_back(
                "invariant 4: " + pair_text + "; " + other +
                " released it no earlier than " +
                std::to_string(release->sent_unix_ms) + ", only " +
                std::to_string(received - release->sent_unix_ms) +
                " ms before");
          }
        }
      }
    }
  }
}

std::vector<std::string> InvariantChecker::check_no_secret_in(
    const std::string& text, const std::string& what,
    const TrafficHistory& history) const {
  std::vector<std::string> violations;
  // Private keys are 64 hex digits. Every 64-digit window of every run of
  // hex digits in the text is looked up among them: one pass over the
  // text, however many keys there are.
  constexpr size_t kDigits = 64;
  std::unordered_map<std::string, std::string> owner;
  for (const auto& [pubkey, secret] : history.secrets()) {
    std::string bare = lower(secret);
    if (bare.rfind("0x", 0) == 0) bare = bare.substr(2);
    if (bare.size() != kDigits) {
      violations.push_back("invariant 5: reply for key " +
                           pubkey.substr(0, 12) +
                           "... had no usable private key");
      continue;
    }
    owner.emplace(bare, pubkey);
  }

  std::set<std::string> leaked;
  size_t at = 0;
  while (at < text.size()) {
    if (!std::isxdigit(static_cast<unsigned char>(text[at]))) {
      ++at;
      continue;
    }
    size_t start = at;
    while (at < text.size() &&
           std::isxdigit(static_cast<unsigned char>(text[at]))) {
      ++at;
    }
    if (at - start < kDigits) continue;
    std::string run = lower(text.substr(start, at - start));
    for (size_t window = 0; window + kDigits <= run.size(); ++window) {
      auto found = owner.find(run.substr(window, kDigits));
      if (found != owner.end()) leaked.insert(found->second);
    }
  }
  for (const auto& pubkey : leaked) {
    violations.push_back("invariant 5: the private key of " +
                         pubkey.substr(0, 12) + "... appears in " + what);
  }
  return violations;
}

std::vector<std::string> InvariantChecker::check_acknowledged_survive(
    const DiskState& disk, const TrafficHistory& history) {
  std::vector<std::string> violations;
  auto fail = [&](const std::string& text) {
    violations.push_back("invariant 6: " + text);
  };
  auto secrets = history.secrets();
  for (const auto& public_key : history.conflicting_secrets()) {
    fail("key " + public_key.substr(0, 12) +
         "... came with two different private keys");
  }

  for (const auto& [pod, records] : history.by_pod()) {
    const RequestRecord* last_ack = nullptr;
    bool release_sent = false;        // since last_ack
    bool acked_release_last = false;  // and no allocation sent since
    for (const RequestRecord& record : records) {
      if (record.kind == RequestKind::kRelease) {
        release_sent = true;
        if (record.acknowledged) acked_release_last = true;
        continue;
      }
      acked_release_last = false;
      if (!record.acknowledged) continue;
      const auto& keys = record.public_keys;
      std::set<std::string> distinct(keys.begin(), keys.end());
      if (distinct.size() != keys.size() || keys.size() < record.keys_asked) {
        fail("pod " + pod + " asked for " +
             std::to_string(record.keys_asked) + " keys and got " +
             join(keys));
      }
      if (last_ack != nullptr && !release_sent &&
          !starts_with(keys, last_ack->public_keys)) {
        fail("pod " + pod + " was acknowledged " +
             join(last_ack->public_keys) + " at " +
             std::to_string(last_ack->received_unix_ms) + ", then " +
             join(keys) + " at " + std::to_string(record.received_unix_ms));
      }
      last_ack = &record;
      release_sent = false;
    }

    auto on_disk = disk.pods.find(pod);
    if (acked_release_last) {
      if (on_disk != disk.pods.end()) {
        fail("pod " + pod + " had its release acknowledged and asked for " +
             "nothing since, but holds " +
             std::to_string(on_disk->second.public_keys_size()) +
             " keys on disk");
      }
      continue;
    }
    if (last_ack == nullptr || release_sent) continue;
    std::vector<std::string> stored;
    if (on_disk != disk.pods.end()) {
      for (const std::string& pubkey : on_disk->second.public_keys()) {
        stored.push_back(hex(pubkey));
      }
    }
    if (!starts_with(stored, last_ack->public_keys)) {
      fail("pod " + pod + " was acknowledged " + join(last_ack->public_keys) +
           " at " + std::to_string(last_ack->received_unix_ms) +
           " (round " + std::to_string(last_ack->round) +
           ") but holds " + join(stored) + " on disk");
      continue;
    }
    for (const std::string& public_key : last_ack->public_keys) {
      auto record = disk.keys.find(bytes_of_hex(public_key));
      if (record == disk.keys.end()) continue;  // reported above
      auto secret = open_secret(record->second);
      auto replied = secrets.find(public_key);
      if (!secret.ok() || replied == secrets.end() ||
          lower(replied->second) != *secret) {
        fail("key " + public_key.substr(0, 12) + "... of pod " + pod +
             ": the stored secret is not the one the reply gave");
      }
    }
  }
  return violations;
}

std::vector<std::string> InvariantChecker::check_deposits_resolved(
    const DiskState& before, const DiskState& after) const {
  std::vector<std::string> violations;
  for (const auto& [pubkey, record] : after.keys) {
    bool waiting = record.state() == records::KEY_STATE_DEPOSITING ||
                   (record.state() == records::KEY_STATE_GENERATED &&
                    record.deposit().status() !=
                        records::DEPOSIT_STATUS_FAILED);
    if (waiting) {
      violations.push_back(
          "deposit of key " + short_hex(pubkey) + " unresolved: " +
          state_name(record.state()) + ", " +
          records::DepositStatus_Name(record.deposit().status()));
    }
  }
  for (const auto& [pubkey, record] : before.keys) {
    bool was_waiting = record.state() == records::KEY_STATE_DEPOSITING ||
                       (record.state() == records::KEY_STATE_GENERATED &&
                        record.deposit().status() !=
                            records::DEPOSIT_STATUS_FAILED);
    if (!was_waiting) continue;
    auto now = after.keys.find(pubkey);
    if (now == after.keys.end()) {
      violations.push_back("key " + short_hex(pubkey) +
                           " vanished from the store");
    }
  }
  return violations;
}

}  // namespace pkm::testing
