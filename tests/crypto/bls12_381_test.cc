// Algebraic properties of the BLS12-381 building blocks: fields, groups,
// pairing, and the secret-key helpers.
#include <gtest/gtest.h>

#include <random>

#include "crypto/bls.h"
#include "crypto/hash_to_curve.h"
#include "crypto/pairing.h"

namespace pkm::crypto {
namespace {

class Bls12381 : public ::testing::Test {
 protected:
  Fp random_fp() {
    Fp::Limbs limbs;
    for (auto& limb : limbs) limb = rng_();
    limbs[5] &= 0x0fffffffffffffff;  // below p
    return Fp::from_integer(limbs);
  }
  Fp2 random_fp2() { return Fp2{random_fp(), random_fp()}; }
  Fp6 random_fp6() { return Fp6{random_fp2(), random_fp2(), random_fp2()}; }
  Fp12 random_fp12() { return Fp12{random_fp6(), random_fp6()}; }
  Fr::Limbs random_scalar() {
    Fr::Limbs limbs;
    for (auto& limb : limbs) limb = rng_();
    limbs[3] &= 0x3fffffffffffffff;
    if (!Fr::less_than_modulus(limbs)) limbs[3] &= 0x0fffffffffffffff;
    return limbs;
  }
  // A point on the twist that is (almost surely) outside G2.
  G2 random_twist_point() { return map_to_curve_g2(random_fp2()); }

