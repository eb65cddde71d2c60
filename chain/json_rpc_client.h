// A JSON-RPC 2.0 client for an execution-layer node over HTTP(S): single
// calls and batches (for sending many transactions in one round trip),
// timeouts, retry with exponential backoff on transport errors, and node
// errors turned into messages an operator can act on.
#ifndef PKM_CHAIN_JSON_RPC_CLIENT_H_
#define PKM_CHAIN_JSON_RPC_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/bytes.h"
#include "base/result.h"

namespace httplib {
class Client;
}

namespace pkm::chain {

// One JSON-RPC request of a batch.
struct RpcRequest {
  std::string method;
  nlohmann::json params = nlohmann::json::array();
};

// A mined transaction's receipt (the fields pkm uses).
struct TransactionReceipt {
  Bytes transaction_hash;
  uint64_t block_number = 0;
  Bytes block_hash;
  bool succeeded = false;  // status 0x1
  uint64_t gas_used = 0;
  nlohmann::json logs = nlohmann::json::array();
};

// Parses a JSON-RPC quantity ("0x1a"; "0x0" for zero) that fits 64 bits.
[[nodiscard]] Result<uint64_t> parse_quantity(const nlohmann::json& value);
// Formats a quantity: "0x" and lower-case hex without leading zeros.
std::string format_quantity(uint64_t value);
// Parses 0x-prefixed data of any length, or of exactly `size` bytes when
// size is non-zero.
[[nodiscard]] Result<Bytes> parse_data(const nlohmann::json& value,
                                       size_t size = 0);

// Thread-safe: calls are serialised on one keep-alive connection.
class JsonRpcClient {
 public:
  struct Options {
    std::chrono::milliseconds timeout{10000};
    int max_attempts = 4;  // transport errors only; node errors are final
    std::chrono::milliseconds initial_backoff{100};
  };

  // Accepts http:// and https:// URLs with a host and optional port and
  // path; refuses anything else with invalid_argument.
  [[nodiscard]] static Result<std::unique_ptr<JsonRpcClient>> create(
      std::string_view url, Options options);
  [[nodiscard]] static Result<std::unique_ptr<JsonRpcClient>> create(
      std::string_view url) {
    return create(url, Options());
  }
  ~JsonRpcClient();

  // Calls `method`; returns the result member. Node errors come back as
  // failed_precondition (nonce too low, insufficient funds, replacement
  // underpriced, reverted with the decoded reason) or invalid_argument;
  // transport errors after the last retry as unavailable.
  [[nodiscard]] Result<nlohmann::json> call(std::string_view method,
                                            nlohmann::json params);

  // Sends every request in one HTTP round trip and returns one result per
  // request, in order. The outer result fails only on transport errors.
  [[nodiscard]] Result<std::vector<Result<nlohmann::json>>> batch(
      const std::vector<RpcRequest>& requests);

  [[nodiscard]] Result<uint64_t> chain_id();
  [[nodiscard]] Result<uint64_t> block_number();
  // `block` is "latest", "pending" or a quantity.
  [[nodiscard]] Result<uint64_t> transaction_count(std::string_view address,
                                                   std::string_view block);
  // Balance in wei as a quantity string (wei values exceed 64 bits).
  [[nodiscard]] Result<std::string> balance(std::string_view address);
  // Base fee of the latest block, in wei.
  [[nodiscard]] Result<uint64_t> base_fee();
  // eth_maxPriorityFeePerGas, in wei.
  [[nodiscard]] Result<uint64_t> max_priority_fee();
  [[nodiscard]] Result<uint64_t> estimate_gas(const nlohmann::json& call);
  // Returns the transaction hash the node reports.
  [[nodiscard]] Result<Bytes> send_raw_transaction(ByteView raw);
  // Absent while the transaction is pending or unknown.
  [[nodiscard]] Result<std::optional<TransactionReceipt>> transaction_receipt(
      ByteView hash);
  // Whether the node knows the transaction (pending or mined).
  [[nodiscard]] Result<bool> has_transaction(ByteView hash);
  [[nodiscard]] Result<nlohmann::json> logs(const nlohmann::json& filter);
  // eth_call against `block` ("latest" by default).
  [[nodiscard]] Result<Bytes> call_contract(std::string_view to,
                                            ByteView data,
                                            std::string_view block = "latest");

  const std::string& url() const { return url_; }

 private:
  JsonRpcClient(std::string url, std::string path, Options options,
                std::unique_ptr<httplib::Client> http);

  // Posts a body and returns the parsed response, retrying transport
  // failures with backoff.
  Result<nlohmann::json> post(const nlohmann::json& body);

  std::string url_;
  std::string path_;
  Options options_;
  std::mutex mutex_;
  std::unique_ptr<httplib::Client> http_;
  uint64_t next_id_ = 1;
};

// Turns a JSON-RPC error object into an Error with an actionable message.
Error rpc_error_to_error(std::string_view method, const nlohmann::json& error);

}  // namespace pkm::chain

#endif  // PKM_CHAIN_JSON_RPC_CLIENT_H_
