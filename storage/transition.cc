#include "storage/transition.h"

#include <utility>

namespace pkm::storage {

const char* family_name(Family family) {
  switch (family) {
    case Family::kKeys:
      return "keys";
    case Family::kPods:
      return "pods";
    case Family::kUnassigned:
      return "unassigned";
    case Family::kMeta:
      return "meta";
  }
  return "unknown";
}

std::string unassigned_row_key(uint64_t ready_at_unix_ms, ByteView public_key) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i) {
    key[i] = static_cast<char>(ready_at_unix_ms & 0xff);
    ready_at_unix_ms >>= 8;
  }
  key.append(reinterpret_cast<const char*>(public_key.data), public_key.size);
  return key;
}

Result<UnassignedEntry> parse_unassigned_row_key(std::string_view row_key) {
  if (row_key.size() != kUnassignedRowKeySize) {
    return Error{ErrorCode::kDataLoss,
                 "unassigned row " + to_hex(ByteView(row_key)) + " is " +
                     std::to_string(row_key.size()) + " bytes; expected " +
                     std::to_string(kUnassignedRowKeySize) +
                     " (ready-at and public key)"};
  }

  UnassignedEntry entry;
  for (size_t i = 0; i < 8; ++i) {
    entry.ready_at_unix_ms =
        entry.ready_at_unix_ms << 8 | static_cast<uint8_t>(row_key[i]);
  }
  ByteView public_key(row_key.substr(8));
  entry.public_key = public_key.to_bytes();
  return entry;
}

void Transition::put_key(const records::KeyRecord& record) {
  put(Family::kKeys, record.public_key(), record.SerializeAsString());
}

void Transition::put_pod(const records::PodRecord& record) {
  put(Family::kPods, record.pod_name(), record.SerializeAsString());
}

void Transition::delete_pod(std::string_view pod_name) {
  remove(Family::kPods, std::string(pod_name));
}

void Transition::add_unassigned(uint64_t ready_at_unix_ms,
                                ByteView public_key) {
  put(Family::kUnassigned, unassigned_row_key(ready_at_unix_ms, public_key),
      std::string());
}

void Transition::remove_unassigned(uint64_t ready_at_unix_ms,
                                   ByteView public_key) {
  remove(Family::kUnassigned, unassigned_row_key(ready_at_unix_ms, public_key));
}

void Transition::put_derivation_counter(
    const records::DerivationCounter& counter) {
  put(Family::kMeta, std::string(kDerivationCounterRow),
      counter.SerializeAsString());
}

void Transition::put(Family family, std::string key, std::string value) {
  byte_size_ += key.size() + value.size();
  mutations_.push_back(Mutation{family, std::move(key), std::move(value)});
}

void Transition::remove(Family family, std::string key) {
  byte_size_ += key.size();
  mutations_.push_back(Mutation{family, std::move(key), std::nullopt});
}

void Transition::append(const Transition& other) {
  mutations_.insert(mutations_.end(), other.mutations_.begin(),
                    other.mutations_.end());
  byte_size_ += other.byte_size_;
}

}  // namespace pkm::storage
