// Asks a beacon node for the status of validator public keys
// (/eth/v1/beacon/states/head/validators), for the validator monitor. A
// plain client, not an actor: it returns errors and logs nothing.
#ifndef PKM_ACTORS_BEACON_VALIDATOR_CLIENT_H_
#define PKM_ACTORS_BEACON_VALIDATOR_CLIENT_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace httplib {
class Client;
}

namespace pkm::actors {

// One validator as the beacon node reports it at the head state.
struct ValidatorStatus {
  std::string pubkey;  // 48 bytes, binary
  // pending_initialized, pending_queued, active_ongoing, active_exiting,
  // active_slashed, exited_unslashed, exited_slashed, withdrawal_possible
  // or withdrawal_done.
  std::string status;
  bool slashed = false;
  uint64_t index = 0;
};

// True when the key must never be used again: exited_*, withdrawal_*,
// active_slashed, or slashed set whatever the status.
bool is_exited_or_slashed(const ValidatorStatus& validator);

// Parses a validators response body ({"data":[{"index","status",
// "validator":{"pubkey","slashed",...}}, ...]}). Refuses with data_loss,
// naming the entry and field, a body that is not JSON, has no data array,
// or an entry without a decimal index, a status, a 48-byte 0x pubkey or a
// boolean slashed.
[[nodiscard]] Result<std::vector<ValidatorStatus>> parse_validators_response(
    std::string_view body);

// A client for one beacon node. Thread-safe: calls are serialised on one
// keep-alive connection.
class BeaconValidatorClient {
 public:
  static constexpr size_t kDefaultBatchSize = 100;
  // The GET form carries ids in the URL; the API allows at most 64 there.
  static constexpr size_t kMaxIdsPerGet = 64;

  // Refuses with invalid_argument a bad URL (http:// or https://, optional
  // path prefix), a non-positive timeout or a zero batch size. Connects to
  // nothing until statuses().
  [[nodiscard]] static Result<std::unique_ptr<BeaconValidatorClient>> create(
      std::string beacon_url, std::chrono::milliseconds timeout,
      size_t batch_size = kDefaultBatchSize);
  ~BeaconValidatorClient();
  BeaconValidatorClient(const BeaconValidatorClient&) = delete;
  BeaconValidatorClient& operator=(const BeaconValidatorClient&) = delete;

  // Looks up `pubkeys` (48 bytes each, binary; duplicates asked once) in
  // batches of batch_size with POST, or with GET ?id=... in batches of at
  // most kMaxIdsPerGet once the node answered POST with 404 or 405. Keys the
  // node does not know (deposit not yet processed) are absent from the
  // result; the rest come in the order of `pubkeys`. Errors:
  // invalid_argument (a key not 48 bytes, naming its position; HTTP 400 or
  // 414), unavailable (no answer, timeout, 5xx, 429, head state not found),
  // permission_denied (401/403), data_loss (a malformed body). Any error
  // fails the whole call: no partial answers.
  [[nodiscard]] Result<std::vector<ValidatorStatus>> statuses(
      const std::vector<std::string>& pubkeys);

  // Whether the node refused POST and GET is used from now on.
  bool uses_get() const;

 private:
  BeaconValidatorClient(std::string url, std::string base_path,
                        std::chrono::milliseconds timeout, size_t batch_size,
                        std::unique_ptr<httplib::Client> http);

  // Queries one batch of 0x-hex pubkeys; appends what the node knows.
  Status query_batch(const std::vector<std::string>& hex_pubkeys,
                     std::vector<ValidatorStatus>* found);
  Status query_with_get(const std::vector<std::string>& hex_pubkeys,
                        std::vector<ValidatorStatus>* found);
  // Maps a non-200 answer to an error.
  Error http_status_error(int status, const std::string& method) const;

  std::string url_;
  std::string path_;  // base path + the validators endpoint
  std::chrono::milliseconds timeout_;
  size_t batch_size_;
  mutable std::mutex mutex_;
  bool use_get_ = false;
  std::unique_ptr<httplib::Client> http_;
};

}  // namespace pkm::actors

#endif  // PKM_ACTORS_BEACON_VALIDATOR_CLIENT_H_
