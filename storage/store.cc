#include "storage/store.h"

#include <fcntl.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

namespace pkm::storage {
namespace {

constexpr Family kAllFamilies[] = {Family::kKeys, Family::kPods,
                                   Family::kUnassigned, Family::kMeta};

// Picks the code by what the caller can do: corruption is data_loss, I/O
// trouble may pass (unavailable), anything else is a bug.
Error from_rocksdb(const rocksdb::Status& status, const std::string& what) {
  ErrorCode code = ErrorCode::kInternal;
  if (status.IsCorruption()) {
    code = ErrorCode::kDataLoss;
  } else if (status.IsIOError() || status.IsBusy() || status.IsTimedOut() ||
             status.IsTryAgain() || status.IsNoSpace()) {
    code = ErrorCode::kUnavailable;
  } else if (status.IsNotFound()) {
    code = ErrorCode::kNotFound;
  }
  return Error{code, what + ": " + status.ToString()};
}

// Pod names are DNS labels when written through apply(); a damaged row key
// may be anything, so show it as hex then.
std::string describe_pod_row(std::string_view row_key) {
  for (char c : row_key) {
    if (!std::isprint(static_cast<unsigned char>(c))) {
      return "pods row " + to_hex(ByteView(row_key));
    }
  }
  return "pods row \"" + std::string(row_key) + "\"";
}

bool is_known_state(records::KeyState state) {
  return state >= records::KEY_STATE_GENERATED &&
         state <= records::KEY_STATE_RETIRED;
}

// What is wrong with a keys-family row, or "" when nothing is.
std::string key_record_problem(std::string_view row_key, std::string_view value,
                               records::KeyRecord* record) {
  if (row_key.size() != kPublicKeySize) {
    return "is " + std::to_string(row_key.size()) +
           " bytes; expected a 48-byte public key";
  }
  if (!record->ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return "does not parse as a KeyRecord";
  }
  if (record->public_key() != row_key) {
    return "holds the record of public key " +
           to_hex(ByteView(record->public_key()));
  }
  if (!is_known_state(record->state())) {
    return "has state " + std::to_string(record->state()) +
           "; allowed: GENERATED to RETIRED (1 to 6)";
  }
  return std::string();
}

std::string pod_record_problem(std::string_view row_key, std::string_view value,
                               records::PodRecord* record) {
  if (row_key.empty()) return "has an empty pod name";
  if (!record->ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return "does not parse as a PodRecord";
  }
  if (record->pod_name() != row_key) {
    return "holds the record of pod \"" + record->pod_name() + "\"";
  }
  for (const std::string& public_key : record->public_keys()) {
    if (public_key.size() != kPublicKeySize) {
      return "lists a public key of " + std::to_string(public_key.size()) +
             " bytes; expected 48";
    }
  }
  return std::string();
}

// Checks one mutation before anything is written; "" when it is fine.
std::string mutation_problem(const Mutation& mutation) {
  switch (mutation.family) {
    case Family::kKeys: {
      std::string row = "keys row " + to_hex(ByteView(mutation.key)) + " ";
      if (!mutation.value) {
        return mutation.key.size() == kPublicKeySize
                   ? std::string()
                   : row + "is not a 48-byte public key";
      }
      records::KeyRecord record;
      std::string problem =
          key_record_problem(mutation.key, *mutation.value, &record);
      return problem.empty() ? problem : row + problem;
    }
    case Family::kPods: {
      if (mutation.key.empty()) return "pods row with an empty pod name";
      if (!mutation.value) return std::string();
      records::PodRecord record;
      std::string problem =
          pod_record_problem(mutation.key, *mutation.value, &record);
      return problem.empty() ? problem
                             : describe_pod_row(mutation.key) + " " + problem;
    }
    case Family::kUnassigned:
      if (mutation.key.size() != kUnassignedRowKeySize) {
        return "unassigned row is " + std::to_string(mutation.key.size()) +
               " bytes; expected 56 (8-byte ready-at and public key)";
      }
      if (mutation.value && !mutation.value->empty()) {
        return "unassigned row " + to_hex(ByteView(mutation.key)) +
               " has a value; the family holds empty values";
      }
      return std::string();
    case Family::kMeta: {
      if (mutation.key.empty()) return "meta row with an empty name";
      if (mutation.key == kSchemaVersionRow ||
          mutation.key == kSealingKeyCheckRow) {
        return "meta row " + mutation.key +
               " belongs to the store and cannot be written by a transition";
      }
      records::DerivationCounter counter;
      if (mutation.key == kDerivationCounterRow && mutation.value &&
          !counter.ParseFromString(*mutation.value)) {
        return "meta row derivation_counter does not parse as a "
               "DerivationCounter";
      }
      return std::string();
    }
  }
  return "mutation of an unknown family";
}

// Takes <data-dir>/LOCK with flock, so a second opener fails at once
// instead of sharing the data. The kernel drops the lock with the process,
// even after kill -9.
Result<int> lock_data_dir(const std::string& data_dir) {
  std::string path = data_dir + "/LOCK";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error{ErrorCode::kUnavailable,
                 "cannot open " + path + ": " + std::strerror(errno)};
  }

  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    char holder[32] = {};
    ssize_t n = ::pread(fd, holder, sizeof holder - 1, 0);
    ::close(fd);
    if (error != EWOULDBLOCK) {
      return Error{ErrorCode::kUnavailable,
                   "cannot lock " + path + ": " + std::strerror(error)};
    }
    std::string pid = n > 0 ? std::string(holder, strcspn(holder, "\n"))
                            : std::string("unknown");
    return Error{ErrorCode::kFailedPrecondition,
                 "data dir " + data_dir + " is in use: " + path +
                     " is held by another pkm-server (pid " + pid +
                     "); stop it or choose another --data-dir"};
  }

