#include "chain/uint256.h"

#include <algorithm>

namespace pkm::chain {
namespace {

__extension__ typedef unsigned __int128 Uint128;

constexpr size_t kLimbs = 4;
constexpr size_t kMaxHexDigits = 64;

int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Divides `limbs` in place by `divisor` (non-zero) and returns the
// remainder.
uint64_t divide_in_place(std::array<uint64_t, kLimbs>& limbs,
                         uint64_t divisor) {
  Uint128 remainder = 0;
  for (size_t i = kLimbs; i-- > 0;) {
    Uint128 current = (remainder << 64) | limbs[i];
    limbs[i] = static_cast<uint64_t>(current / divisor);
    remainder = current % divisor;
  }
  return static_cast<uint64_t>(remainder);
}

}  // namespace

Result<Uint256> Uint256::from_decimal(std::string_view text) {
  if (text.empty()) {
    return invalid_argument(
        "decimal integer is empty; allowed: one or more digits 0-9");
  }

  Uint256 result;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c < '0' || c > '9') {
      return invalid_argument("decimal integer has a non-digit at position " +
                              std::to_string(i) + "; allowed: digits 0-9");
    }

    // result = result * 10 + digit, watching the carry out of the top limb.
    uint64_t carry = static_cast<uint64_t>(c - '0');
    for (uint64_t& limb : result.limbs_) {
      Uint128 product = static_cast<Uint128>(limb) * 10 + carry;
      limb = static_cast<uint64_t>(product);
      carry = static_cast<uint64_t>(product >> 64);
    }
    if (carry != 0) {
      return invalid_argument(
          "decimal integer exceeds 2^256 - 1; allowed: 0 to "
          "115792089237316195423570985008687907853269984665640564039457584007"
          "913129639935");
    }
  }
  return result;
}

Result<Uint256> Uint256::from_quantity(std::string_view text,
                                       QuantityParsing mode) {
  if (text.size() < 2 || text[0] != '0' || text[1] != 'x') {
    return invalid_argument(
        "quantity does not start with 0x; allowed: 0x followed by hex digits");
  }
  std::string_view digits = text.substr(2);
  if (digits.empty()) {
    return invalid_argument(
        "quantity has no digits after 0x; allowed: 0x0 for zero");
  }
  if (mode == QuantityParsing::kStrict && digits.size() > 1 &&
      digits[0] == '0') {
    return invalid_argument(
        "quantity has a leading zero digit; allowed: no leading zeros (0x0 "
        "for zero)");
  }

  // Skip leading zeros (only possible when allowed, or for "0x0").
  size_t first = 0;
  while (first + 1 < digits.size() && digits[first] == '0') ++first;
  std::string_view significant = digits.substr(first);

  for (size_t i = 0; i < digits.size(); ++i) {
    if (hex_digit_value(digits[i]) < 0) {
      return invalid_argument("quantity has a non-hex character at position " +
                              std::to_string(i + 2) +
                              "; allowed: 0-9, a-f, A-F");
    }
  }
  if (significant.size() > kMaxHexDigits) {
    return invalid_argument("quantity has " +
                            std::to_string(significant.size()) +
                            " significant hex digits; allowed: at most 64 "
                            "(values up to 2^256 - 1)");
  }

  Uint256 result;
  size_t bit = 0;
  for (size_t i = significant.size(); i-- > 0; bit += 4) {
    uint64_t value = static_cast<uint64_t>(hex_digit_value(significant[i]));
    result.limbs_[bit / 64] |= value << (bit % 64);
  }
  return result;
}

Result<Uint256> Uint256::from_big_endian(ByteView bytes) {
  if (bytes.size > kSize) {
    return invalid_argument("big-endian integer is " +
                            std::to_string(bytes.size) +
                            " bytes long; allowed: at most 32");
  }

  Uint256 result;
  for (size_t i = 0; i < bytes.size; ++i) {
    size_t bit = 8 * (bytes.size - 1 - i);
    result.limbs_[bit / 64] |= static_cast<uint64_t>(bytes[i]) << (bit % 64);
  }
  return result;
}

std::string Uint256::to_decimal() const {
  if (is_zero()) return "0";

  // Peel off 19 decimal digits at a time (10^19 < 2^64).
  constexpr uint64_t kChunk = 10'000'000'000'000'000'000ULL;
  std::array<uint64_t, kLimbs> rest = limbs_;
  std::string reversed;
  while (std::any_of(rest.begin(), rest.end(),
                     [](uint64_t limb) { return limb != 0; })) {
    uint64_t chunk = divide_in_place(rest, kChunk);
    bool last = std::all_of(rest.begin(), rest.end(),
                            [](uint64_t limb) { return limb == 0; });
    for (int digit = 0; digit < 19 && (!last || chunk != 0); ++digit) {
      reversed.push_back(static_cast<char>('0' + chunk % 10));
      chunk /= 10;
    }
  }
  return std::string(reversed.rbegin(), reversed.rend());
}

