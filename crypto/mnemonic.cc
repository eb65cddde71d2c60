#include "crypto/mnemonic.h"

#include <openssl/evp.h>

#include <algorithm>
#include <string>

#include "crypto/text_normalization.h"

namespace pkm::crypto {
namespace {

constexpr int kPbkdf2Rounds = 2048;
constexpr std::string_view kSaltPrefix = "mnemonic";

// Checks word separation and count of an NFKD-normalized mnemonic.
Status check_words(ByteView normalized) {
  if (normalized.empty()) {
    return invalid_argument(
        "mnemonic is empty; allowed: 12, 15, 18, 21 or 24 words");
  }
  if (normalized[0] == ' ' || normalized[normalized.size - 1] == ' ') {
    return invalid_argument(
        "mnemonic starts or ends with a space; allowed: words separated by "
        "single spaces");
  }

  size_t words = 1;
  for (size_t i = 0; i < normalized.size; ++i) {
    if (normalized[i] != ' ') continue;
    if (normalized[i + 1] == ' ') {
      return invalid_argument(
          "mnemonic has two spaces in a row; allowed: words separated by "
          "single spaces");
    }
    ++words;
  }
  if (words < 12 || words > 24 || words % 3 != 0) {
    return invalid_argument("mnemonic has " + std::to_string(words) +
                            " words; allowed: 12, 15, 18, 21 or 24");
  }
  return Status();
}

}  // namespace

Result<SecretBytes> mnemonic_to_seed(std::string_view mnemonic,
                                     std::string_view passphrase) {
  auto normalized_mnemonic = normalize_nfkd(mnemonic, "mnemonic");
  if (!normalized_mnemonic.ok()) return normalized_mnemonic.error();
  Status words = check_words(normalized_mnemonic->view());
  if (!words.ok()) return words.error();

  auto normalized_passphrase = normalize_nfkd(passphrase, "passphrase");
  if (!normalized_passphrase.ok()) return normalized_passphrase.error();

  // The salt carries the passphrase, so it is secret too.
  SecretBytes salt(kSaltPrefix.size() + normalized_passphrase->size());
  std::copy(kSaltPrefix.begin(), kSaltPrefix.end(), salt.data());
  std::copy(normalized_passphrase->view().begin(),
            normalized_passphrase->view().end(),
            salt.data() + kSaltPrefix.size());

  SecretBytes seed(kMnemonicSeedSize);
  int ok = PKCS5_PBKDF2_HMAC(
      reinterpret_cast<const char*>(normalized_mnemonic->data()),
      static_cast<int>(normalized_mnemonic->size()), salt.data(),
      static_cast<int>(salt.size()), kPbkdf2Rounds, EVP_sha512(),
      static_cast<int>(seed.size()), seed.data());
  if (ok != 1) {
    return Error{ErrorCode::kInternal, "OpenSSL PBKDF2-HMAC-SHA512 failed"};
  }
  return seed;
}

}  // namespace pkm::crypto