  // The holder's pid, for the message above; advisory only.
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) !=
                                     static_cast<ssize_t>(pid.size())) {
    int error = errno;
    ::close(fd);
    return Error{ErrorCode::kUnavailable,
                 "cannot write " + path + ": " + std::strerror(error)};
  }
  return fd;
}

Status sync_directory(const std::string& directory) {
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return Error{ErrorCode::kUnavailable,
                 "cannot open directory " + directory +
                     " to sync it: " + std::strerror(errno)};
  }
  int result = ::fsync(fd);
  int error = errno;
  ::close(fd);
  if (result != 0) {
    return Error{ErrorCode::kUnavailable, "cannot sync directory " + directory +
                                              ": " + std::strerror(error)};
  }
  return Status();
}

}  // namespace

// One caller of apply() waiting in the group-commit queue.
struct Store::PendingTransition {
  const Transition* transition = nullptr;
  Status status;
  bool done = false;
  // Signalled when `done` is set, or when this entry reaches the front and
  // must write as leader.
  std::condition_variable wake;
};

Result<std::unique_ptr<Store>> Store::open(const StoreOptions& options) {
  if (options.data_dir.empty()) {
    return invalid_argument("data dir is empty; expected a directory path");
  }
  if (options.sealing_key_check.size() != 32) {
    return invalid_argument("sealing key check value is " +
                            std::to_string(options.sealing_key_check.size()) +
                            " bytes; expected 32");
  }

  // Create the data dir private to its owner: it holds sealed secrets.
  std::error_code error;
  bool created = std::filesystem::create_directories(options.data_dir, error);
  if (error) {
    return Error{
        ErrorCode::kUnavailable,
        "cannot create data dir " + options.data_dir + ": " + error.message()};
  }
  if (created) {
    std::filesystem::permissions(options.data_dir,
                                 std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, error);
  }

  std::unique_ptr<Store> store(new Store());
  store->data_dir_ = options.data_dir;
  store->db_path_ = options.data_dir + "/db";
  store->max_group_bytes_ = options.max_group_bytes;
  auto lock = lock_data_dir(options.data_dir);
  if (!lock.ok()) return lock.error();
  store->lock_fd_ = *lock;

  bool fresh = !std::filesystem::exists(store->db_path_ + "/CURRENT", error);
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = fresh;
  db_options.create_missing_column_families = fresh;
  db_options.keep_log_file_num = 10;
  // With four families, a small one (meta, pods) may go unflushed for a
  // long time and pin every WAL file since: cap the WAL so RocksDB flushes
  // such families, keeping disk use and the replay at start-up bounded.
  db_options.max_total_wal_size = uint64_t{64} << 20;
  // Replay the whole WAL or refuse to open: a torn last record (a write cut
  // short by a crash, never acknowledged) is dropped, but corruption before
  // it is data_loss instead of a silent rollback of acknowledged
  // transitions, which the default point-in-time mode would do.
  db_options.wal_recovery_mode =
      rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;

  // RocksDB must be opened with every family on disk, including any a
  // newer schema added; the schema check below refuses those.
  std::vector<std::string> names;
  if (fresh) {
    names.push_back(rocksdb::kDefaultColumnFamilyName);
    for (Family family : kAllFamilies) names.push_back(family_name(family));
  } else {
    rocksdb::Status listed =
        rocksdb::DB::ListColumnFamilies(db_options, store->db_path_, &names);
    if (!listed.ok()) {
      return from_rocksdb(listed,
                          "cannot list column families of " + store->db_path_);
    }
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status opened = rocksdb::DB::Open(db_options, store->db_path_,
                                             descriptors, &handles, &db);
  if (!opened.ok()) {
    // Our LOCK was free, so this is a RocksDB tool holding db/LOCK.
    if (opened.IsIOError() &&
        opened.ToString().find("lock") != std::string::npos) {
      return Error{ErrorCode::kFailedPrecondition,
                   "data dir " + options.data_dir +
                       " is in use: " + store->db_path_ +
                       "/LOCK is held by another process (a RocksDB tool?)"};
    }
    return from_rocksdb(opened, "cannot open RocksDB at " + store->db_path_);
  }
  store->db_.reset(db);
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    bool ours = false;
    for (Family family : kAllFamilies) {
      if (handle->GetName() == family_name(family)) {
        store->families_[static_cast<size_t>(family)] = handle;
        ours = true;
      }
    }
    if (!ours) store->other_families_.push_back(handle);
  }

  Status initialized = store->initialize(options);
  if (!initialized.ok()) return initialized.error();

  // Make the new directories themselves durable.
  if (fresh) {
    Status synced = sync_directory(options.data_dir);
    if (synced.ok() && created) {
      std::filesystem::path parent =
          std::filesystem::absolute(options.data_dir, error).parent_path();
      synced = sync_directory(parent.string());
    }
    if (!synced.ok()) return synced.error();
  }
  return Result<std::unique_ptr<Store>>(std::move(store));
}

