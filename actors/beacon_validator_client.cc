#include "actors/beacon_validator_client.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "actors/http_endpoint.h"
#include "base/bytes.h"

namespace pkm::actors {
namespace {

using nlohmann::json;

constexpr size_t kPubkeySize = 48;
constexpr char kValidatorsPath[] = "/eth/v1/beacon/states/head/validators";

Error data_loss(std::string message) {
  return Error{ErrorCode::kDataLoss, std::move(message)};
}

bool starts_with(const std::string& text, std::string_view prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

// The API writes uint64 values as decimal strings.
Result<uint64_t> parse_decimal(const json& value, const std::string& where) {
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (!value.is_string()) {
    return data_loss(where + " is not a decimal string");
  }
  const std::string& text = value.get_ref<const std::string&>();
  if (text.empty() || text.size() > 20) {
    return data_loss(where + " is not a 64-bit decimal");
  }
  uint64_t result = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return data_loss(where + " has a non-digit");
    }
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (result > (UINT64_MAX - digit) / 10) {
      return data_loss(where + " does not fit 64 bits");
    }
    result = result * 10 + digit;
  }
  return result;
}

Result<ValidatorStatus> parse_entry(const json& entry,
                                    const std::string& where) {
  if (!entry.is_object()) return data_loss(where + " is not an object");
  ValidatorStatus parsed;

  auto index = entry.find("index");
  if (index == entry.end()) return data_loss(where + ".index is missing");
  auto index_value = parse_decimal(*index, where + ".index");
  if (!index_value.ok()) return index_value.error();
  parsed.index = *index_value;

  auto status = entry.find("status");
  if (status == entry.end() || !status->is_string() ||
      status->get_ref<const std::string&>().empty()) {
    return data_loss(where + ".status is missing or not a string");
  }
  parsed.status = status->get<std::string>();

  auto validator = entry.find("validator");
  if (validator == entry.end() || !validator->is_object()) {
    return data_loss(where + ".validator is missing or not an object");
  }
  auto pubkey = validator->find("pubkey");
  if (pubkey == validator->end() || !pubkey->is_string() ||
      !starts_with(pubkey->get_ref<const std::string&>(), "0x")) {
    return data_loss(where + ".validator.pubkey is missing or not 0x hex");
  }
  auto bytes = from_hex_exact(pubkey->get_ref<const std::string&>(),
                              kPubkeySize, where + ".validator.pubkey");
  if (!bytes.ok()) return data_loss(bytes.error().message);
  parsed.pubkey.assign(bytes->begin(), bytes->end());

  auto slashed = validator->find("slashed");
  if (slashed == validator->end() || !slashed->is_boolean()) {
    return data_loss(where + ".validator.slashed is missing or not a "
                     "boolean");
  }
  parsed.slashed = slashed->get<bool>();
  return parsed;
}

std::string join(const std::vector<std::string>& items, size_t begin,
                 size_t end, char separator) {
  std::string out;
  for (size_t i = begin; i < end; ++i) {
    if (i != begin) out += separator;
    out += items[i];
  }
  return out;
}

}  // namespace

bool is_exited_or_slashed(const ValidatorStatus& validator) {
  const std::string& status = validator.status;
  return validator.slashed || starts_with(status, "exited") ||
         starts_with(status, "withdrawal") || status == "active_slashed";
}

Result<std::vector<ValidatorStatus>> parse_validators_response(
    std::string_view body) {
  json response = json::parse(body, nullptr, false);
  if (response.is_discarded()) {
    return data_loss("validators response is not JSON (" +
                     std::to_string(body.size()) + " bytes)");
  }
  if (!response.is_object()) {
    return data_loss("validators response is not a JSON object");
  }
  auto data = response.find("data");
  if (data == response.end() || !data->is_array()) {
    return data_loss("validators response has no data array");
  }

  std::vector<ValidatorStatus> result;
  result.reserve(data->size());
  for (size_t i = 0; i < data->size(); ++i) {
    auto entry = parse_entry((*data)[i], "data[" + std::to_string(i) + "]");
    if (!entry.ok()) return entry.error();
    result.push_back(std::move(*entry));
  }
  return result;
}

Result<std::unique_ptr<BeaconValidatorClient>> BeaconValidatorClient::create(
    std::string beacon_url, std::chrono::milliseconds timeout,
    size_t batch_size) {
  auto endpoint = parse_http_endpoint(beacon_url, "beacon node URL");
  if (!endpoint.ok()) return endpoint.error();
  if (timeout.count() <= 0) {
    return invalid_argument("beacon node timeout must be positive");
  }
  if (batch_size == 0) {
    return invalid_argument("beacon batch size is 0; allowed: 1 or more");
  }

  auto http = make_http_client(*endpoint, timeout, "");
  std::string base_path = endpoint->base_path;
  return std::unique_ptr<BeaconValidatorClient>(new BeaconValidatorClient(
      std::move(beacon_url), std::move(base_path), timeout, batch_size,
      std::move(http)));
}

