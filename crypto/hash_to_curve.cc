#include "crypto/hash_to_curve.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace pkm::crypto {
namespace {

constexpr size_t kSha256Size = 32;
constexpr size_t kSha256BlockSize = 64;
constexpr size_t kFieldElementBytes = 64;  // L = ceil((381 + 128) / 8)

// SHA-256 through OpenSSL's EVP interface.
class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) {
    if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1)
      std::abort();
  }
  ~Sha256() { EVP_MD_CTX_free(ctx_); }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, size_t size) {
    if (EVP_DigestUpdate(ctx_, data, size) != 1) std::abort();
  }
  void finish(uint8_t out[kSha256Size]) {
    if (EVP_DigestFinal_ex(ctx_, out, nullptr) != 1) std::abort();
  }

 private:
  EVP_MD_CTX* ctx_;
};

// Coefficients of the 3-isogeny map (RFC 9380, appendix E.3), lowest
// degree first, each "c0", "c1".
struct IsogenyCoefficient {
  const char* c0;
  const char* c1;
};

constexpr IsogenyCoefficient kXNumerator[] = {
    {"5c759507e8e333ebb5b7a9a47d7ed8532c52d39fd3a042a88b58423c50ae15d5c2638e3"
     "43d9c71c6238aaaaaaaa97d6",
     "5c759507e8e333ebb5b7a9a47d7ed8532c52d39fd3a042a88b58423c50ae15d5c2638e3"
     "43d9c71c6238aaaaaaaa97d6"},
    {"0",
     "11560bf17baa99bc32126fced787c88f984f87adf7ae0c7f9a208c6b4f20a4181472aaa"
     "9cb8d555526a9ffffffffc71a"},
    {"11560bf17baa99bc32126fced787c88f984f87adf7ae0c7f9a208c6b4f20a4181472aaa"
     "9cb8d555526a9ffffffffc71e",
     "8ab05f8bdd54cde190937e76bc3e447cc27c3d6fbd7063fcd104635a790520c0a395554"
     "e5c6aaaa9354ffffffffe38d"},
    {"171d6541fa38ccfaed6dea691f5fb614cb14b4e7f4e810aa22d6108f142b85757098e38"
     "d0f671c7188e2aaaaaaaa5ed1",
     "0"},
};
constexpr IsogenyCoefficient kXDenominator[] = {
    {"0",
     "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfff"
     "eb153ffffb9feffffffffaa63"},
    {"c",
     "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfff"
     "eb153ffffb9feffffffffaa9f"},
    {"1", "0"},
};
constexpr IsogenyCoefficient kYNumerator[] = {
    {"1530477c7ab4113b59a4c18b076d11930f7da5d4a07f649bf54439d87d27e500fc8c25e"
     "bf8c92f6812cfc71c71c6d706",
     "1530477c7ab4113b59a4c18b076d11930f7da5d4a07f649bf54439d87d27e500fc8c25e"
     "bf8c92f6812cfc71c71c6d706"},
    {"0",
     "5c759507e8e333ebb5b7a9a47d7ed8532c52d39fd3a042a88b58423c50ae15d5c2638e3"
     "43d9c71c6238aaaaaaaa97be"},
    {"11560bf17baa99bc32126fced787c88f984f87adf7ae0c7f9a208c6b4f20a4181472aaa"
     "9cb8d555526a9ffffffffc71c",
     "8ab05f8bdd54cde190937e76bc3e447cc27c3d6fbd7063fcd104635a790520c0a395554"
     "e5c6aaaa9354ffffffffe38f"},
    {"124c9ad43b6cf79bfbf7043de3811ad0761b0f37a1e26286b0e977c69aa274524e79097"
     "a56dc4bd9e1b371c71c718b10",
     "0"},
};
constexpr IsogenyCoefficient kYDenominator[] = {
    {"1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfff"
     "eb153ffffb9feffffffffa8fb",
     "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfff"
     "eb153ffffb9feffffffffa8fb"},
    {"0",
     "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfff"
     "eb153ffffb9feffffffffa9d3"},
    {"12",
     "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfff"
     "eb153ffffb9feffffffffaa99"},
    {"1", "0"},
};

