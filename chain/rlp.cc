#include "chain/rlp.h"

#include <string>
#include <utility>

namespace pkm::chain {
namespace {

constexpr uint8_t kShortStringBase = 0x80;
constexpr uint8_t kLongStringBase = 0xb7;  // + length of the length
constexpr uint8_t kShortListBase = 0xc0;
constexpr uint8_t kLongListBase = 0xf7;    // + length of the length
constexpr size_t kShortPayloadLimit = 56;  // payloads below use short forms

// Big-endian bytes of `value` without leading zeros (empty for zero).
Bytes minimal_big_endian(uint64_t value) {
  Bytes out;
  for (int shift = 56; shift >= 0; shift -= 8) {
    uint8_t byte = static_cast<uint8_t>(value >> shift);
    if (byte == 0 && out.empty()) continue;
    out.push_back(byte);
  }
  return out;
}

// The prefix for a payload of `length` bytes; `short_base` is 0x80 for
// strings and 0xc0 for lists (long bases are 55 above).
Bytes prefix_for(size_t length, uint8_t short_base) {
  if (length < kShortPayloadLimit) {
    return Bytes{static_cast<uint8_t>(short_base + length)};
  }
  Bytes length_bytes = minimal_big_endian(length);
  Bytes prefix{static_cast<uint8_t>(short_base + kShortPayloadLimit - 1 +
                                    length_bytes.size())};
  prefix.insert(prefix.end(), length_bytes.begin(), length_bytes.end());
  return prefix;
}

Error error_at(size_t offset, const std::string& problem) {
  return invalid_argument("RLP at offset " + std::to_string(offset) + ": " +
                          problem);
}

std::string hex_byte(uint8_t byte) {
  static constexpr char kDigits[] = "0123456789abcdef";
  return std::string("0x") + kDigits[byte >> 4] + kDigits[byte & 0xf];
}

// The header of one item: where its payload lies and what it is.
struct Header {
  bool is_list = false;
  size_t payload_offset = 0;
  size_t payload_length = 0;
};

// Reads the header of the item at `offset`, which must end by `end` (the
// end of the enclosing list's payload, or of the input). `enclosing` names
// that limit for messages.
Result<Header> read_header(ByteView input, size_t offset, size_t end,
                           const char* enclosing) {
  uint8_t first = input[offset];
  Header header;

  // A single byte below 0x80 is its own encoding.
  if (first < kShortStringBase) {
    header.payload_offset = offset;
    header.payload_length = 1;
    return header;
  }

  header.is_list = first >= kShortListBase;
  const char* kind = header.is_list ? "list" : "string";
  uint8_t short_base = header.is_list ? kShortListBase : kShortStringBase;
  uint8_t long_base = header.is_list ? kLongListBase : kLongStringBase;

  if (first <= long_base) {
    header.payload_offset = offset + 1;
    header.payload_length = first - short_base;
  } else {
    size_t length_of_length = first - long_base;
    if (length_of_length > end - offset - 1) {
      return error_at(offset, std::string(kind) + " prefix " + hex_byte(first) +
                                  " announces a " +
                                  std::to_string(length_of_length) +
                                  "-byte length, which runs past the end "
                                  "of the " +
                                  enclosing);
    }
    if (input[offset + 1] == 0) {
      return error_at(offset, std::string(kind) +
                                  " length has a leading zero byte; allowed: "
                                  "minimal big-endian lengths");
    }
    uint64_t length = 0;
    for (size_t i = 0; i < length_of_length; ++i) {
      length = (length << 8) | input[offset + 1 + i];
    }
    if (length < kShortPayloadLimit) {
      return error_at(offset, std::string(kind) + " of " +
                                  std::to_string(length) +
                                  " bytes uses the long form; allowed: the "
                                  "long form only for 56 bytes or more");
    }
    header.payload_offset = offset + 1 + length_of_length;
    if (length > end - header.payload_offset) {
      return error_at(
          offset, std::string(kind) + " of " + std::to_string(length) +
                      " bytes runs past the end of the " + enclosing + " (" +
                      std::to_string(end - header.payload_offset) +
                      " bytes left)");
    }
    header.payload_length = static_cast<size_t>(length);
    return header;
  }

  if (header.payload_length > end - header.payload_offset) {
    return error_at(
        offset,
        std::string(kind) + " of " + std::to_string(header.payload_length) +
            " bytes runs past the end of the " + enclosing + " (" +
            std::to_string(end - header.payload_offset) + " bytes left)");
  }
  if (!header.is_list && header.payload_length == 1 &&
      input[header.payload_offset] < kShortStringBase) {
    return error_at(offset, "single byte " +
                                hex_byte(input[header.payload_offset]) +
                                " behind the prefix 0x81; allowed: a byte "
                                "below 0x80 encodes as itself");
  }
  return header;
}

// Decodes the item at `offset` (which is below `end`), at list nesting
// `depth` (the top-level item has depth 0), and sets `next` to the offset
// after it.
Result<RlpItem> decode_item(ByteView input, size_t offset, size_t end,
                            size_t depth, const char* enclosing, size_t& next) {
  Result<Header> header = read_header(input, offset, end, enclosing);
  if (!header.ok()) return header.error();
  size_t payload_end = header->payload_offset + header->payload_length;
  next = payload_end;

  if (!header->is_list) {
    return RlpItem::string(Bytes(input.begin() + header->payload_offset,
                                 input.begin() + payload_end),
                           offset);
  }

  if (depth + 1 > kMaxRlpDepth) {
    return error_at(offset, "lists nested more than " +
                                std::to_string(kMaxRlpDepth) +
                                " deep; allowed: at most " +
                                std::to_string(kMaxRlpDepth) + " levels");
  }
  std::vector<RlpItem> items;
  size_t position = header->payload_offset;
  while (position < payload_end) {
    size_t after = 0;
    Result<RlpItem> item = decode_item(input, position, payload_end, depth + 1,
                                       "enclosing list", after);
    if (!item.ok()) return item.error();
    items.push_back(std::move(item).value());
    position = after;
  }
  return RlpItem::list(std::move(items), offset);
}

}  // namespace

RlpItem RlpItem::string(Bytes bytes, size_t offset) {
  RlpItem item;
  item.bytes_ = std::move(bytes);
  item.offset_ = offset;
  return item;
}

RlpItem RlpItem::list(std::vector<RlpItem> items, size_t offset) {
  RlpItem item;
  item.is_list_ = true;
  item.items_ = std::move(items);
  item.offset_ = offset;
  return item;
}

Result<Bytes> RlpItem::as_bytes(std::string_view what) const {
  if (is_list_) {
    return error_at(offset_,
                    std::string(what) + " is a list; allowed: a byte string");
  }
  return bytes_;
}

Result<Uint256> RlpItem::as_uint256(std::string_view what) const {
  if (is_list_) {
    return error_at(offset_, std::string(what) +
                                 " is a list; allowed: an integer (byte "
                                 "string)");
  }
  if (!bytes_.empty() && bytes_[0] == 0) {
    return error_at(offset_, std::string(what) +
                                 " has a leading zero byte; allowed: minimal "
                                 "big-endian integers (zero is 0x80)");
  }
  if (bytes_.size() > Uint256::kSize) {
    return error_at(offset_, std::string(what) + " is " +
                                 std::to_string(bytes_.size()) +
                                 " bytes long; allowed: at most 32");
  }
  return Uint256::from_big_endian(bytes_);
}

Result<uint64_t> RlpItem::as_uint64(std::string_view what) const {
  Result<Uint256> value = as_uint256(what);
  if (!value.ok()) return value.error();
  if (value->bit_length() > 64) {
    return error_at(offset_, std::string(what) + " " + value->to_decimal() +
                                 " does not fit in 64 bits; allowed: at "
                                 "most 2^64 - 1");
  }
  return value->to_uint64(what);
}

Result<std::vector<RlpItem>> RlpItem::as_list(std::string_view what,
                                              size_t count) const {
  if (!is_list_) {
    return error_at(offset_,
                    std::string(what) + " is a byte string; allowed: a list");
  }
  if (items_.size() != count) {
    return error_at(
        offset_, std::string(what) + " has " + std::to_string(items_.size()) +
                     " elements; allowed: exactly " + std::to_string(count));
  }
  return items_;
}

bool operator==(const RlpItem& a, const RlpItem& b) {
  return a.is_list_ == b.is_list_ && a.bytes_ == b.bytes_ &&
         a.items_ == b.items_;
}

Bytes rlp_encode_string(ByteView payload) {
  if (payload.size == 1 && payload[0] < kShortStringBase) {
    return Bytes{payload[0]};
  }
  Bytes out = prefix_for(payload.size, kShortStringBase);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

Bytes rlp_encode_uint(uint64_t value) {
  return rlp_encode_string(minimal_big_endian(value));
}

Bytes rlp_encode_uint(const Uint256& value) {
  return rlp_encode_string(value.to_minimal_bytes());
}

Bytes rlp_encode_list(const std::vector<Bytes>& encoded_items) {
  size_t length = 0;
  for (const Bytes& item : encoded_items) length += item.size();

  Bytes out = prefix_for(length, kShortListBase);
  out.reserve(out.size() + length);
  for (const Bytes& item : encoded_items) {
    out.insert(out.end(), item.begin(), item.end());
  }
  return out;
}

Bytes rlp_encode(const RlpItem& item) {
  if (item.is_string()) return rlp_encode_string(item.bytes());

  std::vector<Bytes> encoded;
  encoded.reserve(item.items().size());
  for (const RlpItem& element : item.items()) {
    encoded.push_back(rlp_encode(element));
  }
  return rlp_encode_list(encoded);
}

Result<RlpItem> rlp_decode(ByteView input) {
  if (input.empty()) {
    return error_at(0, "input is empty; allowed: exactly one item");
  }

  size_t next = 0;
  Result<RlpItem> item = decode_item(input, 0, input.size, 0, "input", next);
  if (!item.ok()) return item.error();
  if (next != input.size) {
    return error_at(next, std::to_string(input.size - next) +
                              " trailing byte(s) after the item; allowed: "
                              "exactly one item");
  }
  return item;
}

}  // namespace pkm::chain
