#include "crypto/fp6.h"

#include "crypto/frobenius_constants.h"

namespace pkm::crypto {

Fp6 Fp6::operator*(const Fp6& o) const {
  // Karatsuba over three coefficients, reducing v^3 = xi.
  Fp2 t0 = c0 * o.c0;
  Fp2 t1 = c1 * o.c1;
  Fp2 t2 = c2 * o.c2;
  Fp2 r0 = ((c1 + c2) * (o.c1 + o.c2) - t1 - t2).mul_by_nonresidue() + t0;
  Fp2 r1 = (c0 + c1) * (o.c0 + o.c1) - t0 - t1 + t2.mul_by_nonresidue();
  Fp2 r2 = (c0 + c2) * (o.c0 + o.c2) - t0 - t2 + t1;
  return Fp6{r0, r1, r2};
}

Fp6 Fp6::mul_by_01(const Fp2& b0, const Fp2& b1) const {
  Fp2 t0 = c0 * b0;
  Fp2 t1 = c1 * b1;
  Fp2 r0 = ((c1 + c2) * b1 - t1).mul_by_nonresidue() + t0;
  Fp2 r1 = (c0 + c1) * (b0 + b1) - t0 - t1;
  Fp2 r2 = (c0 + c2) * b0 - t0 + t1;
  return Fp6{r0, r1, r2};
}

Fp6 Fp6::mul_by_1(const Fp2& b1) const {
  return Fp6{(c2 * b1).mul_by_nonresidue(), c0 * b1, c1 * b1};
}

Fp6 Fp6::inverse() const {
  Fp2 a = c0.square() - (c1 * c2).mul_by_nonresidue();
  Fp2 b = c2.square().mul_by_nonresidue() - c0 * c1;
  Fp2 c = c1.square() - c0 * c2;
  Fp2 f = c0 * a + (c2 * b + c1 * c).mul_by_nonresidue();
  Fp2 f_inverse = f.inverse();
  return Fp6{a * f_inverse, b * f_inverse, c * f_inverse};
}

Fp6 Fp6::frobenius() const {
  const FrobeniusConstants& k = frobenius_constants();
  return Fp6{c0.conjugate(), c1.conjugate() * k.fp6_c1,
             c2.conjugate() * k.fp6_c2};
}

}  // namespace pkm::crypto
