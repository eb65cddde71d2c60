#include "chain/uint256.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/test_support.h"

namespace pkm::chain {
namespace {

using pkm::testing::hex;

constexpr char kMaxDecimal[] =
    "115792089237316195423570985008687907853269984665640564039457584007913129"
    "639935";
constexpr char kMaxQuantity[] =
    "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

Uint256 decimal(const std::string& text) {
  Result<Uint256> value = Uint256::from_decimal(text);
  EXPECT_TRUE(value.ok()) << text << ": " << value.error().message;
  return value.ok() ? *value : Uint256();
}

Uint256 quantity(const std::string& text) {
  Result<Uint256> value = Uint256::from_quantity(text);
  EXPECT_TRUE(value.ok()) << text << ": " << value.error().message;
  return value.ok() ? *value : Uint256();
}

TEST(Uint256, MaxDecimalParsesToMaxAndPrintsBack) {
  Result<Uint256> value = Uint256::from_decimal(kMaxDecimal);

  ASSERT_TRUE(value.ok()) << value.error().message;
  EXPECT_EQ(*value, Uint256::max());
  EXPECT_EQ(value->to_decimal(), kMaxDecimal);
  EXPECT_EQ(value->to_quantity(), kMaxQuantity);
}

TEST(Uint256, DecimalOneAboveMaxIsRefused) {
  Result<Uint256> value = Uint256::from_decimal(
      "115792089237316195423570985008687907853269984665640564039457584007913"
      "129639936");

  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(value.error().message.find("exceeds 2^256 - 1"), std::string::npos);
}

TEST(Uint256, DecimalWithSignSpaceOrNothingIsRefused) {
  for (const char* text : {"", "-1", "+1", " 1", "1 ", "1e3", "0x10"}) {
    Result<Uint256> value = Uint256::from_decimal(text);

    EXPECT_FALSE(value.ok()) << "'" << text << "' was accepted";
  }
}

TEST(Uint256, DecimalRoundTripsAcrossChunkBoundaries) {
  for (const char* text :
       {"0", "1", "9999999999999999999", "10000000000000000000",
        "18446744073709551616", "100000000000000000000000000000000000000",
        "123456789012345678901234567890123456789"}) {
    EXPECT_EQ(decimal(text).to_decimal(), text);
  }
}

TEST(Uint256, DecimalWithLeadingZerosIsAccepted) {
  EXPECT_EQ(decimal("000042"), Uint256(42));
}

TEST(Uint256, ZeroIsSpelledZeroXZeroAsQuantity) {
  EXPECT_EQ(Uint256().to_quantity(), "0x0");
  EXPECT_EQ(quantity("0x0"), Uint256());
}

TEST(Uint256, QuantityIsPrintedWithoutLeadingZeros) {
  EXPECT_EQ(Uint256(0x1a).to_quantity(), "0x1a");
  EXPECT_EQ(Uint256(0x100).to_quantity(), "0x100");
  EXPECT_EQ(decimal("18446744073709551616").to_quantity(),
            "0x10000000000000000");
}

TEST(Uint256, StrictQuantityRefusesLeadingZeroDigits) {
  for (const char* text : {"0x00", "0x01", "0x0400"}) {
    Result<Uint256> value = Uint256::from_quantity(text);

    ASSERT_FALSE(value.ok()) << text;
    EXPECT_NE(value.error().message.find("leading zero"), std::string::npos);
  }
}

TEST(Uint256, LenientQuantityAcceptsLeadingZeroDigits) {
  Result<Uint256> value =
      Uint256::from_quantity("0x000400", QuantityParsing::kAllowLeadingZeros);

  ASSERT_TRUE(value.ok()) << value.error().message;
  EXPECT_EQ(*value, Uint256(0x400));
}

TEST(Uint256, LenientQuantityCountsOnlySignificantDigitsAgainstTheLimit) {
  std::string padded = "0x00" + std::string(kMaxQuantity).substr(2);

  Result<Uint256> value =
      Uint256::from_quantity(padded, QuantityParsing::kAllowLeadingZeros);

  ASSERT_TRUE(value.ok()) << value.error().message;
  EXPECT_EQ(*value, Uint256::max());
}

TEST(Uint256, QuantityAcceptsUpperCaseDigits) {
  EXPECT_EQ(quantity("0xABcd"), Uint256(0xabcd));
}

TEST(Uint256, MalformedQuantitiesAreRefused) {
  for (const char* text :
       {"", "0x", "10", "x10", "0X10", "0xg", "0x1 ", "-0x1"}) {
    Result<Uint256> value = Uint256::from_quantity(text);

    EXPECT_FALSE(value.ok()) << "'" << text << "' was accepted";
  }
}

TEST(Uint256, QuantityOfSixtyFiveDigitsIsRefused) {
  Result<Uint256> value = Uint256::from_quantity("0x1" + std::string(64, '0'));

  ASSERT_FALSE(value.ok());
  EXPECT_NE(value.error().message.find("at most 64"), std::string::npos);
}

TEST(Uint256, MinimalBytesOfZeroAreEmpty) {
  EXPECT_TRUE(Uint256().to_minimal_bytes().empty());
}

TEST(Uint256, MinimalBytesDropLeadingZeros) {
  EXPECT_EQ(Uint256(0x0400).to_minimal_bytes(), hex("0x0400"));
  EXPECT_EQ(decimal("1000000000000000000").to_minimal_bytes(),
            hex("0x0de0b6b3a7640000"));
}

TEST(Uint256, Bytes32IsLeftPaddedBigEndian) {
  std::array<uint8_t, 32> bytes = Uint256(0x0102).to_bytes32();

  EXPECT_EQ(bytes[30], 0x01);
  EXPECT_EQ(bytes[31], 0x02);
  EXPECT_EQ(bytes[0], 0x00);
}

TEST(Uint256, BigEndianAcceptsLeadingZerosAndRefusesThirtyThreeBytes) {
  Result<Uint256> padded = Uint256::from_big_endian(hex("0x000000ff"));
  Result<Uint256> too_long = Uint256::from_big_endian(Bytes(33, 0));

  ASSERT_TRUE(padded.ok());
  EXPECT_EQ(*padded, Uint256(0xff));
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.error().message.find("at most 32"), std::string::npos);
}

TEST(Uint256, AddOfMaxAndOneOverflows) {
  Result<Uint256> sum = checked_add(Uint256::max(), Uint256(1));

  ASSERT_FALSE(sum.ok());
  EXPECT_NE(sum.error().message.find("exceeds"), std::string::npos);
}

TEST(Uint256, AddCarriesAcrossLimbs) {
  Result<Uint256> sum =
      checked_add(decimal("18446744073709551615"), Uint256(1));

  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->to_decimal(), "18446744073709551616");
}

