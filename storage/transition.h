// A Transition: the puts and deletes of one state change across pkm's column
// families, applied by Store::apply as a single atomic, synced write. Part
// of storage/ (see store.h).
#ifndef PKM_STORAGE_TRANSITION_H_
#define PKM_STORAGE_TRANSITION_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "messages/records.pb.h"

namespace pkm::storage {

inline constexpr size_t kPublicKeySize = 48;
// Row key of the unassigned family: ready-at (8 bytes big-endian) ‖ pubkey.
inline constexpr size_t kUnassignedRowKeySize = 8 + kPublicKeySize;

// Row names of the meta family (records.proto says which message each
// holds). Store owns the first two; a Transition may not write them.
inline constexpr std::string_view kSchemaVersionRow = "schema_version";
inline constexpr std::string_view kSealingKeyCheckRow = "sealing_key_check";
inline constexpr std::string_view kDerivationCounterRow = "derivation_counter";

enum class Family { kKeys, kPods, kUnassigned, kMeta };

// The column family name on disk: "keys", "pods", "unassigned", "meta".
const char* family_name(Family family);

// Row key of the unassigned family. The big-endian time makes RocksDB's
// byte order the queue order: oldest ready-at first, then by public key.
std::string unassigned_row_key(uint64_t ready_at_unix_ms, ByteView public_key);

// One entry of the recycling queue.
struct UnassignedEntry {
  uint64_t ready_at_unix_ms = 0;
  Bytes public_key;
};

// Splits an unassigned-family row key; data_loss naming the row (in hex)
// when it is not kUnassignedRowKeySize bytes.
[[nodiscard]] Result<UnassignedEntry> parse_unassigned_row_key(
    std::string_view row_key);

// One put (value set) or delete (value absent).
struct Mutation {
  Family family = Family::kMeta;
  std::string key;
  std::optional<std::string> value;
};

// Built by one caller, then handed to Store::apply. Later mutations of the
// same row win, as if applied one by one. Not thread-safe; it holds public
// data and sealed secrets only, never plaintext secrets.
class Transition {
 public:
  // Puts `record` under its public_key.
  void put_key(const records::KeyRecord& record);
  // Puts `record` under its pod_name.
  void put_pod(const records::PodRecord& record);
  void delete_pod(std::string_view pod_name);
  // Adds or removes a recycling-queue entry.
  void add_unassigned(uint64_t ready_at_unix_ms, ByteView public_key);
  void remove_unassigned(uint64_t ready_at_unix_ms, ByteView public_key);
  void put_derivation_counter(const records::DerivationCounter& counter);

  // Raw puts and deletes for rows the helpers above do not cover. Store
  // checks them like the typed ones.
  void put(Family family, std::string key, std::string value);
  void remove(Family family, std::string key);

  // Appends every mutation of `other`, so that both apply as one write
  // (the store actor's group commit).
  void append(const Transition& other);

  const std::vector<Mutation>& mutations() const { return mutations_; }
  bool empty() const { return mutations_.empty(); }
  // Keys plus values, for sizing group commits.
  size_t byte_size() const { return byte_size_; }

 private:
  std::vector<Mutation> mutations_;
  size_t byte_size_ = 0;
};

}  // namespace pkm::storage

#endif  // PKM_STORAGE_TRANSITION_H_
