// G1 of BLS12-381: y^2 = x^3 + 4 over Fp, where validator public keys live.
#ifndef PKM_CRYPTO_G1_H_
#define PKM_CRYPTO_G1_H_

#include <array>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/curve_point.h"
#include "crypto/fp2.h"

namespace pkm::crypto {

struct G1Curve {
  using Field = Fp;
  static Fp b();
  // 12 a, by additions.
  static Fp mul_by_b3(const Fp& a) {
    Fp three = a.doubled() + a;
    return three.doubled().doubled();
  }
};

using G1 = CurvePoint<G1Curve>;

// The standard generator.
const G1& g1_generator();

// [scalar] G for the standard generator G and a secret scalar below 2^256
// (little-endian limbs), in constant time, from a table of [j 16^i] G
// built on first use (about 150 KB).
G1 g1_mul_generator(const std::array<uint64_t, 4>& scalar);

// 48-byte compressed encoding (ZCash format: flags in the top three bits).
std::array<uint8_t, 48> g1_compress(const G1& point);

// Decodes a compressed point with every check: length, flag bits, x < p,
// on the curve, in the r-order subgroup. The identity decodes (callers that
// need a usable key refuse it). Errors are invalid_argument naming the
// failed check.
[[nodiscard]] Result<G1> g1_decompress(ByteView bytes);

// Whether `point` lies in the subgroup of order r.
bool g1_in_subgroup(const G1& point);

}  // namespace pkm::crypto

#endif  // PKM_CRYPTO_G1_H_
