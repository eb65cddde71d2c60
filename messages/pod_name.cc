#include "messages/pod_name.h"

#include <cstdio>
#include <string>

namespace pkm::messages {
namespace {

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// 'A' for printable ASCII, otherwise \xNN, so the message stays one line of
// valid UTF-8 whatever the input was.
std::string describe_character(char c) {
  auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x21 && byte <= 0x7e) return std::string("'") + c + "'";
  char escaped[8];
  std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
  return escaped;
}

Error refuse(const std::string& problem) {
  return invalid_argument("pod name " + problem +
                          "; allowed: a DNS-1123 subdomain (lower-case "
                          "letters, digits, '-' and '.', such as "
                          "validator-0)");
}

}  // namespace

Status validate_pod_name(std::string_view name) {
  if (name.empty()) return refuse("is empty");
  if (name.size() > kMaxPodNameLength) {
    return refuse("longer than 253 characters (" +
                  std::to_string(name.size()) + ")");
  }

  // Characters first, so that "Validator-0" is explained as a letter-case
  // problem rather than a label problem.
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (is_lower_alnum(c) || c == '-' || c == '.') continue;
    std::string problem = "has " + describe_character(c) + " at position " +
                          std::to_string(i);
    if (c >= 'A' && c <= 'Z') problem += " (upper case)";
    return refuse(problem);
  }

  size_t label_start = 0;
  while (label_start <= name.size()) {
    size_t dot = name.find('.', label_start);
    size_t label_end = dot == std::string_view::npos ? name.size() : dot;
    std::string_view label =
        name.substr(label_start, label_end - label_start);

    if (label.empty()) {
      return refuse("has an empty label at position " +
                    std::to_string(label_start) +
                    " (leading, trailing or doubled '.')");
    }
    if (label.size() > kMaxPodNameLabelLength) {
      return refuse("has a label of " + std::to_string(label.size()) +
                    " characters at position " +
                    std::to_string(label_start) +
                    " (at most 63 between dots)");
    }
    if (!is_lower_alnum(label.front())) {
      return refuse("has a label starting with '-' at position " +
                    std::to_string(label_start) +
                    " (labels start and end with a letter or digit)");
    }
    if (!is_lower_alnum(label.back())) {
      return refuse("has a label ending with '-' at position " +
                    std::to_string(label_end - 1) +
                    " (labels start and end with a letter or digit)");
    }

    if (dot == std::string_view::npos) break;
    label_start = dot + 1;
  }
  return Status();
}

}  // namespace pkm::messages
