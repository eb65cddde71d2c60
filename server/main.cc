// pkm-server: start-up, the actor system, the gateways, shutdown on
// SIGINT/SIGTERM, and the export-deposits command.
//
// Start-up order (storage first, so nothing is served from a store that
// cannot be opened): data dir (0700) -> master key -> sealer -> store
// (refused while another process holds its LOCK) -> actors -> NATS and
// HTTP gateways. Exit codes: 0 stopped on a signal, 1 start-up failed,
// 2 bad usage, 70 a store write failed while running.
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <google/protobuf/stubs/logging.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "actors/allocator_actor.h"
#include "actors/assignments_view.h"
#include "actors/component_logger.h"
#include "actors/depositor_actor.h"
#include "actors/keygen_actor.h"
#include "actors/kube_pod_lister.h"
#include "actors/pod_watcher_actor.h"
#include "actors/store_actor.h"
#include "actors/validator_monitor_actor.h"
#include "chain/deposit_data_file.h"
#include "chain/json_rpc_client.h"
#include "crypto/sealer.h"
#include "crypto/secp256k1.h"
#include "gateway/http_gateway.h"
#include "gateway/nats_gateway.h"
#include "server/log_format.h"
#include "server/server_options.h"
#include "storage/store.h"

namespace pkm::server {
namespace {

int fail_start(const Error& error) {
  spdlog::default_logger()->critical("start-up failed error={}",
                                     error.message);
  spdlog::default_logger()->flush();
  std::fprintf(stderr, "pkm-server: %s\n", error.message.c_str());
  return 1;
}

Status make_data_dir(const std::string& path) {
  std::error_code error;
  if (std::filesystem::exists(path, error)) {
    if (!std::filesystem::is_directory(path, error)) {
      return Error{ErrorCode::kFailedPrecondition,
                   "--data-dir " + path + " exists and is not a directory"};
    }
    return Status();
  }
  std::filesystem::create_directories(path, error);
  if (error) {
    return Error{ErrorCode::kUnavailable,
                 "cannot create --data-dir " + path + ": " + error.message()};
  }
  ::chmod(path.c_str(), 0700);
  return Status();
}

// The funder key file: 64 hex digits (optional 0x and newline), readable
// by its owner only. The key never appears in any message.
Result<crypto::EcdsaPrivateKey> read_funder_key(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return Error{ErrorCode::kNotFound,
                 "--funder-key-file " + path + " cannot be read"};
  }
  if ((info.st_mode & 077) != 0) {
    return Error{ErrorCode::kFailedPrecondition,
                 "--funder-key-file " + path +
                     " is readable by group or others; allowed: mode 0600 "
                     "or 0400 (chmod 600 " + path + ")"};
  }
  std::ifstream file(path);
  std::stringstream buffer;
  buffer << file.rdbuf();
  std::string text = buffer.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' ||
                           text.back() == ' ')) {
    text.pop_back();
  }
  auto key = crypto::EcdsaPrivateKey::from_hex(text);
  secure_wipe(text.data(), text.size());
  if (!key.ok()) {
    return Error{ErrorCode::kInvalidArgument,
                 "--funder-key-file " + path +
                     " does not hold a secp256k1 key; allowed: 64 hex "
                     "digits with optional 0x"};
  }
  return key;
}

int export_deposits(const ServerOptions& options, storage::Store& store) {
  std::vector<chain::DepositDataEntry> entries;
  Status scanned = store.for_each_key([&](const records::KeyRecord& record) {
    const records::Deposit& deposit = record.deposit();
    if (deposit.signature().size() != 96) return true;
    chain::DepositDataEntry entry;
    std::copy(record.public_key().begin(), record.public_key().end(),
              entry.deposit.pubkey.begin());
    std::copy(record.withdrawal_credentials().begin(),
              record.withdrawal_credentials().end(),
              entry.deposit.withdrawal_credentials.begin());
    entry.deposit.amount_gwei = deposit.amount_gwei();
    std::copy(deposit.signature().begin(), deposit.signature().end(),
              entry.deposit.signature.begin());
    entry.fork_version = options.fork_version;
    entry.network_name = options.network_name;
    entry.deposit_cli_version = "pkm-0.1.0";
    entries.push_back(entry);
    return true;
  });
  if (!scanned.ok()) return fail_start(scanned.error());
  if (entries.empty()) {
    std::fprintf(stderr, "pkm-server: no keys with signed deposits in %s\n",
                 options.data_dir.c_str());
    return 1;
  }
  auto written = chain::write_deposit_data_file(
      options.export_directory, entries,
      static_cast<int64_t>(std::time(nullptr)));
  if (!written.ok()) return fail_start(written.error());
  std::printf("%s\n", written->c_str());
  std::fprintf(stderr, "pkm-server: wrote %zu deposits\n", entries.size());
  return 0;
}

