#include "chain/rlp.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace pkm::chain {
namespace {

using nlohmann::json;
using pkm::testing::hex;
using pkm::testing::load_vectors;

// The byte string a vector's JSON string stands for: each character (code
// point U+0000 to U+00FF) is one byte. nlohmann hands over UTF-8.
Bytes bytes_of_vector_string(const std::string& utf8) {
  Bytes out;
  for (size_t i = 0; i < utf8.size(); ++i) {
    uint8_t lead = static_cast<uint8_t>(utf8[i]);
    if (lead < 0x80) {
      out.push_back(lead);
    } else if ((lead & 0xe0) == 0xc0 && i + 1 < utf8.size()) {
      uint32_t code_point =
          ((lead & 0x1fu) << 6) | (static_cast<uint8_t>(utf8[++i]) & 0x3fu);
      EXPECT_LE(code_point, 0xffu) << "vector string holds a non-byte";
      out.push_back(static_cast<uint8_t>(code_point));
    } else {
      ADD_FAILURE() << "vector string holds a character above U+00FF";
    }
  }
  return out;
}

// Minimal big-endian bytes of a decimal of any size (the vectors hold 2^256,
// one past what Uint256 takes).
Bytes big_decimal_bytes(const std::string& digits) {
  Bytes out;  // big-endian, minimal
  for (char c : digits) {
    EXPECT_TRUE(c >= '0' && c <= '9') << digits;
    unsigned carry = static_cast<unsigned>(c - '0');
    for (size_t i = out.size(); i-- > 0;) {
      unsigned total = out[i] * 10u + carry;
      out[i] = static_cast<uint8_t>(total);
      carry = total >> 8;
    }
    if (carry != 0) out.insert(out.begin(), static_cast<uint8_t>(carry));
  }
  return out;
}

// The tree a valid vector's `in` stands for (see rlp.json "in_encoding").
RlpItem tree_of(const json& in) {
  if (in.is_array()) {
    std::vector<RlpItem> items;
    for (const json& element : in) items.push_back(tree_of(element));
    return RlpItem::list(std::move(items));
  }
  if (in.is_number_unsigned()) {
    return RlpItem::string(Uint256(in.get<uint64_t>()).to_minimal_bytes());
  }
  std::string text = in.get<std::string>();
  if (!text.empty() && text[0] == '#') {
    return RlpItem::string(big_decimal_bytes(text.substr(1)));
  }
  return RlpItem::string(bytes_of_vector_string(text));
}

// Encodes `in` with the typed encoders, the way callers build transactions.
Bytes encode_vector_input(const json& in) {
  if (in.is_array()) {
    std::vector<Bytes> items;
    for (const json& element : in)
      items.push_back(encode_vector_input(element));
    return rlp_encode_list(items);
  }
  if (in.is_number_unsigned()) return rlp_encode_uint(in.get<uint64_t>());
  std::string text = in.get<std::string>();
  if (!text.empty() && text[0] == '#') {
    // Through Uint256 when it fits; 2^256 only as a byte string.
    Result<Uint256> value = Uint256::from_decimal(text.substr(1));
    if (value.ok()) return rlp_encode_uint(*value);
    return rlp_encode_string(big_decimal_bytes(text.substr(1)));
  }
  return rlp_encode_string(bytes_of_vector_string(text));
}

std::string decode_error(const std::string& hex_input) {
  Result<RlpItem> item = rlp_decode(hex(hex_input));
  if (item.ok()) return "(accepted)";
  EXPECT_EQ(item.error().code, ErrorCode::kInvalidArgument);
  return item.error().message;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A list prefix for a payload of `length` bytes, written out by hand.
Bytes list_prefix(size_t length) {
  if (length < 56) return Bytes{static_cast<uint8_t>(0xc0 + length)};
  Bytes length_bytes;
  for (size_t rest = length; rest != 0; rest >>= 8) {
    length_bytes.insert(length_bytes.begin(), static_cast<uint8_t>(rest));
  }
  Bytes prefix{static_cast<uint8_t>(0xf7 + length_bytes.size())};
  prefix.insert(prefix.end(), length_bytes.begin(), length_bytes.end());
  return prefix;
}

// `depth` lists, each the only element of the one around it: [[[...]]].
Bytes nested_lists(size_t depth) {
  // Prefixes from the innermost out; each wraps everything inside it.
  std::vector<Bytes> prefixes;
  size_t inner_size = 1;  // the innermost empty list, 0xc0
  for (size_t level = 1; level < depth; ++level) {
    prefixes.push_back(list_prefix(inner_size));
    inner_size += prefixes.back().size();
  }

  Bytes out;
  for (size_t i = prefixes.size(); i-- > 0;) {
    out.insert(out.end(), prefixes[i].begin(), prefixes[i].end());
  }
  out.push_back(0xc0);
  return out;
}

TEST(Rlp, VectorFileHoldsAllValidAndInvalidCases) {
  json vectors = load_vectors("eth1/rlp.json");

  EXPECT_EQ(vectors.at("valid").size(), 28u);
  EXPECT_EQ(vectors.at("invalid").size(), 25u);
}

TEST(Rlp, EveryValidVectorEncodesExactly) {
  json vectors = load_vectors("eth1/rlp.json");

  for (const json& test : vectors.at("valid")) {
    Bytes expected = hex(test.at("out").get<std::string>());

    EXPECT_EQ(to_hex(encode_vector_input(test.at("in"))), to_hex(expected))
        << test.at("name");
    EXPECT_EQ(to_hex(rlp_encode(tree_of(test.at("in")))), to_hex(expected))
        << test.at("name");
  }
}

TEST(Rlp, EveryValidVectorDecodesToItsTree) {
  json vectors = load_vectors("eth1/rlp.json");

  for (const json& test : vectors.at("valid")) {
    Result<RlpItem> item = rlp_decode(hex(test.at("out").get<std::string>()));

    ASSERT_TRUE(item.ok()) << test.at("name") << ": " << item.error().message;
    EXPECT_EQ(*item, tree_of(test.at("in"))) << test.at("name");
  }
}

TEST(Rlp, EveryInvalidVectorIsRefusedWithAnOffset) {
  json vectors = load_vectors("eth1/rlp.json");

  for (const json& test : vectors.at("invalid")) {
    std::string message = decode_error(test.at("out").get<std::string>());

    EXPECT_TRUE(contains(message, "RLP at offset "))
        << test.at("name") << ": " << message;
  }
}

TEST(Rlp, IntegerVectorsBelowTwoToThe256DecodeBackToTheirValues) {
  json vectors = load_vectors("eth1/rlp.json");
  size_t checked = 0;

  for (const json& test : vectors.at("valid")) {
    const json& in = test.at("in");
    bool big = in.is_string() && in.get<std::string>().rfind("#", 0) == 0;
    if (!in.is_number_unsigned() && !big) continue;
    std::string expected = big ? in.get<std::string>().substr(1)
                               : std::to_string(in.get<uint64_t>());
    if (!Uint256::from_decimal(expected).ok()) continue;  // 2^256
    Result<RlpItem> item = rlp_decode(hex(test.at("out").get<std::string>()));
    ASSERT_TRUE(item.ok());

    Result<Uint256> value = item->as_uint256("value");

    ASSERT_TRUE(value.ok()) << test.at("name") << ": " << value.error().message;
    EXPECT_EQ(value->to_decimal(), expected) << test.at("name");
    ++checked;
  }

  EXPECT_EQ(checked, 10u);
}

TEST(Rlp, TwoToThe256VectorIsRefusedAsAnInteger) {
  json vectors = load_vectors("eth1/rlp.json");
  const json& bigint = vectors.at("valid").back();
  ASSERT_EQ(bigint.at("name"), "bigint");
  Result<RlpItem> item = rlp_decode(hex(bigint.at("out").get<std::string>()));
  ASSERT_TRUE(item.ok());

  Result<Uint256> value = item->as_uint256("value");

  ASSERT_FALSE(value.ok());
  EXPECT_TRUE(contains(value.error().message, "33 bytes"));
}

TEST(Rlp, SingleByteBehindPrefixIsRefusedAsNonCanonical) {
  std::string message = decode_error("0xc28100");

  EXPECT_TRUE(contains(message, "offset 1")) << message;
  EXPECT_TRUE(contains(message, "single byte 0x00")) << message;
}

TEST(Rlp, LongFormForShortPayloadIsRefused) {
  std::string message = decode_error("0xb801ff");

  EXPECT_TRUE(contains(message, "long form")) << message;
}

TEST(Rlp, LeadingZeroInLongLengthIsRefused) {
  std::string message = decode_error("0xb90038" + std::string(112, '0'));

  EXPECT_TRUE(contains(message, "leading zero")) << message;
}

TEST(Rlp, StringPastTheEndOfTheInputIsRefused) {
  std::string message = decode_error("0x836162");

  EXPECT_TRUE(contains(message, "past the end of the input")) << message;
}

TEST(Rlp, ItemPastTheEndOfItsListIsRefused) {
  // A 2-byte list holding the start of a 3-byte string, then more bytes.
  std::string message = decode_error("0xc283616263");

  EXPECT_TRUE(contains(message, "offset 1")) << message;
  EXPECT_TRUE(contains(message, "enclosing list")) << message;
}

TEST(Rlp, TrailingBytesAfterTheItemAreRefused) {
  std::string message = decode_error("0x8080");

  EXPECT_TRUE(contains(message, "offset 1")) << message;
  EXPECT_TRUE(contains(message, "trailing")) << message;
}

TEST(Rlp, EmptyInputIsRefused) {
  std::string message = decode_error("0x");

  EXPECT_TRUE(contains(message, "empty")) << message;
}

TEST(Rlp, NestingUpToTheBoundIsAccepted) {
  Result<RlpItem> item = rlp_decode(nested_lists(kMaxRlpDepth));

  ASSERT_TRUE(item.ok()) << item.error().message;
  EXPECT_EQ(rlp_encode(*item), nested_lists(kMaxRlpDepth));
}

TEST(Rlp, NestingBeyondTheBoundIsRefused) {
  Result<RlpItem> item = rlp_decode(nested_lists(kMaxRlpDepth + 1));

  ASSERT_FALSE(item.ok());
  EXPECT_TRUE(contains(item.error().message, "nested")) << item.error().message;
}

TEST(Rlp, HostileNestingIsRefusedAtTheBoundNotAtTheBottom) {
  Bytes input = nested_lists(200000);

  Result<RlpItem> item = rlp_decode(input);

  ASSERT_FALSE(item.ok());
  EXPECT_TRUE(contains(item.error().message, "nested")) << item.error().message;
}

TEST(Rlp, FiftySixBytePayloadUsesTheLongForm) {
  Bytes payload(56, 0x61);

  Bytes encoded = rlp_encode_string(payload);

  ASSERT_EQ(encoded.size(), 58u);
  EXPECT_EQ(encoded[0], 0xb8);
  EXPECT_EQ(encoded[1], 56);
}

TEST(Rlp, LongListLengthIsMinimalBigEndian) {
  std::vector<Bytes> items(256, rlp_encode_string(hex("0x")));

  Bytes encoded = rlp_encode_list(items);

  EXPECT_EQ(to_hex(ByteView(encoded.data(), 3)), "0xf90100");
}

TEST(Rlp, IntegersEncodeMinimally) {
  EXPECT_EQ(rlp_encode_uint(uint64_t{0}), hex("0x80"));
  EXPECT_EQ(rlp_encode_uint(uint64_t{0x7f}), hex("0x7f"));
  EXPECT_EQ(rlp_encode_uint(uint64_t{0x80}), hex("0x8180"));
  EXPECT_EQ(rlp_encode_uint(~uint64_t{0}), hex("0x88ffffffffffffffff"));
}

TEST(Rlp, IntegerWithLeadingZeroIsRefused) {
  Result<RlpItem> item = rlp_decode(hex("0x820001"));
  ASSERT_TRUE(item.ok());

  Result<Uint256> value = item->as_uint256("nonce");

  ASSERT_FALSE(value.ok());
  EXPECT_TRUE(contains(value.error().message, "nonce has a leading zero"))
      << value.error().message;
}

TEST(Rlp, SingleZeroByteIsNotAnInteger) {
  Result<RlpItem> item = rlp_decode(hex("0x00"));
  ASSERT_TRUE(item.ok());

  Result<Uint256> value = item->as_uint256("value");

  EXPECT_FALSE(value.ok());
}

TEST(Rlp, IntegerOfThirtyThreeBytesIsRefused) {
  Bytes payload(33, 0xff);
  Result<RlpItem> item = rlp_decode(rlp_encode_string(payload));
  ASSERT_TRUE(item.ok());

  Result<Uint256> value = item->as_uint256("value");

  ASSERT_FALSE(value.ok());
  EXPECT_TRUE(contains(value.error().message, "at most 32"));
}

TEST(Rlp, Uint64FieldRefusesNineByteInteger) {
  Result<RlpItem> item = rlp_decode(hex("0x89010000000000000000"));
  ASSERT_TRUE(item.ok());

  Result<uint64_t> value = item->as_uint64("gas limit");

  ASSERT_FALSE(value.ok());
  EXPECT_TRUE(contains(value.error().message, "gas limit"))
      << value.error().message;
}

TEST(Rlp, ListWhereIntegerExpectedIsRefused) {
  Result<RlpItem> item = rlp_decode(hex("0xc0"));
  ASSERT_TRUE(item.ok());

  Result<Uint256> value = item->as_uint256("value");

  ASSERT_FALSE(value.ok());
  EXPECT_TRUE(contains(value.error().message, "is a list"));
}

TEST(Rlp, ListOfWrongLengthIsRefusedNamingTheCounts) {
  Result<RlpItem> item = rlp_decode(hex("0xc28080"));
  ASSERT_TRUE(item.ok());

  Result<std::vector<RlpItem>> fields = item->as_list("transaction", 9);

  ASSERT_FALSE(fields.ok());
  EXPECT_TRUE(contains(fields.error().message, "has 2 elements"));
  EXPECT_TRUE(contains(fields.error().message, "exactly 9"));
}

TEST(Rlp, DecodedItemsRememberTheirOffsets) {
  Result<RlpItem> item = rlp_decode(hex("0xc6827a77c10401"));
  ASSERT_TRUE(item.ok());

  const std::vector<RlpItem>& items = item->items();

  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].offset(), 1u);
  EXPECT_EQ(items[1].offset(), 4u);
  EXPECT_EQ(items[1].items()[0].offset(), 5u);
  EXPECT_EQ(items[2].offset(), 6u);
}

}  // namespace
}  // namespace pkm::chain
