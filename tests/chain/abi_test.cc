#include "chain/abi.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "chain/uint256.h"
#include "tests/support/test_support.h"

namespace pkm::chain {
namespace {

using nlohmann::json;
using pkm::testing::hex;
using pkm::testing::load_vectors;

// A 32-byte big-endian word holding `value`, as 64 hex digits.
std::string word(uint64_t value) {
  std::string digits = Uint256(value).to_quantity().substr(2);
  return std::string(64 - digits.size(), '0') + digits;
}

// `hex_digits` right-padded with zeros to a multiple of 64 digits.
std::string padded(const std::string& hex_digits) {
  size_t rest = hex_digits.size() % 64;
  return rest == 0 ? hex_digits : hex_digits + std::string(64 - rest, '0');
}

Bytes concat(std::initializer_list<std::string> hex_pieces) {
  std::string all = "0x";
  for (const std::string& piece : hex_pieces) all += piece;
  return hex(all);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

template <size_t N>
std::string hex_of(const std::array<uint8_t, N>& bytes) {
  return to_hex(ByteView(bytes.data(), N));
}

// The first deposit_data entry of the deposit CLI vectors (hex without 0x).
class DepositAbi : public ::testing::Test {
 protected:
  void SetUp() override {
    json vectors = load_vectors("deposit/deposit_data_cli.json");
    const json& entry = vectors.at("sets").at(0).at("deposit_data").at(0);
    pubkey_ = entry.at("pubkey").get<std::string>();
    credentials_ = entry.at("withdrawal_credentials").get<std::string>();
    signature_ = entry.at("signature").get<std::string>();
    root_ = entry.at("deposit_data_root").get<std::string>();
  }

  // The DepositEvent data the contract logs for this entry with 32 ETH at
  // index 5, laid out by hand: five offsets, then length || padded value.
  Bytes event_data() const {
    return concat({word(0xa0), word(0x100), word(0x140), word(0x180),
                   word(0x200),                          //
                   word(48), padded(pubkey_),            //
                   word(32), credentials_,               //
                   word(8), padded("0040597307000000"),  // 32e9 Gwei, LE
                   word(96), signature_,                 //
                   word(8), padded("0500000000000000")});
  }

  std::string pubkey_;
  std::string credentials_;
  std::string signature_;
  std::string root_;
};

TEST(AbiSelectors, DepositSelectorIsKeccakOfItsSignature) {
  AbiSelector selector = function_selector(kDepositFunction);

  EXPECT_EQ(hex_of(selector), "0x22895118");
}

TEST(AbiSelectors, DepositContractViewSelectorsAreKeccakOfTheirSignatures) {
  EXPECT_EQ(to_hex(encode_get_deposit_root_call()), "0xc5f2892f");
  EXPECT_EQ(to_hex(encode_get_deposit_count_call()), "0x621fd130");
}

TEST(AbiSelectors, ErrorStringSelectorIsKeccakOfItsSignature) {
  EXPECT_EQ(hex_of(function_selector(kErrorFunction)), "0x08c379a0");
}

TEST(AbiSelectors, DepositEventTopicIsKeccakOfItsSignature) {
  EXPECT_EQ(
      hex_of(event_topic(kDepositEventSignature)),
      "0x649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5");
}

TEST_F(DepositAbi, DepositCallDataHasTheCanonicalLayout) {
  Bytes expected = concat({"22895118",                                  //
                           word(0x80), word(0xe0), word(0x120), root_,  //
                           word(48), padded(pubkey_),                   //
                           word(32), credentials_,                      //
                           word(96), signature_});

  Result<Bytes> call = encode_deposit_call(hex(pubkey_), hex(credentials_),
                                           hex(signature_), hex(root_));

  ASSERT_TRUE(call.ok()) << call.error().message;
  EXPECT_EQ(to_hex(*call), to_hex(expected));
  EXPECT_EQ(call->size(), 420u);
}

TEST_F(DepositAbi, DepositCallRefusesA47BytePubkey) {
  Bytes short_pubkey = hex(pubkey_);
  short_pubkey.pop_back();

  Result<Bytes> call = encode_deposit_call(short_pubkey, hex(credentials_),
                                           hex(signature_), hex(root_));

  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(contains(call.error().message, "pubkey is 47 bytes"));
}

TEST_F(DepositAbi, DepositCallRefusesWrongSizedCredentialsSignatureAndRoot) {
  Bytes long_credentials = hex(credentials_);
  long_credentials.push_back(0);
  Bytes short_signature = hex(signature_);
  short_signature.pop_back();
  Bytes short_root = hex(root_);
  short_root.pop_back();

  Result<Bytes> bad_credentials = encode_deposit_call(
      hex(pubkey_), long_credentials, hex(signature_), hex(root_));
  Result<Bytes> bad_signature = encode_deposit_call(
      hex(pubkey_), hex(credentials_), short_signature, hex(root_));
  Result<Bytes> bad_root = encode_deposit_call(hex(pubkey_), hex(credentials_),
                                               hex(signature_), short_root);

  ASSERT_FALSE(bad_credentials.ok());
  EXPECT_TRUE(contains(bad_credentials.error().message, "credentials is 33"));
  ASSERT_FALSE(bad_signature.ok());
  EXPECT_TRUE(contains(bad_signature.error().message, "signature is 95"));
  ASSERT_FALSE(bad_root.ok());
  EXPECT_TRUE(contains(bad_root.error().message, "root is 31"));
}

TEST(AbiEncoding, EmptyDynamicBytesTakeOnlyALengthWord) {
  Bytes call = encode_call({0x01, 0x02, 0x03, 0x04},
                           {AbiArgument::dynamic_bytes(Bytes())});

  EXPECT_EQ(to_hex(call), to_hex(concat({"01020304", word(0x20), word(0)})));
}

TEST_F(DepositAbi, DepositEventDecodesAllFields) {
  Result<DepositEvent> event = decode_deposit_event(event_data());

  ASSERT_TRUE(event.ok()) << event.error().message;
  EXPECT_EQ(hex_of(event->pubkey), "0x" + pubkey_);
  EXPECT_EQ(hex_of(event->withdrawal_credentials), "0x" + credentials_);
  EXPECT_EQ(event->amount_gwei, 32000000000u);
  EXPECT_EQ(hex_of(event->signature), "0x" + signature_);
  EXPECT_EQ(event->index, 5u);
}

TEST_F(DepositAbi, DepositEventIsExactly576Bytes) {
  EXPECT_EQ(event_data().size(), 576u);
  EXPECT_TRUE(decode_deposit_event(event_data()).ok());
}

TEST_F(DepositAbi, DepositEventWithMovedOffsetIsRefused) {
  Bytes data = event_data();
  data[31] = 0xc0;  // pubkey offset 0xa0 -> 0xc0

  Result<DepositEvent> event = decode_deposit_event(data);

  ASSERT_FALSE(event.ok());
  EXPECT_TRUE(contains(event.error().message, "pubkey offset is 192"))
      << event.error().message;
  EXPECT_TRUE(contains(event.error().message, "allowed: 160"));
}

TEST_F(DepositAbi, DepositEventWithHugeOffsetIsRefused) {
  Bytes data = event_data();
  data[0] = 0xff;  // pubkey offset near 2^256

  Result<DepositEvent> event = decode_deposit_event(data);

  ASSERT_FALSE(event.ok());
  EXPECT_TRUE(contains(event.error().message, "pubkey offset"));
}

TEST_F(DepositAbi, DepositEventWithWrongAmountLengthIsRefused) {
  Bytes data = event_data();
  data[0x140 + 31] = 7;  // amount length 8 -> 7

  Result<DepositEvent> event = decode_deposit_event(data);

  ASSERT_FALSE(event.ok());
  EXPECT_TRUE(contains(event.error().message, "amount is 7 bytes"))
      << event.error().message;
}

TEST_F(DepositAbi, DepositEventWithNonZeroPaddingIsRefused) {
  Bytes data = event_data();
  data[0xa0 + 32 + 48] = 1;  // first padding byte after the pubkey

  Result<DepositEvent> event = decode_deposit_event(data);

  ASSERT_FALSE(event.ok());
  EXPECT_TRUE(contains(event.error().message, "pubkey has non-zero padding"))
      << event.error().message;
}

TEST_F(DepositAbi, DepositEventWithTrailingBytesIsRefused) {
  Bytes data = event_data();
  data.resize(data.size() + 32, 0);

  Result<DepositEvent> event = decode_deposit_event(data);

  ASSERT_FALSE(event.ok());
  EXPECT_TRUE(contains(event.error().message, "32 trailing byte(s)"));
}

TEST_F(DepositAbi, TruncatedDepositEventIsRefusedAtEveryLength) {
  Bytes data = event_data();

  for (size_t size = 0; size < data.size(); ++size) {
    Result<DepositEvent> event =
        decode_deposit_event(ByteView(data.data(), size));

    EXPECT_FALSE(event.ok()) << "accepted " << size << " bytes";
  }
}

TEST(DepositCount, CanonicalReturnValueDecodesLittleEndian) {
  Bytes data = concat({word(0x20), word(8), padded("0501000000000000")});

  Result<uint64_t> count = decode_deposit_count(data);

  ASSERT_TRUE(count.ok()) << count.error().message;
  EXPECT_EQ(*count, 0x105u);
}

TEST(DepositCount, SevenByteCountIsRefused) {
  Bytes data = concat({word(0x20), word(7), padded("05010000000000")});

  Result<uint64_t> count = decode_deposit_count(data);

  ASSERT_FALSE(count.ok());
  EXPECT_TRUE(contains(count.error().message, "count is 7 bytes"));
}

TEST(DepositCount, NonCanonicalOffsetIsRefused) {
  Bytes data =
      concat({word(0x40), word(0), word(8), padded("0501000000000000")});

  Result<uint64_t> count = decode_deposit_count(data);

  ASSERT_FALSE(count.ok());
  EXPECT_TRUE(contains(count.error().message, "offset is 64"));
}

TEST(DepositRoot, ThirtyTwoBytesDecodeToTheRoot) {
  Bytes data = hex("0x" + std::string(62, 'a') + "01");

  Result<AbiWord> root = decode_deposit_root(data);

  ASSERT_TRUE(root.ok());
  EXPECT_EQ(hex_of(*root), to_hex(data));
}

TEST(DepositRoot, OtherLengthsAreRefused) {
  Result<AbiWord> short_root = decode_deposit_root(Bytes(31, 0));
  Result<AbiWord> long_root = decode_deposit_root(Bytes(64, 0));

  EXPECT_FALSE(short_root.ok());
  EXPECT_FALSE(long_root.ok());
}

// The deposit contract's revert for a root mismatch, encoded by hand.
Bytes root_mismatch_revert() {
  std::string message =
      "DepositContract: reconstructed DepositData does not match supplied "
      "deposit_data_root";
  return concat({"08c379a0", word(0x20), word(message.size()),
                 padded(to_hex(ByteView(message), false))});
}

TEST(RevertReason, ErrorStringIsDecoded) {
  Result<std::string> reason = decode_revert_reason(root_mismatch_revert());

  ASSERT_TRUE(reason.ok()) << reason.error().message;
  EXPECT_EQ(*reason,
            "DepositContract: reconstructed DepositData does not match "
            "supplied deposit_data_root");
}

TEST(RevertReason, PanicIsRefusedNamingItsSelector) {
  Bytes panic = concat({"4e487b71", word(0x11)});

  Result<std::string> reason = decode_revert_reason(panic);

  ASSERT_FALSE(reason.ok());
  EXPECT_TRUE(contains(reason.error().message, "selector 0x4e487b71"))
      << reason.error().message;
}

TEST(RevertReason, EmptyRevertDataIsRefused) {
  Result<std::string> reason = decode_revert_reason(Bytes());

  ASSERT_FALSE(reason.ok());
  EXPECT_TRUE(contains(reason.error().message, "0 bytes"));
}

TEST(RevertReason, LengthPastTheEndIsRefused) {
  Bytes data = root_mismatch_revert();
  data[4 + 63] = 0xff;  // message length 84 -> 255

  Result<std::string> reason = decode_revert_reason(data);

  ASSERT_FALSE(reason.ok());
  EXPECT_TRUE(contains(reason.error().message, "runs past the end"))
      << reason.error().message;
}

TEST(RevertReason, NonZeroPaddingIsRefused) {
  Bytes data = root_mismatch_revert();
  data.back() = 0x20;

  Result<std::string> reason = decode_revert_reason(data);

  ASSERT_FALSE(reason.ok());
  EXPECT_TRUE(contains(reason.error().message, "padding"));
}

}  // namespace
}  // namespace pkm::chain
