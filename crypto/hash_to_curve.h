// Hashing to G2 per RFC 9380, suite BLS12381G2_XMD:SHA-256_SSWU_RO_:
// expand_message_xmd with SHA-256, hash_to_field into Fp2, simplified SWU on
// the 3-isogenous curve, the isogeny map and cofactor clearing. Messages are
// public, so these functions may run in variable time.
#ifndef PKM_CRYPTO_HASH_TO_CURVE_H_
#define PKM_CRYPTO_HASH_TO_CURVE_H_

#include <array>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/g2.h"

namespace pkm::crypto {

// expand_message_xmd with SHA-256. Refuses an output longer than 8160
// bytes or 65535, and an empty DST; a DST above 255 bytes is first hashed
// as the RFC prescribes.
[[nodiscard]] Result<Bytes> expand_message_xmd(ByteView message, ByteView dst,
                                               size_t length);

// hash_to_field with count 2: the two Fp2 elements u0, u1. Refuses an empty
// DST.
[[nodiscard]] Result<std::array<Fp2, 2>> hash_to_field_fp2(ByteView message,
                                                           ByteView dst);

// map_to_curve: simplified SWU on E' followed by the 3-isogeny to E2. The
// result is on the curve but not yet in G2.
G2 map_to_curve_g2(const Fp2& u);

// hash_to_curve: the full random-oracle map into G2.
[[nodiscard]] Result<G2> hash_to_g2(ByteView message, ByteView dst);

}  // namespace pkm::crypto

#endif  // PKM_CRYPTO_HASH_TO_CURVE_H_