TEST(Uint256, SubBorrowsAcrossLimbs) {
  Result<Uint256> difference =
      checked_sub(decimal("18446744073709551616"), Uint256(1));

  ASSERT_TRUE(difference.ok());
  EXPECT_EQ(difference->to_decimal(), "18446744073709551615");
}

TEST(Uint256, SubBelowZeroIsRefused) {
  Result<Uint256> difference = checked_sub(Uint256(1), Uint256(2));

  ASSERT_FALSE(difference.ok());
  EXPECT_NE(difference.error().message.find("negative"), std::string::npos);
}

TEST(Uint256, MulOfLargeValuesMatchesExactProduct) {
  Result<Uint256> product =
      checked_mul(decimal("123456789012345678901234567890123456789"),
                  decimal("98765432109876543210"));

  ASSERT_TRUE(product.ok());
  EXPECT_EQ(product->to_decimal(),
            "12193263113702179522496570642249657064223746380111126352690");
}

TEST(Uint256, MulOfTwoToThe128MinusOneSquaredFits) {
  Uint256 value = quantity("0xffffffffffffffffffffffffffffffff");

  Result<Uint256> product = checked_mul(value, value);

  ASSERT_TRUE(product.ok());
  EXPECT_EQ(product->to_quantity(),
            "0xfffffffffffffffffffffffffffffffe0000000000000000000000000000000"
            "1");
}

TEST(Uint256, MulPastTwoToThe256Overflows) {
  Uint256 two_to_the_128 = quantity("0x100000000000000000000000000000000");

  Result<Uint256> product = checked_mul(two_to_the_128, two_to_the_128);
  Result<Uint256> doubled_max = checked_mul(Uint256::max(), Uint256(2));

  EXPECT_FALSE(product.ok());
  EXPECT_FALSE(doubled_max.ok());
}

TEST(Uint256, ComparisonOrdersByMostSignificantLimbFirst) {
  Uint256 high = quantity("0x10000000000000000");  // 2^64
  Uint256 low = Uint256(~uint64_t{0});

  EXPECT_LT(low, high);
  EXPECT_GT(high, low);
  EXPECT_LE(low, low);
  EXPECT_NE(low, high);
}

TEST(Uint256, BitLengthCountsSignificantBits) {
  EXPECT_EQ(Uint256().bit_length(), 0u);
  EXPECT_EQ(Uint256(1).bit_length(), 1u);
  EXPECT_EQ(quantity("0x10000000000000000").bit_length(), 65u);
  EXPECT_EQ(Uint256::max().bit_length(), 256u);
}

TEST(Uint256, ToUint64RefusesValuesAbove64BitsNamingTheField) {
  Result<uint64_t> fits = decimal("18446744073709551615").to_uint64("nonce");
  Result<uint64_t> too_big = decimal("18446744073709551616").to_uint64("nonce");

  ASSERT_TRUE(fits.ok());
  EXPECT_EQ(*fits, ~uint64_t{0});
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().message.rfind("nonce ", 0), 0u);
}

}  // namespace
}  // namespace pkm::chain
