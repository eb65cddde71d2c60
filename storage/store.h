// storage/: pkm's durable state in RocksDB: the column families of
// DESIGN.md "Storage" and atomic, synced state transitions across them.
// Records are the protobuf messages of messages/records.proto. It depends on
// base/, messages/ and RocksDB only, knows nothing of actors, NATS or HTTP,
// and never sees a plaintext secret (records carry sealed ones).
//
// On disk, under the data dir:
//   LOCK     held (flock) by the one process that has the store open
//   db/      RocksDB with families keys, pods, unassigned and meta
#ifndef PKM_STORAGE_STORE_H_
#define PKM_STORAGE_STORE_H_

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "messages/records.pb.h"
#include "storage/transition.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace pkm::storage {

// The schema this build writes and reads. Raise it for any change older
// binaries cannot read; they then refuse to start.
inline constexpr uint32_t kSchemaVersion = 1;

struct StoreOptions {
  // Created (mode 0700) when absent, parent directories included.
  std::string data_dir;
  // crypto::Sealer::key_check_value() of the master key in use: written
  // when the store is created, compared on every later open.
  Bytes sealing_key_check;
  // Recorded with the schema version, so an older binary can say what
  // wrote the data ("pkm 0.3.0").
  std::string written_by = "pkm";
  // A group commit stops adding transitions once its batch reaches this
  // many bytes; a single larger transition is still written alone.
  size_t max_group_bytes = size_t{4} << 20;
};

// Monotonic counters since open. `transitions / writes` is the average
// group-commit size.
struct StoreCounters {
  // Transitions made durable, and the synced RocksDB writes that carried
  // them.
  uint64_t transitions = 0;
  uint64_t writes = 0;
  // Transitions and writes that failed (each failed transition got the
  // error from apply()).
  uint64_t failed_transitions = 0;
  uint64_t failed_writes = 0;
  // The most transitions one write has carried.
  uint64_t largest_group = 0;
};

// Keys by lifecycle state (records::KeyState).
struct KeyStateCounts {
  uint64_t generated = 0;
  uint64_t depositing = 0;
  uint64_t assigned = 0;
  uint64_t quarantined = 0;
  uint64_t unassigned = 0;
  uint64_t retired = 0;

  uint64_t total() const {
    return generated + depositing + assigned + quarantined + unassigned +
           retired;
  }
};

// The open store. One per data dir and process; every member may be called
// from any thread at once. Readers see each transition whole or not at all.
// Records read back are checked: a value that does not parse, names another
// row than its own, or has no state is reported as data_loss naming the
// row, never skipped.
class Store {
 public:
  // Opens (creating when absent) the store under options.data_dir.
  // Refuses, naming the data dir:
  //  - failed_precondition when another process (or another Store in this
  //    one) holds <data-dir>/LOCK; the message names the LOCK file and the
  //    holder's pid;
  //  - failed_precondition when the schema version on disk is newer than
  //    kSchemaVersion;
  //  - permission_denied when options.sealing_key_check differs from the
  //    one stored (a different master key);
  //  - data_loss when meta is missing or corrupt in a non-empty store, or
  //    when RocksDB finds corruption (a damaged WAL is refused, never
  //    replayed only up to the damage);
  //  - invalid_argument for an empty data_dir or a check value that is not
  //    32 bytes; unavailable for I/O errors.
  [[nodiscard]] static Result<std::unique_ptr<Store>> open(
      const StoreOptions& options);

  // Closes RocksDB, then releases the LOCK file. No apply() or read may be
  // running.
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Applies every mutation of `transition` as one atomic RocksDB write
  // with sync=true and returns once it is durable. Concurrent calls are
  // merged into one write (group commit); each still succeeds or fails as a
  // whole, and calls are ordered as they queued. Refuses (invalid_argument,
  // nothing written) a keys row that is not 48 bytes or whose value does
  // not parse as a KeyRecord for that row with a state, a pods row whose
  // value is not its PodRecord, an unassigned row that is not 56 bytes or
  // has a value, and writes to the meta rows Store owns. A write failure
  // returns unavailable (I/O) or data_loss (corruption) to every caller
  // in the group; RocksDB may then refuse further writes until the store
  // is reopened. An empty transition returns at once.
  [[nodiscard]] Status apply(const Transition& transition);

  // The record of `public_key`: not_found when absent; invalid_argument when
  // it is not 48 bytes.
  [[nodiscard]] Result<records::KeyRecord> get_key(ByteView public_key) const;

  // The record of `pod_name`: not_found when absent.
  [[nodiscard]] Result<records::PodRecord> get_pod(
      std::string_view pod_name) const;

  // The derivation counter; next_index 0 when none was stored yet.
  [[nodiscard]] Result<records::DerivationCounter> get_derivation_counter()
      const;

  // Calls `visit` for each recycling-queue entry with ready-at at or after
  // `from_unix_ms`, oldest first, then by public key, until it returns
  // false. Sees one consistent snapshot. data_loss for a malformed row.
  [[nodiscard]] Status for_each_unassigned(
      uint64_t from_unix_ms,
      const std::function<bool(const UnassignedEntry&)>& visit) const;

  // Calls `visit` for every key record, in public-key order, until it
  // returns false (start-up recovery, /assignments). One snapshot.
  [[nodiscard]] Status for_each_key(
      const std::function<bool(const records::KeyRecord&)>& visit) const;

  // Calls `visit` for every pod record, in pod-name order, until it returns
  // false. One snapshot.
  [[nodiscard]] Status for_each_pod(
      const std::function<bool(const records::PodRecord&)>& visit) const;

  // Counts keys by state over one snapshot (a full scan of the keys family).
  [[nodiscard]] Result<KeyStateCounts> count_keys_by_state() const;

  StoreCounters counters() const;
  const std::string& data_dir() const { return data_dir_; }

 private:
  struct PendingTransition;

  Store() = default;

  Status initialize(const StoreOptions& options);
  Status write_group(const std::vector<PendingTransition*>& group);
  rocksdb::ColumnFamilyHandle* handle(Family family) const;

  std::string data_dir_;
  std::string db_path_;
  int lock_fd_ = -1;
  std::unique_ptr<rocksdb::DB> db_;
  // Indexed by Family.
  std::array<rocksdb::ColumnFamilyHandle*, 4> families_{};
  // Families found on disk that this build does not use; kept open
  // because RocksDB requires it.
  std::vector<rocksdb::ColumnFamilyHandle*> other_families_;
  size_t max_group_bytes_ = 0;

  // Group commit: callers queue here; the one at the front writes for
  // everyone queued behind it at that moment.
  std::mutex queue_mutex_;
  std::deque<PendingTransition*> queue_;

  std::atomic<uint64_t> transitions_{0};
  std::atomic<uint64_t> writes_{0};
  std::atomic<uint64_t> failed_transitions_{0};
  std::atomic<uint64_t> failed_writes_{0};
  std::atomic<uint64_t> largest_group_{0};
};

}  // namespace pkm::storage

#endif  // PKM_STORAGE_STORE_H_
