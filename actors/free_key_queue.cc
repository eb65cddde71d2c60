#include "actors/free_key_queue.h"

#include <algorithm>
#include <cassert>

namespace pkm::actors {
namespace {

FreeKeyQueue::PublicKey to_array(const std::string& public_key) {
  assert(public_key.size() == 48);
  FreeKeyQueue::PublicKey key{};
  std::copy_n(public_key.begin(), std::min<size_t>(48, public_key.size()),
              key.begin());
  return key;
}

}  // namespace

void FreeKeyQueue::push(uint64_t ready_at_unix_ms,
                        const std::string& public_key) {
  buckets_[ready_at_unix_ms].push_back(to_array(public_key));
  ++size_;
}

void FreeKeyQueue::put_back(const Entry& entry) {
  buckets_[entry.ready_at_unix_ms].push_front(to_array(entry.public_key));
  ++size_;
}

bool FreeKeyQueue::remove(uint64_t ready_at_unix_ms,
                          const std::string& public_key) {
  auto bucket = buckets_.find(ready_at_unix_ms);
  if (bucket == buckets_.end() || public_key.size() != 48) return false;
  auto it = std::find(bucket->second.begin(), bucket->second.end(),
                      to_array(public_key));
  if (it == bucket->second.end()) return false;
  bucket->second.erase(it);
  --size_;
  if (bucket->second.empty()) buckets_.erase(bucket);
  return true;
}

std::vector<FreeKeyQueue::Entry> FreeKeyQueue::take_ready(
    uint64_t now_unix_ms, size_t count) {
  std::vector<Entry> taken;
  while (taken.size() < count && !buckets_.empty() &&
         buckets_.begin()->first <= now_unix_ms) {
    auto bucket = buckets_.begin();
    while (taken.size() < count && !bucket->second.empty()) {
      const PublicKey& key = bucket->second.front();
      taken.push_back(
          Entry{bucket->first, std::string(key.begin(), key.end())});
      bucket->second.pop_front();
      --size_;
    }
    if (bucket->second.empty()) buckets_.erase(bucket);
  }
  return taken;
}

std::pair<uint64_t, uint64_t> FreeKeyQueue::count(uint64_t now_unix_ms) const {
  uint64_t ready = 0;
  uint64_t waiting = 0;
  for (const auto& [ready_at, keys] : buckets_) {
    (ready_at <= now_unix_ms ? ready : waiting) += keys.size();
  }
  return {ready, waiting};
}

}  // namespace pkm::actors
