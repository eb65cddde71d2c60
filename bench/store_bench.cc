// Synced state transitions per second through storage::Store with 1, 8 and
// 64 concurrent writers, with group commit on and (for comparison) off.
// Every transition is an allocation: a key record and a pod record in one
// synced write. The data dir is made under $PKM_BENCH_DIR (default: the
// system temp dir); put it on the disk a real --data-dir would use, since
// the figures are mostly the cost of fsync.
//
// After each run a line on stderr gives transitions, synced writes and the
// average group size.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "storage/store.h"

namespace pkm::storage {
namespace {

std::unique_ptr<Store> g_store;
std::string g_data_dir;

std::string make_data_dir() {
  const char* base = std::getenv("PKM_BENCH_DIR");
  std::string pattern =
      (base != nullptr ? std::filesystem::path(base)
                       : std::filesystem::temp_directory_path()) /
      "pkm-store-bench-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return std::string();
  return pattern;
}

// range(0): 1 with group commit, 0 with one write per transition.
void open_store(const benchmark::State& state) {
  g_data_dir = make_data_dir();
  StoreOptions options;
  options.data_dir = g_data_dir + "/data";
  options.sealing_key_check = Bytes(32, 0x5a);
  options.max_group_bytes = state.range(0) == 1 ? size_t{4} << 20 : 0;
  auto store = Store::open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "cannot open store: %s\n",
                 store.error().to_string().c_str());
    std::exit(1);
  }
  g_store = std::move(store).value();
}

void close_store(const benchmark::State& state) {
  StoreCounters counters = g_store->counters();
  std::fprintf(stderr,
               "writers=%d group_commit=%s transitions=%llu writes=%llu "
               "average_group=%.1f largest_group=%llu\n",
               state.threads(), state.range(0) == 1 ? "on" : "off",
               static_cast<unsigned long long>(counters.transitions),
               static_cast<unsigned long long>(counters.writes),
               counters.writes == 0
                   ? 0.0
                   : static_cast<double>(counters.transitions) /
                         static_cast<double>(counters.writes),
               static_cast<unsigned long long>(counters.largest_group));
  g_store.reset();
  std::error_code ignored;
  std::filesystem::remove_all(g_data_dir, ignored);
}

records::KeyRecord key_record(uint64_t id, const std::string& pod_name) {
  records::KeyRecord record;
  std::string public_key(kPublicKeySize, '\xa0');
  for (int i = 0; i < 8; ++i) {
    public_key[40 + i] = static_cast<char>(id >> (8 * (7 - i)));
  }
  record.set_public_key(public_key);
  // Version, nonce, 32-byte secret and tag, as crypto::Sealer makes it.
  record.set_sealed_secret(std::string(61, 's'));
  record.set_state(records::KEY_STATE_ASSIGNED);
  record.set_pod_name(pod_name);
  return record;
}

void BM_SyncedTransitions(benchmark::State& state) {
  uint64_t id = static_cast<uint64_t>(state.thread_index()) << 40;
  for (auto _ : state) {
    std::string pod_name = "validator-" + std::to_string(id);
    records::KeyRecord key = key_record(id++, pod_name);
    records::PodRecord pod;
    pod.set_pod_name(pod_name);
    pod.add_public_keys(key.public_key());
    Transition transition;
    transition.put_key(key);
    transition.put_pod(pod);

    Status applied = g_store->apply(transition);
    if (!applied.ok()) {
      state.SkipWithError(applied.error().to_string().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SyncedTransitions)
    ->ArgName("group_commit")
    ->Arg(1)
    ->Setup(open_store)
    ->Teardown(close_store)
    ->Threads(1)
    ->Threads(8)
    ->Threads(64)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SyncedTransitions)
    ->ArgName("group_commit")
    ->Arg(0)
    ->Setup(open_store)
    ->Teardown(close_store)
    ->Threads(8)
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace pkm::storage

BENCHMARK_MAIN();
