// The allocator's recycling queue in memory: oldest ready first, nothing
// before its ready-at, and a key put back keeps its place.
#include "actors/free_key_queue.h"

#include <string>

#include <gtest/gtest.h>

namespace pkm::actors {
namespace {

std::string key(char id) { return std::string(48, id); }

TEST(FreeKeyQueue, OldestReadyKeysComeFirst) {
  FreeKeyQueue queue;
  queue.push(300, key('c'));
  queue.push(100, key('a'));
  queue.push(200, key('b'));

  auto taken = queue.take_ready(1000, 2);

  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken[0].public_key, key('a'));
  EXPECT_EQ(taken[1].public_key, key('b'));
  EXPECT_EQ(queue.size(), 1u);
}

TEST(FreeKeyQueue, KeyInQuarantineIsNotTakenBeforeItsReadyAt) {
  FreeKeyQueue queue;
  queue.push(500, key('q'));

  auto early = queue.take_ready(499, 1);
  auto counts = queue.count(499);
  auto late = queue.take_ready(500, 1);

  EXPECT_TRUE(early.empty());
  EXPECT_EQ(counts.first, 0u);
  EXPECT_EQ(counts.second, 1u);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].public_key, key('q'));
}

TEST(FreeKeyQueue, PutBackKeepsTheKeyAheadOfItsBucket) {
  FreeKeyQueue queue;
  queue.push(100, key('a'));
  queue.push(100, key('b'));
  auto taken = queue.take_ready(100, 1);

  queue.put_back(taken[0]);
  auto again = queue.take_ready(100, 2);

  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].public_key, key('a'));
  EXPECT_EQ(again[1].public_key, key('b'));
}

}  // namespace
}  // namespace pkm::actors