BeaconValidatorClient::BeaconValidatorClient(
    std::string url, std::string base_path, std::chrono::milliseconds timeout,
    size_t batch_size, std::unique_ptr<httplib::Client> http)
    : url_(std::move(url)),
      path_(std::move(base_path) + kValidatorsPath),
      timeout_(timeout),
      batch_size_(batch_size),
      http_(std::move(http)) {}

BeaconValidatorClient::~BeaconValidatorClient() = default;

bool BeaconValidatorClient::uses_get() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return use_get_;
}

Error BeaconValidatorClient::http_status_error(
    int status, const std::string& method) const {
  std::string what = "beacon node at " + url_ + " answered HTTP " +
                     std::to_string(status) + " to " + method + " " +
                     kValidatorsPath;
  if (status >= 500 || status == 429) {
    return Error{ErrorCode::kUnavailable, what};
  }
  if (status == 404) {
    return Error{ErrorCode::kUnavailable,
                 what + ": head state not found; is the node synced?"};
  }
  if (status == 401 || status == 403) {
    return Error{ErrorCode::kPermissionDenied,
                 what + "; check the credentials of the beacon endpoint"};
  }
  if (status == 414) {
    return invalid_argument(what + ": too many ids; lower the batch size");
  }
  return invalid_argument(what);
}

Status BeaconValidatorClient::query_with_get(
    const std::vector<std::string>& hex_pubkeys,
    std::vector<ValidatorStatus>* found) {
  httplib::Headers headers = {{"Accept", "application/json"}};
  for (size_t begin = 0; begin < hex_pubkeys.size(); begin += kMaxIdsPerGet) {
    size_t end = std::min(hex_pubkeys.size(), begin + kMaxIdsPerGet);
    std::string path = path_ + "?id=" + join(hex_pubkeys, begin, end, ',');
    auto response = http_->Get(path, headers);
    if (!response) {
      return transport_error("beacon node at " + url_, response.error(),
                             timeout_);
    }
    if (response->status != 200) {
      return http_status_error(response->status, "GET");
    }
    auto parsed = parse_validators_response(response->body);
    if (!parsed.ok()) return parsed.error();
    for (ValidatorStatus& status : *parsed) {
      found->push_back(std::move(status));
    }
  }
  return Status();
}

Status BeaconValidatorClient::query_batch(
    const std::vector<std::string>& hex_pubkeys,
    std::vector<ValidatorStatus>* found) {
  if (use_get_) return query_with_get(hex_pubkeys, found);

  json body = {{"ids", hex_pubkeys}};
  httplib::Headers headers = {{"Accept", "application/json"}};
  auto response = http_->Post(path_, headers, body.dump(),
                              "application/json");
  if (!response) {
    return transport_error("beacon node at " + url_, response.error(),
                           timeout_);
  }
  // Nodes without the POST form answer 404 or 405: use GET from now on.
  if (response->status == 404 || response->status == 405) {
    use_get_ = true;
    return query_with_get(hex_pubkeys, found);
  }
  if (response->status != 200) {
    return http_status_error(response->status, "POST");
  }
  auto parsed = parse_validators_response(response->body);
  if (!parsed.ok()) return parsed.error();
  for (ValidatorStatus& status : *parsed) found->push_back(std::move(status));
  return Status();
}

Result<std::vector<ValidatorStatus>> BeaconValidatorClient::statuses(
    const std::vector<std::string>& pubkeys) {
  std::vector<std::string> unique_keys;
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < pubkeys.size(); ++i) {
    if (pubkeys[i].size() != kPubkeySize) {
      return invalid_argument("public key at position " + std::to_string(i) +
                              " is " + std::to_string(pubkeys[i].size()) +
                              " bytes; expected 48");
    }
    if (seen.insert(pubkeys[i]).second) unique_keys.push_back(pubkeys[i]);
  }
  std::vector<std::string> hex_keys;
  hex_keys.reserve(unique_keys.size());
  for (const std::string& key : unique_keys) {
    hex_keys.push_back(to_hex(std::string_view(key)));
  }

  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<ValidatorStatus> found;
  for (size_t begin = 0; begin < hex_keys.size(); begin += batch_size_) {
    size_t end = std::min(hex_keys.size(), begin + batch_size_);
    std::vector<std::string> batch(hex_keys.begin() + begin,
                                   hex_keys.begin() + end);
    if (Status status = query_batch(batch, &found); !status.ok()) {
      return status.error();
    }
  }

  // Answers come in no promised order; keep only keys that were asked for.
  std::unordered_map<std::string, ValidatorStatus> by_key;
  for (ValidatorStatus& status : found) {
    if (seen.count(status.pubkey) != 0) {
      by_key.emplace(status.pubkey, std::move(status));
    }
  }
  std::vector<ValidatorStatus> result;
  result.reserve(by_key.size());
  for (const std::string& key : unique_keys) {
    auto it = by_key.find(key);
    if (it != by_key.end()) result.push_back(std::move(it->second));
  }
  return result;
}

}  // namespace pkm::actors
