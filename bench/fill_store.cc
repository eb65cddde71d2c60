// pkm-fill-store: fills a new pkm data dir with many keys for benchmarks
// (start-up time, recycled allocations, /assignments), laid out the way
// pkm-server opens it: the master key at <data-dir>/master.key, the store
// sealed under it.
//
//   --free-keys N              N keys ready to hand out: state UNASSIGNED,
//                              ready_at 0, in the recycling queue
//   --pods P --keys-per-pod K  P pods "bench-pod-<j>" holding K keys each
//
// Every key is a real random BLS12-381 key whose secret is sealed with its
// public key as associated data, with 0x00 withdrawal credentials from that
// public key. FOR BENCHMARKS ONLY: to keep a million keys to a few minutes,
// no deposit is signed; each record says DEPOSIT_STATUS_NOT_SENT_BY_
// CONFIGURATION (as --deposit-mode none would) and carries no signature or
// deposit data root, so these keys can never be deposited.
//
// Keys are made on every hardware thread (--threads) and written in synced
// transitions of about --batch-keys keys. It refuses a data dir that exists
// and is not empty. Exit status: 0 on success, 1 on a failure (named on
// stderr), 2 for bad flags.
#include <openssl/rand.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "chain/deposit.h"
#include "crypto/bls.h"
#include "crypto/sealer.h"
#include "messages/records.pb.h"
#include "storage/store.h"
#include "storage/transition.h"

namespace pkm::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kProgressEvery = 100000;
constexpr uint64_t kDepositAmountGwei = 32 * chain::kGweiPerEth;

struct FillOptions {
  std::string data_dir;
  uint64_t free_keys = 0;
  uint64_t pods = 0;
  uint64_t keys_per_pod = 0;
  uint32_t threads = 0;  // 0: every hardware thread
  uint64_t batch_keys = 1000;
};

