// Sealing of secrets at rest: AES-256-GCM under a 32-byte master key that
// lives in a file of its own (--master-key-file), plus a key check value the
// store keeps so that a wrong master key is caught at start-up rather than
// at the first secret it fails to open.
//
// Sealed format, version 1:
//   version (1 byte, 0x01) ‖ nonce (12) ‖ ciphertext (= plaintext size) ‖
//   tag (16)
// The version byte is authenticated together with the caller's associated
// data, so neither can be changed without open() noticing. Nonces are random
// (96 bits); a master key should seal fewer than 2^32 secrets, far more than
// any validator cluster holds.
//
// The AES key and the check value are derived from the master key with
// HKDF-SHA256 under distinct labels, so the check value reveals nothing
// about the encryption key. No error message carries plaintext or key bytes.
#ifndef PKM_CRYPTO_SEALER_H_
#define PKM_CRYPTO_SEALER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "base/result.h"

namespace pkm::crypto {

inline constexpr size_t kMasterKeySize = 32;
inline constexpr uint8_t kSealFormatVersion = 1;
inline constexpr size_t kSealNonceSize = 12;
inline constexpr size_t kSealTagSize = 16;
// Bytes a sealed value adds to its plaintext: version, nonce and tag.
inline constexpr size_t kSealOverhead = 1 + kSealNonceSize + kSealTagSize;
inline constexpr size_t kKeyCheckValueSize = 32;

// Seals and opens secrets under one master key. Immutable after creation:
// seal() and open() may be called from any number of threads at once.
// Copying copies the derived key (wiped when each copy is destroyed).
class Sealer {
 public:
  // Derives the sealing key and check value from `master_key`. Refuses
  // (invalid_argument) a key that is not exactly kMasterKeySize bytes;
  // internal if OpenSSL's HKDF fails.
  [[nodiscard]] static Result<Sealer> create(const SecretBytes& master_key);

  // Encrypts `plaintext` and binds `associated_data` (for a validator key,
  // its public key, so a sealed secret cannot be moved to another record).
  // Returns version ‖ nonce ‖ ciphertext ‖ tag. unavailable when the
  // random generator fails; internal when OpenSSL's cipher fails.
  [[nodiscard]] Result<Bytes> seal(ByteView plaintext,
                                   ByteView associated_data) const;

  // Decrypts a value made by seal() with the same master key and the same
  // associated data. data_loss when `sealed` is shorter than kSealOverhead or
  // has an unknown format version; permission_denied when authentication
  // fails, which is what a wrong master key, other associated data and
  // altered bytes all look like (GCM cannot tell them apart).
  [[nodiscard]] Result<SecretBytes> open(ByteView sealed,
                                         ByteView associated_data) const;

  // kKeyCheckValueSize bytes that identify the master key without revealing
  // it or the sealing key. Store it once; compare at start-up with
  // constant_time_equal.
  const Bytes& key_check_value() const { return key_check_value_; }

 private:
  Sealer() = default;

  SecretBytes sealing_key_;
  Bytes key_check_value_;
};

// Returns the master key stored at `path`, creating the file when absent.
//
// An existing file must be a regular file without group or other permission
// bits (mode 0600 or 0400) holding either exactly 32 raw bytes or 64 hex
// digits (an optional "0x" and one trailing newline allowed), so keys made
// with `openssl rand -hex 32` work. Anything else is refused naming the path
// and the problem, never the content: failed_precondition for permissions or
// a file type other than regular, data_loss for the wrong size or format,
// not_found when the parent directory does not exist, unavailable for I/O
// errors.
//
// When absent, a fresh random key is written as 64 hex digits and a newline
// to a temporary file in the same directory (O_CREAT|O_EXCL, mode 0600),
// synced, then linked into place, and the directory is synced, so a crash
// never leaves a partial key file. If another process creates the file
// first, its key is loaded instead.
[[nodiscard]] Result<SecretBytes> load_or_create_master_key(
    const std::string& path);

}  // namespace pkm::crypto

#endif  // PKM_CRYPTO_SEALER_H_