struct Polynomial {
  std::vector<Fp2> coefficients;  // lowest degree first

  template <size_t N>
  static Polynomial from(const IsogenyCoefficient (&table)[N]) {
    Polynomial out;
    for (const auto& entry : table) {
      out.coefficients.push_back(
          Fp2{fp_from_hex(entry.c0), fp_from_hex(entry.c1)});
    }
    return out;
  }

  Fp2 evaluate(const Fp2& x) const {
    Fp2 result = coefficients.back();
    for (size_t i = coefficients.size() - 1; i-- > 0;) {
      result = result * x + coefficients[i];
    }
    return result;
  }
};

struct SswuConstants {
  Fp2 a;  // A' = 240 u
  Fp2 b;  // B' = 1012 (1 + u)
  Fp2 z;  // Z = -(2 + u)
  Fp2 minus_b_over_a;
  Fp2 b_over_z_a;
  Polynomial x_numerator;
  Polynomial x_denominator;
  Polynomial y_numerator;
  Polynomial y_denominator;
};

const SswuConstants& sswu_constants() {
  static const SswuConstants constants = [] {
    SswuConstants k;
    k.a = Fp2{Fp::zero(), Fp::from_uint64(240)};
    k.b = Fp2{Fp::from_uint64(1012), Fp::from_uint64(1012)};
    k.z = -Fp2{Fp::from_uint64(2), Fp::one()};
    k.minus_b_over_a = -(k.b * k.a.inverse());
    k.b_over_z_a = k.b * (k.z * k.a).inverse();
    k.x_numerator = Polynomial::from(kXNumerator);
    k.x_denominator = Polynomial::from(kXDenominator);
    k.y_numerator = Polynomial::from(kYNumerator);
    k.y_denominator = Polynomial::from(kYDenominator);
    return k;
  }();
  return constants;
}

// Reduces a 64-byte big-endian integer modulo p.
Fp fp_from_wide(const uint8_t* bytes) {
  Fp::Limbs high{};
  Fp::Limbs low{};
  for (size_t i = 0; i < 4; ++i) {
    for (size_t j = 0; j < 8; ++j) {
      high[3 - i] = high[3 - i] << 8 | bytes[8 * i + j];
      low[3 - i] = low[3 - i] << 8 | bytes[32 + 8 * i + j];
    }
  }
  Fp::Limbs two_to_256{};
  two_to_256[4] = 1;
  return Fp::from_integer(high) * Fp::from_integer(two_to_256) +
         Fp::from_integer(low);
}

Fp2 evaluate_curve(const SswuConstants& k, const Fp2& x) {
  return (x.square() + k.a) * x + k.b;
}

}  // namespace

