// Prime fields in Montgomery form on 64-bit limbs: Fp, the BLS12-381 base
// field (381 bits, 6 limbs), and Fr, its scalar field (255 bits, 4 limbs).
//
// Every arithmetic operation runs in constant time: no branch and no memory
// index depends on an element's value. Only functions documented as
// variable-time (pow with a secret exponent is never done) may branch.
#ifndef PKM_CRYPTO_MONTGOMERY_FIELD_H_
#define PKM_CRYPTO_MONTGOMERY_FIELD_H_

#include <array>
#include <cstddef>
#include <cstdint>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

// Set by the build when crypto/fp_multiply_x86_64.S is compiled in.
#ifndef PKM_FP_ASSEMBLY
#define PKM_FP_ASSEMBLY 0
#endif

extern "C" void pkm_fp_multiply_adx(uint64_t out[6], const uint64_t a[6],
                                    const uint64_t b[6]);

namespace pkm::crypto {

using Uint128 = unsigned __int128;

// Whether this build has the x86-64 assembly multiplication and the CPU
// supports it (BMI2 and ADX). Decided once at start-up.
bool fp_assembly_available();
inline const bool kFpAssemblyEnabled = fp_assembly_available();

// An element of the prime field described by Params:
//   kLimbs, kModulus (little-endian limbs), kInv (-modulus^-1 mod 2^64),
//   kOne (2^(64 kLimbs) mod modulus), kR2 (2^(128 kLimbs) mod modulus).
// The modulus must leave the top bit of the top limb clear.
template <class Params>
class MontgomeryField {
 public:
  static constexpr size_t kLimbs = Params::kLimbs;
  static constexpr size_t kBytes = kLimbs * 8;
  using Limbs = std::array<uint64_t, kLimbs>;

  constexpr MontgomeryField() : limbs_{} {}

  static MontgomeryField zero() { return MontgomeryField(); }
  static MontgomeryField one() { return from_montgomery(Params::kOne); }

  // Wraps limbs that are already in Montgomery form.
  static constexpr MontgomeryField from_montgomery(const Limbs& limbs) {
    MontgomeryField out;
    out.limbs_ = limbs;
    return out;
  }

  // Converts any integer below 2^(64 kLimbs) (not only below the modulus)
  // into the field, reducing it.
  static MontgomeryField from_integer(const Limbs& integer) {
    MontgomeryField out;
    multiply(integer, Params::kR2, out.limbs_);
    return out;
  }

  static MontgomeryField from_uint64(uint64_t value) {
    Limbs integer{};
    integer[0] = value;
    return from_integer(integer);
  }

  // Parses kBytes big-endian bytes. `in_range` is set to whether the value
  // was below the modulus; the comparison takes constant time. An
  // out-of-range value is reduced, but callers must refuse it.
  static MontgomeryField from_big_endian(const uint8_t* bytes,
                                         bool* in_range) {
    Limbs integer = limbs_from_big_endian(bytes);
    if (in_range != nullptr) *in_range = less_than_modulus(integer);
    return from_integer(integer);
  }

  // The canonical integer (not Montgomery form) as limbs.
  Limbs to_integer() const {
    Limbs one_integer{};
    one_integer[0] = 1;
    Limbs out;
    multiply(limbs_, one_integer, out);
    return out;
  }

  // The canonical integer as kBytes big-endian bytes.
  void to_big_endian(uint8_t* out) const {
    Limbs integer = to_integer();
    for (size_t i = 0; i < kLimbs; ++i) {
      uint64_t limb = integer[kLimbs - 1 - i];
      for (size_t j = 0; j < 8; ++j) {
        out[8 * i + j] = static_cast<uint8_t>(limb >> (56 - 8 * j));
      }
    }
  }

  const Limbs& montgomery_limbs() const { return limbs_; }