uint64_t unix_now_ms() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A uniformly random secret: 48 random bytes reduced mod r (bias below
// 2^-128), drawn again in the negligible case that it reduces to zero.
Result<crypto::SecretKey> random_secret_key() {
  for (int attempt = 0; attempt < 4; ++attempt) {
    SecretBytes wide(48);
    if (RAND_bytes(wide.data(), static_cast<int>(wide.size())) != 1) {
      return Error{ErrorCode::kUnavailable,
                   "OpenSSL's random generator failed"};
    }
    crypto::SecretKey key = crypto::SecretKey::reduce_wide(wide.view());
    if (!key.is_zero()) return key;
  }
  return Error{ErrorCode::kInternal, "random scalars kept reducing to zero"};
}

// A new key record with a sealed secret, in no state yet.
Result<records::KeyRecord> make_key_record(const crypto::Sealer& sealer,
                                           uint64_t now_unix_ms) {
  auto secret = random_secret_key();
  if (!secret.ok()) return secret.error();
  crypto::PublicKey public_key = secret->public_key();
  auto public_bytes = public_key.to_bytes();
  ByteView public_view(public_bytes.data(), public_bytes.size());

  SecretBytes secret_bytes = secret->to_bytes();
  auto sealed = sealer.seal(secret_bytes.view(), public_view);
  if (!sealed.ok()) return sealed.error();
  chain::Bytes32 credentials = chain::bls_withdrawal_credentials(public_key);

  records::KeyRecord record;
  record.set_public_key(public_bytes.data(), public_bytes.size());
  record.set_sealed_secret(sealed->data(), sealed->size());
  record.set_withdrawal_credentials(credentials.data(), credentials.size());
  record.set_created_unix_ms(now_unix_ms);
  record.set_updated_unix_ms(now_unix_ms);
  records::Deposit* deposit = record.mutable_deposit();
  deposit->set_amount_gwei(kDepositAmountGwei);
  deposit->set_status(records::DEPOSIT_STATUS_NOT_SENT_BY_CONFIGURATION);
  return record;
}

// Appends `count` free keys (UNASSIGNED, in the recycling queue with
// ready-at 0) to `transition`.
Status add_free_keys(const crypto::Sealer& sealer, uint64_t count,
                     storage::Transition& transition) {
  uint64_t now = unix_now_ms();
  for (uint64_t i = 0; i < count; ++i) {
    auto record = make_key_record(sealer, now);
    if (!record.ok()) return record.error();
    record->set_state(records::KEY_STATE_UNASSIGNED);
    record->set_ready_at_unix_ms(0);
    transition.put_key(*record);
    transition.add_unassigned(0, ByteView(record->public_key()));
  }
  return Status();
}

// Appends pods [first_pod, end_pod), each holding `keys_per_pod` ASSIGNED
// keys, to `transition`.
Status add_pods(const crypto::Sealer& sealer, uint64_t first_pod,
                uint64_t end_pod, uint64_t keys_per_pod,
                storage::Transition& transition) {
  uint64_t now = unix_now_ms();
  for (uint64_t pod = first_pod; pod < end_pod; ++pod) {
    records::PodRecord pod_record;
    pod_record.set_pod_name("bench-pod-" + std::to_string(pod));
    pod_record.set_created_unix_ms(now);
    pod_record.set_updated_unix_ms(now);
    for (uint64_t i = 0; i < keys_per_pod; ++i) {
      auto record = make_key_record(sealer, now);
      if (!record.ok()) return record.error();
      record->set_state(records::KEY_STATE_ASSIGNED);
      record->set_pod_name(pod_record.pod_name());
      transition.put_key(*record);
      pod_record.add_public_keys(record->public_key());
    }
    transition.put_pod(pod_record);
  }
  return Status();
}

// Hands out units of work (one transition each) to the worker threads and
// collects progress and the first failure.
class Filler {
 public:
  Filler(const FillOptions& options, const crypto::Sealer& sealer,
         storage::Store& store)
      : options_(options),
        sealer_(sealer),
        store_(store),
        pods_per_unit_(std::max<uint64_t>(
            1, options.keys_per_pod == 0
                   ? 1
                   : options.batch_keys / options.keys_per_pod)),
        free_units_((options.free_keys + options.batch_keys - 1) /
                    options.batch_keys),
        pod_units_((options.pods + pods_per_unit_ - 1) / pods_per_unit_),
        total_keys_(options.free_keys + options.pods * options.keys_per_pod),
        started_(Clock::now()) {}

  // Runs `threads` workers until every unit is written or one fails.
  Status run(uint32_t threads) {
    std::vector<std::thread> workers;
    for (uint32_t i = 0; i < threads; ++i) {
      workers.emplace_back([this] { work(); });
    }
    for (std::thread& worker : workers) worker.join();
    if (failed_.load()) return first_error_;
    return Status();
  }

  uint64_t total_keys() const { return total_keys_; }

 private:
  void work() {
    const uint64_t units = free_units_ + pod_units_;
    while (!failed_.load()) {
      uint64_t unit = next_unit_.fetch_add(1);
      if (unit >= units) return;

      storage::Transition transition;
      uint64_t keys = 0;
      Status made;
      if (unit < free_units_) {
        uint64_t first = unit * options_.batch_keys;
        keys = std::min(options_.batch_keys, options_.free_keys - first);
        made = add_free_keys(sealer_, keys, transition);
      } else {
        uint64_t first_pod = (unit - free_units_) * pods_per_unit_;
        uint64_t end_pod = std::min(options_.pods, first_pod + pods_per_unit_);
        keys = (end_pod - first_pod) * options_.keys_per_pod;
        made = add_pods(sealer_, first_pod, end_pod, options_.keys_per_pod,
                        transition);
      }
      if (made.ok()) made = store_.apply(transition);
      if (!made.ok()) {
        fail(made.error());
        return;
      }
      report_progress(keys);
    }
  }

  void fail(const Error& error) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!failed_.exchange(true)) first_error_ = error;
  }

  void report_progress(uint64_t keys) {
    std::lock_guard<std::mutex> lock(mutex_);
    uint64_t before = keys_written_;
    keys_written_ += keys;
    if (keys_written_ / kProgressEvery == before / kProgressEvery) return;
    std::printf("pkm-fill-store: %llu/%llu keys written, %.1f s\n",
                static_cast<unsigned long long>(keys_written_),
                static_cast<unsigned long long>(total_keys_),
                seconds_since(started_));
    std::fflush(stdout);
  }

  const FillOptions& options_;
  const crypto::Sealer& sealer_;
  storage::Store& store_;
  const uint64_t pods_per_unit_;
  const uint64_t free_units_;
  const uint64_t pod_units_;
  const uint64_t total_keys_;
  const Clock::time_point started_;
  std::atomic<uint64_t> next_unit_{0};
  std::atomic<bool> failed_{false};

  std::mutex mutex_;
  uint64_t keys_written_ = 0;  // guarded by mutex_
  Error first_error_;          // guarded by mutex_
};

// Creates the data dir (mode 0700); refuses one that exists and is not
// empty, since fill-store's pod names and counts assume a new store.
Status prepare_data_dir(const std::string& data_dir) {
  std::error_code error;
  if (fs::exists(data_dir, error) && !fs::is_empty(data_dir, error)) {
    return Error{ErrorCode::kFailedPrecondition,
                 "data dir " + data_dir +
                     " exists and is not empty; pkm-fill-store only fills "
                     "a new data dir"};
  }
  fs::create_directories(data_dir, error);
  if (!error) {
    fs::permissions(data_dir, fs::perms::owner_all, fs::perm_options::replace,
                    error);
  }
  if (error) {
    return Error{ErrorCode::kUnavailable,
                 "cannot create data dir " + data_dir + ": " +
                     error.message()};
  }
  return Status();
}

