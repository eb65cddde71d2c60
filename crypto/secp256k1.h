// secp256k1 ECDSA as Ethereum's execution layer uses it: funder keys,
// addresses (with EIP-55 checksums), recoverable transaction signatures and
// sender recovery, plus ECDH. Backed by libsecp256k1; none of its types
// appear in this header.
//
// Thread safety: every free function and every const member function may be
// called from any number of threads at once. They share one libsecp256k1
// context, created and randomized (side-channel blinding) on first use under
// C++'s thread-safe static initialization, and only read afterwards. It is
// never destroyed, so calls stay valid during static destruction. A single
// object must not be assigned to while another thread reads it.
#ifndef PKM_CRYPTO_SECP256K1_H_
#define PKM_CRYPTO_SECP256K1_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "base/bytes.h"
#include "base/result.h"

namespace pkm::crypto {

// A 20-byte Ethereum account address.
using EthereumAddress = std::array<uint8_t, 20>;

// Returns `address` as "0x" + 40 hex digits in EIP-55 mixed-case form.
std::string to_checksum_address(const EthereumAddress& address);

// Parses "0x" followed by exactly 40 hex digits. All-lower-case and
// all-upper-case digits are taken as they are; mixed case must equal the
// EIP-55 checksum form, which catches typing errors. Anything else, including
// surrounding whitespace, is invalid_argument. Messages do not repeat the
// text, in case a secret was passed by mistake.
[[nodiscard]] Result<EthereumAddress> parse_address(std::string_view text);

// An ECDSA signature with the recovery id that lets a verifier recover the
// signer's public key from the signed hash alone. r and s are 32-byte
// big-endian integers in [1, n); signatures made here have s <= n/2 (low-s,
// as EIP-2 requires of transactions). recovery_id is 0 or 1, the parity of
// the y coordinate of the nonce point R; a legacy transaction's v is
// recovery_id + 27, an EIP-155 one's recovery_id + 35 + 2 * chain id, and a
// typed (EIP-1559) transaction carries recovery_id itself as y_parity.
struct RecoverableSignature {
  std::array<uint8_t, 32> r{};
  std::array<uint8_t, 32> s{};
  uint8_t recovery_id = 0;

  friend bool operator==(const RecoverableSignature& a,
                         const RecoverableSignature& b) {
    return a.r == b.r && a.s == b.s && a.recovery_id == b.recovery_id;
  }
  friend bool operator!=(const RecoverableSignature& a,
                         const RecoverableSignature& b) {
    return !(a == b);
  }
};

// A point on secp256k1 that is a valid public key (on the curve, not the
// point at infinity). Immutable once made.
class EcdsaPublicKey {
 public:
  static constexpr size_t kUncompressedSize = 65;
  static constexpr size_t kCompressedSize = 33;

  // Parses SEC1 encodings: 65 bytes starting 0x04 (uncompressed) or 33 bytes
  // starting 0x02/0x03 (compressed). Refuses other lengths and prefixes and
  // points not on the curve with invalid_argument.
  [[nodiscard]] static Result<EcdsaPublicKey> from_bytes(ByteView bytes);

  // 0x04 || x || y, each coordinate 32 bytes big-endian.
  const std::array<uint8_t, kUncompressedSize>& uncompressed() const {
    return uncompressed_;
  }

  // 0x02 (y even) or 0x03 (y odd) || x.
  std::array<uint8_t, kCompressedSize> compressed() const;

  // The last 20 bytes of Keccak-256(x || y).
  EthereumAddress address() const;

  friend bool operator==(const EcdsaPublicKey& a, const EcdsaPublicKey& b) {
    return a.uncompressed_ == b.uncompressed_;
  }
  friend bool operator!=(const EcdsaPublicKey& a, const EcdsaPublicKey& b) {
    return !(a == b);
  }

 private:
  friend class EcdsaPrivateKey;
  friend Result<EcdsaPublicKey> recover_public_key(
      ByteView hash, const RecoverableSignature& signature);

  // `uncompressed` must already be a valid uncompressed encoding.
  explicit EcdsaPublicKey(const std::array<uint8_t, kUncompressedSize>& point)
      : uncompressed_(point) {}

  std::array<uint8_t, kUncompressedSize> uncompressed_;
};

// A secp256k1 secret scalar 0 < key < n (n = the group order), with its
// public key computed once at construction. The secret lives in a SecretBytes
// buffer and is wiped when the key is destroyed or overwritten; there is no
// way to print it, and no error message carries it.
class EcdsaPrivateKey {
 public:
  static constexpr size_t kSize = 32;

  // Takes a 32-byte big-endian scalar. Refuses other lengths, zero, and
  // values >= n (no reduction) with invalid_argument.
  [[nodiscard]] static Result<EcdsaPrivateKey> from_bytes(ByteView bytes);

  // Parses hex text as found in a key file: optional surrounding whitespace
  // (spaces, tabs, line breaks), an optional 0x/0X prefix, then exactly 64
  // hex digits in either case. Refuses anything else, and the values
  // from_bytes refuses, with invalid_argument.
  [[nodiscard]] static Result<EcdsaPrivateKey> from_hex(std::string_view text);

  // Draws a fresh key from OpenSSL's CSPRNG. unavailable when the random
  // source fails.
  [[nodiscard]] static Result<EcdsaPrivateKey> generate();

  const EcdsaPublicKey& public_key() const { return public_key_; }
  EthereumAddress address() const { return public_key_.address(); }

  // Signs a 32-byte message hash (for a transaction, Keccak-256 of its
  // signing payload) with RFC 6979 deterministic nonces: the same key and
  // hash always give the same signature. The result has low s and recovery
  // id 0 or 1. invalid_argument when `hash` is not 32 bytes; unavailable
  // when the shared context could not be randomized at startup.
  [[nodiscard]] Result<RecoverableSignature> sign_recoverable(
      ByteView hash) const;

  // ECDH with libsecp256k1's default output: SHA-256 of the compressed
  // shared point (0x02/0x03 || x). Both sides get the same 32 bytes, which
  // are secret. Note that Ethereum's RLPx/ECIES use the raw x coordinate
  // instead, so this output is not interchangeable with theirs.
  [[nodiscard]] Result<SecretBytes> derive_shared_secret(
      const EcdsaPublicKey& peer) const;

 private:
  EcdsaPrivateKey(SecretBytes secret, const EcdsaPublicKey& public_key)
      : secret_(std::move(secret)), public_key_(public_key) {}

  SecretBytes secret_;
  EcdsaPublicKey public_key_;
};

// Recovers the public key that made `signature` over the 32-byte `hash`.
// Refuses with invalid_argument: a hash of another length, recovery id
// other than 0 or 1, r or s outside [1, n), s > n/2 (high-s signatures are
// invalid in Ethereum transactions since EIP-2), and signatures from which
// no key can be recovered (e.g. r is not the x coordinate of a curve point).
// A well-formed signature over a different hash recovers a different key,
// so compare the result with the expected signer.
[[nodiscard]] Result<EcdsaPublicKey> recover_public_key(
    ByteView hash, const RecoverableSignature& signature);

// recover_public_key(), then its address; refuses the same inputs.
[[nodiscard]] Result<EthereumAddress> recover_address(
    ByteView hash, const RecoverableSignature& signature);

}  // namespace pkm::crypto

#endif  // PKM_CRYPTO_SECP256K1_H_