  bool is_zero() const {
    uint64_t any = 0;
    for (uint64_t limb : limbs_) any |= limb;
    return any == 0;
  }
  bool operator==(const MontgomeryField& other) const {
    uint64_t diff = 0;
    for (size_t i = 0; i < kLimbs; ++i) diff |= limbs_[i] ^ other.limbs_[i];
    return diff == 0;
  }
  bool operator!=(const MontgomeryField& other) const {
    return !(*this == other);
  }

  MontgomeryField operator+(const MontgomeryField& other) const {
    // The modulus leaves the top bit free, so the sum never carries out.
    Limbs sum;
    unsigned char carry = 0;
    for (size_t i = 0; i < kLimbs; ++i) {
      carry = add_with_carry(carry, limbs_[i], other.limbs_[i], &sum[i]);
    }
    MontgomeryField out;
    subtract_modulus_if_needed(sum, out.limbs_);
    return out;
  }

  MontgomeryField operator-(const MontgomeryField& other) const {
    MontgomeryField out;
    unsigned char borrow = 0;
    for (size_t i = 0; i < kLimbs; ++i) {
      borrow = subtract_with_borrow(borrow, limbs_[i], other.limbs_[i],
                                    &out.limbs_[i]);
    }
    // Add the modulus back when the subtraction wrapped.
    uint64_t mask = 0 - static_cast<uint64_t>(borrow);
    unsigned char carry = 0;
    for (size_t i = 0; i < kLimbs; ++i) {
      carry = add_with_carry(carry, out.limbs_[i],
                             Params::kModulus[i] & mask, &out.limbs_[i]);
    }
    return out;
  }

  MontgomeryField operator-() const { return zero() - *this; }

  MontgomeryField operator*(const MontgomeryField& other) const {
    MontgomeryField out;
    multiply(limbs_, other.limbs_, out.limbs_);
    return out;
  }

  MontgomeryField& operator+=(const MontgomeryField& o) {
    return *this = *this + o;
  }
  MontgomeryField& operator-=(const MontgomeryField& o) {
    return *this = *this - o;
  }
  MontgomeryField& operator*=(const MontgomeryField& o) {
    return *this = *this * o;
  }

  MontgomeryField square() const { return *this * *this; }
  MontgomeryField doubled() const { return *this + *this; }

  // this / 2 in constant time: add the modulus when odd, shift right.
  MontgomeryField halved() const {
    uint64_t mask = 0 - (limbs_[0] & 1);
    Limbs sum;
    unsigned char carry = 0;
    for (size_t i = 0; i < kLimbs; ++i) {
      carry = add_with_carry(carry, limbs_[i], Params::kModulus[i] & mask,
                             &sum[i]);
    }
    // The modulus leaves the top bit free: the sum fits in kLimbs words.
    MontgomeryField out;
    for (size_t i = 0; i + 1 < kLimbs; ++i) {
      out.limbs_[i] = sum[i] >> 1 | sum[i + 1] << 63;
    }
    out.limbs_[kLimbs - 1] = sum[kLimbs - 1] >> 1;
    return out;
  }

  // this^exponent; the exponent (little-endian limbs, any count) is public:
  // the loop branches on its bits.
  template <size_t M>
  MontgomeryField pow_vartime(const std::array<uint64_t, M>& exponent) const {
    MontgomeryField result = one();
    for (size_t i = M; i-- > 0;) {
      for (int bit = 63; bit >= 0; --bit) {
        result = result.square();
        if ((exponent[i] >> bit) & 1) result *= *this;
      }
    }
    return result;
  }

  // Multiplicative inverse by Fermat's little theorem (constant time for a
  // fixed modulus); the inverse of zero is zero.
  MontgomeryField inverse() const {
    Limbs exponent = Params::kModulus;
    exponent[0] -= 2;  // the modulus is odd and > 2: no borrow
    return pow_vartime(exponent);
  }