Status Store::initialize(const StoreOptions& options) {
  rocksdb::ReadOptions read_options;
  rocksdb::ColumnFamilyHandle* meta = handle(Family::kMeta);

  // Schema first: a newer schema must be refused before this build
  // changes anything, even the set of families.
  std::string value;
  bool has_schema = false;
  if (meta != nullptr) {
    rocksdb::Status read =
        db_->Get(read_options, meta, std::string(kSchemaVersionRow), &value);
    if (!read.ok() && !read.IsNotFound()) {
      return from_rocksdb(read, "cannot read schema version in " + db_path_);
    }
    has_schema = read.ok();
  }
  if (has_schema) {
    records::SchemaVersion schema;
    if (!schema.ParseFromString(value) || schema.version() == 0) {
      return Error{ErrorCode::kDataLoss, "meta row schema_version in " +
                                             db_path_ +
                                             " does not hold a SchemaVersion"};
    }
    if (schema.version() > kSchemaVersion) {
      std::string writer =
          schema.written_by().empty() ? "" : " by " + schema.written_by();
      return Error{ErrorCode::kFailedPrecondition,
                   "data dir " + data_dir_ + " has schema version " +
                       std::to_string(schema.version()) + " (written" + writer +
                       "); this pkm-server reads schema version " +
                       std::to_string(kSchemaVersion) +
                       " and older: run a newer pkm-server"};
    }
  }

  for (Family family : kAllFamilies) {
    if (handle(family) != nullptr) continue;
    rocksdb::ColumnFamilyHandle* created = nullptr;
    rocksdb::Status status = db_->CreateColumnFamily(
        rocksdb::ColumnFamilyOptions(), family_name(family), &created);
    if (!status.ok()) {
      return from_rocksdb(status, std::string("cannot create family ") +
                                      family_name(family) + " in " + db_path_);
    }
    families_[static_cast<size_t>(family)] = created;
  }
  meta = handle(Family::kMeta);

  if (!has_schema) {
    // Without a schema version the store must be new (or its creation was
    // cut short); records without one mean meta was lost.
    for (Family family : {Family::kKeys, Family::kPods, Family::kUnassigned}) {
      std::unique_ptr<rocksdb::Iterator> it(
          db_->NewIterator(read_options, handle(family)));
      it->SeekToFirst();
      if (!it->status().ok()) {
        return from_rocksdb(it->status(), "cannot read " + db_path_);
      }
      if (it->Valid()) {
        return Error{ErrorCode::kDataLoss,
                     std::string("data dir ") + data_dir_ + " has " +
                         family_name(family) +
                         " records but no schema version in meta"};
      }
    }

    records::SchemaVersion schema;
    schema.set_version(kSchemaVersion);
    schema.set_written_by(options.written_by);
    records::SealingKeyCheck check;
    check.set_key_check_value(options.sealing_key_check.data(),
                              options.sealing_key_check.size());
    rocksdb::WriteBatch batch;
    batch.Put(meta, std::string(kSchemaVersionRow), schema.SerializeAsString());
    batch.Put(meta, std::string(kSealingKeyCheckRow),
              check.SerializeAsString());
    rocksdb::WriteOptions write_options;
    write_options.sync = true;
    rocksdb::Status written = db_->Write(write_options, &batch);
    if (!written.ok()) {
      return from_rocksdb(written, "cannot write meta in " + db_path_);
    }
    return Status();
  }

  rocksdb::Status read =
      db_->Get(read_options, meta, std::string(kSealingKeyCheckRow), &value);
  if (read.IsNotFound()) {
    return Error{ErrorCode::kDataLoss,
                 "data dir " + data_dir_ +
                     " has a schema version but no sealing key check in meta"};
  }
  if (!read.ok()) {
    return from_rocksdb(read, "cannot read sealing key check in " + db_path_);
  }
  records::SealingKeyCheck check;
  if (!check.ParseFromString(value)) {
    return Error{ErrorCode::kDataLoss, "meta row sealing_key_check in " +
                                           db_path_ +
                                           " does not hold a SealingKeyCheck"};
  }
  if (!constant_time_equal(ByteView(check.key_check_value()),
                           ByteView(options.sealing_key_check))) {
    return Error{ErrorCode::kPermissionDenied,
                 "the master key is not the one that sealed the secrets in " +
                     data_dir_ +
                     " (sealing key check differs); start with the original "
                     "--master-key-file"};
  }
  return Status();
}

