#include "crypto/keystore.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "crypto/bls.h"
#include "crypto/text_normalization.h"
#include "tests/support/test_support.h"

namespace pkm::crypto::keystore {
namespace {

using nlohmann::json;
using pkm::testing::hex;
using pkm::testing::load_vectors;

constexpr char kEipSecret[] =
    "0x000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";
constexpr char kPassword[] = "correct horse battery staple";
constexpr char kChecksumMismatch[] =
    "checksum mismatch: wrong password or corrupted keystore";

SecretKey key_from_hex(const std::string& text) {
  auto key = SecretKey::from_bytes(hex(text));
  EXPECT_TRUE(key.ok()) << text;
  return std::move(key).value();
}

std::string secret_hex(const SecretKey& key) {
  return to_hex(key.to_bytes().view());
}

std::string pubkey_hex(const SecretKey& key, bool prefix = true) {
  auto bytes = key.public_key().to_bytes();
  return to_hex(ByteView(bytes.data(), bytes.size()), prefix);
}

// The text of an EIP-2335 vector keystore.
std::string vector_text(const std::string& file) {
  return load_vectors("eip2335/" + file).dump();
}

// Cheap KDF settings so that tests run in milliseconds.
Options cheap_scrypt() {
  Options options;
  options.kdf = Kdf::kScrypt;
  options.scrypt = {16, 8, 1};
  options.path = "m/12381/3600/0/0/0";
  return options;
}

Options cheap_pbkdf2() {
  Options options;
  options.kdf = Kdf::kPbkdf2;
  options.pbkdf2 = {16};
  options.path = "m/12381/3600/0/0/0";
  return options;
}

std::string encrypt_or_fail(const SecretKey& key, std::string_view password,
                            const Options& options) {
  auto text = encrypt(key, password, options);
  EXPECT_TRUE(text.ok()) << text.error().to_string();
  return text.ok() ? *text : std::string();
}

// ---- Published vectors ----

TEST(Keystore, DecryptsBothEip2335Vectors) {
  auto cases = load_vectors("eip2335/keystore_cases.json")["decrypt_cases"];
  ASSERT_EQ(cases.size(), 2u);

  for (const auto& test : cases) {
    SCOPED_TRACE(test["file"].get<std::string>());
    auto key = decrypt(vector_text(test["file"].get<std::string>()),
                       test["password"].get<std::string>());

    ASSERT_TRUE(key.ok()) << key.error().to_string();
    EXPECT_EQ(secret_hex(*key), test["secret"].get<std::string>());
    EXPECT_EQ(pubkey_hex(*key), test["pubkey"].get<std::string>());
  }
}

TEST(Keystore, IntermediateValuesMatchTheDecryptCases) {
  auto cases = load_vectors("eip2335/keystore_cases.json")["decrypt_cases"];
  ASSERT_EQ(cases.size(), 2u);

  for (const auto& test : cases) {
    SCOPED_TRACE(test["file"].get<std::string>());
    json keystore = load_vectors("eip2335/" + test["file"].get<std::string>());
    const json& params = keystore["crypto"]["kdf"]["params"];
    Bytes salt = hex(params["salt"].get<std::string>());
    Bytes cipher_message =
        hex(keystore["crypto"]["cipher"]["message"].get<std::string>());
    auto password = process_password(test["password"].get<std::string>());
    ASSERT_TRUE(password.ok());

    auto decryption_key =
        test["kdf"] == "scrypt"
            ? detail::scrypt_key(
                  password->view(), salt,
                  {params["n"].get<uint64_t>(), params["r"].get<uint64_t>(),
                   params["p"].get<uint64_t>()})
            : detail::pbkdf2_key(password->view(), salt,
                                 {params["c"].get<uint64_t>()});
    ASSERT_TRUE(decryption_key.ok()) << decryption_key.error().to_string();
    auto checksum = detail::checksum(decryption_key->view(), cipher_message);

    EXPECT_EQ(to_hex(password->view()),
              test["password_bytes"].get<std::string>());
    EXPECT_EQ(to_hex(decryption_key->view()),
              test["decryption_key"].get<std::string>());
    EXPECT_EQ(to_hex(ByteView(decryption_key->data(), 16)),
              test["aes_key"].get<std::string>());
    EXPECT_EQ(to_hex(ByteView(checksum.data(), checksum.size())),
              test["checksum"].get<std::string>());
  }
}

TEST(Keystore, EncryptReproducesBothEip2335Vectors) {
  auto cases = load_vectors("eip2335/keystore_cases.json")["decrypt_cases"];
  std::string password = cases[0]["password"].get<std::string>();

  for (const std::string file :
       {"keystore_scrypt.json", "keystore_pbkdf2.json"}) {
    SCOPED_TRACE(file);
    json expected = load_vectors("eip2335/" + file);
    const json& kdf = expected["crypto"]["kdf"];
    Options options;
    if (kdf["function"] == "scrypt") {
      options.kdf = Kdf::kScrypt;
      options.scrypt = {kdf["params"]["n"].get<uint64_t>(),
                        kdf["params"]["r"].get<uint64_t>(),
                        kdf["params"]["p"].get<uint64_t>()};
    } else {
      options.kdf = Kdf::kPbkdf2;
      options.pbkdf2 = {kdf["params"]["c"].get<uint64_t>()};
    }
    options.salt = hex(kdf["params"]["salt"].get<std::string>());
    options.iv =
        hex(expected["crypto"]["cipher"]["params"]["iv"].get<std::string>());
    options.uuid = expected["uuid"].get<std::string>();
    options.path = expected["path"].get<std::string>();
    options.description = expected["description"].get<std::string>();

    std::string text =
        encrypt_or_fail(key_from_hex(kEipSecret), password, options);

    EXPECT_EQ(json::parse(text), expected);
  }
}

// Sets the field at a dotted path ("crypto.cipher.message").
void set_field(json& document, const std::string& dotted, json value) {
  std::string pointer = "/" + dotted;
  std::replace(pointer.begin(), pointer.end(), '.', '/');
  document[json::json_pointer(pointer)] = std::move(value);
}

TEST(Keystore, NegativeCasesFailWithChecksumMismatch) {
  auto cases = load_vectors("eip2335/keystore_cases.json")["negative_cases"];
  ASSERT_EQ(cases.size(), 4u);

  for (const auto& test : cases) {
    SCOPED_TRACE(test["name"].get<std::string>());
    json keystore = load_vectors("eip2335/" + test["file"].get<std::string>());
    if (test.contains("override")) {
      for (const auto& [field, value] : test["override"].items()) {
        set_field(keystore, field, value);
      }
    }

    auto key = decrypt(keystore.dump(), test["password"].get<std::string>());

    ASSERT_FALSE(key.ok());
    EXPECT_EQ(test["expect"], "checksum_mismatch");
    EXPECT_EQ(key.error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(key.error().message, kChecksumMismatch);
  }
}

TEST(Keystore, EquivalentPasswordsOpenBothVectors) {
  auto vectors = load_vectors("eip2335/keystore_cases.json");
  ASSERT_FALSE(vectors["equivalent_passwords"].empty());

  for (const auto& equivalent : vectors["equivalent_passwords"]) {
    for (const auto& test : vectors["decrypt_cases"]) {
      SCOPED_TRACE(test["file"].get<std::string>());
      auto key = decrypt(vector_text(test["file"].get<std::string>()),
                         equivalent["password"].get<std::string>());

      ASSERT_TRUE(key.ok()) << key.error().to_string();
      EXPECT_EQ(secret_hex(*key), test["secret"].get<std::string>());
    }
  }
}

// ---- Password processing ----

TEST(PasswordProcessing, MatchesAllVectorCases) {
  auto cases =
      load_vectors("eip2335/keystore_cases.json")["password_processing"];
  ASSERT_EQ(cases.size(), 13u);

  for (const auto& test : cases) {
    SCOPED_TRACE(test["from"].get<std::string>());
    auto processed = process_password(test["input"].get<std::string>());

    ASSERT_TRUE(processed.ok()) << processed.error().to_string();
    EXPECT_EQ(to_hex(processed->view()), test["expected"].get<std::string>());
  }
}

TEST(PasswordProcessing, InvalidUtf8IsRefusedWithoutQuotingIt) {
  for (const std::string password :
       {"hunter2\xff", "hunter2\xc0\xaf", "hunter2\xed\xa0\x80",
        "hunter2\xf4\x90\x80\x80", "hunter2\xe2\x82"}) {
    SCOPED_TRACE(to_hex(std::string_view(password)));

    auto processed = process_password(password);

    ASSERT_FALSE(processed.ok());
    EXPECT_EQ(processed.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(processed.error().message.find("password is not valid UTF-8"),
              std::string::npos);
    EXPECT_EQ(processed.error().message.find("hunter2"), std::string::npos);
  }
}

TEST(PasswordProcessing, EmbeddedNulIsStrippedLikeOtherControls) {
  auto processed = process_password(std::string("ab\0c", 4));

  ASSERT_TRUE(processed.ok());
  EXPECT_EQ(to_hex(processed->view()), "0x616263");
}

TEST(PasswordProcessing, EmptyViewGivesEmptyPassword) {
  auto processed = process_password(std::string_view());

  ASSERT_TRUE(processed.ok()) << processed.error().to_string();
  EXPECT_TRUE(processed->empty());
}

TEST(TextNormalization, NfkdKeepsControlCharacters) {
  auto normalized = normalize_nfkd("a\x07\xef\xac\x81", "text");

  ASSERT_TRUE(normalized.ok());
  EXPECT_EQ(to_hex(normalized->view()), "0x61076669");
}

TEST(TextNormalization, LongestExpansionFitsTheBuffer) {
  // U+FDFA expands to 18 code points under NFKD; repeat it so that any
  // undersized buffer would show.
  std::string text;
  for (int i = 0; i < 100; ++i) text += "\xef\xb7\xba";

  auto normalized = normalize_nfkd(text, "text");

  ASSERT_TRUE(normalized.ok());
  EXPECT_EQ(normalized->size(), 100u * 33u);
}

// ---- Round trips ----

TEST(Keystore, RoundTripsWithScrypt) {
  SecretKey key = key_from_hex(kEipSecret);
  std::string text = encrypt_or_fail(key, kPassword, cheap_scrypt());

  auto decrypted = decrypt(text, kPassword);

  ASSERT_TRUE(decrypted.ok()) << decrypted.error().to_string();
  EXPECT_EQ(secret_hex(*decrypted), kEipSecret);
}

TEST(Keystore, RoundTripsWithPbkdf2) {
  SecretKey key = key_from_hex(kEipSecret);
  std::string text = encrypt_or_fail(key, kPassword, cheap_pbkdf2());

  auto decrypted = decrypt(text, kPassword);

  ASSERT_TRUE(decrypted.ok()) << decrypted.error().to_string();
  EXPECT_EQ(secret_hex(*decrypted), kEipSecret);
}

TEST(Keystore, RoundTripsWithEmptyPassword) {
  SecretKey key = key_from_hex(kEipSecret);
  std::string text = encrypt_or_fail(key, "", cheap_pbkdf2());

  auto decrypted = decrypt(text, "\x07");  // processes to the empty password

  ASSERT_TRUE(decrypted.ok()) << decrypted.error().to_string();
  EXPECT_EQ(secret_hex(*decrypted), kEipSecret);
}

TEST(Keystore, ControlCharactersInPasswordDoNotMatter) {
  SecretKey key = key_from_hex(kEipSecret);
  std::string text = encrypt_or_fail(key, "pass\tword\x7f", cheap_scrypt());

  auto decrypted = decrypt(text, "password");

  ASSERT_TRUE(decrypted.ok()) << decrypted.error().to_string();
  EXPECT_EQ(secret_hex(*decrypted), kEipSecret);
}

TEST(Keystore, EncryptedKeystoreHasTheEip2335Layout) {
  SecretKey key = key_from_hex(kEipSecret);
  Options options = cheap_scrypt();
  options.description = "validator 0";

  json keystore = json::parse(encrypt_or_fail(key, kPassword, options));

  EXPECT_EQ(keystore["version"], 4);
  EXPECT_EQ(keystore["pubkey"], pubkey_hex(key, /*prefix=*/false));
  EXPECT_EQ(keystore["path"], "m/12381/3600/0/0/0");
  EXPECT_EQ(keystore["description"], "validator 0");
  EXPECT_TRUE(std::regex_match(
      keystore["uuid"].get<std::string>(),
      std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                 "[0-9a-f]{12}")));
  const json& crypto = keystore["crypto"];
  EXPECT_EQ(crypto["kdf"]["function"], "scrypt");
  EXPECT_EQ(crypto["kdf"]["params"],
            (json{{"dklen", 32},
                  {"n", 16},
                  {"r", 8},
                  {"p", 1},
                  {"salt", crypto["kdf"]["params"]["salt"]}}));
  EXPECT_EQ(crypto["kdf"]["params"]["salt"].get<std::string>().size(), 64u);
  EXPECT_EQ(crypto["kdf"]["message"], "");
  EXPECT_EQ(crypto["checksum"]["function"], "sha256");
  EXPECT_EQ(crypto["checksum"]["params"], json::object());
  EXPECT_EQ(crypto["checksum"]["message"].get<std::string>().size(), 64u);
  EXPECT_EQ(crypto["cipher"]["function"], "aes-128-ctr");
  EXPECT_EQ(crypto["cipher"]["params"]["iv"].get<std::string>().size(), 32u);
  EXPECT_EQ(crypto["cipher"]["message"].get<std::string>().size(), 64u);
}

TEST(Keystore, Pbkdf2KeystoreNamesItsPrf) {
  SecretKey key = key_from_hex(kEipSecret);

  json keystore = json::parse(encrypt_or_fail(key, kPassword, cheap_pbkdf2()));

  const json& kdf = keystore["crypto"]["kdf"];
  EXPECT_EQ(kdf["function"], "pbkdf2");
  EXPECT_EQ(kdf["params"]["c"], 16);
  EXPECT_EQ(kdf["params"]["prf"], "hmac-sha256");
  EXPECT_EQ(kdf["params"]["dklen"], 32);
}

TEST(Keystore, EachEncryptionUsesFreshSaltIvAndUuid) {
  SecretKey key = key_from_hex(kEipSecret);

  json first = json::parse(encrypt_or_fail(key, kPassword, cheap_pbkdf2()));
  json second = json::parse(encrypt_or_fail(key, kPassword, cheap_pbkdf2()));

  EXPECT_NE(first["uuid"], second["uuid"]);
  EXPECT_NE(first["crypto"]["kdf"]["params"]["salt"],
            second["crypto"]["kdf"]["params"]["salt"]);
  EXPECT_NE(first["crypto"]["cipher"]["params"]["iv"],
            second["crypto"]["cipher"]["params"]["iv"]);
  EXPECT_NE(first["crypto"]["cipher"]["message"],
            second["crypto"]["cipher"]["message"]);
}

TEST(Keystore, GivenUuidIsWrittenInLowerCase) {
  Options options = cheap_pbkdf2();
  options.uuid = "1D85AE20-35C5-4611-98E8-AA14A633906F";

  json keystore = json::parse(
      encrypt_or_fail(key_from_hex(kEipSecret), kPassword, options));

  EXPECT_EQ(keystore["uuid"], "1d85ae20-35c5-4611-98e8-aa14a633906f");
}

TEST(Keystore, WrongPasswordIsPermissionDeniedWithoutQuotingIt) {
  std::string text =
      encrypt_or_fail(key_from_hex(kEipSecret), kPassword, cheap_scrypt());

  auto key = decrypt(text, "Tr0ub4dor&3");

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(key.error().message, kChecksumMismatch);
}

TEST(Keystore, KeystoreWithoutPubkeyStillDecrypts) {
  json keystore = json::parse(
      encrypt_or_fail(key_from_hex(kEipSecret), kPassword, cheap_pbkdf2()));
  keystore.erase("pubkey");
  keystore.erase("description");

  auto key = decrypt(keystore.dump(), kPassword);

  ASSERT_TRUE(key.ok()) << key.error().to_string();
  EXPECT_EQ(secret_hex(*key), kEipSecret);
}

TEST(Keystore, HexFieldsMayUseUpperCaseAnd0xPrefix) {
  json keystore = json::parse(
      encrypt_or_fail(key_from_hex(kEipSecret), kPassword, cheap_pbkdf2()));
  std::string message = keystore["crypto"]["cipher"]["message"];
  std::transform(message.begin(), message.end(), message.begin(), ::toupper);
  keystore["crypto"]["cipher"]["message"] = "0x" + message;

  auto key = decrypt(keystore.dump(), kPassword);

  ASSERT_TRUE(key.ok()) << key.error().to_string();
  EXPECT_EQ(secret_hex(*key), kEipSecret);
}

TEST(Keystore, DuplicateFieldIsRefused) {
  std::string text =
      encrypt_or_fail(key_from_hex(kEipSecret), kPassword, cheap_pbkdf2());
  text.insert(text.rfind('}'), ", \"version\": 4");

  auto key = decrypt(text, kPassword);

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(key.error().message.find("\"version\" more than once"),
            std::string::npos)
      << key.error().message;
}

TEST(Keystore, TextWithANulByteIsRefused) {
  std::string text =
      encrypt_or_fail(key_from_hex(kEipSecret), kPassword, cheap_pbkdf2());
  text += std::string(1, '\0') + "trailing";

  auto key = decrypt(text, kPassword);

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(key.error().message.find("NUL byte"), std::string::npos)
      << key.error().message;
}

TEST(Keystore, EmptyKdfSaltIsRefusedOnDecrypt) {
  json keystore = json::parse(
      encrypt_or_fail(key_from_hex(kEipSecret), kPassword, cheap_pbkdf2()));
  keystore["crypto"]["kdf"]["params"]["salt"] = "";

  auto key = decrypt(keystore.dump(), kPassword);

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(key.error().message.find("crypto.kdf.params.salt is 0 bytes"),
            std::string::npos)
      << key.error().message;
}

// ---- Limits ----

TEST(Keystore, LoweredLimitsRefuseCostlierKeystores) {
  Options options = cheap_scrypt();
  options.scrypt.n = 1024;
  std::string text =
      encrypt_or_fail(key_from_hex(kEipSecret), kPassword, options);
  Limits limits;
  limits.max_scrypt_n = 512;

  auto key = decrypt(text, kPassword, limits);

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(key.error().message,
            "crypto.kdf.params.n is 1024; allowed: a power of two from 2 to "
            "512");
}

TEST(Keystore, LoweredLimitsRefuseMorePbkdf2Iterations) {
  Options options = cheap_pbkdf2();
  options.pbkdf2.c = 2048;
  std::string text =
      encrypt_or_fail(key_from_hex(kEipSecret), kPassword, options);
  Limits limits;
  limits.max_pbkdf2_iterations = 1024;

  auto key = decrypt(text, kPassword, limits);

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().message,
            "crypto.kdf.params.c is 2048; allowed: 1 to 1024");
}

// ---- Corrupted keystores ----

struct Corruption {
  std::string name;
  std::function<void(json&)> change;
  ErrorCode code;
  std::string message_part;
};

class CorruptedKeystore : public ::testing::Test {
 protected:
  // Applies each corruption to a fresh keystore made with `options` and
  // checks the error.
  void expect_errors(const Options& options,
                     const std::vector<Corruption>& corruptions) {
    json original = json::parse(
        encrypt_or_fail(key_from_hex(kEipSecret), kPassword, options));
    for (const auto& corruption : corruptions) {
      SCOPED_TRACE(corruption.name);
      json keystore = original;
      corruption.change(keystore);

      auto key = decrypt(keystore.dump(), kPassword);

      ASSERT_FALSE(key.ok());
      EXPECT_EQ(error_code_name(key.error().code),
                std::string(error_code_name(corruption.code)));
      EXPECT_NE(key.error().message.find(corruption.message_part),
                std::string::npos)
          << key.error().message;
      EXPECT_EQ(key.error().message.find(kPassword), std::string::npos);
    }
  }
};

std::function<void(json&)> set(const std::string& dotted, json value) {
  return
      [dotted, value](json& keystore) { set_field(keystore, dotted, value); };
}

std::function<void(json&)> erase(const std::string& dotted) {
  return [dotted](json& keystore) {
    std::string pointer = "/" + dotted;
    std::replace(pointer.begin(), pointer.end(), '.', '/');
    json::json_pointer field(pointer);
    keystore[field.parent_pointer()].erase(field.back());
  };
}

// Flips the last hex digit of a string field.
std::function<void(json&)> flip_last_digit(const std::string& dotted) {
  return [dotted](json& keystore) {
    std::string pointer = "/" + dotted;
    std::replace(pointer.begin(), pointer.end(), '.', '/');
    std::string text = keystore[json::json_pointer(pointer)];
    text.back() = text.back() == '0' ? '1' : '0';
    keystore[json::json_pointer(pointer)] = text;
  };
}

constexpr ErrorCode kBad = ErrorCode::kInvalidArgument;
constexpr ErrorCode kDenied = ErrorCode::kPermissionDenied;

TEST_F(CorruptedKeystore, Pbkdf2FieldErrorsNameTheField) {
  // The public key of sk = 1 (the G1 generator).
  std::string other_pubkey =
      pubkey_hex(key_from_hex(std::string(63, '0') + "1"), /*prefix=*/false);

  expect_errors(
      cheap_pbkdf2(),
      {
          {"array", [](json& k) { k = json::array(); }, kBad,
           "keystore must be a JSON object"},
          {"no version", erase("version"), kBad,
           "keystore field version is missing"},
          {"version 3", set("version", 3), kBad,
           "version must be the integer 4"},
          {"version as text", set("version", "4"), kBad,
           "version must be the integer 4"},
          {"no uuid", erase("uuid"), kBad, "keystore field uuid is missing"},
          {"path not text", set("path", 5), kBad,
           "keystore field path must be a string"},
          {"description not text", set("description", json::array()), kBad,
           "keystore field description must be a string"},
          {"no crypto", erase("crypto"), kBad,
           "keystore field crypto is missing"},
          {"crypto not object", set("crypto", "x"), kBad,
           "keystore field crypto must be a JSON object"},
          {"no kdf", erase("crypto.kdf"), kBad,
           "keystore field crypto.kdf is missing"},
          {"unknown kdf", set("crypto.kdf.function", "argon2id"), kBad,
           "crypto.kdf.function is \"argon2id\"; allowed: scrypt, pbkdf2"},
          {"no kdf message", erase("crypto.kdf.message"), kBad,
           "keystore field crypto.kdf.message is missing"},
          {"kdf params not object", set("crypto.kdf.params", json::array()),
           kBad, "keystore field crypto.kdf.params must be a JSON object"},
          {"no c", erase("crypto.kdf.params.c"), kBad,
           "keystore field crypto.kdf.params.c is missing"},
          {"c zero", set("crypto.kdf.params.c", 0), kBad,
           "crypto.kdf.params.c is 0; allowed: 1 to 4194304"},
          {"c huge", set("crypto.kdf.params.c", uint64_t{1} << 40), kBad,
           "crypto.kdf.params.c is 1099511627776; allowed: 1 to 4194304"},
          {"c negative", set("crypto.kdf.params.c", -1), kBad,
           "crypto.kdf.params.c must be a non-negative integer"},
          {"c fraction", set("crypto.kdf.params.c", 1.5), kBad,
           "crypto.kdf.params.c must be a non-negative integer"},
          {"c as text", set("crypto.kdf.params.c", "16"), kBad,
           "crypto.kdf.params.c must be a non-negative integer"},
          {"dklen 64", set("crypto.kdf.params.dklen", 64), kBad,
           "crypto.kdf.params.dklen is 64; allowed: 32"},
          {"other prf", set("crypto.kdf.params.prf", "hmac-sha512"), kBad,
           "crypto.kdf.params.prf is \"hmac-sha512\"; allowed: hmac-sha256"},
          {"salt not hex", set("crypto.kdf.params.salt", "xyz0"), kBad,
           "keystore field crypto.kdf.params.salt is not hex"},
          {"salt too long",
           set("crypto.kdf.params.salt", std::string(4000, 'a')), kBad,
           "crypto.kdf.params.salt is 2000 bytes; allowed: 1 to 1024"},
          {"no checksum params", erase("crypto.checksum.params"), kBad,
           "keystore field crypto.checksum.params is missing"},
          {"other checksum", set("crypto.checksum.function", "sha512"), kBad,
           "crypto.checksum.function is \"sha512\"; allowed: sha256"},
          {"short checksum",
           set("crypto.checksum.message", std::string(62, 'a')), kBad,
           "crypto.checksum.message is 31 bytes; allowed: 32"},
          {"other cipher", set("crypto.cipher.function", "aes-256-ctr"), kBad,
           "crypto.cipher.function is \"aes-256-ctr\"; allowed: aes-128-ctr"},
          {"no iv", erase("crypto.cipher.params.iv"), kBad,
           "keystore field crypto.cipher.params.iv is missing"},
          {"short iv", set("crypto.cipher.params.iv", std::string(30, 'a')),
           kBad, "crypto.cipher.params.iv is 15 bytes; allowed: 16"},
          {"long cipher message",
           set("crypto.cipher.message", std::string(96, 'a')), kBad,
           "crypto.cipher.message is 48 bytes; allowed: 32"},
          {"short pubkey", set("pubkey", std::string(94, 'a')), kBad,
           "keystore field pubkey is 47 bytes; allowed: 48"},
          {"pubkey not hex", set("pubkey", std::string(96, 'z')), kBad,
           "keystore field pubkey is not hex"},
          {"pubkey of another key", set("pubkey", other_pubkey), kBad,
           "pubkey does not match the public key of the decrypted secret"},
          {"checksum changed", flip_last_digit("crypto.checksum.message"),
           kDenied, kChecksumMismatch},
          {"cipher text changed", flip_last_digit("crypto.cipher.message"),
           kDenied, kChecksumMismatch},
          {"salt changed", flip_last_digit("crypto.kdf.params.salt"), kDenied,
           kChecksumMismatch},
          {"more iterations", set("crypto.kdf.params.c", 17), kDenied,
           kChecksumMismatch},
          // The IV is outside the checksum: a changed IV decrypts to another
          // value, which is either no secret key or not the pubkey's.
          {"iv changed", flip_last_digit("crypto.cipher.params.iv"), kBad,
           "decrypted secret"},
      });
}

TEST_F(CorruptedKeystore, ScryptParameterErrorsNameTheParameter) {
  expect_errors(
      cheap_scrypt(),
      {
          {"no n", erase("crypto.kdf.params.n"), kBad,
           "keystore field crypto.kdf.params.n is missing"},
          {"no r", erase("crypto.kdf.params.r"), kBad,
           "keystore field crypto.kdf.params.r is missing"},
          {"no salt", erase("crypto.kdf.params.salt"), kBad,
           "keystore field crypto.kdf.params.salt is missing"},
          {"n not a power of two", set("crypto.kdf.params.n", 1000), kBad,
           "crypto.kdf.params.n is 1000; allowed: a power of two from 2 to "
           "1048576"},
          {"n one", set("crypto.kdf.params.n", 1), kBad,
           "crypto.kdf.params.n is 1; allowed"},
          {"n above limit", set("crypto.kdf.params.n", 1 << 21), kBad,
           "crypto.kdf.params.n is 2097152; allowed"},
          {"n 2^63", set("crypto.kdf.params.n", uint64_t{1} << 63), kBad,
           "crypto.kdf.params.n is 9223372036854775808; allowed"},
          {"r zero", set("crypto.kdf.params.r", 0), kBad,
           "crypto.kdf.params.r is 0; allowed: 1 to 1073741823"},
          {"p zero", set("crypto.kdf.params.p", 0), kBad,
           "crypto.kdf.params.p is 0; allowed: at least 1"},
          {"r times p too big",
           [](json& k) {
             k["crypto"]["kdf"]["params"]["r"] = 1 << 15;
             k["crypto"]["kdf"]["params"]["p"] = 1 << 15;
           },
           kBad,
           "crypto.kdf.params.p is 32768; allowed: at least 1, with "
           "r * p below 2^30"},
          {"n too big for r = 1",
           [](json& k) {
             k["crypto"]["kdf"]["params"]["n"] = 1 << 16;
             k["crypto"]["kdf"]["params"]["r"] = 1;
           },
           kBad, "scrypt requires n < 2^(16 * r) = 2^16"},
          {"too much memory",
           [](json& k) {
             k["crypto"]["kdf"]["params"]["n"] = 1 << 20;
             k["crypto"]["kdf"]["params"]["r"] = 16;
           },
           kBad, "need more than 1140850688 bytes of memory"},
          {"too much work",
           [](json& k) {
             k["crypto"]["kdf"]["params"]["n"] = 1 << 20;
             k["crypto"]["kdf"]["params"]["p"] = 4;
           },
           kBad, "cost more than the allowed n * r * p = 16777216"},
          {"wrong n", set("crypto.kdf.params.n", 32), kDenied,
           kChecksumMismatch},
      });
}

TEST(Keystore, TextThatIsNotJsonIsRefused) {
  for (const std::string text : {"", "not json", "{\"version\": 4", "\xff"}) {
    SCOPED_TRACE(text);

    auto key = decrypt(text, kPassword);

    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(key.error().message, "keystore is not valid JSON");
  }
}

TEST(Keystore, OversizedTextIsRefusedBeforeParsing) {
  std::string text = "{\"description\": \"" + std::string(70000, 'a') + "\"}";

  auto key = decrypt(text, kPassword);

  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.error().message.find("allowed: at most 65536"),
            std::string::npos);
}

TEST(Keystore, InvalidUtf8PasswordIsRefusedOnDecrypt) {
  std::string text =
      encrypt_or_fail(key_from_hex(kEipSecret), kPassword, cheap_pbkdf2());

  auto key = decrypt(text, "bad\xff");

  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(key.error().message.find("bad"), std::string::npos);
}

// ---- Encrypt refusals ----

struct BadOptions {
  std::string name;
  std::function<void(Options&)> change;
  std::string message_part;
};

TEST(Keystore, EncryptRefusesInvalidOptions) {
  const std::vector<BadOptions> cases = {
      {"n not power of two", [](Options& o) { o.scrypt.n = 1000; },
       "crypto.kdf.params.n is 1000"},
      {"n above limit", [](Options& o) { o.scrypt.n = 1 << 21; },
       "crypto.kdf.params.n is 2097152"},
      {"r zero", [](Options& o) { o.scrypt.r = 0; }, "crypto.kdf.params.r"},
      {"p zero", [](Options& o) { o.scrypt.p = 0; }, "crypto.kdf.params.p"},
      {"c zero",
       [](Options& o) {
         o.kdf = Kdf::kPbkdf2;
         o.pbkdf2.c = 0;
       },
       "crypto.kdf.params.c is 0"},
      {"bad uuid", [](Options& o) { o.uuid = "not-a-uuid"; },
       "uuid \"not-a-uuid\" is malformed"},
      {"uuid without dashes",
       [](Options& o) { o.uuid = "1d85ae2035c5461198e8aa14a633906f0000"; },
       "is malformed"},
      {"bad path", [](Options& o) { o.path = "m/12381/x"; },
       "key path level 2"},
      {"empty salt", [](Options& o) { o.salt = Bytes(); },
       "salt is 0 bytes; allowed: 1 to 1024"},
      {"short iv", [](Options& o) { o.iv = Bytes(15, 0); },
       "iv is 15 bytes; allowed: 16"},
      {"description not UTF-8", [](Options& o) { o.description = "\xfe"; },
       "description is not valid UTF-8"},
  };

  for (const auto& test : cases) {
    SCOPED_TRACE(test.name);
    Options options = cheap_scrypt();
    test.change(options);

    auto text = encrypt(key_from_hex(kEipSecret), kPassword, options);

    ASSERT_FALSE(text.ok());
    EXPECT_EQ(text.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(text.error().message.find(test.message_part), std::string::npos)
        << text.error().message;
  }
}

TEST(Keystore, EncryptRefusesInvalidUtf8Password) {
  auto text = encrypt(key_from_hex(kEipSecret), "secret\x80", cheap_pbkdf2());

  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(text.error().message.find("secret"), std::string::npos);
}

TEST(Keystore, EncryptRefusesZeroSecretKey) {
  SecretKey zero = SecretKey::reduce_wide(Bytes(32, 0));
  ASSERT_TRUE(zero.is_zero());

  auto text = encrypt(zero, kPassword, cheap_pbkdf2());

  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().code, ErrorCode::kInvalidArgument);
}

// ---- File names ----

TEST(KeystoreFileName, FollowsTheDepositCliPattern) {
  auto name = file_name("m/12381/3600/0/0/0", 1700000000);

  ASSERT_TRUE(name.ok());
  EXPECT_EQ(*name, "keystore-m_12381_3600_0_0_0-1700000000.json");
}

TEST(KeystoreFileName, RefusesPathsThatCouldEscapeTheDirectory) {
  for (const std::string path : {"", "../m/0", "m/0/../../x", "m/0\n"}) {
    SCOPED_TRACE(path);

    auto name = file_name(path, 1700000000);

    ASSERT_FALSE(name.ok());
    EXPECT_EQ(name.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(KeystoreFileName, RefusesNegativeTime) {
  auto name = file_name("m/12381/3600/0/0/0", -1);

  ASSERT_FALSE(name.ok());
  EXPECT_NE(name.error().message.find("not negative"), std::string::npos);
}

}  // namespace
}  // namespace pkm::crypto::keystore