  // Sets *this to `other` when `condition` is true, in constant time.
  void conditional_assign(const MontgomeryField& other, bool condition) {
    uint64_t mask = 0 - static_cast<uint64_t>(condition);
    for (size_t i = 0; i < kLimbs; ++i) {
      limbs_[i] ^= mask & (limbs_[i] ^ other.limbs_[i]);
    }
  }

  // Whether the canonical integer is odd (RFC 9380 sgn0 for prime fields).
  bool is_odd() const { return to_integer()[0] & 1; }

  // Constant-time check that a raw integer is below the modulus.
  static bool less_than_modulus(const Limbs& integer) {
    uint64_t borrow = 0;
    for (size_t i = 0; i < kLimbs; ++i) {
      Uint128 d =
          static_cast<Uint128>(integer[i]) - Params::kModulus[i] - borrow;
      borrow = static_cast<uint64_t>(d >> 64) & 1;
    }
    return borrow == 1;
  }

  static Limbs limbs_from_big_endian(const uint8_t* bytes) {
    Limbs integer{};
    for (size_t i = 0; i < kLimbs; ++i) {
      uint64_t limb = 0;
      for (size_t j = 0; j < 8; ++j) limb = limb << 8 | bytes[8 * i + j];
      integer[kLimbs - 1 - i] = limb;
    }
    return integer;
  }

  // Overwrites the element with zero in a way the compiler keeps.
  void wipe() {
    volatile uint64_t* p = limbs_.data();
    for (size_t i = 0; i < kLimbs; ++i) p[i] = 0;
  }

 private:
  // out = a * b / 2^(64 kLimbs) mod modulus. Inputs may be any integers
  // below 2^(64 kLimbs) as long as a * b < modulus * 2^(64 kLimbs).
  static void multiply(const Limbs& a, const Limbs& b, Limbs& out) {
    if constexpr (Params::kAssemblyMultiply) {
      if (kFpAssemblyEnabled) {
        pkm_fp_multiply_adx(out.data(), a.data(), b.data());
        return;
      }
    }
    multiply_portable(a, b, out);
  }

 public:
  // The portable C++ multiplication (CIOS), also used by tests to check the
  // assembly.
  static void multiply_portable(const Limbs& a, const Limbs& b, Limbs& out) {
    uint64_t t[kLimbs + 2] = {};
    for (size_t i = 0; i < kLimbs; ++i) {
      uint64_t carry = 0;
      for (size_t j = 0; j < kLimbs; ++j) {
        Uint128 s = static_cast<Uint128>(a[j]) * b[i] + t[j] + carry;
        t[j] = static_cast<uint64_t>(s);
        carry = static_cast<uint64_t>(s >> 64);
      }
      Uint128 s = static_cast<Uint128>(t[kLimbs]) + carry;
      t[kLimbs] = static_cast<uint64_t>(s);
      t[kLimbs + 1] = static_cast<uint64_t>(s >> 64);

      uint64_t m = t[0] * Params::kInv;
      s = static_cast<Uint128>(m) * Params::kModulus[0] + t[0];
      carry = static_cast<uint64_t>(s >> 64);
      for (size_t j = 1; j < kLimbs; ++j) {
        s = static_cast<Uint128>(m) * Params::kModulus[j] + t[j] + carry;
        t[j - 1] = static_cast<uint64_t>(s);
        carry = static_cast<uint64_t>(s >> 64);
      }
      s = static_cast<Uint128>(t[kLimbs]) + carry;
      t[kLimbs - 1] = static_cast<uint64_t>(s);
      t[kLimbs] = t[kLimbs + 1] + static_cast<uint64_t>(s >> 64);
    }
    // t < 2 * modulus < 2^(64 kLimbs): t[kLimbs] is zero here.
    Limbs reduced;
    for (size_t i = 0; i < kLimbs; ++i) reduced[i] = t[i];
    subtract_modulus_if_needed(reduced, out);
  }