  std::mt19937_64 rng_{20261204};
};

TEST_F(Bls12381, FpInverseAndSquareRootAreConsistent) {
  for (int i = 0; i < 20; ++i) {
    Fp a = random_fp();

    Fp a_inverse = a.inverse();
    auto root = fp_sqrt_vartime(a.square());

    EXPECT_TRUE(a * a_inverse == Fp::one());
    ASSERT_TRUE(root.has_value());
    EXPECT_TRUE(*root == a || *root == -a);
  }
}

TEST_F(Bls12381, FpRoundTripsThroughBigEndianBytes) {
  Fp a = random_fp();
  uint8_t bytes[48];

  a.to_big_endian(bytes);
  bool in_range = false;
  Fp back = Fp::from_big_endian(bytes, &in_range);

  EXPECT_TRUE(in_range);
  EXPECT_TRUE(back == a);
}

TEST_F(Bls12381, Fp2SquareRootOfSquaresAndNonSquares) {
  int non_squares = 0;
  for (int i = 0; i < 20; ++i) {
    Fp2 a = random_fp2();

    auto root = a.square().sqrt_vartime();
    bool has_root = a.sqrt_vartime().has_value();

    ASSERT_TRUE(root.has_value());
    EXPECT_TRUE(root->square() == a.square());
    EXPECT_EQ(has_root, a.is_square_vartime());
    non_squares += !has_root;
  }
  EXPECT_GT(non_squares, 0);
}

TEST_F(Bls12381, Fp6AndFp12InversesAndSquares) {
  Fp6 a = random_fp6();
  Fp12 b = random_fp12();

  EXPECT_TRUE(a * a.inverse() == Fp6::one());
  EXPECT_TRUE(b * b.inverse() == Fp12::one());
  EXPECT_TRUE(b.square() == b * b);
}

TEST_F(Bls12381, LineMultiplicationEqualsFullMultiplication) {
  Fp12 f = random_fp12();
  Fp2 a = random_fp2(), b = random_fp2(), c = random_fp2();

  Fp12 line{Fp6{a, b, Fp2::zero()}, Fp6{Fp2::zero(), c, Fp2::zero()}};

  EXPECT_TRUE(f.mul_by_line(a, b, c) == f * line);
}

TEST_F(Bls12381, FrobeniusIsThePthPower) {
  Fp12 f = random_fp12();
  // p as little-endian limbs.
  std::array<uint64_t, 6> p = FpParams::kModulus;

  Fp12 power = Fp12::one();
  for (size_t i = 6; i-- > 0;) {
    for (int bit = 63; bit >= 0; --bit) {
      power = power.square();
      if ((p[i] >> bit) & 1) power *= f;
    }
  }

  EXPECT_TRUE(f.frobenius() == power);
}

TEST_F(Bls12381, CyclotomicSquareMatchesSquareInTheCyclotomicSubgroup) {
  Fp12 f = random_fp12();
  // The easy part of the final exponentiation maps into the subgroup.
  Fp12 g = f.conjugate() * f.inverse();
  g = g.frobenius().frobenius() * g;

  EXPECT_TRUE(g.cyclotomic_square() == g.square());
}

TEST_F(Bls12381, GeneratorsAreOnTheCurveAndInTheSubgroups) {
  EXPECT_TRUE(g1_generator().is_on_curve());
  EXPECT_TRUE(g2_generator().is_on_curve());
  EXPECT_TRUE(g1_in_subgroup(g1_generator()));
  EXPECT_TRUE(g2_in_subgroup(g2_generator()));
  EXPECT_TRUE(
      g2_generator().mul_vartime(FrParams::kModulus).is_identity());
}

TEST_F(Bls12381, CompleteFormulasHandleIdentityAndDoubling) {
  const G1& g = g1_generator();

  EXPECT_TRUE(g + G1::identity() == g);
  EXPECT_TRUE(G1::identity() + g == g);
  EXPECT_TRUE(g + g == g.doubled());
  EXPECT_TRUE((g - g).is_identity());
  EXPECT_TRUE(G1::identity().doubled().is_identity());
}

TEST_F(Bls12381, ConstantTimeMultiplicationAgreesWithVariableTime) {
  for (int i = 0; i < 5; ++i) {
    Fr::Limbs k = random_scalar();

    EXPECT_TRUE(g1_generator().mul_constant_time(k) ==
                g1_generator().mul_vartime(k));
    EXPECT_TRUE(g1_mul_generator(k) == g1_generator().mul_vartime(k));
    G2 q = g2_clear_cofactor(random_twist_point());
    EXPECT_TRUE(g2_mul_in_subgroup(q, k) == q.mul_vartime(k));
    EXPECT_TRUE(g2_generator().mul_constant_time(k) ==
                g2_generator().mul_vartime(k));
  }
}

TEST_F(Bls12381, G2MultiplicationHandlesTheLargestScalar) {
  Fr::Limbs r_minus_one = FrParams::kModulus;
  r_minus_one[0] -= 1;
  G2 q = g2_clear_cofactor(random_twist_point());

  G2 product = g2_mul_in_subgroup(q, r_minus_one);

  EXPECT_TRUE(product == -q);
  EXPECT_TRUE(g1_mul_generator(r_minus_one) == -g1_generator());
}

TEST_F(Bls12381, FastG2SubgroupCheckAgreesWithMultiplicationByR) {
  int outside = 0;
  for (int i = 0; i < 8; ++i) {
    G2 point = random_twist_point();
    G2 cleared = g2_clear_cofactor(point);

    bool by_order = point.mul_vartime(FrParams::kModulus).is_identity();

    EXPECT_EQ(g2_in_subgroup(point), by_order);
    EXPECT_TRUE(g2_in_subgroup(cleared));
    EXPECT_TRUE(cleared.mul_vartime(FrParams::kModulus).is_identity());
    outside += !by_order;
  }
  EXPECT_GT(outside, 0);
}

TEST_F(Bls12381, PairingIsBilinearAndNonDegenerate) {
  Fr::Limbs a = random_scalar();
  Fr::Limbs b = random_scalar();
  const G1& p = g1_generator();
  const G2& q = g2_generator();

  Fp12 base = pairing(p, q);
  Fp12 left = pairing(p.mul_vartime(a), q.mul_vartime(b));
  Fr ab = Fr::from_integer(a) * Fr::from_integer(b);
  Fp12 right = Fp12::one();
  Fr::Limbs ab_limbs = ab.to_integer();
  for (size_t i = 4; i-- > 0;) {
    for (int bit = 63; bit >= 0; --bit) {
      right = right.square();
      if ((ab_limbs[i] >> bit) & 1) right *= base;
    }
  }

  EXPECT_FALSE(base.is_one());
  EXPECT_TRUE(left == right);
  EXPECT_TRUE(pairing_product_is_one(
      {{p.mul_vartime(a), q}, {-p, q.mul_vartime(a)}}));
}

TEST_F(Bls12381, PairingOfIdentityIsOne) {
  EXPECT_TRUE(pairing(G1::identity(), g2_generator()).is_one());
  EXPECT_TRUE(pairing(g1_generator(), G2::identity()).is_one());
}

TEST(SecretKey, ReduceWideMatchesModularReduction) {
  // 2^256 = r * 2 + (2^256 - 2r); reduce_wide of 32 0xff bytes and one
  // extra leading 0x01 byte must agree with from_integer arithmetic.
  Bytes wide(48, 0);
  wide[15] = 1;  // 2^256

  SecretKey reduced = SecretKey::reduce_wide(wide);
  Fr expected = Fr::from_montgomery(FrParams::kR2);  // 2^256 mod r
  uint8_t expected_bytes[32];
  expected.to_big_endian(expected_bytes);

  SecretBytes bytes = reduced.to_bytes();
  EXPECT_TRUE(constant_time_equal(bytes.view(),
                                  ByteView(expected_bytes, 32)));
  EXPECT_FALSE(reduced.is_zero());
}

TEST(SecretKey, ReduceWideOfRIsZero) {
  Bytes r = *from_hex(
      "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001");

  SecretKey reduced = SecretKey::reduce_wide(r);

  EXPECT_TRUE(reduced.is_zero());
}

TEST(SecretKey, RefusesWrongLengthNamingIt) {
  auto key = SecretKey::from_bytes(Bytes(31, 1));

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().message, "secret key is 31 bytes; expected 32");
}

TEST(SecretKey, RoundTripsThroughBytes) {
  Bytes raw(32, 0x11);

  auto key = SecretKey::from_bytes(raw);

  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(constant_time_equal(key->to_bytes().view(), raw));
}

TEST(PublicKey, RefusesInfinityAsUnusable) {
  Bytes infinity(48, 0);
  infinity[0] = 0xc0;

  auto key = PublicKey::from_bytes(infinity);

  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.error().message.find("infinity"), std::string::npos);
}

