// What pods asked pkm-server for and what it acknowledged, across the
// kills of a crash test: the client-side record the invariant checks
// compare with the store and the chain.
//
// The record relies on one property of the traffic: each pod is driven by
// one thread that sends its next request only after the previous one was
// answered (or the server died), so the server sees a pod's requests in the
// order they were sent.
#ifndef PKM_TESTS_SERVER_TRAFFIC_HISTORY_H_
#define PKM_TESTS_SERVER_TRAFFIC_HISTORY_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace pkm::testing {

enum class RequestKind { kAllocate, kRelease };

// One request as the client saw it. Times are Unix milliseconds of the
// system clock, the clock pkm-server stamps release times with.
struct RequestRecord {
  RequestKind kind = RequestKind::kAllocate;
  std::string pod_name;
  int round = 0;
  // Taken just before the request was published: the server handles it
  // no earlier.
  uint64_t sent_unix_ms = 0;
  // When the reply arrived; 0 when none came.
  uint64_t received_unix_ms = 0;
  // A success reply arrived: the server synced what it answers.
  bool acknowledged = false;
  // Allocate: number_of_keys asked for, and the public keys of the reply
  // (0x hex, in reply order).
  uint32_t keys_asked = 0;
  std::vector<std::string> public_keys;
  // The error reply's body, when the server refused.
  std::string error_body;
};

// Thread-safe. Public and private keys are 0x-prefixed lower-case hex.
class TrafficHistory {
 public:
  // Appends the records of one thread for one round. Within a pod the
  // records must come in the order they were sent.
  void add(const std::vector<RequestRecord>& records);
  // Remembers the private key a reply gave for a public key. A public key
  // seen with two different private keys is kept as a violation.
  void add_secret(const std::string& public_key,
                  const std::string& private_key);

  // Requests by pod, each pod's in send order.
  std::map<std::string, std::vector<RequestRecord>> by_pod() const;
  // Every private key seen, by public key.
  std::map<std::string, std::string> secrets() const;
  // Public keys that came with two different private keys.
  std::vector<std::string> conflicting_secrets() const;
  size_t size() const;
  size_t acknowledged(RequestKind kind) const;
  // Requests answered with an error.
  size_t refused() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<RequestRecord>> by_pod_;
  std::map<std::string, std::string> secrets_;
  std::vector<std::string> conflicting_;
};

}  // namespace pkm::testing

#endif  // PKM_TESTS_SERVER_TRAFFIC_HISTORY_H_
