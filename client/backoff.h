// Exponential backoff with jitter between attempts to reach pkm-server.
#ifndef PKM_CLIENT_BACKOFF_H_
#define PKM_CLIENT_BACKOFF_H_

#include <chrono>
#include <cstdint>
#include <random>

namespace pkm::client {

struct BackoffOptions {
  // Delay before the second attempt (before jitter).
  std::chrono::milliseconds initial{100};
  // No delay grows beyond this.
  std::chrono::milliseconds maximum{5000};
  // Each delay is this many times the previous one, until `maximum`.
  double multiplier = 2.0;
};

// Hands out the delays between attempts: initial, initial * multiplier, ...
// capped at maximum. Each delay is drawn uniformly from [d/2, d] so that
// many pods restarted together do not retry in lock step. Not thread-safe;
// one per retry loop.
class Backoff {
 public:
  explicit Backoff(const BackoffOptions& options = {});

  // The delay to wait before the next attempt.
  std::chrono::milliseconds next_delay();

  // Starts again from `initial`, after a success.
  void reset();

  // How many delays next_delay has handed out since construction or reset.
  uint32_t attempts() const { return attempts_; }

 private:
  BackoffOptions options_;
  double current_ms_;
  uint32_t attempts_ = 0;
  std::mt19937_64 random_;
};

}  // namespace pkm::client

#endif  // PKM_CLIENT_BACKOFF_H_
