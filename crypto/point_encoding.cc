#include "crypto/point_encoding.h"

#include <cstring>
#include <string>

namespace pkm::crypto {
namespace {

constexpr uint8_t kCompressedBit = 0x80;
constexpr uint8_t kInfinityBit = 0x40;
constexpr uint8_t kSignBit = 0x20;
constexpr uint8_t kFlagMask = 0xe0;

}  // namespace

Result<PointFlags> read_point_flags(ByteView bytes, size_t expected_size,
                                    const char* what) {
  if (bytes.size != expected_size) {
    return invalid_argument(std::string(what) + " is " +
                            std::to_string(bytes.size) + " bytes; expected " +
                            std::to_string(expected_size) +
                            " (compressed encoding)");
  }
  uint8_t first = bytes[0];
  if ((first & kCompressedBit) == 0) {
    return invalid_argument(std::string(what) +
                            " lacks the compression flag (0x80); allowed: "
                            "compressed encodings only");
  }

  PointFlags flags;
  flags.infinity = (first & kInfinityBit) != 0;
  flags.sign = (first & kSignBit) != 0;
  if (!flags.infinity) return flags;

  bool rest_zero = (first & ~kFlagMask) == 0 && !flags.sign;
  for (size_t i = 1; i < bytes.size; ++i) rest_zero &= bytes[i] == 0;
  if (!rest_zero) {
    return invalid_argument(std::string(what) +
                            " has the infinity flag but other bits set; "
                            "allowed: 0xc0 followed by zero bytes");
  }
  return flags;
}

void write_point_flags(uint8_t* bytes, size_t size, PointFlags flags) {
  if (flags.infinity) std::memset(bytes, 0, size);
  bytes[0] |= kCompressedBit;
  if (flags.infinity) bytes[0] |= kInfinityBit;
  if (flags.sign) bytes[0] |= kSignBit;
}

void copy_coordinate_without_flags(const uint8_t* in, uint8_t out[48]) {
  std::memcpy(out, in, 48);
  out[0] &= static_cast<uint8_t>(~kFlagMask);
}

}  // namespace pkm::crypto
