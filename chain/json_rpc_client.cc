#include "chain/json_rpc_client.h"

#include "chain/abi.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <thread>

namespace pkm::chain {
namespace {

using nlohmann::json;

bool contains_text(std::string_view haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(),
                        needle.end(), [](char a, char b) {
                          return std::tolower(static_cast<unsigned char>(a)) ==
                                 std::tolower(static_cast<unsigned char>(b));
                        });
  return it != haystack.end();
}

}  // namespace

Result<uint64_t> parse_quantity(const json& value) {
  if (!value.is_string()) {
    return invalid_argument("quantity is not a string; expected 0x-prefixed "
                            "hex");
  }
  const std::string& text = value.get_ref<const std::string&>();
  if (text.size() < 3 || text[0] != '0' || text[1] != 'x' ||
      text.size() > 18) {
    return invalid_argument("quantity '" + text.substr(0, 24) +
                            "' is malformed; expected 0x and 1 to 16 hex "
                            "digits");
  }
  uint64_t result = 0;
  for (size_t i = 2; i < text.size(); ++i) {
    char c = text[i];
    int digit = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
    if (digit < 0) {
      return invalid_argument("quantity '" + text + "' has a non-hex digit");
    }
    result = result << 4 | static_cast<uint64_t>(digit);
  }
  return result;
}

std::string format_quantity(uint64_t value) {
  static const char kDigits[] = "0123456789abcdef";
  if (value == 0) return "0x0";
  std::string digits;
  while (value != 0) {
    digits += kDigits[value & 0xf];
    value >>= 4;
  }
  std::reverse(digits.begin(), digits.end());
  return "0x" + digits;
}

Result<Bytes> parse_data(const json& value, size_t size) {
  if (!value.is_string()) {
    return invalid_argument("data is not a string; expected 0x-prefixed hex");
  }
  const std::string& text = value.get_ref<const std::string&>();
  if (text.rfind("0x", 0) != 0) {
    return invalid_argument("data does not start with 0x");
  }
  if (size == 0) return from_hex(text);
  return from_hex_exact(text, size, "data");
}

Error rpc_error_to_error(std::string_view method, const json& error) {
  std::string message = error.is_object() && error.contains("message") &&
                                error["message"].is_string()
                            ? error["message"].get<std::string>()
                            : error.dump();
  int64_t code = error.is_object() && error.contains("code") &&
                         error["code"].is_number_integer()
                     ? error["code"].get<int64_t>()
                     : 0;
  std::string prefix = std::string(method) + ": ";

  if (contains_text(message, "nonce too low")) {
    return Error{ErrorCode::kFailedPrecondition,
                 prefix + "nonce too low: the node already has a transaction "
                          "with this nonce from the sender (" + message + ")"};
  }
  if (contains_text(message, "insufficient funds")) {
    return Error{ErrorCode::kFailedPrecondition,
                 prefix + "insufficient funds: the sender cannot pay value "
                          "plus gas (" + message + ")"};
  }
  if (contains_text(message, "replacement transaction underpriced") ||
      contains_text(message, "underpriced")) {
    return Error{ErrorCode::kFailedPrecondition,
                 prefix + "replacement transaction underpriced: raise both "
                          "fees to replace a pending transaction (" +
                     message + ")"};
  }
  if (contains_text(message, "revert")) {
    std::string reason;
    if (error.is_object() && error.contains("data")) {
      const json& data = error["data"];
      const json& hex = data.is_object() && data.contains("data")
                            ? data["data"]
                            : data;
      if (auto bytes = parse_data(hex); bytes.ok()) {
        if (auto decoded = decode_revert_reason(*bytes); decoded.ok()) {
          reason = *decoded;
        }
      }
    }
    return Error{ErrorCode::kFailedPrecondition,
                 prefix + "reverted" +
                     (reason.empty() ? " (" + message + ")"
                                     : ": " + reason)};
  }
  // -32600 invalid request, -32602 invalid params: the request is wrong.
  bool bad_request = code == -32602 || code == -32600;
  return Error{bad_request ? ErrorCode::kInvalidArgument
                           : ErrorCode::kFailedPrecondition,
               prefix + "node error " + std::to_string(code) + ": " + message};
}

