#include "gateway/assignments_format.h"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace pkm::gateway {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// Hex digits of a 48-byte key with its "0x", and of a 32-byte tx hash.
constexpr size_t kPublicKeyHexSize = 2 + 2 * 48;
constexpr size_t kTxHexSize = 2 + 2 * 32;

void append_hex(std::string& out, ByteView bytes) {
  size_t start = out.size();
  out.resize(start + 2 + 2 * bytes.size);
  char* cursor = out.data() + start;
  *cursor++ = '0';
  *cursor++ = 'x';
  for (uint8_t byte : bytes) {
    *cursor++ = kHexDigits[byte >> 4];
    *cursor++ = kHexDigits[byte & 0x0f];
  }
}

void append_number(std::string& out, uint64_t number) {
  char digits[24];
  auto [end, error] = std::to_chars(digits, digits + sizeof(digits), number);
  (void)error;  // 24 characters always hold a uint64_t
  out.append(digits, end);
}

// A JSON string literal. Pod names are DNS-1123 names (ASCII); quotes,
// backslashes and control characters are escaped anyway, and other bytes
// pass through unchanged.
}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out += kHexDigits[(c >> 4) & 0x0f];
          out += kHexDigits[c & 0x0f];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

namespace {

// Writes "YYYY-MM-DDTHH:MM:SS.mmmZ" into `buffer` and returns it; the
// plain number of milliseconds when the year does not fit in four digits.
std::string_view utc_iso8601(uint64_t unix_ms, char (&buffer)[40]) {
  std::tm parts{};
  bool fits = unix_ms / 1000 <= static_cast<uint64_t>(INT64_MAX);
  if (fits) {
    std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
    fits = gmtime_r(&seconds, &parts) != nullptr &&
           parts.tm_year + 1900 <= 9999;
  }
  if (!fits) {
    auto [end, error] = std::to_chars(buffer, buffer + 24, unix_ms);
    (void)error;  // 24 characters always hold a uint64_t
    std::memcpy(end, " ms", 3);
    return std::string_view(buffer, static_cast<size_t>(end + 3 - buffer));
  }
  int length = std::snprintf(
      buffer, sizeof(buffer), "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ",
      parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour,
      parts.tm_min, parts.tm_sec, static_cast<unsigned>(unix_ms % 1000));
  return std::string_view(buffer, static_cast<size_t>(length));
}

size_t held_keys(const actors::AssignmentsView& view) {
  size_t count = 0;
  for (const auto& pod : view.pods) count += pod.keys.size();
  return count;
}

// The page's style sheet: plain, readable, wide hex columns in monospace.
constexpr char kStyle[] = R"css(
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1b1f24;
background:#fff}
h1{font-size:1.4rem;margin:0 0 .3rem}
p.read-at{color:#57606a;margin:0 0 1rem}
table{border-collapse:collapse}
th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;
vertical-align:top}
th{background:#f6f8fa}
table.summary{margin-bottom:1.2rem}
table.summary td{text-align:right;font-variant-numeric:tabular-nums}
code{font-family:ui-monospace,monospace;font-size:.85rem;
word-break:break-all}
td.state-assigned{color:#1a7f37}
.lease{display:block;color:#57606a;font-size:.8rem}
.none{color:#8c959f}
)css";

void append_summary_row(std::string& out, const char* label,
                        uint64_t count) {
  out += "<tr><th scope=\"row\">";
  out += label;
  out += "</th><td>";
  append_number(out, count);
  out += "</td></tr>\n";
}

void append_time_element(std::string& out, uint64_t unix_ms) {
  char buffer[40];
  std::string_view stamp = utc_iso8601(unix_ms, buffer);
  out += "<time datetime=\"";
  out += stamp;
  out += "\">";
  out += stamp;
  out += "</time>";
}

}  // namespace

const char* key_state_name(records::KeyState state) {
  return actors::key_state_name(state);
}

void append_html_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
}

std::string format_utc_iso8601(uint64_t unix_ms) {
  char buffer[40];
  return std::string(utc_iso8601(unix_ms, buffer));
}

std::string render_assignments_json(const actors::AssignmentsView& view) {
  // Per key: the public key twice, a tx hash, field names and a time.
  constexpr size_t kBytesPerKey =
      2 * (kPublicKeyHexSize + 3) + kTxHexSize + 96;
  std::string out;
  out.reserve(256 + view.pods.size() * 96 + held_keys(view) * kBytesPerKey);

  out += "{\"assignments\":[";
  bool first_pod = true;
  for (const auto& pod : view.pods) {
    if (!first_pod) out += ',';
    first_pod = false;
    out += "{\"pod_name\":";
    append_json_string(out, pod.pod_name);
    out += ",\"public_keys\":[";
    for (size_t i = 0; i < pod.keys.size(); ++i) {
      if (i > 0) out += ',';
      out += '"';
      append_hex(out, pod.keys[i].public_key);
      out += '"';
    }
    out += "],\"keys\":[";
    for (size_t i = 0; i < pod.keys.size(); ++i) {
      const auto& key = pod.keys[i];
      if (i > 0) out += ',';
      out += "{\"public_key\":\"";
      append_hex(out, key.public_key);
      out += "\",\"state\":\"";
      out += key_state_name(key.state);
      out += "\",\"deposit_tx\":\"";
      append_hex(out, key.deposit_tx);
      out += "\",\"since_unix_ms\":";
      append_number(out, key.since_unix_ms);
      out += '}';
    }
    out += "],\"lease_expires_unix_ms\":";
    append_number(out, pod.lease_expires_unix_ms);
    out += '}';
  }
  out += "],\"unassigned\":";
  append_number(out, view.unassigned);
  out += ",\"quarantined\":";
  append_number(out, view.quarantined);
  out += ",\"depositing\":";
  append_number(out, view.depositing);
  out += ",\"retired\":";
  append_number(out, view.retired);
  out += ",\"generated\":";
  append_number(out, view.generated);
  out += '}';
  return out;
}

std::string render_assignments_text(const actors::AssignmentsView& view) {
  std::string out;
  size_t size = 0;
  for (const auto& pod : view.pods) {
    size += pod.keys.size() * (pod.pod_name.size() + kPublicKeyHexSize + 2);
  }
  out.reserve(size);

  for (const auto& pod : view.pods) {
    for (const auto& key : pod.keys) {
      out += pod.pod_name;
      out += '=';
      append_hex(out, key.public_key);
      out += '\n';
    }
  }
  return out;
}

std::string render_assignments_html(const actors::AssignmentsView& view) {
  size_t keys = held_keys(view);
  std::string out;
  out.reserve(4096 + keys * 480);

  out +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\">\n<title>pkm assignments</title>\n<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n<h1>pkm assignments</h1>\n";
  out += "<p class=\"read-at\">Read at ";
  append_time_element(out, view.read_at_unix_ms);
  out += " (UTC)</p>\n";

  out += "<table class=\"summary\">\n<caption>Keys by state</caption>\n";
  append_summary_row(out, "pods holding keys", view.pods.size());
  append_summary_row(out, "assigned", keys);
  append_summary_row(out, "unassigned", view.unassigned);
  append_summary_row(out, "quarantined", view.quarantined);
  append_summary_row(out, "depositing", view.depositing);
  append_summary_row(out, "generated", view.generated);
  append_summary_row(out, "retired", view.retired);
  out += "</table>\n";

  out +=
      "<table class=\"keys\">\n<thead><tr><th>Pod</th><th>Public key</th>"
      "<th>State</th><th>Deposit transaction</th><th>Since (UTC)</th>"
      "</tr></thead>\n<tbody>\n";
  if (keys == 0) {
    out += "<tr><td colspan=\"5\" class=\"none\">No pod holds keys.</td>"
           "</tr>\n";
  }
  for (const auto& pod : view.pods) {
    for (size_t i = 0; i < pod.keys.size(); ++i) {
      const auto& key = pod.keys[i];
      out += "<tr><td>";
      append_html_escaped(out, pod.pod_name);
      if (i == 0 && pod.lease_expires_unix_ms != 0) {
        out += "<span class=\"lease\">lease until ";
        append_time_element(out, pod.lease_expires_unix_ms);
        out += "</span>";
      }
      out += "</td><td><code>";
      append_hex(out, key.public_key);
      out += "</code></td><td class=\"state-";
      const char* state = key_state_name(key.state);
      out += state;
      out += "\">";
      out += state;
      out += "</td><td>";
      if (key.deposit_tx.empty()) {
        out += "<span class=\"none\">none</span>";
      } else {
        out += "<code>";
        append_hex(out, key.deposit_tx);
        out += "</code>";
      }
      out += "</td><td>";
      if (key.since_unix_ms == 0) {
        out += "<span class=\"none\">unknown</span>";
      } else {
        append_time_element(out, key.since_unix_ms);
      }
      out += "</td></tr>\n";
    }
  }
  out += "</tbody>\n</table>\n</body>\n</html>\n";
  return out;
}

}  // namespace pkm::gateway
