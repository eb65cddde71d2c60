#include "server/server_options.h"

#include <cstdlib>
#include <sstream>

#include <CLI/CLI.hpp>

#include "client/duration.h"
#include "crypto/secp256k1.h"

namespace pkm::server {

Result<std::chrono::milliseconds> parse_delay(const std::string& text,
                                              const std::string& flag) {
  if (text == "0" || text == "0s" || text == "0ms" || text == "0m" ||
      text == "0h") {
    return std::chrono::milliseconds(0);
  }
  return client::parse_duration(text, flag);
}

CommandLine parse_command_line(int argc, const char* const* argv) {
  CommandLine result;
  ServerOptions& options = result.options;
  CLI::App app{
      "pkm-server: hands Ethereum validator keys to pods over NATS, "
      "recycles released keys and deposits new ones."};
  app.set_version_flag("--version", "pkm-server 0.1.0");

  std::string deposit_amount = "32 ETH";
  std::string fork_version = "0x00000000";
  std::string deposit_mode = "chain";
  std::string recycle_delay = "768s";
  std::string lease_ttl = "0";
  std::string log_format = "text";

  auto add = [&](const std::string& flag, std::string& target,
                 const std::string& env, const std::string& help) {
    app.add_option(flag, target, help)->envname(env)->capture_default_str();
  };
  add("--data-dir", options.data_dir, "PKM_DATA_DIR",
      "RocksDB and sealed secrets");
  add("--master-key-file", options.master_key_file, "PKM_MASTER_KEY_FILE",
      "sealing key, created 0600 when absent (default <data-dir>/master.key)");
  add("--nats-url", options.nats_url, "PKM_NATS_URL",
      "NATS server(s), comma-separated");
  add("--subject-prefix", options.subject_prefix, "PKM_SUBJECT_PREFIX",
      "prefix of every subject");
  add("--http-listen", options.http_listen, "PKM_HTTP_LISTEN",
      "HTTP gateway address host:port");
  add("--eth-rpc", options.eth_rpc, "PKM_ETH_RPC",
      "execution-layer JSON-RPC URL");
  add("--deposit-contract", options.deposit_contract,
      "PKM_DEPOSIT_CONTRACT", "deposit contract address (EIP-55)");
  add("--funder-key-file", options.funder_key_file, "PKM_FUNDER_KEY_FILE",
      "file holding the funder's hex secp256k1 key");
  add("--deposit-amount", deposit_amount, "PKM_DEPOSIT_AMOUNT",
      "with units: \"32 ETH\", \"32000000000 gwei\"");
  add("--fork-version", fork_version, "PKM_FORK_VERSION",
      "genesis fork version of the network");
  add("--withdrawal-address", options.withdrawal_address,
      "PKM_WITHDRAWAL_ADDRESS",
      "0x01 credentials to this address; absent: 0x00 from the key");
  app.add_option("--confirmations", options.confirmations,
                 "blocks before a deposit counts")
      ->envname("PKM_CONFIRMATIONS")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{1000}));
  add("--deposit-mode", deposit_mode, "PKM_DEPOSIT_MODE",
      "chain (send deposits) or none (only record them)");
  app.add_option("--max-keys-per-request", options.max_keys_per_request,
                 "larger requests are refused")
      ->envname("PKM_MAX_KEYS_PER_REQUEST")
      ->capture_default_str()
      ->check(CLI::Range(uint32_t{1}, uint32_t{100000}));
  add("--recycle-delay", recycle_delay, "PKM_RECYCLE_DELAY",
      "quarantine before a released key is reused (\"768s\", \"0s\")");
  std::string unprotected_delay;
  add("--unprotected-recycle-delay", unprotected_delay,
      "PKM_UNPROTECTED_RECYCLE_DELAY",
      "quarantine of keys released without slashing protection "
      "(default: twice --recycle-delay)");
  std::string genesis_root;
  add("--genesis-validators-root", genesis_root,
      "PKM_GENESIS_VALIDATORS_ROOT",
      "refuse released slashing protection of other chains (0x + 64 hex)");
  add("--lease-ttl", lease_ttl, "PKM_LEASE_TTL",
      "pods must renew within this time; 0 turns leases off");
  add("--log-level", options.log_level, "PKM_LOG_LEVEL",
      "trace, debug, info, warn, error or off");
  add("--log-format", log_format, "PKM_LOG_FORMAT", "text or json");

  app.add_flag("--kube-watch", options.kube_watch,
               "release keys of pods gone from the Kubernetes API")
      ->envname("PKM_KUBE_WATCH");
  add("--kube-api", options.kube_api, "PKM_KUBE_API",
      "Kubernetes API URL; empty: in-cluster configuration");
  add("--kube-namespace", options.kube_namespace, "PKM_KUBE_NAMESPACE",
      "namespace of the validator pods; empty: the service account's");
  add("--kube-selector", options.kube_selector, "PKM_KUBE_SELECTOR",
      "label selector of the validator pods, e.g. app=validator");
  add("--kube-token-file", options.kube_token_file, "PKM_KUBE_TOKEN_FILE",
      "bearer token file for --kube-api");
  add("--kube-ca-file", options.kube_ca_file, "PKM_KUBE_CA_FILE",
      "CA certificate (PEM) of --kube-api");
  std::string kube_interval = "10s";
  add("--kube-interval", kube_interval, "PKM_KUBE_INTERVAL",
      "time between pod listings");
  add("--beacon-url", options.beacon_url, "PKM_BEACON_URL",
      "beacon node for the validator monitor; empty: off");
  std::string beacon_interval = "60s";
  add("--beacon-interval", beacon_interval, "PKM_BEACON_INTERVAL",
      "time between validator status checks");

  CLI::App* export_command = app.add_subcommand(
      "export-deposits",
      "write deposit_data-<time>.json for every key this server made");
  // `export-deposits --data-dir D`: the server's flags may follow the
  // subcommand too.
  export_command->fallthrough();
  export_command->add_option("--output-dir", options.export_directory,
                             "directory for the file")
      ->capture_default_str();
  export_command->add_option("--network-name", options.network_name,
                             "network_name written in each entry")
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    std::ostringstream out;
    std::ostringstream err;
    int code = app.exit(error, out, err);
    result.exit_code = code == 0 ? 0 : 2;
    result.output = code == 0 ? out.str() : err.str();
    return result;
  }
  options.export_deposits = export_command->parsed();

  auto refuse = [&](const std::string& message) {
    result.exit_code = 2;
    result.output = "pkm-server: " + message + "\n";
    return result;
  };

  if (options.data_dir.empty()) {
    return refuse("--data-dir is empty; give a directory");
  }
  if (options.master_key_file.empty()) {
    options.master_key_file = options.data_dir + "/master.key";
  }
  auto amount = chain::parse_amount(deposit_amount);
  if (!amount.ok()) {
    return refuse("--deposit-amount: " + amount.error().message);
  }
  options.deposit_amount_gwei = *amount;
  auto fork = chain::parse_fork_version(fork_version);
  if (!fork.ok()) return refuse("--fork-version: " + fork.error().message);
  options.fork_version = *fork;
  if (!options.withdrawal_address.empty()) {
    auto credentials =
        chain::execution_withdrawal_credentials(options.withdrawal_address);
    if (!credentials.ok()) {
      return refuse("--withdrawal-address: " + credentials.error().message);
    }
    options.withdrawal_credentials = *credentials;
  }
  if (deposit_mode == "chain") {
    options.deposit_mode = DepositMode::kChain;
  } else if (deposit_mode == "none") {
    options.deposit_mode = DepositMode::kNone;
  } else {
    return refuse("--deposit-mode \"" + deposit_mode +
                  "\" is unknown; allowed: chain, none");
  }
  auto delay = parse_delay(recycle_delay, "--recycle-delay");
  if (!delay.ok()) return refuse(delay.error().message);
  options.recycle_delay = *delay;
  options.unprotected_recycle_delay = 2 * options.recycle_delay;
  if (!unprotected_delay.empty()) {
    auto unprotected =
        parse_delay(unprotected_delay, "--unprotected-recycle-delay");
    if (!unprotected.ok()) return refuse(unprotected.error().message);
    if (*unprotected < options.recycle_delay) {
      return refuse("--unprotected-recycle-delay " + unprotected_delay +
                    " is shorter than --recycle-delay; allowed: at least "
                    "as long");
    }
    options.unprotected_recycle_delay = *unprotected;
  }
  if (!genesis_root.empty()) {
    auto root = from_hex_exact(genesis_root, 32, "--genesis-validators-root");
    if (!root.ok()) {
      return refuse("--genesis-validators-root \"" + genesis_root +
                    "\" is not a 32-byte hex value; allowed: 0x and 64 "
                    "hex digits");
    }
    std::array<uint8_t, 32> bytes{};
    std::copy(root->begin(), root->end(), bytes.begin());
    options.genesis_validators_root = bytes;
  }
  auto lease = parse_delay(lease_ttl, "--lease-ttl");
  if (!lease.ok()) return refuse(lease.error().message);
  options.lease_ttl = *lease;
  auto kube_every = client::parse_duration(kube_interval, "--kube-interval");
  if (!kube_every.ok()) return refuse(kube_every.error().message);
  options.kube_interval = *kube_every;
  auto beacon_every =
      client::parse_duration(beacon_interval, "--beacon-interval");
  if (!beacon_every.ok()) return refuse(beacon_every.error().message);
  options.beacon_interval = *beacon_every;
  if (!options.kube_watch &&
      (!options.kube_api.empty() || !options.kube_selector.empty())) {
    return refuse("--kube-api and --kube-selector need --kube-watch");
  }
  if (options.kube_watch && !options.kube_api.empty() &&
      options.kube_namespace.empty()) {
    return refuse("--kube-watch with --kube-api needs --kube-namespace");
  }
  if (log_format == "text") {
    options.log_format = LogFormat::kText;
  } else if (log_format == "json") {
    options.log_format = LogFormat::kJson;
  } else {
    return refuse("--log-format \"" + log_format +
                  "\" is unknown; allowed: text, json");
  }
  const char* levels[] = {"trace", "debug", "info", "warn", "error", "off"};
  bool known_level = false;
  for (const char* level : levels) known_level |= options.log_level == level;
  if (!known_level) {
    return refuse("--log-level \"" + options.log_level +
                  "\" is unknown; allowed: trace, debug, info, warn, "
                  "error, off");
  }
  if (options.deposit_mode == DepositMode::kChain && !options.export_deposits) {
    if (options.deposit_contract.empty()) {
      return refuse("--deposit-contract is required with --deposit-mode "
                    "chain; give the contract's EIP-55 address (or use "
                    "--deposit-mode none)");
    }
    auto contract = crypto::parse_address(options.deposit_contract);
    if (!contract.ok()) {
      return refuse("--deposit-contract: " + contract.error().message);
    }
    if (options.funder_key_file.empty()) {
      return refuse("--funder-key-file is required with --deposit-mode "
                    "chain; give a file holding the funder's hex key");
    }
  }
  return result;
}

}  // namespace pkm::server
