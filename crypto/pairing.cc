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

// Tangent at T, scaled by 2 Y Z^2: A = 3 X^3 - 2 Y^2 Z, B = -3 X^2 Z xP,
// C = 2 Y Z^2 yP.
Fp12 multiply_tangent(const Fp12& f, const MillerPair& pair) {
  const Fp2& x = pair.t.x();
  const Fp2& y = pair.t.y();
  const Fp2& z = pair.t.z();
  Fp2 x2 = x.square();
  Fp2 three_x2 = x2.doubled() + x2;
  Fp2 a = three_x2 * x - (y.square() * z).doubled();
  Fp2 b = -(three_x2 * z) * pair.px;
  Fp2 c = (y * z.square()).doubled() * pair.py;
  return f.mul_by_line(a, b, c);
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
    for (MillerPair& pair : active) {
      f = multiply_tangent(f, pair);
      pair.t = pair.t.doubled();
    }
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