 private:
  // out = value >= modulus ? value - modulus : value, for value < 2 modulus.
  static void subtract_modulus_if_needed(const Limbs& value, Limbs& out) {
    Limbs difference;
    unsigned char borrow = 0;
    for (size_t i = 0; i < kLimbs; ++i) {
      borrow = subtract_with_borrow(borrow, value[i], Params::kModulus[i],
                                    &difference[i]);
    }
    uint64_t keep_value = 0 - static_cast<uint64_t>(borrow);
    for (size_t i = 0; i < kLimbs; ++i) {
      out[i] = (value[i] & keep_value) | (difference[i] & ~keep_value);
    }
  }

  static unsigned char add_with_carry(unsigned char carry, uint64_t a,
                                      uint64_t b, uint64_t* out) {
#if defined(__x86_64__)
    unsigned long long result;
    carry = _addcarry_u64(carry, a, b, &result);
    *out = result;
    return carry;
#else
    Uint128 s = static_cast<Uint128>(a) + b + carry;
    *out = static_cast<uint64_t>(s);
    return static_cast<unsigned char>(s >> 64);
#endif
  }

  static unsigned char subtract_with_borrow(unsigned char borrow, uint64_t a,
                                            uint64_t b, uint64_t* out) {
#if defined(__x86_64__)
    unsigned long long result;
    borrow = _subborrow_u64(borrow, a, b, &result);
    *out = result;
    return borrow;
#else
    Uint128 d = static_cast<Uint128>(a) - b - borrow;
    *out = static_cast<uint64_t>(d);
    return static_cast<unsigned char>((d >> 64) & 1);
#endif
  }

  Limbs limbs_;
};

struct FpParams {
  static constexpr size_t kLimbs = 6;
  static constexpr std::array<uint64_t, 6> kModulus = {
      0xb9feffffffffaaab, 0x1eabfffeb153ffff, 0x6730d2a0f6b0f624,
      0x64774b84f38512bf, 0x4b1ba7b6434bacd7, 0x1a0111ea397fe69a};
  static constexpr uint64_t kInv = 0x89f3fffcfffcfffd;
  static constexpr bool kAssemblyMultiply = PKM_FP_ASSEMBLY;
  static constexpr std::array<uint64_t, 6> kOne = {
      0x760900000002fffd, 0xebf4000bc40c0002, 0x5f48985753c758ba,
      0x77ce585370525745, 0x5c071a97a256ec6d, 0x15f65ec3fa80e493};
  static constexpr std::array<uint64_t, 6> kR2 = {
      0xf4df1f341c341746, 0x0a76e6a609d104f1, 0x8de5476c4c95b6d5,
      0x67eb88a9939d83c0, 0x9a793e85b519952d, 0x11988fe592cae3aa};
};

struct FrParams {
  static constexpr size_t kLimbs = 4;
  static constexpr std::array<uint64_t, 4> kModulus = {
      0xffffffff00000001, 0x53bda402fffe5bfe, 0x3339d80809a1d805,
      0x73eda753299d7d48};
  static constexpr uint64_t kInv = 0xfffffffeffffffff;
  static constexpr bool kAssemblyMultiply = false;
  static constexpr std::array<uint64_t, 4> kOne = {
      0x00000001fffffffe, 0x5884b7fa00034802, 0x998c4fefecbc4ff5,
      0x1824b159acc5056f};
  static constexpr std::array<uint64_t, 4> kR2 = {
      0xc999e990f3f29c6d, 0x2b6cedcb87925c23, 0x05d314967254398f,
      0x0748d9d99f59ff11};
};

// The base field of BLS12-381 (48-byte encodings).
using Fp = MontgomeryField<FpParams>;
// The scalar field: integers modulo the group order r.
using Fr = MontgomeryField<FrParams>;

}  // namespace pkm::crypto

#endif  // PKM_CRYPTO_MONTGOMERY_FIELD_H_
