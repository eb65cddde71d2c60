// Fp12 = Fp6[w] / (w^2 - v): the target group of the pairing lives here.
#ifndef PKM_CRYPTO_FP12_H_
#define PKM_CRYPTO_FP12_H_

#include "crypto/fp6.h"

namespace pkm::crypto {

// c0 + c1 w.
struct Fp12 {
  Fp6 c0;
  Fp6 c1;

  static Fp12 one() { return Fp12{Fp6::one(), Fp6::zero()}; }

  Fp12 operator*(const Fp12& o) const;
  Fp12& operator*=(const Fp12& o) { return *this = *this * o; }
  Fp12 square() const;
  // Squaring for elements of the cyclotomic subgroup (after the easy part
  // of the final exponentiation), about twice as fast as square().
  Fp12 cyclotomic_square() const;
  Fp12 conjugate() const { return Fp12{c0, -c1}; }
  Fp12 inverse() const;
  Fp12 frobenius() const;

  // Multiplies by a line value a + b w^2 + c w^3 = (a, b, 0) + (0, c, 0) w.
  Fp12 mul_by_line(const Fp2& a, const Fp2& b, const Fp2& c) const;

  bool operator==(const Fp12& o) const { return c0 == o.c0 && c1 == o.c1; }
  bool is_one() const { return *this == one(); }
};

}  // namespace pkm::crypto

#endif  // PKM_CRYPTO_FP12_H_
