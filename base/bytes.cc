#include "base/bytes.h"

#include <openssl/crypto.h>

namespace pkm {
namespace {

int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string to_hex(ByteView bytes, bool prefix) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size * 2 + 2);
  if (prefix) out += "0x";
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0f];
  }
  return out;
}

Result<Bytes> from_hex(std::string_view text) {
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
    text.remove_prefix(2);
  if (text.size() % 2 != 0) {
    return invalid_argument("hex string has an odd number of digits (" +
                            std::to_string(text.size()) +
                            "); allowed: pairs of hex digits, optional 0x");
  }

  Bytes out(text.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int high = hex_digit_value(text[2 * i]);
    int low = hex_digit_value(text[2 * i + 1]);
    if (high < 0 || low < 0) {
      size_t bad = high < 0 ? 2 * i : 2 * i + 1;
      return invalid_argument("non-hex character at position " +
                              std::to_string(bad) +
                              "; allowed: 0-9, a-f, A-F");
    }
    out[i] = static_cast<uint8_t>(high << 4 | low);
  }
  return out;
}

Result<Bytes> from_hex_exact(std::string_view text, size_t size,
                             std::string_view what) {
  auto bytes = from_hex(text);
  if (!bytes.ok()) {
    return invalid_argument(std::string(what) + ": " + bytes.error().message);
  }
  if (bytes->size() != size) {
    return invalid_argument(std::string(what) + " is " +
                            std::to_string(bytes->size()) +
                            " bytes; expected " + std::to_string(size));
  }
  return bytes;
}

void secure_wipe(void* data, size_t size) {
  if (data != nullptr && size != 0) OPENSSL_cleanse(data, size);
}

bool constant_time_equal(ByteView a, ByteView b) {
  if (a.size != b.size) return false;
  if (a.size == 0) return true;
  return CRYPTO_memcmp(a.data, b.data, a.size) == 0;
}

void SecretBytes::resize(size_t size) {
  if (size < bytes_.size()) {
    secure_wipe(bytes_.data() + size, bytes_.size() - size);
  }
  if (size > bytes_.capacity()) {
    // Grow into a fresh buffer so the old one can be wiped.
    std::vector<uint8_t> grown(size, 0);
    std::copy(bytes_.begin(), bytes_.end(), grown.begin());
    wipe();
    bytes_.swap(grown);
    return;
  }
  bytes_.resize(size, 0);
}

}  // namespace pkm
