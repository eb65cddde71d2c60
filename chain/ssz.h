// SSZ hash_tree_root for the pieces of the consensus spec that deposits
// need: fixed-size byte vectors, uint64, the containers DepositMessage,
// DepositData, ForkData and SigningData, and Merkle trees with a length
// mixed in (List[DepositData, 2**32]). Only merkleization is here; pkm never
// needs SSZ serialization itself.
//
// Every function is pure and thread-safe. Values are held in fixed-size
// arrays, so lengths are right by construction; parse untrusted text into
// these types at the edge (see chain/deposit.h).
#ifndef PKM_CHAIN_SSZ_H_
#define PKM_CHAIN_SSZ_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace pkm::chain {

using Bytes4 = std::array<uint8_t, 4>;
using Bytes32 = std::array<uint8_t, 32>;
using Bytes48 = std::array<uint8_t, 48>;
using Bytes96 = std::array<uint8_t, 96>;

// A 32-byte Merkle node or hash_tree_root.
using Root = Bytes32;

// Bytes per SSZ chunk (one Merkle leaf).
inline constexpr size_t kChunkSize = 32;

// The deepest tree zero_hash() covers: a limit of 2^64 leaves.
inline constexpr size_t kMaxMerkleDepth = 64;

// Limit of the deposit list in the beacon state and depth of the deposit
// contract's tree: List[DepositData, 2**32].
inline constexpr uint64_t kDepositListLimit = uint64_t{1} << 32;

// SHA-256 of `data`.
Root sha256(ByteView data);

// SHA-256 of left ‖ right: the parent of two Merkle nodes.
Root hash_pair(const Root& left, const Root& right);

// The root of a subtree of the given depth whose leaves are all zero chunks:
// zero_hash(0) is 32 zero bytes, zero_hash(d + 1) is
// hash_pair(zero_hash(d), zero_hash(d)). `depth` must not exceed
// kMaxMerkleDepth (asserted).
const Root& zero_hash(size_t depth);

// SSZ merkleize(chunks, limit): the root of a binary tree over `chunks`,
// padded with zero chunks up to the next power of two of `limit` leaves
// (virtually: a limit of 2^32 costs no more than the chunks present). Refuses
// more chunks than `limit` with invalid_argument.
[[nodiscard]] Result<Root> merkleize(const std::vector<Root>& chunks,
                                     uint64_t limit);

// merkleize(chunks) with the limit equal to the number of chunks (vectors
// and containers).
Root merkleize(const std::vector<Root>& chunks);

// SSZ mix_in_length: hash_pair(root, length as 32-byte little-endian).
Root mix_in_length(const Root& root, uint64_t length);

// hash_tree_root of a uint64: its 8 little-endian bytes, zero-padded to one
// chunk.
Root hash_tree_root_uint64(uint64_t value);

// hash_tree_root of a ByteVector[N] with N = bytes.size() > 0: the bytes
// packed into zero-padded chunks and merkleized. A Bytes32 is its own root;
// a Bytes48 is hash_pair of two chunks; a Bytes96 spans a four-leaf tree.
Root hash_tree_root_bytes(ByteView bytes);

// DepositMessage{pubkey: Bytes48, withdrawal_credentials: Bytes32,
// amount: uint64 (gwei)}.
Root hash_tree_root_deposit_message(const Bytes48& pubkey,
                                    const Bytes32& withdrawal_credentials,
                                    uint64_t amount_gwei);

// DepositData{pubkey, withdrawal_credentials, amount, signature: Bytes96}.
Root hash_tree_root_deposit_data(const Bytes48& pubkey,
                                 const Bytes32& withdrawal_credentials,
                                 uint64_t amount_gwei,
                                 const Bytes96& signature);

// ForkData{current_version: Bytes4, genesis_validators_root: Root}.
Root hash_tree_root_fork_data(const Bytes4& current_version,
                              const Root& genesis_validators_root);

// SigningData{object_root: Root, domain: Bytes32}: the message a BLS key
// signs.
Root hash_tree_root_signing_data(const Root& object_root,
                                 const Bytes32& domain);

// hash_tree_root of a List[T, limit] of composite elements, given each
// element's hash_tree_root: mix_in_length(merkleize(roots, limit), count).
// Refuses more elements than `limit` with invalid_argument. For the deposit
// list use kDepositListLimit; chain/deposit_tree.h computes the same root
// incrementally.
[[nodiscard]] Result<Root> hash_tree_root_list(
    const std::vector<Root>& element_roots, uint64_t limit);

}  // namespace pkm::chain

#endif  // PKM_CHAIN_SSZ_H_
