#include "storage/store.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <rocksdb/db.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_process.h"

namespace pkm::storage {
namespace {

using ::testing::HasSubstr;

// A 48-byte stand-in public key that encodes `id` (real keys are BLS
// points; the store only cares about the size).
Bytes public_key_of(uint64_t id) {
  Bytes key(kPublicKeySize, 0xa0);
  for (int i = 0; i < 8; ++i)
    key[40 + i] = static_cast<uint8_t>(id >> (8 * (7 - i)));
  return key;
}

std::string as_string(const Bytes& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

Bytes check_value_of(uint8_t fill) { return Bytes(32, fill); }

records::KeyRecord key_record(uint64_t id, records::KeyState state,
                              const std::string& pod_name = "") {
  records::KeyRecord record;
  record.set_public_key(as_string(public_key_of(id)));
  record.set_sealed_secret(std::string(61, 's'));
  record.set_state(state);
  record.set_pod_name(pod_name);
  record.set_created_unix_ms(1700000000000 + id);
  return record;
}

records::PodRecord pod_record(const std::string& pod_name,
                              const std::vector<uint64_t>& key_ids) {
  records::PodRecord record;
  record.set_pod_name(pod_name);
  for (uint64_t id : key_ids) {
    record.add_public_keys(as_string(public_key_of(id)));
  }
  return record;
}

// The transition an allocation makes: the key becomes ASSIGNED to the pod,
// the pod lists the key.
Transition assignment(uint64_t id) {
  std::string pod = "pod-" + std::to_string(id);
  Transition transition;
  transition.put_key(key_record(id, records::KEY_STATE_ASSIGNED, pod));
  transition.put_pod(pod_record(pod, {id}));
  return transition;
}

// Opens the store's RocksDB directly, the way a damaged disk or an outside
// tool would change it. The store must be closed meanwhile.
class RawDatabase {
 public:
  explicit RawDatabase(const std::string& data_dir) {
    std::string path = data_dir + "/db";
    std::vector<std::string> names;
    EXPECT_TRUE(
        rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names)
            .ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const auto& name : names)
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    rocksdb::Status status = rocksdb::DB::Open(rocksdb::DBOptions(), path,
                                               descriptors, &handles, &db);
    EXPECT_TRUE(status.ok()) << status.ToString();
    db_.reset(db);
    for (auto* handle : handles) families_[handle->GetName()] = handle;
  }

  ~RawDatabase() {
    for (auto& [name, handle] : families_)
      db_->DestroyColumnFamilyHandle(handle);
  }

  void put(const std::string& family, const std::string& key,
           const std::string& value) {
    rocksdb::WriteOptions options;
    options.sync = true;
    EXPECT_TRUE(db_->Put(options, families_.at(family), key, value).ok());
  }

  void remove(const std::string& family, const std::string& key) {
    rocksdb::WriteOptions options;
    options.sync = true;
    EXPECT_TRUE(db_->Delete(options, families_.at(family), key).ok());
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> families_;
};

class StoreTest : public ::testing::Test {
 protected:
  StoreOptions options(uint8_t key_check = 1) const {
    StoreOptions options;
    options.data_dir = data_dir();
    options.sealing_key_check = check_value_of(key_check);
    return options;
  }

  std::string data_dir() const { return temp_dir_.path() + "/data"; }

  std::unique_ptr<Store> open_store() {
    auto store = Store::open(options());
    EXPECT_TRUE(store.ok()) << store.error().to_string();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  testing::TempDir temp_dir_;
};

TEST(UnassignedRowKey, ParsingGivesBackTimeAndPublicKey) {
  std::string row = unassigned_row_key(0x0102030405060708, public_key_of(9));

  auto entry = parse_unassigned_row_key(row);

  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(row.substr(0, 8), std::string("\x01\x02\x03\x04\x05\x06\x07\x08"));
  EXPECT_EQ(entry->ready_at_unix_ms, 0x0102030405060708u);
  EXPECT_EQ(entry->public_key, public_key_of(9));
}

TEST_F(StoreTest, TransitionAcrossFamiliesSurvivesReopen) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  Transition recycle;
  recycle.put_key(key_record(1, records::KEY_STATE_UNASSIGNED));
  recycle.add_unassigned(1000, public_key_of(1));
  ASSERT_TRUE(store->apply(recycle).ok());

  Transition allocate = assignment(1);
  allocate.remove_unassigned(1000, public_key_of(1));
  Status applied = store->apply(allocate);
  store.reset();
  store = open_store();

  ASSERT_TRUE(applied.ok()) << applied.error().to_string();
  ASSERT_NE(store, nullptr);
  auto key = store->get_key(public_key_of(1));
  ASSERT_TRUE(key.ok()) << key.error().to_string();
  EXPECT_EQ(key->state(), records::KEY_STATE_ASSIGNED);
  EXPECT_EQ(key->pod_name(), "pod-1");
  auto pod = store->get_pod("pod-1");
  ASSERT_TRUE(pod.ok()) << pod.error().to_string();
  ASSERT_EQ(pod->public_keys_size(), 1);
  EXPECT_EQ(pod->public_keys(0), as_string(public_key_of(1)));
  int queued = 0;
  ASSERT_TRUE(store
                  ->for_each_unassigned(0,
                                        [&](const UnassignedEntry&) {
                                          ++queued;
                                          return true;
                                        })
                  .ok());
  EXPECT_EQ(queued, 0);
}

TEST_F(StoreTest, TransitionWithOneBadMutationWritesNothing) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  Transition transition = assignment(2);
  transition.put(Family::kKeys, std::string(47, 'k'), "");

  Status applied = store->apply(transition);

  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(applied.error().message, HasSubstr("48-byte public key"));
  EXPECT_EQ(store->get_key(public_key_of(2)).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(store->get_pod("pod-2").error().code, ErrorCode::kNotFound);
}

TEST_F(StoreTest, KeyRecordWithoutStateIsRefused) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  Transition transition;
  transition.put_key(key_record(3, records::KEY_STATE_UNSPECIFIED));

  Status applied = store->apply(transition);

  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(applied.error().message, HasSubstr("state 0"));
}

TEST_F(StoreTest, MetaRowsOwnedByTheStoreCannotBeWritten) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  Transition transition;
  transition.put(Family::kMeta, std::string(kSchemaVersionRow), "");

