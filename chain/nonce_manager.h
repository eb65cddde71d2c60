// Consecutive nonces for one sending account, so that many transactions can
// be in flight at once. The node is the source of truth: the sequence starts
// from (and can be re-read from) the account's pending transaction count.
#ifndef PKM_CHAIN_NONCE_MANAGER_H_
#define PKM_CHAIN_NONCE_MANAGER_H_

#include <cstdint>
#include <mutex>
#include <set>
#include <string>

#include "base/result.h"
#include "chain/json_rpc_client.h"

namespace pkm::chain {

// Thread-safe.
class NonceManager {
 public:
  // Reads the account's pending nonce from the node (after a restart this
  // continues the sequence where the node has it).
  [[nodiscard]] static Result<NonceManager> create(JsonRpcClient& client,
                                                   std::string address);

  NonceManager(NonceManager&& other) noexcept;

  // The next unused nonce. Nonces given back with release() are reused
  // first, lowest first, so no gap stays open.
  uint64_t reserve();

  // Gives back a nonce whose transaction never reached the node (the send
  // failed before the node accepted it).
  void release(uint64_t nonce);

  // Re-reads the pending count from the node and moves the sequence
  // forward to it if the node is ahead (another sender used the account).
  // Never moves backwards: in-flight transactions keep their nonces.
  [[nodiscard]] Status resync();

  // The account's mined nonce ("latest" count): every nonce below it is
  // final.
  [[nodiscard]] Result<uint64_t> confirmed_count();

  const std::string& address() const { return address_; }

 private:
  NonceManager(JsonRpcClient& client, std::string address, uint64_t next)
      : client_(&client), address_(std::move(address)), next_(next) {}

  JsonRpcClient* client_;
  std::string address_;
  std::mutex mutex_;
  uint64_t next_;
  std::set<uint64_t> released_;
};

}  // namespace pkm::chain

#endif  // PKM_CHAIN_NONCE_MANAGER_H_