std::string Uint256::to_quantity() const {
  if (is_zero()) return "0x0";

  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text = "0x";
  bool started = false;
  for (size_t bit = 256; bit > 0;) {
    bit -= 4;
    unsigned nibble =
        static_cast<unsigned>((limbs_[bit / 64] >> (bit % 64)) & 0xf);
    if (nibble == 0 && !started) continue;
    started = true;
    text.push_back(kDigits[nibble]);
  }
  return text;
}

Bytes Uint256::to_minimal_bytes() const {
  std::array<uint8_t, kSize> full = to_bytes32();
  auto first = std::find_if(full.begin(), full.end(),
                            [](uint8_t byte) { return byte != 0; });
  return Bytes(first, full.end());
}

std::array<uint8_t, Uint256::kSize> Uint256::to_bytes32() const {
  std::array<uint8_t, kSize> out{};
  for (size_t i = 0; i < kSize; ++i) {
    size_t bit = 8 * (kSize - 1 - i);
    out[i] = static_cast<uint8_t>(limbs_[bit / 64] >> (bit % 64));
  }
  return out;
}

size_t Uint256::bit_length() const {
  for (size_t i = kLimbs; i-- > 0;) {
    if (limbs_[i] == 0) continue;
    size_t bits = 64 * i;
    for (uint64_t limb = limbs_[i]; limb != 0; limb >>= 1) ++bits;
    return bits;
  }
  return 0;
}

Result<uint64_t> Uint256::to_uint64(std::string_view what) const {
  if (limbs_[1] != 0 || limbs_[2] != 0 || limbs_[3] != 0) {
    return invalid_argument(std::string(what) + " " + to_decimal() +
                            " does not fit in 64 bits; allowed: at most "
                            "18446744073709551615");
  }
  return limbs_[0];
}

bool operator<(const Uint256& a, const Uint256& b) {
  for (size_t i = kLimbs; i-- > 0;) {
    if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] < b.limbs_[i];
  }
  return false;
}

Result<Uint256> checked_add(const Uint256& a, const Uint256& b) {
  Uint256 sum;
  uint64_t carry = 0;
  for (size_t i = 0; i < kLimbs; ++i) {
    Uint128 total = static_cast<Uint128>(a.limbs_[i]) + b.limbs_[i] + carry;
    sum.limbs_[i] = static_cast<uint64_t>(total);
    carry = static_cast<uint64_t>(total >> 64);
  }
  if (carry != 0) {
    return invalid_argument(
        "sum exceeds 2^256 - 1; allowed: results that "
        "fit in 256 bits");
  }
  return sum;
}

Result<Uint256> checked_sub(const Uint256& a, const Uint256& b) {
  if (a < b) {
    return invalid_argument("difference is negative (subtrahend " +
                            b.to_decimal() + " exceeds minuend " +
                            a.to_decimal() + "); allowed: results >= 0");
  }

  Uint256 difference;
  uint64_t borrow = 0;
  for (size_t i = 0; i < kLimbs; ++i) {
    uint64_t ai = a.limbs_[i];
    uint64_t bi = b.limbs_[i];
    difference.limbs_[i] = ai - bi - borrow;
    borrow = (ai < bi || (ai == bi && borrow != 0)) ? 1 : 0;
  }
  return difference;
}

Result<Uint256> checked_mul(const Uint256& a, const Uint256& b) {
  // Schoolbook multiplication into 8 limbs; any non-zero limb above the
  // fourth is overflow.
  std::array<uint64_t, 2 * kLimbs> product{};
  for (size_t i = 0; i < kLimbs; ++i) {
    uint64_t carry = 0;
    for (size_t j = 0; j < kLimbs; ++j) {
      Uint128 term = static_cast<Uint128>(a.limbs_[i]) * b.limbs_[j] +
                     product[i + j] + carry;
      product[i + j] = static_cast<uint64_t>(term);
      carry = static_cast<uint64_t>(term >> 64);
    }
    product[i + kLimbs] = carry;
  }
  for (size_t i = kLimbs; i < 2 * kLimbs; ++i) {
    if (product[i] != 0) {
      return invalid_argument(
          "product exceeds 2^256 - 1; allowed: results "
          "that fit in 256 bits");
    }
  }

  Uint256 result;
  std::copy(product.begin(), product.begin() + kLimbs, result.limbs_.begin());
  return result;
}

}  // namespace pkm::chain