  Status applied = store->apply(transition);

  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(applied.error().message, HasSubstr("schema_version"));
}

TEST_F(StoreTest, SecondOpenerIsRefusedNamingTheLockFile) {
  auto first = open_store();
  ASSERT_NE(first, nullptr);

  auto second = Store::open(options());

  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(second.error().message, HasSubstr(data_dir() + "/LOCK"));
  EXPECT_THAT(second.error().message, HasSubstr("another pkm-server"));
  EXPECT_THAT(second.error().message,
              HasSubstr("pid " + std::to_string(::getpid())));
}

TEST_F(StoreTest, OpenerInAnotherProcessIsRefused) {
  auto first = open_store();
  ASSERT_NE(first, nullptr);

  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto second = Store::open(options());
    bool refused = !second.ok() && second.error().message.find(
                                       "/LOCK is held by another "
                                       "pkm-server") != std::string::npos;
    ::_exit(refused ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);

  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(StoreTest, LockIsReleasedWhenTheStoreCloses) {
  auto first = open_store();
  ASSERT_NE(first, nullptr);
  first.reset();

  auto second = Store::open(options());

  EXPECT_TRUE(second.ok()) << second.error().to_string();
}

TEST_F(StoreTest, NewerSchemaIsRefusedSayingWhichVersions) {
  open_store().reset();
  {
    records::SchemaVersion newer;
    newer.set_version(kSchemaVersion + 1);
    newer.set_written_by("pkm 9.9.9");
    RawDatabase(data_dir())
        .put("meta", "schema_version", newer.SerializeAsString());
  }

  auto store = Store::open(options());

  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(
      store.error().message,
      HasSubstr("schema version " + std::to_string(kSchemaVersion + 1)));
  EXPECT_THAT(store.error().message, HasSubstr("pkm 9.9.9"));
  EXPECT_THAT(store.error().message, HasSubstr("run a newer pkm-server"));
}

TEST_F(StoreTest, WrongMasterKeyIsRefused) {
  open_store().reset();

  auto store = Store::open(options(/*key_check=*/2));

  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(store.error().message, HasSubstr("--master-key-file"));
  EXPECT_THAT(store.error().message, HasSubstr(data_dir()));
}

TEST_F(StoreTest, RecordsWithoutSchemaVersionAreDataLoss) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->apply(assignment(4)).ok());
  store.reset();
  RawDatabase(data_dir()).remove("meta", "schema_version");

  auto reopened = Store::open(options());

  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.error().code, ErrorCode::kDataLoss);
  EXPECT_THAT(reopened.error().message, HasSubstr("no schema version"));
}

