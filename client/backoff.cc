#include "client/backoff.h"

#include <algorithm>

namespace pkm::client {

Backoff::Backoff(const BackoffOptions& options)
    : options_(options),
      current_ms_(static_cast<double>(options.initial.count())),
      random_(std::random_device{}()) {
  if (options_.multiplier < 1.0) options_.multiplier = 1.0;
  if (options_.maximum < options_.initial) options_.maximum = options_.initial;
}

std::chrono::milliseconds Backoff::next_delay() {
  double ceiling =
      std::min(current_ms_, static_cast<double>(options_.maximum.count()));
  current_ms_ = std::min(current_ms_ * options_.multiplier,
                         static_cast<double>(options_.maximum.count()));
  ++attempts_;

  // Jitter: uniform in [ceiling / 2, ceiling].
  std::uniform_real_distribution<double> jitter(ceiling / 2, ceiling);
  return std::chrono::milliseconds(
      static_cast<int64_t>(std::max(1.0, jitter(random_))));
}

void Backoff::reset() {
  current_ms_ = static_cast<double>(options_.initial.count());
  attempts_ = 0;
}

}  // namespace pkm::client