Result<Bytes> expand_message_xmd(ByteView message, ByteView dst,
                                 size_t length) {
  if (dst.empty()) {
    return invalid_argument("domain separation tag is empty; allowed: 1 or "
                            "more bytes");
  }
  size_t blocks = (length + kSha256Size - 1) / kSha256Size;
  if (length == 0 || blocks > 255 || length > 65535) {
    return invalid_argument("expand_message_xmd length " +
                            std::to_string(length) +
                            " is out of range; allowed: 1 to 8160 bytes");
  }

  // A DST above 255 bytes is replaced by H("H2C-OVERSIZE-DST-" || DST).
  uint8_t hashed_dst[kSha256Size];
  if (dst.size > 255) {
    Sha256 sha;
    static const char kPrefix[] = "H2C-OVERSIZE-DST-";
    sha.update(kPrefix, sizeof(kPrefix) - 1);
    sha.update(dst.data, dst.size);
    sha.finish(hashed_dst);
    dst = ByteView(hashed_dst, sizeof(hashed_dst));
  }
  const uint8_t dst_size = static_cast<uint8_t>(dst.size);
  const uint8_t length_bytes[2] = {static_cast<uint8_t>(length >> 8),
                                   static_cast<uint8_t>(length)};

  // b0 = H(Z_pad || msg || I2OSP(len, 2) || I2OSP(0, 1) || DST_prime)
  uint8_t b0[kSha256Size];
  {
    const uint8_t zero_pad[kSha256BlockSize] = {};
    const uint8_t zero = 0;
    Sha256 sha;
    sha.update(zero_pad, sizeof(zero_pad));
    sha.update(message.data, message.size);
    sha.update(length_bytes, 2);
    sha.update(&zero, 1);
    sha.update(dst.data, dst.size);
    sha.update(&dst_size, 1);
    sha.finish(b0);
  }

  // b_i = H((b0 xor b_{i-1}) || I2OSP(i, 1) || DST_prime), b_0 xor b_0 = 0
  // stands in for b0 alone in the first block.
  Bytes out;
  out.reserve(blocks * kSha256Size);
  uint8_t previous[kSha256Size] = {};
  for (size_t i = 1; i <= blocks; ++i) {
    uint8_t input[kSha256Size];
    for (size_t j = 0; j < kSha256Size; ++j) input[j] = b0[j] ^ previous[j];
    const uint8_t index = static_cast<uint8_t>(i);
    Sha256 sha;
    sha.update(input, sizeof(input));
    sha.update(&index, 1);
    sha.update(dst.data, dst.size);
    sha.update(&dst_size, 1);
    sha.finish(previous);
    out.insert(out.end(), previous, previous + kSha256Size);
  }
  out.resize(length);
  return out;
}

Result<std::array<Fp2, 2>> hash_to_field_fp2(ByteView message, ByteView dst) {
  auto uniform = expand_message_xmd(message, dst, 4 * kFieldElementBytes);
  if (!uniform.ok()) return uniform.error();

  const uint8_t* bytes = uniform->data();
  std::array<Fp2, 2> out;
  for (size_t i = 0; i < 2; ++i) {
    out[i].c0 = fp_from_wide(bytes + (2 * i) * kFieldElementBytes);
    out[i].c1 = fp_from_wide(bytes + (2 * i + 1) * kFieldElementBytes);
  }
  return out;
}

G2 map_to_curve_g2(const Fp2& u) {
  const SswuConstants& k = sswu_constants();

  // Simplified SWU on E': y^2 = x^3 + A' x + B' (RFC 9380, section 6.6.2).
  Fp2 z_u2 = k.z * u.square();
  Fp2 denominator = z_u2.square() + z_u2;
  Fp2 x1 = denominator.is_zero()
               ? k.b_over_z_a
               : k.minus_b_over_a * (Fp2::one() + denominator.inverse());
  Fp2 x = x1;
  auto y = evaluate_curve(k, x1).sqrt_vartime();
  if (!y) {
    x = z_u2 * x1;
    y = evaluate_curve(k, x).sqrt_vartime();
  }
  // One of g(x1), g(x2) is always a square; anything else is a bug.
  if (!y) std::abort();
  if (u.sgn0() != y->sgn0()) *y = -*y;

  // The 3-isogeny E' -> E2, in projective form to avoid inversions.
  Fp2 x_den = k.x_denominator.evaluate(x);
  Fp2 y_den = k.y_denominator.evaluate(x);
  if (x_den.is_zero() || y_den.is_zero()) return G2::identity();
  Fp2 x_num = k.x_numerator.evaluate(x);
  Fp2 y_num = k.y_numerator.evaluate(x);
  return G2::from_projective(x_num * y_den, *y * y_num * x_den,
                             x_den * y_den);
}

Result<G2> hash_to_g2(ByteView message, ByteView dst) {
  auto u = hash_to_field_fp2(message, dst);
  if (!u.ok()) return u.error();
  G2 sum = map_to_curve_g2((*u)[0]) + map_to_curve_g2((*u)[1]);
  return g2_clear_cofactor(sum);
}

}  // namespace pkm::crypto
