// Flag bits shared by the compressed G1 and G2 encodings: the top three bits
// of the first byte are compression (0x80), infinity (0x40) and sign (0x20).
#ifndef PKM_CRYPTO_POINT_ENCODING_H_
#define PKM_CRYPTO_POINT_ENCODING_H_

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "base/result.h"

namespace pkm::crypto {

struct PointFlags {
  bool infinity = false;
  bool sign = false;
};

// Checks the length and flags of a compressed encoding of `expected_size`
// bytes. `what` names the object in errors ("G1 point"). Refuses
// uncompressed encodings, and an infinity encoding with any other bit set.
[[nodiscard]] Result<PointFlags> read_point_flags(ByteView bytes,
                                                  size_t expected_size,
                                                  const char* what);

// Sets the flag bits on an encoding whose coordinate bytes are written.
void write_point_flags(uint8_t* bytes, size_t size, PointFlags flags);

// Copies 48 big-endian bytes of an Fp coordinate with the flag bits
// cleared.
void copy_coordinate_without_flags(const uint8_t* in, uint8_t out[48]);

}  // namespace pkm::crypto

#endif  // PKM_CRYPTO_POINT_ENCODING_H_