Result<std::unique_ptr<JsonRpcClient>> JsonRpcClient::create(
    std::string_view url, Options options) {
  std::string text(url);
  std::string scheme;
  if (text.rfind("http://", 0) == 0) {
    scheme = "http://";
  } else if (text.rfind("https://", 0) == 0) {
    scheme = "https://";
  } else {
    return invalid_argument("RPC URL '" + text +
                            "' has no http:// or https:// scheme");
  }
  std::string rest = text.substr(scheme.size());
  size_t slash = rest.find('/');
  std::string host_port = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "/" : rest.substr(slash);
  if (host_port.empty() || host_port.find('@') != std::string::npos) {
    return invalid_argument("RPC URL '" + text +
                            "' needs a host (and no user info)");
  }
  size_t colon = host_port.rfind(':');
  if (colon != std::string::npos && host_port.back() != ']') {
    std::string port = host_port.substr(colon + 1);
    bool numeric = !port.empty() && port.size() <= 5 &&
                   std::all_of(port.begin(), port.end(), ::isdigit);
    if (!numeric || std::stoi(port) == 0 || std::stoi(port) > 65535) {
      return invalid_argument("RPC URL '" + text +
                              "' has a bad port; allowed: 1-65535");
    }
  }

  auto http = std::make_unique<httplib::Client>(scheme + host_port);
  if (!http->is_valid()) {
    return invalid_argument("RPC URL '" + text + "' cannot be used");
  }
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
      options.timeout);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
      options.timeout - seconds);
  http->set_connection_timeout(seconds.count(), micros.count());
  http->set_read_timeout(seconds.count(), micros.count());
  http->set_write_timeout(seconds.count(), micros.count());
  http->set_keep_alive(true);
  return std::unique_ptr<JsonRpcClient>(
      new JsonRpcClient(text, path, options, std::move(http)));
}

JsonRpcClient::JsonRpcClient(std::string url, std::string path,
                             Options options,
                             std::unique_ptr<httplib::Client> http)
    : url_(std::move(url)),
      path_(std::move(path)),
      options_(options),
      http_(std::move(http)) {}

JsonRpcClient::~JsonRpcClient() = default;

Result<json> JsonRpcClient::post(const json& body) {
  std::string payload = body.dump();
  auto backoff = options_.initial_backoff;
  std::string last_error;
  for (int attempt = 1; attempt <= std::max(1, options_.max_attempts);
       ++attempt) {
    auto response = http_->Post(path_, payload, "application/json");
    if (response) {
      if (response->status != 200) {
        last_error = "HTTP status " + std::to_string(response->status);
        // 5xx and 429 may pass; other statuses will not change.
        if (response->status < 500 && response->status != 429) break;
      } else {
        json parsed = json::parse(response->body, nullptr, false);
        if (parsed.is_discarded()) {
          return Error{ErrorCode::kUnavailable,
                       "node at " + url_ + " answered with invalid JSON"};
        }
        return parsed;
      }
    } else {
      last_error = httplib::to_string(response.error());
    }
    if (attempt < options_.max_attempts) {
      std::this_thread::sleep_for(backoff);
      backoff *= 2;
    }
  }
  return Error{ErrorCode::kUnavailable,
               "node at " + url_ + " is unreachable: " + last_error};
}

Result<json> JsonRpcClient::call(std::string_view method, json params) {
  std::lock_guard<std::mutex> lock(mutex_);
  json body = {{"jsonrpc", "2.0"},
               {"id", next_id_++},
               {"method", method},
               {"params", std::move(params)}};
  auto response = post(body);
  if (!response.ok()) return response.error();
  if (response->contains("error") && !(*response)["error"].is_null()) {
    return rpc_error_to_error(method, (*response)["error"]);
  }
  if (!response->contains("result")) {
    return Error{ErrorCode::kUnavailable,
                 std::string(method) + ": node reply has no result"};
  }
  return std::move((*response)["result"]);
}

Result<std::vector<Result<json>>> JsonRpcClient::batch(
    const std::vector<RpcRequest>& requests) {
  if (requests.empty()) return std::vector<Result<json>>{};
  std::lock_guard<std::mutex> lock(mutex_);
  uint64_t first_id = next_id_;
  json body = json::array();
  for (const RpcRequest& request : requests) {
    body.push_back({{"jsonrpc", "2.0"},
                    {"id", next_id_++},
                    {"method", request.method},
                    {"params", request.params}});
  }
  auto response = post(body);
  if (!response.ok()) return response.error();
  if (!response->is_array()) {
    if (response->contains("error")) {
      return rpc_error_to_error("batch", (*response)["error"]);
    }
    return Error{ErrorCode::kUnavailable, "batch reply is not an array"};
  }

  // Replies may come in any order: match them by id.
  std::vector<Result<json>> results(
      requests.size(),
      Result<json>(Error{ErrorCode::kUnavailable, "no reply in batch"}));
  for (const json& reply : *response) {
    if (!reply.contains("id") || !reply["id"].is_number_unsigned()) continue;
    uint64_t id = reply["id"].get<uint64_t>();
    if (id < first_id || id >= first_id + requests.size()) continue;
    size_t index = static_cast<size_t>(id - first_id);
    if (reply.contains("error") && !reply["error"].is_null()) {
      results[index] = rpc_error_to_error(requests[index].method,
                                          reply["error"]);
    } else if (reply.contains("result")) {
      results[index] = reply["result"];
    }
  }
  return results;
}

