#include "crypto/g2.h"

#include <cassert>

#include "crypto/frobenius_constants.h"
#include "crypto/point_encoding.h"

namespace pkm::crypto {
namespace {

// Splits k < r into k = d0 + d1 X + d2 X^2 + d3 X^3 with X = |x| and
// every digit below 2^64, by bitwise long division that never branches on
// k.
std::array<uint64_t, 4> split_base_x(const std::array<uint64_t, 4>& k) {
  std::array<uint64_t, 4> digits{};
  std::array<uint64_t, 4> quotient = k;
  for (size_t d = 0; d < 3; ++d) {
    std::array<uint64_t, 4> next{};
    Uint128 remainder = 0;
    for (int bit = 255; bit >= 0; --bit) {
      remainder = remainder << 1 | ((quotient[bit / 64] >> (bit % 64)) & 1);
      // remainder < 2 X < 2^65, so the difference's sign is its top bit.
      Uint128 difference = remainder - kBlsXAbs;
      uint64_t fits = 1 ^ static_cast<uint64_t>(difference >> 127);
      Uint128 mask = 0 - static_cast<Uint128>(fits);
      remainder = (remainder & ~mask) | (difference & mask);
      next[bit / 64] |= fits << (bit % 64);
    }
    digits[d] = static_cast<uint64_t>(remainder);
    quotient = next;
  }
  digits[3] = quotient[0];  // k < r < 2^64 X^3
  return digits;
}

G2 mul_by_x(const G2& point) {
  // x is negative.
  return -point.mul_vartime(kBlsXAbs);
}

}  // namespace

Fp2 G2Curve::b() {
  static const Fp2 value{Fp::from_uint64(4), Fp::from_uint64(4)};
  return value;
}


const G2& g2_generator() {
  static const G2 generator = G2::from_affine(
      Fp2{fp_from_hex("024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b"
                      "647ae3d1770bac0326a805bbefd48056c8c121bdb8"),
          fp_from_hex("13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61"
                      "bbdc7f5049334cf11213945d57e5ac7d055d042b7e")},
      Fp2{fp_from_hex("0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a"
                      "695160d12c923ac9cc3baca289e193548608b82801"),
          fp_from_hex("0606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492"
                      "ab572e99ab3f370d275cec1da1aaa9075ff05f79be")});
  return generator;
}

std::array<uint8_t, 96> g2_compress(const G2& point) {
  std::array<uint8_t, 96> out{};
  PointFlags flags;
  if (point.is_identity()) {
    flags.infinity = true;
  } else {
    Fp2 x, y;
    point.to_affine(&x, &y);
    x.c1.to_big_endian(out.data());
    x.c0.to_big_endian(out.data() + 48);
    flags.sign = y.is_lexicographically_largest();
  }
  write_point_flags(out.data(), out.size(), flags);
  return out;
}

Result<G2> g2_decompress(ByteView bytes) {
  auto flags = read_point_flags(bytes, 96, "G2 point");
  if (!flags.ok()) return flags.error();
  if (flags->infinity) return G2::identity();

  uint8_t c1_bytes[48];
  copy_coordinate_without_flags(bytes.data, c1_bytes);
  bool c1_in_range = false;
  bool c0_in_range = false;
  Fp2 x{Fp::from_big_endian(bytes.data + 48, &c0_in_range),
        Fp::from_big_endian(c1_bytes, &c1_in_range)};
  if (!c0_in_range || !c1_in_range) {
    return invalid_argument("G2 point x coordinate is not below the field "
                            "modulus p");
  }

  auto y = (x.square() * x + G2Curve::b()).sqrt_vartime();
  if (!y) return invalid_argument("G2 point is not on the curve");
  if (y->is_lexicographically_largest() != flags->sign) *y = -*y;

  G2 point = G2::from_affine(x, *y);
  if (!g2_in_subgroup(point)) {
    return invalid_argument("G2 point is not in the prime-order subgroup");
  }
  return point;
}

G2 g2_psi(const G2& point) {
  const FrobeniusConstants& k = frobenius_constants();
  return G2::from_projective(point.x().conjugate() * k.psi_x,
                             point.y().conjugate() * k.psi_y,
                             point.z().conjugate());
}

G2 g2_mul_in_subgroup(const G2& point, const std::array<uint64_t, 4>& scalar) {
  // The four-digit split only holds below r (callers pass reduced scalars).
  assert(Fr::less_than_modulus(scalar));
  std::array<uint64_t, 4> digits = split_base_x(scalar);

  // [X] P = [-x] P = -psi(P) on G2, so base[i] = [X^i] P.
  std::array<G2, 4> base;
  base[0] = point;
  for (size_t i = 1; i < base.size(); ++i) base[i] = -g2_psi(base[i - 1]);

  // table[m] = sum of base[i] over the set bits i of m.
  std::array<G2, 16> table;
  table[0] = G2::identity();
  for (unsigned m = 1; m < table.size(); ++m) {
    unsigned top = 31 - __builtin_clz(m);
    table[m] = table[m & ~(1u << top)] + base[top];
  }

  G2 result;
  for (int bit = 63; bit >= 0; --bit) {
    result = result.doubled();
    unsigned index = 0;
    for (unsigned i = 0; i < 4; ++i) {
      index |= static_cast<unsigned>((digits[i] >> bit) & 1) << i;
    }
    G2 selected;
    for (unsigned m = 0; m < table.size(); ++m) {
      selected.conditional_assign(table[m], m == index);
    }
    result += selected;
  }
  secure_wipe(digits.data(), sizeof(digits));
  return result;
}

bool g2_in_subgroup(const G2& point) {
  return point.is_on_curve() && g2_psi(point) == mul_by_x(point);
}

G2 g2_clear_cofactor(const G2& point) {
  // h_eff P = [x^2 - x - 1] P + [x - 1] psi(P) + psi^2(2 P), evaluated as
  // in RFC 9380 appendix G.3.
  G2 t1 = mul_by_x(point);
  G2 t2 = g2_psi(point);
  G2 t3 = g2_psi(g2_psi(point.doubled()));
  t3 = t3 - t2;
  t2 = mul_by_x(t1 + t2);
  t3 = t3 + t2;
  t3 = t3 - t1;
  return t3 - point;
}

}  // namespace pkm::crypto