int fail(const std::string& what, const Error& error) {
  std::fprintf(stderr, "pkm-fill-store: %s: %s\n", what.c_str(),
               error.to_string().c_str());
  return 1;
}

int run(const FillOptions& options) {
  Clock::time_point started = Clock::now();
  Status prepared = prepare_data_dir(options.data_dir);
  if (!prepared.ok()) return fail("cannot prepare", prepared.error());

  std::string master_key_path = options.data_dir + "/master.key";
  auto master_key = crypto::load_or_create_master_key(master_key_path);
  if (!master_key.ok()) {
    return fail("cannot create " + master_key_path, master_key.error());
  }
  auto sealer = crypto::Sealer::create(*master_key);
  if (!sealer.ok()) {
    return fail("cannot derive the sealing key", sealer.error());
  }

  storage::StoreOptions store_options;
  store_options.data_dir = options.data_dir;
  store_options.sealing_key_check = sealer->key_check_value();
  store_options.written_by = "pkm-fill-store";
  auto store = storage::Store::open(store_options);
  if (!store.ok()) return fail("cannot open the store", store.error());

  uint32_t threads = options.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  Filler filler(options, *sealer, **store);
  std::printf("pkm-fill-store: writing %llu keys (%llu free, %llu pods x "
              "%llu) to %s with %u threads\n",
              static_cast<unsigned long long>(filler.total_keys()),
              static_cast<unsigned long long>(options.free_keys),
              static_cast<unsigned long long>(options.pods),
              static_cast<unsigned long long>(options.keys_per_pod),
              options.data_dir.c_str(), threads);
  std::fflush(stdout);
  Status filled = filler.run(threads);
  if (!filled.ok()) return fail("fill failed", filled.error());
  double fill_seconds = seconds_since(started);

  // Read the counts back: a cheap check that everything landed.
  auto counts = (*store)->count_keys_by_state();
  if (!counts.ok()) return fail("cannot count keys", counts.error());
  storage::StoreCounters counters = (*store)->counters();
  store->reset();

  std::printf("pkm-fill-store: done in %.1f s (%.0f keys/s): unassigned=%llu "
              "assigned=%llu transitions=%llu synced_writes=%llu\n",
              fill_seconds,
              fill_seconds > 0.0
                  ? static_cast<double>(filler.total_keys()) / fill_seconds
                  : 0.0,
              static_cast<unsigned long long>(counts->unassigned),
              static_cast<unsigned long long>(counts->assigned),
              static_cast<unsigned long long>(counters.transitions),
              static_cast<unsigned long long>(counters.writes));
  uint64_t want_assigned = options.pods * options.keys_per_pod;
  if (counts->unassigned != options.free_keys ||
      counts->assigned != want_assigned ||
      counts->total() != filler.total_keys()) {
    std::fprintf(stderr,
                 "pkm-fill-store: the store holds %llu unassigned and %llu "
                 "assigned keys of %llu in total; expected %llu and %llu\n",
                 static_cast<unsigned long long>(counts->unassigned),
                 static_cast<unsigned long long>(counts->assigned),
                 static_cast<unsigned long long>(counts->total()),
                 static_cast<unsigned long long>(options.free_keys),
                 static_cast<unsigned long long>(want_assigned));
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace pkm::bench

int main(int argc, char** argv) {
  pkm::bench::FillOptions options;
  CLI::App app{
      "Fills a new pkm data dir with random keys for benchmarks (no deposit "
      "signatures: benchmark use only)."};
  app.add_option("--data-dir", options.data_dir,
                 "data dir to create; must be absent or empty")
      ->required();
  app.add_option("--free-keys", options.free_keys,
                 "UNASSIGNED keys ready to hand out")
      ->capture_default_str();
  auto* pods = app.add_option("--pods", options.pods,
                              "pods bench-pod-<j> holding keys")
                   ->capture_default_str();
  auto* keys_per_pod =
      app.add_option("--keys-per-pod", options.keys_per_pod,
                     "ASSIGNED keys each pod holds")
          ->check(CLI::Range(uint64_t{1}, uint64_t{100000}));
  pods->needs(keys_per_pod);
  keys_per_pod->needs(pods);
  app.add_option("--threads", options.threads,
                 "key generation threads; 0 for every hardware thread")
      ->capture_default_str();
  app.add_option("--batch-keys", options.batch_keys,
                 "keys per synced transition (a pod is never split)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100000}))
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? 0 : 2;
  }
  if (options.free_keys == 0 && options.pods == 0) {
    std::fprintf(stderr,
                 "pkm-fill-store: nothing to write; give --free-keys and/or "
                 "--pods with --keys-per-pod\n");
    return 2;
  }
  return pkm::bench::run(options);
}
