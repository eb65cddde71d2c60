// Fp2 = Fp[u] / (u^2 + 1), the field of G2 coordinates, plus the Fp helpers
// (square roots, constants from hex) that the curve code shares.
#ifndef PKM_CRYPTO_FP2_H_
#define PKM_CRYPTO_FP2_H_

#include <optional>

#include "crypto/montgomery_field.h"

namespace pkm::crypto {

// Parses a big-endian hex constant (optional 0x, at most 96 digits) into Fp.
// For compile-time-known constants only: bad text aborts.
Fp fp_from_hex(const char* hex);

// A square root of `a` if one exists (variable time: for public values).
std::optional<Fp> fp_sqrt_vartime(const Fp& a);

// Whether the canonical integer of `a` exceeds (p - 1) / 2: the sign rule of
// the compressed encodings.
bool fp_is_lexicographically_largest(const Fp& a);

// c0 + c1 * u with u^2 = -1.
struct Fp2 {
  Fp c0;
  Fp c1;

  static Fp2 zero() { return Fp2{}; }
  static Fp2 one() { return Fp2{Fp::one(), Fp::zero()}; }

  Fp2 operator+(const Fp2& o) const { return Fp2{c0 + o.c0, c1 + o.c1}; }
  Fp2 operator-(const Fp2& o) const { return Fp2{c0 - o.c0, c1 - o.c1}; }
  Fp2 operator-() const { return Fp2{-c0, -c1}; }
  Fp2 operator*(const Fp2& o) const {
    Fp v0 = c0 * o.c0;
    Fp v1 = c1 * o.c1;
    return Fp2{v0 - v1, (c0 + c1) * (o.c0 + o.c1) - v0 - v1};
  }
  Fp2 operator*(const Fp& scalar) const {
    return Fp2{c0 * scalar, c1 * scalar};
  }
  Fp2& operator+=(const Fp2& o) { return *this = *this + o; }
  Fp2& operator-=(const Fp2& o) { return *this = *this - o; }
  Fp2& operator*=(const Fp2& o) { return *this = *this * o; }

  Fp2 square() const {
    Fp product = c0 * c1;
    return Fp2{(c0 + c1) * (c0 - c1), product + product};
  }
  Fp2 doubled() const { return Fp2{c0.doubled(), c1.doubled()}; }
  Fp2 halved() const { return Fp2{c0.halved(), c1.halved()}; }
  Fp2 conjugate() const { return Fp2{c0, -c1}; }
  // Multiplies by the non-residue xi = 1 + u that builds Fp6.
  Fp2 mul_by_nonresidue() const { return Fp2{c0 - c1, c0 + c1}; }
  // Inverse through the norm; zero maps to zero.
  Fp2 inverse() const;

  bool is_zero() const { return c0.is_zero() && c1.is_zero(); }
  bool operator==(const Fp2& o) const { return c0 == o.c0 && c1 == o.c1; }
  bool operator!=(const Fp2& o) const { return !(*this == o); }
  void conditional_assign(const Fp2& o, bool condition) {
    c0.conditional_assign(o.c0, condition);
    c1.conditional_assign(o.c1, condition);
  }

  // this^exponent for a public exponent (little-endian limbs).
  template <size_t M>
  Fp2 pow_vartime(const std::array<uint64_t, M>& exponent) const {
    Fp2 result = one();
    for (size_t i = M; i-- > 0;) {
      for (int bit = 63; bit >= 0; --bit) {
        result = result.square();
        if ((exponent[i] >> bit) & 1) result *= *this;
      }
    }
    return result;
  }

  // RFC 9380 sgn0 for Fp2.
  bool sgn0() const;
  // The compressed-encoding sign rule: compare c1, then c0 when c1 is zero.
  bool is_lexicographically_largest() const;
  // Whether a square root exists (variable time).
  bool is_square_vartime() const;
  // A square root if one exists (variable time: for public values).
  std::optional<Fp2> sqrt_vartime() const;
};

}  // namespace pkm::crypto

#endif  // PKM_CRYPTO_FP2_H_
