// EIP-2333 BLS12-381 key derivation (a tree of secret keys grown from a seed
// through Lamport one-time keys and HKDF-SHA256) and EIP-2334 paths such as
// m/12381/3600/<validator index>/0/0. All functions are thread-safe; every
// intermediate secret lives in a wiped buffer.
#ifndef PKM_CRYPTO_EIP2333_H_
#define PKM_CRYPTO_EIP2333_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/bls.h"

namespace pkm::crypto {

// EIP-2333 asks for seeds of at least 256 bits.
inline constexpr size_t kMinSeedSize = 32;
// Longest key path parse_path accepts, in levels below "m".
inline constexpr size_t kMaxPathLevels = 32;

// derive_master_SK: the root of the tree. Refuses seeds shorter than
// kMinSeedSize bytes with invalid_argument.
[[nodiscard]] Result<SecretKey> derive_master_sk(ByteView seed);

// derive_child_SK: the child of `parent` at `index` (every uint32_t is a
// valid index; EIP-2333 has no hardened/normal distinction). Fails only if
// OpenSSL fails (internal).
[[nodiscard]] Result<SecretKey> derive_child_sk(const SecretKey& parent,
                                                uint32_t index);

// Parses an EIP-2334 path: "m", then zero to kMaxPathLevels levels "/<index>"
// with each index a decimal number in [0, 2^32 - 1] without sign, spaces,
// leading zeros or a hardened marker ('). "m" alone yields no levels.
// Refuses anything else with invalid_argument naming the bad level.
[[nodiscard]] Result<std::vector<uint32_t>> parse_path(std::string_view path);

// The key at `path` (see parse_path) below the master key of `seed`. Checks
// the path before deriving anything.
[[nodiscard]] Result<SecretKey> derive_path(ByteView seed,
                                            std::string_view path);

// EIP-2334 validator paths: the signing key m/12381/3600/<index>/0/0 and the
// withdrawal key m/12381/3600/<index>/0.
std::string signing_key_path(uint32_t validator_index);
std::string withdrawal_key_path(uint32_t validator_index);

// The EIP's named steps, exposed for tests against its intermediate values.
// Not part of the stable interface.
namespace detail {

inline constexpr size_t kLamportChunks = 255;
inline constexpr size_t kLamportChunkSize = 32;

// IKM_to_lamport_SK: HKDF-SHA256(salt = I2OSP(index, 4), IKM, info = "",
// 255 * 32 bytes), i.e. the 255 Lamport secret chunks laid end to end.
[[nodiscard]] Result<SecretBytes> ikm_to_lamport_sk(ByteView ikm,
                                                    uint32_t index);

// parent_SK_to_lamport_PK: the 32-byte compressed Lamport public key (secret
// nonetheless: it determines the child key).
[[nodiscard]] Result<SecretBytes> parent_sk_to_lamport_pk(
    const SecretKey& parent, uint32_t index);

// HKDF_mod_r with L = 48 and the EIP's salt: OS2IP(OKM) mod r, repeated with
// a rehashed salt while the result is zero.
[[nodiscard]] Result<SecretKey> hkdf_mod_r(ByteView ikm,
                                           ByteView key_info = {});

}  // namespace detail
}  // namespace pkm::crypto

#endif  // PKM_CRYPTO_EIP2333_H_