TEST(PublicKey, DecodeErrorsNameTheFailedCheck) {
  Bytes uncompressed(48, 0);
  Bytes too_big(48, 0xff);
  Bytes short_key(47, 0x80);

  auto a = PublicKey::from_bytes(uncompressed);
  auto b = PublicKey::from_bytes(too_big);
  auto c = PublicKey::from_bytes(short_key);

  ASSERT_FALSE(a.ok());
  ASSERT_FALSE(b.ok());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(a.error().message.find("compression flag"), std::string::npos);
  EXPECT_NE(b.error().message.find("infinity flag"), std::string::npos);
  EXPECT_NE(c.error().message.find("47 bytes; expected 48"),
            std::string::npos);
}

TEST(Signature, SignThenVerifyAndRejectOtherMessage) {
  auto key = SecretKey::from_bytes(Bytes(32, 0x42));
  ASSERT_TRUE(key.ok());

  Signature signature = key->sign(ByteView(std::string_view("hello")));

  EXPECT_TRUE(verify(key->public_key(), ByteView(std::string_view("hello")),
                     signature));
  EXPECT_FALSE(verify(key->public_key(), ByteView(std::string_view("hellp")),
                      signature));
}

TEST(Signature, AggregateOfNothingIsRefused) {
  auto result = aggregate({});

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace pkm::crypto

namespace pkm::crypto {
namespace {

TEST(FpMultiply, FastPathAgreesWithPortableCode) {
  std::mt19937_64 rng(7);
  int checked = 0;
  for (int i = 0; i < 20000; ++i) {
    Fp::Limbs a, b, expected;
    for (auto& limb : a) limb = rng();
    for (auto& limb : b) limb = rng();
    // Mix in edge values: all ones below p, and p - 1.
    if (i % 7 == 0) a = FpParams::kModulus, a[0] -= 1;
    if (i % 11 == 0) b[5] = 0x1a0111ea397fe69a;
    a[5] &= 0x1fffffffffffffff;
    b[5] &= 0x1fffffffffffffff;
    if (!Fp::less_than_modulus(a) || !Fp::less_than_modulus(b)) continue;

    Fp product = Fp::from_montgomery(a) * Fp::from_montgomery(b);
    Fp::multiply_portable(a, b, expected);

    ASSERT_TRUE(product == Fp::from_montgomery(expected)) << "case " << i;
    ++checked;
  }
  EXPECT_GT(checked, 10000);
}

}  // namespace
}  // namespace pkm::crypto

namespace pkm::crypto {
namespace {

TEST(Fp2SquareRoot, BaseFieldElementsHaveRootsInFp2) {
  Fp2 three{Fp::from_uint64(3), Fp::zero()};
  Fp2 minus_three = -three;

  auto a = three.sqrt_vartime();
  auto b = minus_three.sqrt_vartime();
  auto zero = Fp2::zero().sqrt_vartime();

  ASSERT_TRUE(a && b && zero);
  EXPECT_TRUE(a->square() == three);
  EXPECT_TRUE(b->square() == minus_three);
  EXPECT_TRUE(zero->is_zero());
}

}  // namespace
}  // namespace pkm::crypto
