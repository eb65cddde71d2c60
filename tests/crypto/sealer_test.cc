#include "crypto/sealer.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_process.h"

namespace pkm::crypto {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

SecretBytes key_of(uint8_t fill) {
  SecretBytes key(kMasterKeySize);
  for (size_t i = 0; i < key.size(); ++i) {
    key[i] = static_cast<uint8_t>(fill + i);
  }
  return key;
}

Sealer sealer_of(uint8_t fill) {
  auto sealer = Sealer::create(key_of(fill));
  EXPECT_TRUE(sealer.ok()) << sealer.error().to_string();
  return std::move(sealer).value();
}

std::string as_string(const SecretBytes& bytes) {
  return std::string(bytes.data(), bytes.data() + bytes.size());
}

// Writes `content` to `path` with `mode`, bypassing the umask.
void write_file(const std::string& path, std::string_view content,
                mode_t mode) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(content.data(), static_cast<std::streamsize>(content.size()));
  ASSERT_EQ(::chmod(path.c_str(), mode), 0);
}

const ByteView kPublicKey("public key of the validator");
const std::string kSecret = "32 bytes of validator secret key";

class MasterKeyFile : public ::testing::Test {
 protected:
  std::string path(const std::string& name = "master.key") const {
    return directory_.path() + "/" + name;
  }

  testing::TempDir directory_;
};

TEST(Sealer, OpenReturnsWhatSealSealed) {
  Sealer sealer = sealer_of(1);

  auto sealed = sealer.seal(ByteView(kSecret), kPublicKey);
  ASSERT_TRUE(sealed.ok());
  auto opened = sealer.open(*sealed, kPublicKey);

  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  EXPECT_EQ(as_string(*opened), kSecret);
}

TEST(Sealer, SealedValueIsVersionNonceCiphertextAndTag) {
  Sealer sealer = sealer_of(1);

  auto sealed = sealer.seal(ByteView(kSecret), kPublicKey);

  ASSERT_TRUE(sealed.ok());
  ASSERT_EQ(sealed->size(), 1 + 12 + kSecret.size() + 16);
  EXPECT_EQ((*sealed)[0], kSealFormatVersion);
  std::string ciphertext(sealed->begin() + 13, sealed->end() - 16);
  EXPECT_NE(ciphertext, kSecret);
}

TEST(Sealer, SealingTheSameSecretTwiceUsesFreshNonces) {
  Sealer sealer = sealer_of(1);

  auto first = sealer.seal(ByteView(kSecret), kPublicKey);
  auto second = sealer.seal(ByteView(kSecret), kPublicKey);

  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(Bytes(first->begin() + 1, first->begin() + 13),
            Bytes(second->begin() + 1, second->begin() + 13));
  EXPECT_NE(*first, *second);
}

TEST(Sealer, EmptySecretRoundTrips) {
  Sealer sealer = sealer_of(1);

  auto sealed = sealer.seal(ByteView(), ByteView());
  ASSERT_TRUE(sealed.ok());
  auto opened = sealer.open(*sealed, ByteView());

  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(opened->empty());
}

TEST(Sealer, OpenRefusesEveryAlteredByte) {
  Sealer sealer = sealer_of(1);
  auto sealed = sealer.seal(ByteView(kSecret), kPublicKey);
  ASSERT_TRUE(sealed.ok());

  for (size_t i = 0; i < sealed->size(); ++i) {
    Bytes altered = *sealed;
    altered[i] ^= 0x01;

    auto opened = sealer.open(altered, kPublicKey);

    ASSERT_FALSE(opened.ok()) << "byte " << i;
    ErrorCode expected =
        i == 0 ? ErrorCode::kDataLoss : ErrorCode::kPermissionDenied;
    EXPECT_EQ(opened.error().code, expected) << "byte " << i;
  }
}

TEST(Sealer, OpenRefusesOtherAssociatedData) {
  Sealer sealer = sealer_of(1);
  auto sealed = sealer.seal(ByteView(kSecret), kPublicKey);
  ASSERT_TRUE(sealed.ok());

  auto opened = sealer.open(*sealed, ByteView("another public key"));

  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, ErrorCode::kPermissionDenied);
}

TEST(Sealer, OpenUnderAnotherMasterKeyFailsWithoutRevealingTheSecret) {
  Sealer sealer = sealer_of(1);
  Sealer other = sealer_of(2);
  auto sealed = sealer.seal(ByteView(kSecret), kPublicKey);
  ASSERT_TRUE(sealed.ok());

  auto opened = other.open(*sealed, kPublicKey);

  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(opened.error().message, HasSubstr("wrong master key"));
  EXPECT_THAT(opened.error().message, Not(HasSubstr(kSecret)));
  EXPECT_THAT(opened.error().message,
              Not(HasSubstr(to_hex(ByteView(kSecret), false))));
}

TEST(Sealer, OpenRefusesTruncatedValueAsDataLoss) {
  Sealer sealer = sealer_of(1);
  auto sealed = sealer.seal(ByteView(kSecret), kPublicKey);
  ASSERT_TRUE(sealed.ok());

  auto opened =
      sealer.open(ByteView(sealed->data(), kSealOverhead - 1), kPublicKey);

  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, ErrorCode::kDataLoss);
  EXPECT_THAT(opened.error().message, HasSubstr("28 bytes"));
}

