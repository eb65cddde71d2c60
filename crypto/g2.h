// G2 of BLS12-381: the sextic twist y^2 = x^3 + 4 (1 + u) over Fp2, where
// signatures and hashed messages live.
#ifndef PKM_CRYPTO_G2_H_
#define PKM_CRYPTO_G2_H_

#include <array>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/curve_point.h"
#include "crypto/fp2.h"

namespace pkm::crypto {

struct G2Curve {
  using Field = Fp2;
  static Fp2 b();
  // a 12 (1 + u), by additions.
  static Fp2 mul_by_b3(const Fp2& a) {
    Fp2 three = a.doubled() + a;
    return three.doubled().doubled().mul_by_nonresidue();
  }
};

using G2 = CurvePoint<G2Curve>;

// The standard generator.
const G2& g2_generator();

// 96-byte compressed encoding: flags, then x.c1 and x.c0, 48 bytes each.
std::array<uint8_t, 96> g2_compress(const G2& point);

// Decodes a compressed point with every check: length, flag bits, both
// coordinates < p, on the curve, in the r-order subgroup. The identity
// decodes. Errors are invalid_argument naming the failed check.
[[nodiscard]] Result<G2> g2_decompress(ByteView bytes);

// The untwist-Frobenius-twist endomorphism psi.
G2 g2_psi(const G2& point);

// Whether `point` lies in the subgroup of order r (psi(P) == [x] P, which
// characterises G2 on BLS12-381).
bool g2_in_subgroup(const G2& point);

// [scalar] point for a point of G2 and a secret scalar below r
// (little-endian limbs), in constant time. Uses psi = [x] on G2 to split
// the scalar into four 64-bit digits in base |x|, so it needs 64 doublings
// instead of 256. Points outside G2 give wrong results.
G2 g2_mul_in_subgroup(const G2& point, const std::array<uint64_t, 4>& scalar);

// Multiplies by the effective cofactor h_eff of RFC 9380 (section 8.8.2),
// mapping any point of the twist into G2.
G2 g2_clear_cofactor(const G2& point);

// The BLS parameter x = -0xd201000000010000 as its absolute value.
inline constexpr uint64_t kBlsXAbs = 0xd201000000010000;

}  // namespace pkm::crypto

#endif  // PKM_CRYPTO_G2_H_
