// Keystore passwords: random ones pkm-client makes up, or one the operator
// gives in a file.
#ifndef PKM_CLIENT_PASSWORD_H_
#define PKM_CLIENT_PASSWORD_H_

#include <cstddef>
#include <string>

#include "base/bytes.h"
#include "base/result.h"

namespace pkm::client {

// 32 characters drawn uniformly from [A-Za-z0-9] (about 190 bits) with
// OpenSSL's RAND_bytes. ASCII letters and digits only, so the password
// means the same to every validator client whatever it does about Unicode
// normalisation or trailing whitespace. unavailable when the random
// generator fails.
[[nodiscard]] Result<SecretBytes> generate_password();

inline constexpr size_t kGeneratedPasswordLength = 32;
inline constexpr size_t kMaxPasswordFileBytes = 4096;

// Reads a password from a file given by the operator: the whole content
// without one trailing "\n" or "\r\n". Refuses (invalid_argument) an empty
// password and a file over kMaxPasswordFileBytes; not_found when the file
// does not exist. Messages name the file, never its content.
[[nodiscard]] Result<SecretBytes> read_password_file(const std::string& path);

}  // namespace pkm::client

#endif  // PKM_CLIENT_PASSWORD_H_
