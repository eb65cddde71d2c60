#include "chain/nonce_manager.h"

namespace pkm::chain {

Result<NonceManager> NonceManager::create(JsonRpcClient& client,
                                          std::string address) {
  auto pending = client.transaction_count(address, "pending");
  if (!pending.ok()) return pending.error();
  return NonceManager(client, std::move(address), *pending);
}

NonceManager::NonceManager(NonceManager&& other) noexcept
    : client_(other.client_),
      address_(std::move(other.address_)),
      next_(other.next_),
      released_(std::move(other.released_)) {}

uint64_t NonceManager::reserve() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!released_.empty()) {
    uint64_t nonce = *released_.begin();
    released_.erase(released_.begin());
    return nonce;
  }
  return next_++;
}

void NonceManager::release(uint64_t nonce) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (nonce + 1 == next_) {
    --next_;
    // Fold any released nonces that now sit at the end of the sequence.
    while (!released_.empty() && *released_.rbegin() + 1 == next_) {
      released_.erase(std::prev(released_.end()));
      --next_;
    }
    return;
  }
  if (nonce < next_) released_.insert(nonce);
}

Status NonceManager::resync() {
  // Ask the node first: reserve() must not wait on the network.
  auto pending = client_->transaction_count(address_, "pending");
  if (!pending.ok()) return pending.error();
  auto confirmed = client_->transaction_count(address_, "latest");

  std::lock_guard<std::mutex> lock(mutex_);
  if (*pending > next_) {
    next_ = *pending;
    released_.clear();
  }
  // Released nonces the node has since seen used are gone for good.
  if (confirmed.ok()) {
    released_.erase(released_.begin(), released_.lower_bound(*confirmed));
  }
  return Status();
}

Result<uint64_t> NonceManager::confirmed_count() {
  return client_->transaction_count(address_, "latest");
}

}  // namespace pkm::chain