TEST_F(StoreTest, UnassignedQueueOrdersByReadyAtThenPublicKey) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  Transition transition;
  transition.add_unassigned(2000, public_key_of(1));
  transition.add_unassigned(1000, public_key_of(7));
  transition.add_unassigned(300000, public_key_of(2));
  transition.add_unassigned(1000, public_key_of(3));
  transition.add_unassigned(256, public_key_of(9));
  ASSERT_TRUE(store->apply(transition).ok());

  std::vector<std::pair<uint64_t, Bytes>> all;
  std::vector<uint64_t> from_1000;
  Status read_all = store->for_each_unassigned(0, [&](const auto& entry) {
    all.emplace_back(entry.ready_at_unix_ms, entry.public_key);
    return true;
  });
  Status read_from = store->for_each_unassigned(1000, [&](const auto& entry) {
    from_1000.push_back(entry.ready_at_unix_ms);
    return from_1000.size() < 3;
  });

  ASSERT_TRUE(read_all.ok() && read_from.ok());
  std::vector<std::pair<uint64_t, Bytes>> expected = {
      {256, public_key_of(9)},
      {1000, public_key_of(3)},
      {1000, public_key_of(7)},
      {2000, public_key_of(1)},
      {300000, public_key_of(2)}};
  EXPECT_EQ(all, expected);
  EXPECT_EQ(from_1000, (std::vector<uint64_t>{1000, 1000, 2000}));
}

TEST_F(StoreTest, GroupCommitMergesConcurrentTransitions) {
  constexpr int kThreads = 16;
  constexpr int kTransitionsPerThread = 16;
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  std::atomic<int> failures{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;

  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < kTransitionsPerThread; ++i) {
        if (!store->apply(assignment(t * 1000 + i)).ok()) ++failures;
      }
    });
  }
  go = true;
  for (auto& thread : threads) thread.join();

  StoreCounters counters = store->counters();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(counters.transitions, uint64_t{kThreads * kTransitionsPerThread});
  EXPECT_LT(counters.writes, counters.transitions);
  EXPECT_GT(counters.largest_group, 1u);
  int visible = 0;
  ASSERT_TRUE(store
                  ->for_each_key([&](const records::KeyRecord& record) {
                    visible += store->get_pod(record.pod_name()).ok();
                    return true;
                  })
                  .ok());
  EXPECT_EQ(visible, kThreads * kTransitionsPerThread);
  std::cout << "group commit: " << counters.transitions << " transitions in "
            << counters.writes << " synced writes, largest group "
            << counters.largest_group << "\n";
}

TEST_F(StoreTest, CountsKeysByState) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  Transition transition;
  transition.put_key(key_record(1, records::KEY_STATE_ASSIGNED, "pod-a"));
  transition.put_key(key_record(2, records::KEY_STATE_ASSIGNED, "pod-a"));
  transition.put_key(key_record(3, records::KEY_STATE_DEPOSITING));
  transition.put_key(key_record(4, records::KEY_STATE_RETIRED));
  ASSERT_TRUE(store->apply(transition).ok());

  auto counts = store->count_keys_by_state();

  ASSERT_TRUE(counts.ok()) << counts.error().to_string();
  EXPECT_EQ(counts->assigned, 2u);
  EXPECT_EQ(counts->depositing, 1u);
  EXPECT_EQ(counts->retired, 1u);
  EXPECT_EQ(counts->unassigned, 0u);
  EXPECT_EQ(counts->total(), 4u);
}

TEST_F(StoreTest, DerivationCounterStartsAtZeroAndPersists) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto initial = store->get_derivation_counter();
  records::DerivationCounter counter;
  counter.set_next_index(42);
  Transition transition;
  transition.put_derivation_counter(counter);
  ASSERT_TRUE(store->apply(transition).ok());
  store.reset();
  store = open_store();
  ASSERT_NE(store, nullptr);

  auto stored = store->get_derivation_counter();

  ASSERT_TRUE(initial.ok() && stored.ok());
  EXPECT_EQ(initial->next_index(), 0u);
  EXPECT_EQ(stored->next_index(), 42u);
}

TEST_F(StoreTest, UnknownPublicKeyIsNotFound) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);

  auto key = store->get_key(public_key_of(77));

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(key.error().message, HasSubstr(to_hex(public_key_of(77))));
}

