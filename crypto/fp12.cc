#include "crypto/fp12.h"

#include "crypto/frobenius_constants.h"

namespace pkm::crypto {

Fp12 Fp12::operator*(const Fp12& o) const {
  Fp6 t0 = c0 * o.c0;
  Fp6 t1 = c1 * o.c1;
  return Fp12{t0 + t1.mul_by_v(), (c0 + c1) * (o.c0 + o.c1) - t0 - t1};
}

Fp12 Fp12::square() const {
  Fp6 product = c0 * c1;
  Fp6 r0 = (c0 + c1) * (c0 + c1.mul_by_v()) - product - product.mul_by_v();
  return Fp12{r0, product + product};
}

Fp12 Fp12::cyclotomic_square() const {
  // Granger-Scott: view the element as three Fp4 values
  // (c0.c0, c1.c1), (c1.c0, c0.c2), (c0.c1, c1.c2) over Fp2[s]/(s^2 - xi)
  // and square each.
  auto fp4_square = [](const Fp2& a, const Fp2& b, Fp2* out_a, Fp2* out_b) {
    Fp2 a2 = a.square();
    Fp2 b2 = b.square();
    *out_a = b2.mul_by_nonresidue() + a2;
    *out_b = (a + b).square() - a2 - b2;
  };
  Fp2 t0, t1, t2, t3, t4, t5;
  fp4_square(c0.c0, c1.c1, &t0, &t1);
  fp4_square(c1.c0, c0.c2, &t2, &t3);
  fp4_square(c0.c1, c1.c2, &t4, &t5);

  Fp12 out;
  out.c0.c0 = (t0 - c0.c0).doubled() + t0;
  out.c1.c1 = (t1 + c1.c1).doubled() + t1;
  Fp2 t5_xi = t5.mul_by_nonresidue();
  out.c1.c0 = (t5_xi + c1.c0).doubled() + t5_xi;
  out.c0.c2 = (t4 - c0.c2).doubled() + t4;
  out.c0.c1 = (t2 - c0.c1).doubled() + t2;
  out.c1.c2 = (t3 + c1.c2).doubled() + t3;
  return out;
}

Fp12 Fp12::inverse() const {
  Fp6 t = (c0.square() - c1.square().mul_by_v()).inverse();
  return Fp12{c0 * t, -(c1 * t)};
}

Fp12 Fp12::frobenius() const {
  const Fp2& gamma = frobenius_constants().fp12_c1;
  return Fp12{c0.frobenius(), c1.frobenius() * gamma};
}

Fp12 Fp12::mul_by_line(const Fp2& a, const Fp2& b, const Fp2& c) const {
  // (c0 + c1 w)(L0 + L1 w) with L0 = a + b v and L1 = c v.
  Fp6 t0 = c0.mul_by_01(a, b);
  Fp6 t1 = c1.mul_by_1(c);
  Fp6 r1 = (c0 + c1).mul_by_01(a, b + c) - t0 - t1;
  return Fp12{t0 + t1.mul_by_v(), r1};
}

}  // namespace pkm::crypto
