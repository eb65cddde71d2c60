// Fp6 = Fp2[v] / (v^3 - xi), xi = 1 + u: the middle of the pairing tower.
#ifndef PKM_CRYPTO_FP6_H_
#define PKM_CRYPTO_FP6_H_

#include "crypto/fp2.h"

namespace pkm::crypto {

// c0 + c1 v + c2 v^2.
struct Fp6 {
  Fp2 c0;
  Fp2 c1;
  Fp2 c2;

  static Fp6 zero() { return Fp6{}; }
  static Fp6 one() { return Fp6{Fp2::one(), Fp2::zero(), Fp2::zero()}; }

  Fp6 operator+(const Fp6& o) const {
    return Fp6{c0 + o.c0, c1 + o.c1, c2 + o.c2};
  }
  Fp6 operator-(const Fp6& o) const {
    return Fp6{c0 - o.c0, c1 - o.c1, c2 - o.c2};
  }
  Fp6 operator-() const { return Fp6{-c0, -c1, -c2}; }
  Fp6 operator*(const Fp6& o) const;
  Fp6 operator*(const Fp2& scalar) const {
    return Fp6{c0 * scalar, c1 * scalar, c2 * scalar};
  }
  Fp6 square() const { return *this * *this; }

  // Multiplies by v: (c0, c1, c2) -> (xi c2, c0, c1).
  Fp6 mul_by_v() const { return Fp6{c2.mul_by_nonresidue(), c0, c1}; }
  // Multiplies by b0 + b1 v (the sparse factor of a line).
  Fp6 mul_by_01(const Fp2& b0, const Fp2& b1) const;
  // Multiplies by b1 v.
  Fp6 mul_by_1(const Fp2& b1) const;

  Fp6 inverse() const;
  Fp6 frobenius() const;

  bool is_zero() const { return c0.is_zero() && c1.is_zero() && c2.is_zero(); }
  bool operator==(const Fp6& o) const {
    return c0 == o.c0 && c1 == o.c1 && c2 == o.c2;
  }
};

}  // namespace pkm::crypto

#endif  // PKM_CRYPTO_FP6_H_