TEST_F(StoreTest, CorruptKeyRecordIsDataLossNamingTheKey) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->apply(assignment(5)).ok());
  store.reset();
  RawDatabase(data_dir())
      .put("keys", as_string(public_key_of(5)), "\xff\xff not a protobuf");
  store = open_store();
  ASSERT_NE(store, nullptr);

  auto key = store->get_key(public_key_of(5));
  Status scan = store->for_each_key([](const auto&) { return true; });
  auto counts = store->count_keys_by_state();

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kDataLoss);
  EXPECT_THAT(key.error().message, HasSubstr(to_hex(public_key_of(5))));
  ASSERT_FALSE(scan.ok());
  EXPECT_EQ(scan.error().code, ErrorCode::kDataLoss);
  EXPECT_THAT(scan.error().message, HasSubstr(to_hex(public_key_of(5))));
  ASSERT_FALSE(counts.ok());
  EXPECT_EQ(counts.error().code, ErrorCode::kDataLoss);
}

TEST_F(StoreTest, KeyRecordStoredUnderAnotherPublicKeyIsDataLoss) {
  open_store().reset();
  RawDatabase(data_dir())
      .put("keys", as_string(public_key_of(6)),
           key_record(8, records::KEY_STATE_UNASSIGNED).SerializeAsString());
  auto store = open_store();
  ASSERT_NE(store, nullptr);

  auto key = store->get_key(public_key_of(6));

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kDataLoss);
  EXPECT_THAT(key.error().message, HasSubstr(to_hex(public_key_of(8))));
}

TEST_F(StoreTest, MalformedUnassignedRowIsDataLoss) {
  open_store().reset();
  RawDatabase(data_dir()).put("unassigned", "short row", "");
  auto store = open_store();
  ASSERT_NE(store, nullptr);

  Status scan = store->for_each_unassigned(0, [](const auto&) { return true; });

  ASSERT_FALSE(scan.ok());
  EXPECT_EQ(scan.error().code, ErrorCode::kDataLoss);
  EXPECT_THAT(scan.error().message, HasSubstr(to_hex(ByteView("short row"))));
}

TEST_F(StoreTest, DamagedWriteAheadLogIsDataLossNotARollback) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  for (uint64_t id = 1; id <= 50; ++id) {
    ASSERT_TRUE(store->apply(assignment(id)).ok());
  }
  store.reset();
  // The write-ahead log holding the transitions is the largest .log file.
  std::string log_path;
  uintmax_t log_size = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(data_dir() + "/db")) {
    if (entry.path().extension() == ".log" && entry.file_size() > log_size) {
      log_path = entry.path();
      log_size = entry.file_size();
    }
  }
  ASSERT_FALSE(log_path.empty());
  // Damage a record in the middle: acknowledged ones follow it.
  std::fstream log(log_path, std::ios::in | std::ios::out | std::ios::binary);
  auto middle = static_cast<std::streamoff>(log_size / 3);
  char byte = 0;
  log.seekg(middle);
  log.read(&byte, 1);
  byte = static_cast<char>(byte ^ 0x40);
  log.seekp(middle);
  log.write(&byte, 1);
  log.close();

  auto reopened = Store::open(options());

  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.error().code, ErrorCode::kDataLoss);
  EXPECT_THAT(reopened.error().message, HasSubstr(data_dir()));
}

// The crash test's writer runs in a child process that re-executes this
// test binary (fork, then exec), so it starts with a clean address space
// instead of a copy of one with RocksDB's background threads in it. The
// child is told apart by this environment variable; its acknowledgement
// pipe is file descriptor 3.
constexpr char kCrashWriterVariable[] = "PKM_STORE_CRASH_WRITER_DATA_DIR";
constexpr int kCrashWriterAckFd = 3;

// In the writer child: four threads apply assignments and report each
// acknowledged id through the pipe until the parent kills the process.
// Never returns.
[[noreturn]] void run_crash_writer(const std::string& data_dir) {
  StoreOptions options;
  options.data_dir = data_dir;
  options.sealing_key_check = check_value_of(1);
  auto store = Store::open(options);
  if (!store.ok()) {
    std::cerr << "crash writer: " << store.error().to_string() << "\n";
    ::_exit(3);
  }
  std::atomic<uint64_t> next_id{1};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (;;) {
        uint64_t id = next_id.fetch_add(1);
        if (!(*store)->apply(assignment(id)).ok()) ::_exit(4);
        // 8 bytes, below PIPE_BUF: the write is atomic.
        if (::write(kCrashWriterAckFd, &id, sizeof id) != sizeof id) {
          ::_exit(5);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ::_exit(6);
}

// Runs before any test; in the writer child it never returns.
class CrashWriterEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    const char* data_dir = std::getenv(kCrashWriterVariable);
    if (data_dir != nullptr) run_crash_writer(data_dir);
  }
};
::testing::Environment* const crash_writer_environment =
    ::testing::AddGlobalTestEnvironment(new CrashWriterEnvironment);

