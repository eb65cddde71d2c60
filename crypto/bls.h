// crypto/: the cryptography validators need — BLS12-381 signatures for the
// Ethereum ciphersuite, EIP-2333/2334 key derivation, BIP-39 seeds, EIP-2335
// keystores, secp256k1 and Keccak-256 for execution-layer transactions, and
// sealing of secrets at rest. A pure library: it depends on base/, OpenSSL,
// libsecp256k1, Crypto++ and ICU, never on actors, NATS or storage.
//
// This header is the BLS12-381 signature scheme with ciphersuite
// BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_ (public keys in G1, 48 bytes;
// signatures in G2, 96 bytes). All functions are thread-safe.
#ifndef PKM_CRYPTO_BLS_H_
#define PKM_CRYPTO_BLS_H_

#include <array>
#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/g1.h"
#include "crypto/g2.h"
#include "crypto/montgomery_field.h"

namespace pkm::crypto {

// The Ethereum proof-of-possession ciphersuite's domain separation tag.
inline constexpr char kBlsDst[] = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

class PublicKey;
class Signature;

// A BLS secret key: a scalar 0 < sk < r. Wiped when destroyed. Scalar
// multiplications by it run in constant time.
class SecretKey {
 public:
  static constexpr size_t kSize = 32;

  // Parses a 32-byte big-endian scalar; refuses other lengths, 0 and values
  // >= r (no reduction), with invalid_argument.
  [[nodiscard]] static Result<SecretKey> from_bytes(ByteView bytes);

  // Reduces a big-endian integer of at most 64 bytes modulo r in constant
  // time (EIP-2333's OS2IP(OKM) mod r). The result may be zero: check
  // is_zero() before use. Lengths above 64 bytes are a programming error.
  static SecretKey reduce_wide(ByteView big_endian);

  SecretKey(const SecretKey& other) = default;
  SecretKey& operator=(const SecretKey& other) = default;
  ~SecretKey();

  bool is_zero() const;
  // The 32-byte big-endian scalar.
  SecretBytes to_bytes() const;
  // SkToPk.
  PublicKey public_key() const;
  // Sign: [sk] hash_to_G2(message, kBlsDst).
  Signature sign(ByteView message) const;

 private:
  explicit SecretKey(const Fr& scalar) : scalar_(scalar) {}
  Fr scalar_;
};

// A validated BLS public key: a G1 point in the subgroup, not infinity.
class PublicKey {
 public:
  static constexpr size_t kSize = 48;

  // KeyValidate: decodes 48 compressed bytes, refusing bad length, flags,
  // x >= p, points off the curve or outside G1, and infinity.
  [[nodiscard]] static Result<PublicKey> from_bytes(ByteView bytes);

  std::array<uint8_t, kSize> to_bytes() const;
  const G1& point() const { return point_; }
  bool operator==(const PublicKey& other) const;

 private:
  friend class SecretKey;
  explicit PublicKey(const G1& point) : point_(point) {}
  G1 point_;
};

// A BLS signature: a G2 point in the subgroup (infinity decodes, but never
// verifies against a usable key).
class Signature {
 public:
  static constexpr size_t kSize = 96;

  // Decodes 96 compressed bytes with every check (length, flags, both
  // coordinates < p, on curve, in G2).
  [[nodiscard]] static Result<Signature> from_bytes(ByteView bytes);

  std::array<uint8_t, kSize> to_bytes() const;
  const G2& point() const { return point_; }
  bool operator==(const Signature& other) const;

 private:
  friend class SecretKey;
  friend Result<Signature> aggregate(const std::vector<Signature>&);
  explicit Signature(const G2& point) : point_(point) {}
  G2 point_;
};

// CoreVerify with the POP ciphersuite's DST.
bool verify(const PublicKey& public_key, ByteView message,
            const Signature& signature);

// Sums signatures; refuses an empty list (invalid_argument).
[[nodiscard]] Result<Signature> aggregate(
    const std::vector<Signature>& signatures);

// FastAggregateVerify: one message signed by every key. An empty key list
// never verifies.
bool fast_aggregate_verify(const std::vector<PublicKey>& public_keys,
                           ByteView message, const Signature& signature);

// AggregateVerify (the POP ciphersuite's CoreAggregateVerify): one message
// per key. Empty lists and lists of unequal length never verify.
bool aggregate_verify(const std::vector<PublicKey>& public_keys,
                      const std::vector<Bytes>& messages,
                      const Signature& signature);

}  // namespace pkm::crypto

#endif  // PKM_CRYPTO_BLS_H_
