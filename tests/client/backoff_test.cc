#include "client/backoff.h"

#include <gtest/gtest.h>

namespace pkm::client {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, DelaysDoubleWithinJitterUntilTheMaximum) {
  Backoff backoff(BackoffOptions{milliseconds(100), milliseconds(1000), 2.0});
  const int64_t ceilings[] = {100, 200, 400, 800, 1000, 1000, 1000};

  for (int64_t ceiling : ceilings) {
    milliseconds delay = backoff.next_delay();

    EXPECT_GE(delay.count(), ceiling / 2) << "ceiling " << ceiling;
    EXPECT_LE(delay.count(), ceiling) << "ceiling " << ceiling;
  }
  EXPECT_EQ(backoff.attempts(), 7u);
}

TEST(Backoff, ResetStartsAgainFromTheInitialDelay) {
  Backoff backoff(BackoffOptions{milliseconds(100), milliseconds(5000), 2.0});
  for (int i = 0; i < 6; ++i) (void)backoff.next_delay();

  backoff.reset();

  EXPECT_LE(backoff.next_delay().count(), 100);
  EXPECT_EQ(backoff.attempts(), 1u);
}

}  // namespace
}  // namespace pkm::client
