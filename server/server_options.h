// pkm-server's command line: every flag of DESIGN.md "Operator
// interface", each also read from its PKM_* environment variable (the
// command line wins), checked before anything starts.
#ifndef PKM_SERVER_SERVER_OPTIONS_H_
#define PKM_SERVER_SERVER_OPTIONS_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "chain/deposit.h"

namespace pkm::server {

enum class DepositMode { kChain, kNone };
enum class LogFormat { kText, kJson };

struct ServerOptions {
  std::string data_dir = "./pkm-data";
  std::string master_key_file;  // empty: <data-dir>/master.key
  std::string nats_url = "nats://127.0.0.1:4222";
  std::string subject_prefix = "pkm";
  std::string http_listen = "127.0.0.1:8080";
  std::string eth_rpc = "http://127.0.0.1:8545";
  std::string deposit_contract;
  std::string funder_key_file;
  uint64_t deposit_amount_gwei = 32 * chain::kGweiPerEth;
  chain::ForkVersion fork_version{};
  std::optional<chain::Bytes32> withdrawal_credentials;
  std::string withdrawal_address;
  uint64_t confirmations = 1;
  DepositMode deposit_mode = DepositMode::kChain;
  uint32_t max_keys_per_request = 256;
  std::chrono::milliseconds recycle_delay{768000};
  std::chrono::milliseconds lease_ttl{0};
  // Quarantine of keys released without an EIP-3076 record; empty flag:
  // twice --recycle-delay.
  std::chrono::milliseconds unprotected_recycle_delay{1536000};
  // Checked against the genesis_validators_root of released EIP-3076
  // records when set.
  std::optional<std::array<uint8_t, 32>> genesis_validators_root;
  std::string log_level = "info";
  LogFormat log_format = LogFormat::kText;

  // Pod watcher (--kube-watch). An empty kube_api means in-cluster
  // configuration (service account token, CA and namespace files, API
  // address from the environment).
  bool kube_watch = false;
  std::string kube_api;
  std::string kube_namespace;
  std::string kube_selector;
  std::string kube_token_file;
  std::string kube_ca_file;
  std::chrono::milliseconds kube_interval{10000};

  // Validator monitor: off while beacon_url is empty.
  std::string beacon_url;
  std::chrono::milliseconds beacon_interval{60000};

  // export-deposits: where to write deposit_data-<time>.json.
  bool export_deposits = false;
  std::string export_directory = ".";
  std::string network_name = "devnet";
};

// What parse_command_line decided.
struct CommandLine {
  ServerOptions options;
  // Set when the process should exit at once (help, bad usage) with
  // exit_code after printing `output` (stdout for 0, stderr otherwise).
  std::optional<int> exit_code;
  std::string output;
};

// Parses argv (and the PKM_* environment) into options. Bad values give
// exit code 2 and a message naming the flag, the value and what is
// allowed; secrets (the funder key) are only ever read from files.
CommandLine parse_command_line(int argc, const char* const* argv);

// "0", "0s", "768s", "500ms", "2m", "1h": whole numbers with a unit; 0
// allowed. invalid_argument naming `flag` otherwise.
[[nodiscard]] Result<std::chrono::milliseconds> parse_delay(
    const std::string& text, const std::string& flag);

}  // namespace pkm::server

#endif  // PKM_SERVER_SERVER_OPTIONS_H_
