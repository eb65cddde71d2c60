// Invariant 4: a released key waits out --recycle-delay before another pod
// gets it, and released keys go out again oldest first.
#include <chrono>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/server/server_fixture.h"

namespace pkm::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

constexpr milliseconds kRecycleDelay{2000};

uint64_t unix_now_ms() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
}

class RecycleDelay : public ServerTest {
 protected:
  void SetUp() override {
    PkmServerOptions options = default_options();
    options.recycle_delay = "2s";
    ASSERT_TRUE(start_server(options));
  }

  // Released keys whose delay has passed, as pkm.assignments counts them.
  uint64_t ready_keys() {
    json view = assignments_over_nats();
    return view.is_object() ? view.value("unassigned", uint64_t{0}) : 0;
  }
};

TEST_F(RecycleDelay, ReleasedKeyIsNotReusedBeforeTheDelay) {
  json first = allocate("validator-a", 1);
  ASSERT_EQ(public_keys(first).size(), 1u);
  ASSERT_EQ(release("validator-a"), 1);
  auto released_at = SteadyClock::now();

  json second = allocate("validator-c", 1);
  auto answered_at = SteadyClock::now();

  // The check means something only if the reply came inside the delay.
  ASSERT_LT(answered_at - released_at, kRecycleDelay);
  ASSERT_EQ(public_keys(second).size(), 1u);
  EXPECT_NE(public_keys(second), public_keys(first));
}

TEST_F(RecycleDelay, OldestReleasedKeyGoesOutFirstOnceTheDelayPassed) {
  std::string key_a = public_keys(allocate("validator-a", 1)).at(0);
  std::string key_b = public_keys(allocate("validator-b", 1)).at(0);
  // Taken before the request, so that it cannot be later than the
  // server's own release time.
  auto releasing_a = SteadyClock::now();
  ASSERT_EQ(release("validator-a"), 1);
  // Release times are kept in milliseconds: let the clock move on so
  // that B's key is younger than A's.
  uint64_t a_ms = unix_now_ms();
  ASSERT_TRUE(wait_until([&] { return unix_now_ms() > a_ms + 10; },
                         std::chrono::seconds(1)));
  ASSERT_EQ(release("validator-b"), 1);
  std::string key_c = public_keys(allocate("validator-c", 1)).at(0);

  ASSERT_TRUE(wait_until([&] { return ready_keys() == 2; },
                         std::chrono::seconds(10)));
  std::string key_d = public_keys(allocate("validator-d", 1)).at(0);
  auto answered_d = SteadyClock::now();
  std::string key_e = public_keys(allocate("validator-e", 1)).at(0);

  EXPECT_NE(key_c, key_a);
  EXPECT_NE(key_c, key_b);
  EXPECT_GE(answered_d - releasing_a, kRecycleDelay);
  EXPECT_EQ(key_d, key_a);
  EXPECT_EQ(key_e, key_b);
}

}  // namespace
}  // namespace pkm::testing