Result<uint64_t> JsonRpcClient::chain_id() {
  auto result = call("eth_chainId", json::array());
  if (!result.ok()) return result.error();
  return parse_quantity(*result);
}

Result<uint64_t> JsonRpcClient::block_number() {
  auto result = call("eth_blockNumber", json::array());
  if (!result.ok()) return result.error();
  return parse_quantity(*result);
}

Result<uint64_t> JsonRpcClient::transaction_count(std::string_view address,
                                                  std::string_view block) {
  auto result = call("eth_getTransactionCount", {address, block});
  if (!result.ok()) return result.error();
  return parse_quantity(*result);
}

Result<std::string> JsonRpcClient::balance(std::string_view address) {
  auto result = call("eth_getBalance", {address, "latest"});
  if (!result.ok()) return result.error();
  if (!result->is_string()) {
    return Error{ErrorCode::kUnavailable, "eth_getBalance: not a string"};
  }
  return result->get<std::string>();
}

Result<uint64_t> JsonRpcClient::base_fee() {
  auto block = call("eth_getBlockByNumber", {"latest", false});
  if (!block.ok()) return block.error();
  if (!block->is_object() || !block->contains("baseFeePerGas")) {
    return Error{ErrorCode::kFailedPrecondition,
                 "latest block has no baseFeePerGas: the chain does not "
                 "support EIP-1559"};
  }
  return parse_quantity((*block)["baseFeePerGas"]);
}

Result<uint64_t> JsonRpcClient::max_priority_fee() {
  auto result = call("eth_maxPriorityFeePerGas", json::array());
  if (!result.ok()) return result.error();
  return parse_quantity(*result);
}

Result<uint64_t> JsonRpcClient::estimate_gas(const json& call_object) {
  auto result = call("eth_estimateGas", {call_object});
  if (!result.ok()) return result.error();
  return parse_quantity(*result);
}

Result<Bytes> JsonRpcClient::send_raw_transaction(ByteView raw) {
  auto result = call("eth_sendRawTransaction", {to_hex(raw)});
  if (!result.ok()) return result.error();
  return parse_data(*result, 32);
}

Result<std::optional<TransactionReceipt>> JsonRpcClient::transaction_receipt(
    ByteView hash) {
  auto result = call("eth_getTransactionReceipt", {to_hex(hash)});
  if (!result.ok()) return result.error();
  if (result->is_null()) return std::optional<TransactionReceipt>();

  const json& r = *result;
  TransactionReceipt receipt;
  auto tx_hash = parse_data(r.value("transactionHash", json()), 32);
  auto block = parse_quantity(r.value("blockNumber", json()));
  auto block_hash = parse_data(r.value("blockHash", json()), 32);
  auto status = parse_quantity(r.value("status", json()));
  auto gas = parse_quantity(r.value("gasUsed", json()));
  if (!tx_hash.ok() || !block.ok() || !block_hash.ok() || !status.ok() ||
      !gas.ok()) {
    return Error{ErrorCode::kUnavailable,
                 "eth_getTransactionReceipt: malformed receipt for " +
                     to_hex(hash)};
  }
  receipt.transaction_hash = *tx_hash;
  receipt.block_number = *block;
  receipt.block_hash = *block_hash;
  receipt.succeeded = *status == 1;
  receipt.gas_used = *gas;
  receipt.logs = r.value("logs", json::array());
  return std::optional<TransactionReceipt>(std::move(receipt));
}

Result<bool> JsonRpcClient::has_transaction(ByteView hash) {
  auto result = call("eth_getTransactionByHash", {to_hex(hash)});
  if (!result.ok()) return result.error();
  return !result->is_null();
}

Result<json> JsonRpcClient::logs(const json& filter) {
  return call("eth_getLogs", {filter});
}

Result<Bytes> JsonRpcClient::call_contract(std::string_view to, ByteView data,
                                           std::string_view block) {
  json call_object = {{"to", to}, {"data", to_hex(data)}};
  auto result = call("eth_call", {call_object, block});
  if (!result.ok()) return result.error();
  return parse_data(*result);
}

}  // namespace pkm::chain