Store::~Store() {
  if (db_ != nullptr) {
    for (rocksdb::ColumnFamilyHandle* family : families_) {
      if (family != nullptr) db_->DestroyColumnFamilyHandle(family);
    }
    for (rocksdb::ColumnFamilyHandle* family : other_families_) {
      db_->DestroyColumnFamilyHandle(family);
    }
    // Close() syncs nothing we need (every write was synced); its status
    // has nowhere to go from a destructor.
    db_->Close().PermitUncheckedError();
    db_.reset();
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

rocksdb::ColumnFamilyHandle* Store::handle(Family family) const {
  return families_[static_cast<size_t>(family)];
}

Status Store::apply(const Transition& transition) {
  for (size_t i = 0; i < transition.mutations().size(); ++i) {
    std::string problem = mutation_problem(transition.mutations()[i]);
    if (!problem.empty()) {
      return invalid_argument("transition refused, nothing written: " +
                              problem);
    }
  }
  if (transition.empty()) return Status();

  PendingTransition pending;
  pending.transition = &transition;
  std::unique_lock<std::mutex> lock(queue_mutex_);
  queue_.push_back(&pending);
  pending.wake.wait(lock,
                    [&] { return pending.done || queue_.front() == &pending; });
  if (pending.done) return pending.status;

  // Leader: write for everyone queued now, up to max_group_bytes_. Those
  // who queue meanwhile wait for the next leader.
  std::vector<PendingTransition*> group;
  size_t group_bytes = 0;
  for (PendingTransition* waiting : queue_) {
    size_t size = waiting->transition->byte_size();
    if (!group.empty() && group_bytes + size > max_group_bytes_) break;
    group.push_back(waiting);
    group_bytes += size;
  }
  lock.unlock();

  Status status = write_group(group);

  lock.lock();
  for (PendingTransition* member : group) {
    queue_.pop_front();
    if (member == &pending) continue;
    member->status = status;
    member->done = true;
    member->wake.notify_one();
  }
  if (!queue_.empty()) queue_.front()->wake.notify_one();
  return status;
}

Status Store::write_group(const std::vector<PendingTransition*>& group) {
  rocksdb::WriteBatch batch;
  rocksdb::Status status;
  for (const PendingTransition* member : group) {
    for (const Mutation& mutation : member->transition->mutations()) {
      status = mutation.value
                   ? batch.Put(handle(mutation.family), mutation.key,
                               *mutation.value)
                   : batch.Delete(handle(mutation.family), mutation.key);
      if (!status.ok()) break;
    }
    if (!status.ok()) break;
  }
  if (status.ok()) {
    rocksdb::WriteOptions write_options;
    write_options.sync = true;
    status = db_->Write(write_options, &batch);
  }

  if (!status.ok()) {
    failed_writes_.fetch_add(1, std::memory_order_relaxed);
    failed_transitions_.fetch_add(group.size(), std::memory_order_relaxed);
    return from_rocksdb(status, "synced write of " +
                                    std::to_string(group.size()) +
                                    " transitions to " + db_path_ + " failed");
  }
  writes_.fetch_add(1, std::memory_order_relaxed);
  transitions_.fetch_add(group.size(), std::memory_order_relaxed);
  // Only one leader writes at a time, so a plain compare suffices.
  if (group.size() > largest_group_.load(std::memory_order_relaxed)) {
    largest_group_.store(group.size(), std::memory_order_relaxed);
  }
  return Status();
}

Result<records::KeyRecord> Store::get_key(ByteView public_key) const {
  if (public_key.size != kPublicKeySize) {
    return invalid_argument("public key is " + std::to_string(public_key.size) +
                            " bytes; expected 48");
  }

  rocksdb::Slice row(reinterpret_cast<const char*>(public_key.data),
                     public_key.size);
  std::string value;
  rocksdb::Status read =
      db_->Get(rocksdb::ReadOptions(), handle(Family::kKeys), row, &value);
  if (read.IsNotFound()) {
    return Error{ErrorCode::kNotFound,
                 "no key record for public key " + to_hex(public_key)};
  }
  if (!read.ok()) {
    return from_rocksdb(read, "cannot read keys row " + to_hex(public_key));
  }

  records::KeyRecord record;
  std::string problem = key_record_problem(row.ToStringView(), value, &record);
  if (!problem.empty()) {
    return Error{ErrorCode::kDataLoss, "keys row " + to_hex(public_key) +
                                           " in " + db_path_ + " " + problem};
  }
  return record;
}

Result<records::PodRecord> Store::get_pod(std::string_view pod_name) const {
  std::string value;
  rocksdb::Status read =
      db_->Get(rocksdb::ReadOptions(), handle(Family::kPods),
               rocksdb::Slice(pod_name.data(), pod_name.size()), &value);
  if (read.IsNotFound()) {
    return Error{ErrorCode::kNotFound,
                 "no record for " + describe_pod_row(pod_name)};
  }
  if (!read.ok()) {
    return from_rocksdb(read, "cannot read " + describe_pod_row(pod_name));
  }

  records::PodRecord record;
  std::string problem = pod_record_problem(pod_name, value, &record);
  if (!problem.empty()) {
    return Error{ErrorCode::kDataLoss, describe_pod_row(pod_name) + " in " +
                                           db_path_ + " " + problem};
  }
  return record;
}

Result<records::DerivationCounter> Store::get_derivation_counter() const {
  std::string value;
  rocksdb::Status read = db_->Get(rocksdb::ReadOptions(), handle(Family::kMeta),
                                  std::string(kDerivationCounterRow), &value);
  records::DerivationCounter counter;
  if (read.IsNotFound()) return counter;
  if (!read.ok()) {
    return from_rocksdb(read, "cannot read meta row derivation_counter");
  }
  if (!counter.ParseFromString(value)) {
    return Error{ErrorCode::kDataLoss,
                 "meta row derivation_counter in " + db_path_ +
                     " does not parse as a DerivationCounter"};
  }
  return counter;
}

Status Store::for_each_unassigned(
    uint64_t from_unix_ms,
    const std::function<bool(const UnassignedEntry&)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handle(Family::kUnassigned)));
  for (it->Seek(unassigned_row_key(from_unix_ms, ByteView())); it->Valid();
       it->Next()) {
    auto entry = parse_unassigned_row_key(it->key().ToStringView());
    if (!entry.ok()) {
      return Error{ErrorCode::kDataLoss,
                   entry.error().message + " in " + db_path_};
    }
    if (!it->value().empty()) {
      return Error{ErrorCode::kDataLoss,
                   "unassigned row " +
                       to_hex(ByteView(it->key().ToStringView())) + " in " +
                       db_path_ + " has a value; expected none"};
    }
    if (!visit(*entry)) return Status();
  }
  if (!it->status().ok()) {
    return from_rocksdb(it->status(), "cannot read unassigned family");
  }
  return Status();
}

