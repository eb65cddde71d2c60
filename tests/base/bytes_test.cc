#include "base/bytes.h"

#include <gtest/gtest.h>

namespace pkm {
namespace {

TEST(Hex, RoundTripsWithPrefix) {
  Bytes bytes = {0x00, 0xab, 0xff};

  std::string text = to_hex(bytes);

  EXPECT_EQ(text, "0x00abff");
  EXPECT_EQ(from_hex(text).value(), bytes);
}

TEST(Hex, AcceptsUpperCaseAndNoPrefix) {
  auto bytes = from_hex("ABcd");

  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, (Bytes{0xab, 0xcd}));
}

TEST(Hex, RefusesOddLengthNamingIt) {
  auto bytes = from_hex("0xabc");

  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bytes.error().message.find("odd"), std::string::npos);
}

TEST(Hex, RefusesNonHexNamingThePosition) {
  auto bytes = from_hex("0x0g");

  ASSERT_FALSE(bytes.ok());
  EXPECT_NE(bytes.error().message.find("position 1"), std::string::npos);
}

TEST(Hex, ExactLengthIsEnforced) {
  auto bytes = from_hex_exact("0x0102", 3, "public key");

  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error().message, "public key is 2 bytes; expected 3");
}

TEST(SecretBytes, MoveLeavesSourceEmpty) {
  SecretBytes a(ByteView(std::string_view("secret")));

  SecretBytes b(std::move(a));

  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(b.size(), 6u);
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  Bytes a = {1, 2, 3};
  Bytes b = {1, 2, 3};
  Bytes c = {1, 2, 4};

  EXPECT_TRUE(constant_time_equal(a, b));
  EXPECT_FALSE(constant_time_equal(a, c));
  EXPECT_FALSE(constant_time_equal(a, Bytes{1, 2}));
}

}  // namespace
}  // namespace pkm
