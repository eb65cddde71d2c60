// BIP-39 mnemonic sentences to 64-byte seeds (the input of EIP-2333's
// derive_master_sk). Thread-safe.
//
// No BIP-39 wordlists ship with pkm, so the words and the checksum they carry
// are NOT validated: a mistyped word yields a valid-looking seed for other
// keys. Callers that take a mnemonic from a person should confirm it another
// way (for example, by comparing a derived public key with an expected one).
#ifndef PKM_CRYPTO_MNEMONIC_H_
#define PKM_CRYPTO_MNEMONIC_H_

#include <cstddef>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace pkm::crypto {

inline constexpr size_t kMnemonicSeedSize = 64;

// BIP-39 seed: PBKDF2-HMAC-SHA512 over NFKD(mnemonic) with salt
// "mnemonic" + NFKD(passphrase), 2048 rounds, 64 bytes.
//
// Besides ill-formed UTF-8 in either input, refuses (invalid_argument) a
// normalized mnemonic that is not 12, 15, 18, 21 or 24 words separated by
// single spaces, without leading or trailing space: BIP-39 hashes the text
// as is, so a stray space would silently select different keys. Ideographic
// spaces (U+3000) are fine; NFKD turns them into spaces. Error messages never
// quote the mnemonic or the passphrase.
[[nodiscard]] Result<SecretBytes> mnemonic_to_seed(
    std::string_view mnemonic, std::string_view passphrase = {});

}  // namespace pkm::crypto

#endif  // PKM_CRYPTO_MNEMONIC_H_