Status Store::for_each_key(
    const std::function<bool(const records::KeyRecord&)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handle(Family::kKeys)));
  records::KeyRecord record;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view row = it->key().ToStringView();
    std::string problem =
        key_record_problem(row, it->value().ToStringView(), &record);
    if (!problem.empty()) {
      return Error{ErrorCode::kDataLoss, "keys row " + to_hex(ByteView(row)) +
                                             " in " + db_path_ + " " + problem};
    }
    if (!visit(record)) return Status();
  }
  if (!it->status().ok()) {
    return from_rocksdb(it->status(), "cannot read keys family");
  }
  return Status();
}

Status Store::for_each_pod(
    const std::function<bool(const records::PodRecord&)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handle(Family::kPods)));
  records::PodRecord record;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view row = it->key().ToStringView();
    std::string problem =
        pod_record_problem(row, it->value().ToStringView(), &record);
    if (!problem.empty()) {
      return Error{ErrorCode::kDataLoss,
                   describe_pod_row(row) + " in " + db_path_ + " " + problem};
    }
    if (!visit(record)) return Status();
  }
  if (!it->status().ok()) {
    return from_rocksdb(it->status(), "cannot read pods family");
  }
  return Status();
}

Result<KeyStateCounts> Store::count_keys_by_state() const {
  KeyStateCounts counts;
  Status scanned = for_each_key([&](const records::KeyRecord& record) {
    switch (record.state()) {
      case records::KEY_STATE_GENERATED:
        ++counts.generated;
        break;
      case records::KEY_STATE_DEPOSITING:
        ++counts.depositing;
        break;
      case records::KEY_STATE_ASSIGNED:
        ++counts.assigned;
        break;
      case records::KEY_STATE_QUARANTINED:
        ++counts.quarantined;
        break;
      case records::KEY_STATE_UNASSIGNED:
        ++counts.unassigned;
        break;
      case records::KEY_STATE_RETIRED:
        ++counts.retired;
        break;
      default:
        // for_each_key refuses other states as data_loss.
        break;
    }
    return true;
  });
  if (!scanned.ok()) return scanned.error();
  return counts;
}

StoreCounters Store::counters() const {
  StoreCounters counters;
  counters.transitions = transitions_.load(std::memory_order_relaxed);
  counters.writes = writes_.load(std::memory_order_relaxed);
  counters.failed_transitions =
      failed_transitions_.load(std::memory_order_relaxed);
  counters.failed_writes = failed_writes_.load(std::memory_order_relaxed);
  counters.largest_group = largest_group_.load(std::memory_order_relaxed);
  return counters;
}

}  // namespace pkm::storage
