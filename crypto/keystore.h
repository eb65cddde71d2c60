// EIP-2335 BLS keystores (version 4): a secret key encrypted under a password
// with scrypt or PBKDF2-HMAC-SHA256, AES-128-CTR and a SHA-256 checksum, as
// JSON text that validator clients import. Thread-safe.
//
// Passwords are processed as EIP-2335 says (NFKD, control characters
// removed; see process_password), so equal-looking passwords written with
// different Unicode forms open the same keystore. Error messages never carry
// the password, the secret or any key material.
#ifndef PKM_CRYPTO_KEYSTORE_H_
#define PKM_CRYPTO_KEYSTORE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/bls.h"

namespace pkm::crypto::keystore {

enum class Kdf { kScrypt, kPbkdf2 };

// scrypt cost: n (a power of two), block size r, parallelism p. Memory is
// about 128 * r * (n + p) bytes: 256 MiB for the defaults, which are what
// the deposit CLIs write.
struct ScryptParams {
  uint64_t n = 262144;
  uint64_t r = 8;
  uint64_t p = 1;
};

// PBKDF2-HMAC-SHA256 iteration count.
struct Pbkdf2Params {
  uint64_t c = 262144;
};

// Upper bounds on the work a keystore may ask of decrypt, so that a hostile
// or corrupted file cannot make it run for minutes or exhaust memory. The
// defaults admit every keystore the common tools write. Lower them where
// untrusted input is parsed at volume (the fuzz target does).
struct Limits {
  uint64_t max_scrypt_n = uint64_t{1} << 20;
  // 128 * r * (n + p): 1 GiB for n = 2^20, r = 8, plus headroom for p.
  uint64_t max_scrypt_memory_bytes = (uint64_t{1} << 30) + (uint64_t{1} << 26);
  // n * r * p, proportional to the CPU time.
  uint64_t max_scrypt_work = uint64_t{1} << 24;
  uint64_t max_pbkdf2_iterations = uint64_t{1} << 22;
};

struct Options {
  Kdf kdf = Kdf::kScrypt;
  ScryptParams scrypt;
  Pbkdf2Params pbkdf2;
  // EIP-2334 derivation path of the key ("m/12381/3600/0/0/0"), or empty for
  // a key that was not derived.
  std::string path;
  std::string description;
  // RFC 4122 text form; a random version-4 UUID when absent.
  std::optional<std::string> uuid;
  // Fixed KDF salt and AES IV, for reproducing published vectors only; both
  // are random (OpenSSL RAND_bytes) when absent, which is what real
  // keystores need.
  std::optional<Bytes> salt;
  std::optional<Bytes> iv;
};

// Encrypts `secret_key` under `password` (UTF-8) and returns the keystore
// JSON text, including the public key. Refuses (invalid_argument) KDF
// parameters outside Limits{} or below the minimum (scrypt n >= 2 a power of
// two, r >= 1, p >= 1; pbkdf2 c >= 1), a path that parse_path refuses, a
// malformed uuid, a salt outside 1..1024 bytes, an IV other than 16 bytes,
// and ill-formed UTF-8 in password or description. unavailable when the
// random generator fails.
[[nodiscard]] Result<std::string> encrypt(const SecretKey& secret_key,
                                          std::string_view password,
                                          const Options& options = {});

// Decrypts keystore JSON text. Checks everything it can before running the
// KDF, and refuses with invalid_argument naming the field (e.g.
// "crypto.kdf.params.n"): text that is not a JSON object, missing or wrongly
// typed fields, version other than 4, bad hex or lengths, an unsupported
// kdf, prf, cipher or checksum function, dklen other than 32, KDF cost
// beyond `limits`, a decrypted value that is not a BLS secret key, and a
// pubkey field that does not belong to the decrypted key (a keystore without
// pubkey is accepted). A wrong password or corrupted ciphertext gives
// permission_denied "checksum mismatch: wrong password or corrupted
// keystore" (the checksum is compared in constant time).
[[nodiscard]] Result<SecretKey> decrypt(std::string_view keystore_json,
                                        std::string_view password,
                                        const Limits& limits = {});

// The file name the deposit CLIs give a keystore and validator clients look
// for: "keystore-m_12381_3600_0_0_0-1700000000.json" for path
// m/12381/3600/0/0/0 written at Unix time 1700000000. Refuses a path that
// parse_path refuses (including an empty one: pick a name yourself for keys
// without a path) and a negative time, with invalid_argument.
[[nodiscard]] Result<std::string> file_name(std::string_view key_path,
                                            int64_t unix_time);

// The EIP's steps, exposed for tests against its intermediate values. Not
// part of the stable interface. `password` is already processed.
namespace detail {

inline constexpr size_t kDecryptionKeySize = 32;

[[nodiscard]] Result<SecretBytes> scrypt_key(ByteView password, ByteView salt,
                                             const ScryptParams& params);
[[nodiscard]] Result<SecretBytes> pbkdf2_key(ByteView password, ByteView salt,
                                             const Pbkdf2Params& params);
// SHA-256(decryption_key[16:32] || cipher_message); `decryption_key` is the
// 32-byte KDF output (a shorter one counts as zeros).
std::array<uint8_t, 32> checksum(ByteView decryption_key,
                                 ByteView cipher_message);

}  // namespace detail
}  // namespace pkm::crypto::keystore

#endif  // PKM_CRYPTO_KEYSTORE_H_
