// Fuzzes EIP-2335 keystore parsing and decryption with a fixed password. No
// input may crash, run long or fail with anything but the documented codes;
// the KDF cost is capped far below the defaults so that each run is quick.
// Whatever decrypts must come back unchanged through encrypt and decrypt.
#include <cstdlib>
#include <string_view>

#include "base/bytes.h"
#include "crypto/keystore.h"

namespace {

namespace keystore = pkm::crypto::keystore;

constexpr std::string_view kPassword = "fuzz password";

keystore::Limits cheap_limits() {
  keystore::Limits limits;
  limits.max_scrypt_n = 1024;
  limits.max_scrypt_memory_bytes = 1 << 20;
  limits.max_scrypt_work = 1 << 16;
  limits.max_pbkdf2_iterations = 1024;
  return limits;
}

void check_round_trip(const pkm::crypto::SecretKey& key,
                      const keystore::Limits& limits) {
  keystore::Options options;
  options.kdf = keystore::Kdf::kPbkdf2;
  options.pbkdf2.c = 1;
  auto text = keystore::encrypt(key, kPassword, options);
  if (!text.ok()) std::abort();
  auto again = keystore::decrypt(*text, kPassword, limits);
  if (!again.ok()) std::abort();
  if (!pkm::constant_time_equal(again->to_bytes().view(),
                                key.to_bytes().view())) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const keystore::Limits limits = cheap_limits();
  std::string_view text(reinterpret_cast<const char*>(data), size);

  auto key = keystore::decrypt(text, kPassword, limits);
  if (key.ok()) {
    check_round_trip(*key, limits);
    return 0;
  }
  // A keystore is either bad input or the wrong password; anything else
  // (internal: OpenSSL refused parameters decrypt let through) is a bug.
  pkm::ErrorCode code = key.error().code;
  if (code != pkm::ErrorCode::kInvalidArgument &&
      code != pkm::ErrorCode::kPermissionDenied) {
    std::abort();
  }
  return 0;
}
