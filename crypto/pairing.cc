#include "crypto/pairing.h"

namespace pkm::crypto {
namespace {

// One pair's state in the Miller loop: P and Q in affine form, T = [k] Q.
struct MillerPair {
  Fp px;
  Fp py;
  Fp2 qx;
  Fp2 qy;
  G2 t;
};

// With the twist untwisted as (x w^-2, y w^-3), the line through T (slope
// lambda on the twist) evaluated at P, times w^3 and a factor in Fp2 that
// the final exponentiation removes, is A + B w^2 + C w^3.

// Doubles T and multiplies f by the tangent at T. The tangent, scaled by
// 2 Y Z (an Fp2 factor) and simplified with the curve equation, is
// A = Y^2 - 3 b' Z^2, B = -3 X^2 xP, C = 2 Y Z yP. The doubling uses the
// homogeneous formulas of Costello, Lange and Naehrig (2010) for a = 0.
Fp12 double_and_multiply_tangent(const Fp12& f, MillerPair& pair) {
  const Fp2& x = pair.t.x();
  const Fp2& y = pair.t.y();
  const Fp2& z = pair.t.z();
  Fp2 y2 = y.square();
  Fp2 z2 = z.square();
  Fp2 e = G2Curve::mul_by_b3(z2);              // 3 b' Z^2
  Fp2 nine_b_z2 = e.doubled() + e;             // 9 b' Z^2
  Fp2 two_y_z = (y + z).square() - y2 - z2;    // 2 Y Z
  Fp2 x2 = x.square();

  Fp2 line_a = y2 - e;
  Fp2 line_b = -(x2.doubled() + x2) * pair.px;
  Fp2 line_c = two_y_z * pair.py;

  Fp2 g = (y2 + nine_b_z2).halved();
  Fp2 e2 = e.square();
  pair.t = G2::from_projective((x * y).halved() * (y2 - nine_b_z2),
                               g.square() - e2.doubled() - e2, y2 * two_y_z);
  return f.mul_by_line(line_a, line_b, line_c);
}

// Chord through T and Q, scaled by xQ Z - X: with theta = yQ Z - Y and
// n = xQ Z - X, A = theta xQ - n yQ, B = -theta xP, C = n yP.
Fp12 multiply_chord(const Fp12& f, const MillerPair& pair) {
  const G2& t = pair.t;
  Fp2 theta = pair.qy * t.z() - t.y();
  Fp2 n = pair.qx * t.z() - t.x();
  Fp2 a = theta * pair.qx - n * pair.qy;
  Fp2 b = -theta * pair.px;
  Fp2 c = n * pair.py;
  return f.mul_by_line(a, b, c);
}

// g^x for g in the cyclotomic subgroup (x is negative: conjugate).
Fp12 cyclotomic_pow_x(const Fp12& g) {
  Fp12 result = g;
  for (int bit = 62; bit >= 0; --bit) {
    result = result.cyclotomic_square();
    if ((kBlsXAbs >> bit) & 1) result *= g;
  }
  return result.conjugate();
}

}  // namespace

Fp12 miller_loop(const std::vector<std::pair<G1, G2>>& pairs) {
  std::vector<MillerPair> active;
  active.reserve(pairs.size());
  for (const auto& [p, q] : pairs) {
    if (p.is_identity() || q.is_identity()) continue;
    MillerPair pair;
    p.to_affine(&pair.px, &pair.py);
    q.to_affine(&pair.qx, &pair.qy);
    pair.t = G2::from_affine(pair.qx, pair.qy);
    active.push_back(pair);
  }

  // Walk the bits of |x| below the leading one.
  Fp12 f = Fp12::one();
  for (int bit = 62; bit >= 0; --bit) {
    f = f.square();
    for (MillerPair& pair : active) f = double_and_multiply_tangent(f, pair);
    if (((kBlsXAbs >> bit) & 1) == 0) continue;
    for (MillerPair& pair : active) {
      f = multiply_chord(f, pair);
      pair.t = pair.t + G2::from_affine(pair.qx, pair.qy);
    }
  }
  // x < 0: f_{x,Q} equals 1 / f_{|x|,Q} up to factors the final
  // exponentiation removes, and inversion there is conjugation.
  return f.conjugate();
}

Fp12 final_exponentiation(const Fp12& f) {
  // Easy part: f^((p^6 - 1)(p^2 + 1)) lands in the cyclotomic subgroup.
  Fp12 g = f.conjugate() * f.inverse();
  g = g.frobenius().frobenius() * g;

  // Hard part, times 3:
  // 3 (p^4 - p^2 + 1) / r = (x - 1)^2 (x + p) (x^2 + p^2 - 1) + 3.
  Fp12 a = cyclotomic_pow_x(g) * g.conjugate();
  a = cyclotomic_pow_x(a) * a.conjugate();
  Fp12 b = cyclotomic_pow_x(a) * a.frobenius();
  Fp12 c = cyclotomic_pow_x(cyclotomic_pow_x(b)) *
           b.frobenius().frobenius() * b.conjugate();
  return c * g.cyclotomic_square() * g;
}

Fp12 pairing(const G1& p, const G2& q) {
  return final_exponentiation(miller_loop({{p, q}}));
}

bool pairing_product_is_one(const std::vector<std::pair<G1, G2>>& pairs) {
  return final_exponentiation(miller_loop(pairs)).is_one();
}

}  // namespace pkm::crypto
