// Unicode processing of text that people type and that feeds a key
// derivation: NFKD normalization (BIP-39 mnemonics and passphrases) and the
// EIP-2335 password rule. Results land in wiped buffers because the input is
// usually secret. Error messages never quote the text. Thread-safe.
#ifndef PKM_CRYPTO_TEXT_NORMALIZATION_H_
#define PKM_CRYPTO_TEXT_NORMALIZATION_H_

#include <cstddef>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace pkm::crypto {

// Longest text (in UTF-8 bytes) these functions accept; a password or a
// mnemonic is far shorter.
inline constexpr size_t kMaxNormalizedInputSize = 64 * 1024;

// Checks that `text` is well-formed UTF-8 (no overlong forms, surrogates or
// values above U+10FFFF). `what` names the text in the error ("password").
[[nodiscard]] Status validate_utf8(std::string_view text,
                                   std::string_view what);

// Returns the NFKD normal form of the UTF-8 `text`, UTF-8 encoded. Refuses
// ill-formed UTF-8 and text longer than kMaxNormalizedInputSize with
// invalid_argument; `what` names the text in the error.
[[nodiscard]] Result<SecretBytes> normalize_nfkd(std::string_view text,
                                                 std::string_view what);

// EIP-2335 password processing: NFKD, then removal of the C0 (U+0000 to
// U+001F), DEL (U+007F) and C1 (U+0080 to U+009F) control characters, then
// UTF-8. The result may be empty. Refuses what normalize_nfkd refuses.
[[nodiscard]] Result<SecretBytes> process_password(std::string_view password);

}  // namespace pkm::crypto

#endif  // PKM_CRYPTO_TEXT_NORMALIZATION_H_
