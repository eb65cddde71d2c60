#include "client/validator_key.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pkm::client {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

crypto::SecretKey key_from(uint8_t fill) {
  Bytes bytes(32, fill);
  bytes[0] = 0x11;
  return std::move(*crypto::SecretKey::from_bytes(bytes));
}

void add_key(wire::AllocateReply& reply, const crypto::SecretKey& secret,
             const crypto::SecretKey& public_of) {
  auto public_key = public_of.public_key().to_bytes();
  SecretBytes secret_bytes = secret.to_bytes();
  wire::AllocatedKey* key = reply.add_keys();
  key->set_public_key(public_key.data(), public_key.size());
  key->set_private_key(secret_bytes.data(), secret_bytes.size());
  key->set_withdrawal_credentials(std::string(32, '\0'));
}

std::string secret_hex(const crypto::SecretKey& key) {
  return to_hex(key.to_bytes().view(), /*prefix=*/false);
}

class TakeValidatorKeys : public ::testing::Test {
 protected:
  crypto::SecretKey first_ = key_from(0x21);
  crypto::SecretKey second_ = key_from(0x42);
  crypto::SecretKey third_ = key_from(0x63);
  wire::AllocateReply reply_;

  void SetUp() override { reply_.set_pod_name("validator-0"); }

  bool private_keys_wiped() const {
    for (const auto& key : reply_.keys()) {
      if (!key.private_key().empty()) return false;
    }
    return true;
  }
};

TEST_F(TakeValidatorKeys, AcceptsKeysWhosePublicKeysMatch) {
  add_key(reply_, first_, first_);
  add_key(reply_, second_, second_);

  auto keys = take_validator_keys(reply_, "validator-0", 2);

  ASSERT_TRUE(keys.ok()) << keys.error().to_string();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ(secret_hex((*keys)[1].secret_key), secret_hex(second_));
  EXPECT_TRUE(private_keys_wiped());
}

TEST_F(TakeValidatorKeys, RefusesAPublicKeyThatIsNotSkToPkOfItsPrivateKey) {
  add_key(reply_, first_, first_);
  add_key(reply_, second_, third_);

  auto keys = take_validator_keys(reply_, "validator-0", 2);

  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.error().code, ErrorCode::kDataLoss);
  EXPECT_THAT(keys.error().message, HasSubstr("key 1"));
  EXPECT_THAT(keys.error().message, Not(HasSubstr(secret_hex(second_))));
  EXPECT_TRUE(private_keys_wiped());
}

TEST_F(TakeValidatorKeys, RefusesAReplyForAnotherPod) {
  add_key(reply_, first_, first_);

  auto keys = take_validator_keys(reply_, "validator-1", 1);

  ASSERT_FALSE(keys.ok());
  EXPECT_THAT(keys.error().message, HasSubstr("validator-0"));
  EXPECT_TRUE(private_keys_wiped());
}

TEST_F(TakeValidatorKeys, RefusesFewerKeysThanRequested) {
  add_key(reply_, first_, first_);

  auto keys = take_validator_keys(reply_, "validator-0", 2);

  ASSERT_FALSE(keys.ok());
  EXPECT_THAT(keys.error().message, HasSubstr("holds 1 keys, but 2"));
}

TEST_F(TakeValidatorKeys, AcceptsMoreKeysThanRequestedSinceKeysAreNeverTaken) {
  add_key(reply_, first_, first_);
  add_key(reply_, second_, second_);

  auto keys = take_validator_keys(reply_, "validator-0", 1);

  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 2u);
}

TEST_F(TakeValidatorKeys, RefusesTheSameKeyTwice) {
  add_key(reply_, first_, first_);
  add_key(reply_, first_, first_);

  auto keys = take_validator_keys(reply_, "validator-0", 2);

  ASSERT_FALSE(keys.ok());
  EXPECT_THAT(keys.error().message, HasSubstr("more than once"));
}

}  // namespace
}  // namespace pkm::client