// Starts a writer, kills it with SIGKILL after a random delay, and returns
// the ids it acknowledged. Fails the test if the writer died on its own.
std::vector<uint64_t> acknowledged_before_kill(
    const StoreOptions& options, std::chrono::milliseconds delay) {
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);

  // Everything exec needs is prepared before fork: between fork and exec
  // the child may only make async-signal-safe calls.
  std::vector<std::string> environment_strings = {
      std::string(kCrashWriterVariable) + "=" + options.data_dir};
  for (char** variable = environ; *variable != nullptr; ++variable) {
    environment_strings.emplace_back(*variable);
  }
  std::vector<char*> environment;
  for (auto& variable : environment_strings) {
    environment.push_back(variable.data());
  }
  environment.push_back(nullptr);
  // Any one test: the writer takes over before it runs.
  std::string filter = "--gtest_filter=UnassignedRowKey.*";
  std::string program = "/proc/self/exe";
  char* arguments[] = {program.data(), filter.data(), nullptr};
  int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);

  pid_t child = ::fork();
  if (child == 0) {
    ::dup2(fds[1], kCrashWriterAckFd);
    ::dup2(null_fd, STDOUT_FILENO);
    ::execve(program.c_str(), arguments, environment.data());
    ::_exit(127);
  }
  ::close(null_fd);
  ::close(fds[1]);

  std::vector<uint64_t> acknowledged;
  std::string pending;
  auto read_some = [&](int timeout_ms) {
    pollfd poll_fd{fds[0], POLLIN, 0};
    if (::poll(&poll_fd, 1, timeout_ms) <= 0) return true;
    char buffer[4096];
    ssize_t n = ::read(fds[0], buffer, sizeof buffer);
    if (n <= 0) return false;
    pending.append(buffer, static_cast<size_t>(n));
    while (pending.size() >= 8) {
      uint64_t id;
      std::memcpy(&id, pending.data(), 8);
      acknowledged.push_back(id);
      pending.erase(0, 8);
    }
    return true;
  };

  // Wait for the first acknowledgement, then let it run for `delay`.
  auto first_deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  bool alive = true;
  while (alive && acknowledged.empty() &&
         std::chrono::steady_clock::now() < first_deadline) {
    alive = read_some(50);
  }
  auto kill_at = std::chrono::steady_clock::now() + delay;
  while (alive && std::chrono::steady_clock::now() < kill_at) {
    alive = read_some(5);
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "writer exited by itself with status " << status;

  // Acknowledgements already in the pipe count too.
  while (read_some(1000)) {
  }
  ::close(fds[0]);
  return acknowledged;
}

TEST_F(StoreTest, KillDuringSyncedWritesLosesNoAcknowledgedTransition) {
  std::random_device seed_source;
  unsigned seed = seed_source();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> delay_ms(0, 400);
  size_t total_acknowledged = 0;

  for (int round = 0; round < 10; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    StoreOptions round_options = options();
    round_options.data_dir += "-" + std::to_string(round);

    std::vector<uint64_t> acknowledged = acknowledged_before_kill(
        round_options, std::chrono::milliseconds(delay_ms(random)));
    auto store = Store::open(round_options);

    ASSERT_TRUE(store.ok()) << store.error().to_string();
    ASSERT_FALSE(acknowledged.empty());
    total_acknowledged += acknowledged.size();
    for (uint64_t id : acknowledged) {
      ASSERT_TRUE((*store)->get_key(public_key_of(id)).ok()) << "id " << id;
      ASSERT_TRUE((*store)->get_pod("pod-" + std::to_string(id)).ok())
          << "id " << id;
    }
    // Unacknowledged transitions may have landed, but only whole.
    size_t keys = 0;
    size_t pods = 0;
    ASSERT_TRUE((*store)
                    ->for_each_key([&](const auto&) {
                      ++keys;
                      return true;
                    })
                    .ok());
    ASSERT_TRUE((*store)
                    ->for_each_pod([&](const auto&) {
                      ++pods;
                      return true;
                    })
                    .ok());
    EXPECT_EQ(keys, pods);
    EXPECT_GE(keys, acknowledged.size());
  }
  std::cout << "crash test: " << total_acknowledged
            << " acknowledged transitions over 10 kills, none lost\n";
}

}  // namespace
}  // namespace pkm::storage
