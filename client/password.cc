#include "client/password.h"

#include <openssl/rand.h>

#include "client/private_file.h"

namespace pkm::client {
namespace {

constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr unsigned kAlphabetSize = sizeof(kAlphabet) - 1;
// The largest multiple of the alphabet size that fits in a byte; bytes at
// or above it are drawn again, so every character is equally likely.
constexpr unsigned kAcceptBelow = 256 - 256 % kAlphabetSize;

}  // namespace

Result<SecretBytes> generate_password() {
  SecretBytes password(kGeneratedPasswordLength);
  SecretBytes random(64);
  size_t filled = 0;
  while (filled < password.size()) {
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
      return Error{ErrorCode::kUnavailable,
                   "the random generator failed while making a keystore "
                   "password"};
    }
    for (size_t i = 0; i < random.size() && filled < password.size(); ++i) {
      if (random[i] >= kAcceptBelow) continue;
      password[filled++] =
          static_cast<uint8_t>(kAlphabet[random[i] % kAlphabetSize]);
    }
  }
  return password;
}

Result<SecretBytes> read_password_file(const std::string& path) {
  auto content = read_private_file(path, kMaxPasswordFileBytes);
  if (!content.ok()) {
    if (content.error().code == ErrorCode::kFailedPrecondition) {
      return invalid_argument("password file " + content.error().message +
                              "; allowed: a regular file of at most " +
                              std::to_string(kMaxPasswordFileBytes) + " bytes");
    }
    return content.error();
  }

  SecretBytes& password = *content;
  size_t size = password.size();
  if (size > 0 && password[size - 1] == '\n') {
    --size;
    if (size > 0 && password[size - 1] == '\r') --size;
  }
  password.resize(size);
  if (password.empty()) {
    return invalid_argument("password file " + path +
                            " holds an empty password; allowed: at least "
                            "one character");
  }
  return std::move(*content);
}

}  // namespace pkm::client
