// The allocator's in-memory copy of the recycling queue (the unassigned
// family): released and freshly deposited keys by ready-at, oldest first.
// Keys with the same ready-at share one bucket, so a million free keys
// cost about 50 bytes each. Not thread-safe: owned by the allocator.
#ifndef PKM_ACTORS_FREE_KEY_QUEUE_H_
#define PKM_ACTORS_FREE_KEY_QUEUE_H_

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace pkm::actors {

class FreeKeyQueue {
 public:
  using PublicKey = std::array<uint8_t, 48>;
  struct Entry {
    uint64_t ready_at_unix_ms = 0;
    std::string public_key;  // 48 bytes
  };

  // Adds a key behind the others with the same ready-at. `public_key`
  // must be 48 bytes.
  void push(uint64_t ready_at_unix_ms, const std::string& public_key);
  // Puts back a key taken by take_ready, ahead of its bucket, so it keeps
  // its place.
  void put_back(const Entry& entry);

  // Removes one key; false when it is not queued under that ready-at.
  bool remove(uint64_t ready_at_unix_ms, const std::string& public_key);

  // Removes and returns up to `count` keys with ready-at <= now, oldest
  // first.
  std::vector<Entry> take_ready(uint64_t now_unix_ms, size_t count);

  // Keys ready at `now` and keys still in quarantine.
  std::pair<uint64_t, uint64_t> count(uint64_t now_unix_ms) const;
  uint64_t size() const { return size_; }

 private:
  std::map<uint64_t, std::deque<PublicKey>> buckets_;
  uint64_t size_ = 0;
};

}  // namespace pkm::actors

#endif  // PKM_ACTORS_FREE_KEY_QUEUE_H_
