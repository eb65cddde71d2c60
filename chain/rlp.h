// Recursive Length Prefix (RLP), the serialization of execution-layer
// transactions: encoding of byte strings, unsigned integers and lists, and a
// strict decoder that accepts exactly the canonical encodings. Every input
// that some other encoding could also represent (a single byte below 0x80
// behind a prefix, a long form for a short payload, leading zeros in a
// length or an integer) is refused, so one value has one encoding and
// hashes over decoded data cannot be malleated.
#ifndef PKM_CHAIN_RLP_H_
#define PKM_CHAIN_RLP_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "chain/uint256.h"

namespace pkm::chain {

// Lists nested deeper than this are refused by rlp_decode. Transactions
// need 4 levels (transaction, access list, entry, storage keys).
inline constexpr size_t kMaxRlpDepth = 32;

// One decoded RLP item: a byte string or a list of items. Each item
// remembers where its encoding started in the decoded input, so that later
// checks (a transaction field with a leading zero) can name the offset.
class RlpItem {
 public:
  // A byte string item at `offset`.
  static RlpItem string(Bytes bytes, size_t offset = 0);
  // A list item at `offset`.
  static RlpItem list(std::vector<RlpItem> items, size_t offset = 0);

  bool is_list() const { return is_list_; }
  bool is_string() const { return !is_list_; }

  // The payload of a byte string; empty for a list.
  const Bytes& bytes() const { return bytes_; }
  // The elements of a list; empty for a byte string.
  const std::vector<RlpItem>& items() const { return items_; }
  // Where the item's prefix starts in the input it was decoded from.
  size_t offset() const { return offset_; }

  // The payload of a byte string; invalid_argument naming `what` and the
  // offset when this is a list.
  [[nodiscard]] Result<Bytes> as_bytes(std::string_view what) const;

  // The byte string read as an unsigned big-endian integer in canonical
  // form: empty for zero, otherwise no leading zero byte and at most 32
  // bytes. Refuses lists, a leading zero (including the single byte 0x00)
  // and longer strings with invalid_argument naming `what` and the offset.
  [[nodiscard]] Result<Uint256> as_uint256(std::string_view what) const;

  // Like as_uint256, and refuses values above 2^64 - 1.
  [[nodiscard]] Result<uint64_t> as_uint64(std::string_view what) const;

  // The elements of a list, which must number exactly `count`;
  // invalid_argument naming `what` and the offset otherwise.
  [[nodiscard]] Result<std::vector<RlpItem>> as_list(std::string_view what,
                                                     size_t count) const;

  // Structural equality (offsets are ignored).
  friend bool operator==(const RlpItem& a, const RlpItem& b);
  friend bool operator!=(const RlpItem& a, const RlpItem& b) {
    return !(a == b);
  }

 private:
  bool is_list_ = false;
  Bytes bytes_;
  std::vector<RlpItem> items_;
  size_t offset_ = 0;
};

// The RLP encoding of the byte string `payload`.
Bytes rlp_encode_string(ByteView payload);

// The RLP encoding of an unsigned integer: its minimal big-endian bytes as
// a byte string (zero encodes as the empty string, 0x80).
Bytes rlp_encode_uint(uint64_t value);
Bytes rlp_encode_uint(const Uint256& value);

// The RLP encoding of a list whose elements are already encoded: a list
// prefix followed by their concatenation.
Bytes rlp_encode_list(const std::vector<Bytes>& encoded_items);

// The RLP encoding of a decoded tree; rlp_encode(*rlp_decode(x)) == x for
// every x that rlp_decode accepts.
Bytes rlp_encode(const RlpItem& item);

// Decodes exactly one item spanning all of `input`. Refuses with
// invalid_argument, naming the problem and its byte offset: empty input,
// a prefix or payload running past the end of its enclosing item, a single
// byte below 0x80 encoded with the 0x81 prefix, the long form for a payload
// shorter than 56 bytes, a long-form length with a leading zero byte,
// trailing bytes after the item, and lists nested deeper than kMaxRlpDepth.
[[nodiscard]] Result<RlpItem> rlp_decode(ByteView input);

}  // namespace pkm::chain

#endif  // PKM_CHAIN_RLP_H_
