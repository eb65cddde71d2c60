// Durations on the pkm-client command line: "30s", "500ms", "2m", "1h".
#ifndef PKM_CLIENT_DURATION_H_
#define PKM_CLIENT_DURATION_H_

#include <chrono>
#include <string>
#include <string_view>

#include "base/result.h"

namespace pkm::client {

// Parses a whole number followed by a unit: ms, s, m or h ("30s", "250ms").
// Refuses, with invalid_argument naming `what` (e.g. "--timeout"), an empty
// text, a missing or unknown unit, a sign, a fraction, zero, and values
// above 30 days.
[[nodiscard]] Result<std::chrono::milliseconds> parse_duration(
    std::string_view text, std::string_view what);

// "1500ms" -> "1.5s", "250ms" -> "250ms", "120000ms" -> "120s"; for
// messages.
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace pkm::client

#endif  // PKM_CLIENT_DURATION_H_