TEST(Sealer, CreateRefusesMasterKeyOfWrongSize) {
  SecretBytes short_key(31);

  auto sealer = Sealer::create(short_key);

  ASSERT_FALSE(sealer.ok());
  EXPECT_EQ(sealer.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(sealer.error().message, HasSubstr("31 bytes"));
}

TEST(Sealer, KeyCheckValueIsStablePerKeyAndDiffersBetweenKeys) {
  Sealer first = sealer_of(1);
  Sealer again = sealer_of(1);
  Sealer other = sealer_of(2);

  const Bytes& check = first.key_check_value();

  EXPECT_EQ(check.size(), kKeyCheckValueSize);
  EXPECT_EQ(check, again.key_check_value());
  EXPECT_NE(check, other.key_check_value());
  SecretBytes key = key_of(1);
  EXPECT_NE(check, Bytes(key.data(), key.data() + key.size()));
}

TEST_F(MasterKeyFile, IsCreatedWithMode0600AsHexWhenAbsent) {
  auto key = load_or_create_master_key(path());

  ASSERT_TRUE(key.ok()) << key.error().to_string();
  EXPECT_EQ(key->size(), kMasterKeySize);
  struct stat info;
  ASSERT_EQ(::stat(path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600u);
  std::ifstream file(path());
  std::string line;
  std::getline(file, line);
  EXPECT_EQ(line, to_hex(ByteView(key->data(), key->size()), false));
}

TEST_F(MasterKeyFile, LeavesNoTemporaryFileBehind) {
  auto key = load_or_create_master_key(path());
  ASSERT_TRUE(key.ok());

  std::vector<std::string> names;
  for (const auto& entry :
       std::filesystem::directory_iterator(directory_.path())) {
    names.push_back(entry.path().filename().string());
  }

  EXPECT_EQ(names, std::vector<std::string>{"master.key"});
}

TEST_F(MasterKeyFile, SecondLoadReturnsTheSameKey) {
  auto created = load_or_create_master_key(path());
  ASSERT_TRUE(created.ok());

  auto loaded = load_or_create_master_key(path());

  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  EXPECT_TRUE(constant_time_equal(created->view(), loaded->view()));
}

TEST_F(MasterKeyFile, ConcurrentCreatorsAllGetOneKey) {
  constexpr int kThreads = 8;
  std::vector<Result<SecretBytes>> keys(kThreads, SecretBytes());
  std::vector<std::thread> threads;

  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back(
        [&, i] { keys[i] = load_or_create_master_key(path()); });
  }
  for (auto& thread : threads) thread.join();

  for (int i = 0; i < kThreads; ++i) {
    ASSERT_TRUE(keys[i].ok()) << keys[i].error().to_string();
    EXPECT_TRUE(constant_time_equal(keys[0]->view(), keys[i]->view()));
  }
}

TEST_F(MasterKeyFile, RawHexAndPrefixedHexFormsGiveTheSameKey) {
  SecretBytes expected = key_of(7);
  std::string raw(expected.data(), expected.data() + expected.size());
  std::string hex = to_hex(expected.view(), false);
  write_file(path("raw"), raw, 0600);
  write_file(path("hex"), hex, 0400);
  write_file(path("prefixed"), "0x" + hex + "\r\n", 0600);

  auto from_raw = load_or_create_master_key(path("raw"));
  auto from_hex = load_or_create_master_key(path("hex"));
  auto from_prefixed = load_or_create_master_key(path("prefixed"));

  ASSERT_TRUE(from_raw.ok()) << from_raw.error().to_string();
  ASSERT_TRUE(from_hex.ok()) << from_hex.error().to_string();
  ASSERT_TRUE(from_prefixed.ok()) << from_prefixed.error().to_string();
  EXPECT_TRUE(constant_time_equal(from_raw->view(), expected.view()));
  EXPECT_TRUE(constant_time_equal(from_hex->view(), expected.view()));
  EXPECT_TRUE(constant_time_equal(from_prefixed->view(), expected.view()));
}

TEST_F(MasterKeyFile, GroupReadableFileIsRefusedNamingPathAndMode) {
  write_file(path(), to_hex(key_of(7).view(), false), 0640);

  auto key = load_or_create_master_key(path());

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(key.error().message, HasSubstr(path()));
  EXPECT_THAT(key.error().message, HasSubstr("0640"));
}

TEST_F(MasterKeyFile, WorldReadableFileIsRefused) {
  write_file(path(), to_hex(key_of(7).view(), false), 0604);

  auto key = load_or_create_master_key(path());

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(MasterKeyFile, FileOfWrongSizeIsRefusedWithoutEchoingIt) {
  std::string content = "0123456789abcdef0123456789abcdef0123";
  write_file(path(), content, 0600);

  auto key = load_or_create_master_key(path());

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kDataLoss);
  EXPECT_THAT(key.error().message, HasSubstr(path()));
  EXPECT_THAT(key.error().message, HasSubstr("36 bytes"));
  EXPECT_THAT(key.error().message, Not(HasSubstr(content)));
}

TEST_F(MasterKeyFile, EmptyFileIsRefused) {
  write_file(path(), "", 0600);

  auto key = load_or_create_master_key(path());

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kDataLoss);
  EXPECT_THAT(key.error().message, HasSubstr("empty"));
}

TEST_F(MasterKeyFile, SixtyFourNonHexCharactersAreRefused) {
  write_file(path(), std::string(64, 'g'), 0600);

  auto key = load_or_create_master_key(path());

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kDataLoss);
  EXPECT_THAT(key.error().message, HasSubstr("hex digits"));
}

TEST_F(MasterKeyFile, DirectoryInPlaceOfTheFileIsRefused) {
  std::filesystem::create_directory(path());
  ::chmod(path().c_str(), 0700);

  auto key = load_or_create_master_key(path());

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(key.error().message, HasSubstr("not a regular file"));
}

TEST_F(MasterKeyFile, MissingParentDirectoryIsNotFound) {
  std::string missing = path("absent") + "/master.key";

  auto key = load_or_create_master_key(missing);

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(key.error().message, HasSubstr(path("absent")));
}

}  // namespace
}  // namespace pkm::crypto
