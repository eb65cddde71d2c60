// Validation of Kubernetes pod names, the identity under which pkm hands
// out keys. Part of the messages/ library (no actors, no I/O).
#ifndef PKM_MESSAGES_POD_NAME_H_
#define PKM_MESSAGES_POD_NAME_H_

#include <cstddef>
#include <string_view>

#include "base/result.h"

namespace pkm::messages {

inline constexpr size_t kMaxPodNameLength = 253;
inline constexpr size_t kMaxPodNameLabelLength = 63;

// Accepts a DNS-1123 subdomain, which includes every DNS-1123 label: 1 to
// 253 characters of lower-case ASCII letters, digits, '-' and '.', where
// each dot-separated label is 1 to 63 characters and starts and ends with a
// letter or digit. Otherwise invalid_argument naming the first problem and
// its position. Thread-safe.
[[nodiscard]] Status validate_pod_name(std::string_view name);

}  // namespace pkm::messages

#endif  // PKM_MESSAGES_POD_NAME_H_
