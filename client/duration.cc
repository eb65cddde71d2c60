#include "client/duration.h"

#include <cstdint>
#include <cstdio>

namespace pkm::client {
namespace {

constexpr int64_t kMaxMilliseconds = int64_t{30} * 24 * 3600 * 1000;

Error bad_duration(std::string_view text, std::string_view what,
                   std::string_view problem) {
  return invalid_argument(std::string(what) + " \"" + std::string(text) +
                          "\" " + std::string(problem) +
                          "; allowed: a whole number with a unit ms, s, m "
                          "or h, from 1ms to 30 days (e.g. 30s, 500ms)");
}

}  // namespace

Result<std::chrono::milliseconds> parse_duration(std::string_view text,
                                                 std::string_view what) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    ++digits;
  }
  if (digits == 0)
    return bad_duration(text, what, "does not start with a digit");
  if (digits > 12) return bad_duration(text, what, "is too large");

  int64_t number = 0;
  for (size_t i = 0; i < digits; ++i) number = number * 10 + (text[i] - '0');

  std::string_view unit = text.substr(digits);
  int64_t scale = 0;
  if (unit == "ms") {
    scale = 1;
  } else if (unit == "s") {
    scale = 1000;
  } else if (unit == "m") {
    scale = 60 * 1000;
  } else if (unit == "h") {
    scale = 3600 * 1000;
  } else if (unit.empty()) {
    return bad_duration(text, what, "has no unit");
  } else {
    return bad_duration(text, what, "has an unknown unit");
  }

  if (number == 0) return bad_duration(text, what, "is zero");
  if (number > kMaxMilliseconds / scale) {
    return bad_duration(text, what, "is too large");
  }
  return std::chrono::milliseconds(number * scale);
}

std::string format_duration(std::chrono::milliseconds duration) {
  int64_t ms = duration.count();
  if (ms < 1000) return std::to_string(ms) + "ms";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  char text[32];
  std::snprintf(text, sizeof(text), "%.1fs", static_cast<double>(ms) / 1000);
  return text;
}

}  // namespace pkm::client