// The pod watcher's API access: flags, or in-cluster configuration
// when --kube-api is empty (flags still override namespace, token, CA).
Result<actors::KubeConfig> kube_config(const ServerOptions& options) {
  actors::KubeConfig config;
  if (options.kube_api.empty()) {
    auto in_cluster = actors::kube_config_in_cluster();
    if (!in_cluster.ok()) {
      return Error{in_cluster.error().code,
                   "--kube-watch without --kube-api needs the in-cluster "
                   "configuration: " +
                       in_cluster.error().message};
    }
    config = std::move(in_cluster).value();
  } else {
    config.api_url = options.kube_api;
  }
  if (!options.kube_namespace.empty()) {
    config.namespace_name = options.kube_namespace;
  }
  if (!options.kube_token_file.empty()) {
    config.token_file = options.kube_token_file;
  }
  if (!options.kube_ca_file.empty()) config.ca_file = options.kube_ca_file;
  config.label_selector = options.kube_selector;
  return config;
}

// Follows the execution node for /readyz.
class ChainProbe {
 public:
  explicit ChainProbe(std::string url) {
    thread_ = std::thread([this, url] {
      auto client = chain::JsonRpcClient::create(url);
      while (!stop_) {
        bool up = client.ok() && (*client)->block_number().ok();
        up_ = up;
        for (int i = 0; i < 20 && !stop_; ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
      }
    });
  }
  ~ChainProbe() {
    stop_ = true;
    thread_.join();
  }
  bool up() const { return up_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<bool> up_{false};
  std::thread thread_;
};

int run(int argc, char** argv) {
  // Signals are taken by sigwait below; every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  CommandLine command = parse_command_line(argc, argv);
  if (command.exit_code) {
    std::fputs(command.output.c_str(),
               *command.exit_code == 0 ? stdout : stderr);
    return *command.exit_code;
  }
  const ServerOptions& options = command.options;
  configure_logging(options.log_level, options.log_format);
  auto log = actors::component_logger("server");

  Status made = make_data_dir(options.data_dir);
  if (!made.ok()) return fail_start(made.error());
  auto master_key = crypto::load_or_create_master_key(options.master_key_file);
  if (!master_key.ok()) return fail_start(master_key.error());
  auto sealer = crypto::Sealer::create(*master_key);
  if (!sealer.ok()) return fail_start(sealer.error());
  auto shared_sealer =
      std::make_shared<const crypto::Sealer>(std::move(sealer).value());

  storage::StoreOptions store_options;
  store_options.data_dir = options.data_dir;
  store_options.sealing_key_check = shared_sealer->key_check_value();
  store_options.written_by = "pkm 0.1.0";
  auto started = std::chrono::steady_clock::now();
  auto opened = storage::Store::open(store_options);
  if (!opened.ok()) return fail_start(opened.error());
  std::shared_ptr<storage::Store> store = std::move(opened).value();
  if (options.export_deposits) return export_deposits(options, *store);

  std::optional<crypto::EcdsaPrivateKey> funder;
  if (options.deposit_mode == DepositMode::kChain) {
    auto key = read_funder_key(options.funder_key_file);
    if (!key.ok()) return fail_start(key.error());
    funder = std::move(key).value();
  }

  // One scheduler thread per core, parked on a condition variable when
  // idle: CAF's default work stealing polls and, on a small machine, takes
  // CPU from the threads that do the work.
  caf::actor_system_config config;
  config.set("scheduler.policy", caf::atom("sharing"));
  config.set("scheduler.max-threads",
             static_cast<size_t>(
                 std::max(2u, std::thread::hardware_concurrency())));
  caf::actor_system system{config};
  actors::ServiceMetrics metrics;

  auto store_writer = actors::spawn_store_actor(system, store, &metrics);
  actors::KeyFactoryOptions key_options;
  key_options.sealer = shared_sealer;
  key_options.fork_version = options.fork_version;
  key_options.amount_gwei = options.deposit_amount_gwei;
  key_options.withdrawal_credentials = options.withdrawal_credentials;
  key_options.record_only = options.deposit_mode == DepositMode::kNone;
  std::vector<actors::keygen_actor> keygen;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < threads; ++i) {
    keygen.push_back(actors::spawn_keygen_actor(system, key_options));
  }

  actors::AllocatorOptions allocator_options;
  allocator_options.store = store;
  allocator_options.store_writer = store_writer;
  allocator_options.keygen = keygen;
  allocator_options.sealer = shared_sealer;
  allocator_options.recycle_delay = options.recycle_delay;
  allocator_options.lease_ttl = options.lease_ttl;
  allocator_options.unprotected_recycle_delay =
      options.unprotected_recycle_delay;
  allocator_options.genesis_validators_root = options.genesis_validators_root;
  allocator_options.metrics = &metrics;
  allocator_options.on_fatal = [](const Error&) {
    spdlog::default_logger()->flush();
    std::_Exit(70);
  };
  std::unique_ptr<ChainProbe> probe;
  if (funder) {
    actors::DepositorOptions depositor_options;
    depositor_options.eth_rpc_url = options.eth_rpc;
    depositor_options.contract_address = options.deposit_contract;
    depositor_options.funder =
        std::make_shared<const crypto::EcdsaPrivateKey>(*funder);
    depositor_options.fork_version = options.fork_version;
    depositor_options.confirmations = options.confirmations;
    depositor_options.store = store_writer;
    depositor_options.metrics = &metrics;
    allocator_options.depositor =
        actors::spawn_depositor(system, std::move(depositor_options));
    probe = std::make_unique<ChainProbe>(options.eth_rpc);
  }
  allocator_options.pod_watcher_enabled = options.kube_watch;
  auto allocator = actors::spawn_allocator(system, allocator_options);
  if (!allocator.ok()) return fail_start(allocator.error());

  std::vector<caf::actor> watchers;
  if (options.kube_watch) {
    auto kube = kube_config(options);
    if (!kube.ok()) return fail_start(kube.error());
    actors::PodWatcherOptions watcher_options;
    watcher_options.kube = std::move(kube).value();
    watcher_options.interval = options.kube_interval;
    watcher_options.allocator = *allocator;
    watcher_options.metrics = &metrics;
    auto watcher = actors::spawn_pod_watcher(system, watcher_options);
    if (!watcher.ok()) return fail_start(watcher.error());
    watchers.push_back(*watcher);
  }
  if (!options.beacon_url.empty()) {
    actors::ValidatorMonitorOptions monitor_options;
    monitor_options.beacon_url = options.beacon_url;
    monitor_options.interval = options.beacon_interval;
    monitor_options.store = store;
    monitor_options.allocator = *allocator;
    monitor_options.metrics = &metrics;
    auto monitor = actors::spawn_validator_monitor(system, monitor_options);
    if (!monitor.ok()) return fail_start(monitor.error());
    watchers.push_back(*monitor);
  }

  auto assignments = [store] {
    return actors::read_assignments(*store, actors::unix_now_ms());
  };
  gateway::NatsGateway::Options nats_options;
  nats_options.nats_url = options.nats_url;
  nats_options.subject_prefix = options.subject_prefix;
  nats_options.limits.max_keys_per_request = options.max_keys_per_request;
  auto nats = gateway::NatsGateway::start(system, *allocator, assignments,
                                          &metrics, nats_options);
  if (!nats.ok()) return fail_start(nats.error());

  gateway::HttpGateway::Options http_options;
  http_options.listen = options.http_listen;
  gateway::HttpGateway::Sources sources;
  sources.assignments = assignments;
  sources.metrics = [&metrics] { return metrics.snapshot(); };
  gateway::NatsGateway* nats_gateway = nats->get();
  ChainProbe* chain_probe = probe.get();
  sources.readiness = [nats_gateway, chain_probe] {
    gateway::HttpGateway::Readiness readiness;
    readiness.storage = true;
    readiness.nats = nats_gateway->connected();
    readiness.chain = chain_probe == nullptr || chain_probe->up();
    return readiness;
  };
  auto http = gateway::HttpGateway::start(http_options, sources);
  if (!http.ok()) return fail_start(http.error());

  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  log->info("started data_dir={} http=http://{}:{}/assignments "
            "deposit_mode={} startup_ms={}",
            options.data_dir,
            options.http_listen.substr(0, options.http_listen.rfind(':')),
            (*http)->port(),
            options.deposit_mode == DepositMode::kChain ? "chain" : "none",
            elapsed.count());

  int received = 0;
  sigwait(&signals, &received);
  log->info("stopping signal={}", received);

  // Stop taking requests, then give the actors a moment to finish the
  // writes in flight. Every acknowledged write is already synced, so a
  // slow actor (a deposit waiter in a long RPC) does not block the exit.
  (*http)->stop();
  nats->reset();
  std::thread watchdog([] {
    std::this_thread::sleep_for(std::chrono::seconds(5));
    spdlog::default_logger()->warn("actors did not stop in 5 s; exiting");
    spdlog::default_logger()->flush();
    std::_Exit(0);
  });
  watchdog.detach();
  for (auto& watcher : watchers) {
    caf::anon_send_exit(watcher, caf::exit_reason::user_shutdown);
  }
  caf::anon_send_exit(*allocator, caf::exit_reason::user_shutdown);
  if (allocator_options.depositor) {
    caf::anon_send_exit(*allocator_options.depositor,
                        caf::exit_reason::user_shutdown);
  }
  for (auto& worker : keygen) {
    caf::anon_send_exit(worker, caf::exit_reason::user_shutdown);
  }
  caf::anon_send_exit(store_writer, caf::exit_reason::user_shutdown);
  probe.reset();
  system.await_all_actors_done();
  log->info("stopped");
  spdlog::default_logger()->flush();
  return 0;
}

}  // namespace
}  // namespace pkm::server

int main(int argc, char** argv) { return pkm::server::run(argc, argv); }
