#include "crypto/fp2.h"

#include <cstdlib>
#include <cstring>

namespace pkm::crypto {
namespace {

using FpLimbs = Fp::Limbs;

// (p + 1) / 4, (p - 1) / 2 and (p - 3) / 4 as little-endian limbs.
constexpr FpLimbs kSqrtExponent = {
    0xee7fbfffffffeaab, 0x07aaffffac54ffff, 0xd9cc34a83dac3d89,
    0xd91dd2e13ce144af, 0x92c6e9ed90d2eb35, 0x0680447a8e5ff9a6};
constexpr FpLimbs kHalfPMinusOne = {
    0xdcff7fffffffd555, 0x0f55ffff58a9ffff, 0xb39869507b587b12,
    0xb23ba5c279c2895f, 0x258dd3db21a5d66b, 0x0d0088f51cbff34d};
constexpr FpLimbs kPMinus3Over4 = {
    0xee7fbfffffffeaaa, 0x07aaffffac54ffff, 0xd9cc34a83dac3d89,
    0xd91dd2e13ce144af, 0x92c6e9ed90d2eb35, 0x0680447a8e5ff9a6};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Compares canonical integers: a > b.
bool greater_than(const FpLimbs& a, const FpLimbs& b) {
  for (size_t i = a.size(); i-- > 0;) {
    if (a[i] != b[i]) return a[i] > b[i];
  }
  return false;
}

}  // namespace

Fp fp_from_hex(const char* hex) {
  if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) hex += 2;
  size_t digits = std::strlen(hex);
  if (digits > 96) std::abort();
  FpLimbs integer{};
  for (size_t i = 0; i < digits; ++i) {
    int value = hex_value(hex[digits - 1 - i]);
    if (value < 0) std::abort();
    integer[i / 16] |= static_cast<uint64_t>(value) << (4 * (i % 16));
  }
  if (!Fp::less_than_modulus(integer)) std::abort();
  return Fp::from_integer(integer);
}

std::optional<Fp> fp_sqrt_vartime(const Fp& a) {
  // p = 3 mod 4, so a^((p + 1) / 4) is a root whenever one exists.
  Fp root = a.pow_vartime(kSqrtExponent);
  if (root.square() != a) return std::nullopt;
  return root;
}

bool fp_is_lexicographically_largest(const Fp& a) {
  return greater_than(a.to_integer(), kHalfPMinusOne);
}

Fp2 Fp2::inverse() const {
  Fp norm_inverse = (c0.square() + c1.square()).inverse();
  return Fp2{c0 * norm_inverse, -(c1 * norm_inverse)};
}

bool Fp2::sgn0() const {
  bool sign_0 = c0.is_odd();
  bool zero_0 = c0.is_zero();
  bool sign_1 = c1.is_odd();
  return sign_0 || (zero_0 && sign_1);
}

bool Fp2::is_lexicographically_largest() const {
  if (!c1.is_zero()) return fp_is_lexicographically_largest(c1);
  return fp_is_lexicographically_largest(c0);
}

bool Fp2::is_square_vartime() const {
  // a is a square in Fp2 exactly when its norm is a square in Fp.
  Fp norm = c0.square() + c1.square();
  Fp legendre = norm.pow_vartime(kHalfPMinusOne);
  return legendre.is_zero() || legendre == Fp::one();
}

std::optional<Fp2> Fp2::sqrt_vartime() const {
  // With n = c0^2 + c1^2 and l = sqrt(n), a root is x0 + x1 u where
  // x0^2 = (c0 + l) / 2 (or (c0 - l) / 2 when that is not a square) and
  // x1 = c1 / (2 x0). One exponentiation t = d^((p - 3) / 4) yields both
  // sqrt(d) = t d and 1 / sqrt(d) = t.
  if (c1.is_zero()) {
    // A base-field element: either it or -c0 has a root in Fp, since -1 is
    // not a square modulo p.
    if (auto root = fp_sqrt_vartime(c0)) return Fp2{*root, Fp::zero()};
    if (auto root = fp_sqrt_vartime(-c0)) return Fp2{Fp::zero(), *root};
    return std::nullopt;
  }
  auto norm_root = fp_sqrt_vartime(c0.square() + c1.square());
  if (!norm_root) return std::nullopt;  // the norm of a square is a square

  static const Fp kHalf = Fp::from_uint64(2).inverse();
  for (const Fp& candidate : {c0 + *norm_root, c0 - *norm_root}) {
    Fp d = candidate * kHalf;
    Fp t = d.pow_vartime(kPMinus3Over4);
    Fp x0 = t * d;
    if (x0.square() != d) continue;
    Fp2 root{x0, c1 * t * kHalf};
    if (root.square() == *this) return root;
  }
  return std::nullopt;
}

}  // namespace pkm::crypto
