// An unsigned 256-bit integer for execution-layer amounts: wei values, gas
// prices, fee caps, RLP and ABI integers. Parses and prints decimal text and
// JSON-RPC "quantity" hex (0x-prefixed, no leading zeros, "0x0" for zero);
// arithmetic reports overflow instead of wrapping.
//
// A Uint256 is a plain value: copyable, comparable, safe to share between
// threads when nobody assigns to it.
#ifndef PKM_CHAIN_UINT256_H_
#define PKM_CHAIN_UINT256_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace pkm::chain {

// How strictly Uint256::from_quantity reads hex digits.
enum class QuantityParsing {
  // The JSON-RPC quantity encoding exactly: "0x" followed by hex digits
  // without leading zeros ("0x0" alone for zero).
  kStrict,
  // Also accepts leading zeros ("0x00ff"), as some nodes write them in
  // fields that are not quantities proper.
  kAllowLeadingZeros,
};

class Uint256 {
 public:
  static constexpr size_t kSize = 32;  // bytes

  // Zero.
  constexpr Uint256() = default;

  // The value of `value`; implicit so that small constants read naturally.
  constexpr Uint256(uint64_t value) : limbs_{value, 0, 0, 0} {}  // NOLINT

  // 2^256 - 1.
  static constexpr Uint256 max() {
    Uint256 result;
    result.limbs_ = {~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}, ~uint64_t{0}};
    return result;
  }

  // Parses one or more decimal digits (leading zeros are accepted, as in
  // amounts typed by people). Refuses an empty string, signs, spaces and
  // other characters, and values above 2^256 - 1, with invalid_argument.
  [[nodiscard]] static Result<Uint256> from_decimal(std::string_view text);

  // Parses "0x" followed by 1 to 64 significant hex digits of either case.
  // In kStrict mode a leading zero digit is refused ("0x0" is the only
  // spelling of zero). Refuses a missing prefix, "0x" alone, other
  // characters and values above 2^256 - 1 with invalid_argument.
  [[nodiscard]] static Result<Uint256> from_quantity(
      std::string_view text, QuantityParsing mode = QuantityParsing::kStrict);

  // Reads up to 32 big-endian bytes; leading zero bytes are allowed and the
  // empty view is zero. Refuses longer input with invalid_argument (even
  // when the extra bytes are zeros: callers that need canonical integers
  // check the length themselves).
  [[nodiscard]] static Result<Uint256> from_big_endian(ByteView bytes);

  // Decimal digits without leading zeros ("0" for zero).
  std::string to_decimal() const;

  // JSON-RPC quantity: "0x" + lower-case hex without leading zeros, "0x0"
  // for zero.
  std::string to_quantity() const;

  // Big-endian bytes without leading zeros; empty for zero. This is the
  // integer encoding RLP uses.
  Bytes to_minimal_bytes() const;

  // Big-endian, left-padded to 32 bytes (an ABI uint256 word).
  std::array<uint8_t, kSize> to_bytes32() const;

  bool is_zero() const {
    return (limbs_[0] | limbs_[1] | limbs_[2] | limbs_[3]) == 0;
  }

  // Number of significant bits: 0 for zero, 256 for max().
  size_t bit_length() const;

  // The value as uint64_t; invalid_argument naming `what` when it does not
  // fit ("chain id 2^70 does not fit in 64 bits").
  [[nodiscard]] Result<uint64_t> to_uint64(std::string_view what) const;

  friend bool operator==(const Uint256& a, const Uint256& b) {
    return a.limbs_ == b.limbs_;
  }
  friend bool operator!=(const Uint256& a, const Uint256& b) {
    return !(a == b);
  }
  friend bool operator<(const Uint256& a, const Uint256& b);
  friend bool operator>(const Uint256& a, const Uint256& b) { return b < a; }
  friend bool operator<=(const Uint256& a, const Uint256& b) {
    return !(b < a);
  }
  friend bool operator>=(const Uint256& a, const Uint256& b) {
    return !(a < b);
  }

  // a + b; invalid_argument when the sum exceeds 2^256 - 1.
  friend Result<Uint256> checked_add(const Uint256& a, const Uint256& b);
  // a - b; invalid_argument when b > a.
  friend Result<Uint256> checked_sub(const Uint256& a, const Uint256& b);
  // a * b; invalid_argument when the product exceeds 2^256 - 1.
  friend Result<Uint256> checked_mul(const Uint256& a, const Uint256& b);

 private:
  // Least significant limb first.
  std::array<uint64_t, 4> limbs_{};
};

// Declared again at namespace scope so that calls need not rely on
// argument-dependent lookup alone (Result is [[nodiscard]] in any case).
[[nodiscard]] Result<Uint256> checked_add(const Uint256& a, const Uint256& b);
[[nodiscard]] Result<Uint256> checked_sub(const Uint256& a, const Uint256& b);
[[nodiscard]] Result<Uint256> checked_mul(const Uint256& a, const Uint256& b);

}  // namespace pkm::chain

#endif  // PKM_CHAIN_UINT256_H_
