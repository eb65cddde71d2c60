#include "chain/ssz.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <string>

namespace pkm::chain {
namespace {

// Built once on first use (thread-safe static initialization), read-only
// afterwards.
const std::array<Root, kMaxMerkleDepth + 1>& zero_hashes() {
  static const std::array<Root, kMaxMerkleDepth + 1> table = [] {
    std::array<Root, kMaxMerkleDepth + 1> built{};
    for (size_t depth = 1; depth <= kMaxMerkleDepth; ++depth) {
      built[depth] = hash_pair(built[depth - 1], built[depth - 1]);
    }
    return built;
  }();
  return table;
}

// The number of levels above the leaves in a tree of at least `leaves`
// leaves: ceil(log2(leaves)), and 0 for zero or one leaf.
size_t tree_depth(uint64_t leaves) {
  size_t depth = 0;
  while (depth < kMaxMerkleDepth && (uint64_t{1} << depth) < leaves) {
    ++depth;
  }
  return depth;
}

Root little_endian_chunk(uint64_t value) {
  Root chunk{};
  for (size_t i = 0; i < 8; ++i) {
    chunk[i] = static_cast<uint8_t>(value >> (8 * i));
  }
  return chunk;
}

}  // namespace

Root sha256(ByteView data) {
  Root digest{};
  SHA256(data.data, data.size, digest.data());
  return digest;
}

Root hash_pair(const Root& left, const Root& right) {
  uint8_t joined[2 * kChunkSize];
  std::memcpy(joined, left.data(), kChunkSize);
  std::memcpy(joined + kChunkSize, right.data(), kChunkSize);
  return sha256(ByteView(joined, sizeof(joined)));
}

const Root& zero_hash(size_t depth) {
  assert(depth <= kMaxMerkleDepth);
  return zero_hashes()[std::min(depth, kMaxMerkleDepth)];
}

Result<Root> merkleize(const std::vector<Root>& chunks, uint64_t limit) {
  if (chunks.size() > limit) {
    return invalid_argument(
        "cannot merkleize " + std::to_string(chunks.size()) +
        " chunks under a limit of " + std::to_string(limit) +
        "; allowed: at most the limit");
  }
  size_t depth = tree_depth(limit);
  if (chunks.empty()) {
    return zero_hash(depth);
  }

  // Fold one level at a time; an odd node at the end of a level pairs with
  // the root of an all-zero subtree of that level's height.
  std::vector<Root> level = chunks;
  for (size_t height = 0; height < depth; ++height) {
    std::vector<Root> parents((level.size() + 1) / 2);
    for (size_t i = 0; i < parents.size(); ++i) {
      const Root& left = level[2 * i];
      const Root& right =
          2 * i + 1 < level.size() ? level[2 * i + 1] : zero_hash(height);
      parents[i] = hash_pair(left, right);
    }
    level = std::move(parents);
  }
  return level.front();
}

Root merkleize(const std::vector<Root>& chunks) {
  // The limit equals the count, so this cannot fail.
  return merkleize(chunks, chunks.size()).value();
}

Root mix_in_length(const Root& root, uint64_t length) {
  return hash_pair(root, little_endian_chunk(length));
}

Root hash_tree_root_uint64(uint64_t value) {
  return little_endian_chunk(value);
}

Root hash_tree_root_bytes(ByteView bytes) {
  std::vector<Root> chunks((bytes.size + kChunkSize - 1) / kChunkSize);
  for (size_t i = 0; i < chunks.size(); ++i) {
    size_t offset = i * kChunkSize;
    size_t count = std::min(kChunkSize, bytes.size - offset);
    std::memcpy(chunks[i].data(), bytes.data + offset, count);
  }
  return merkleize(chunks);
}

Root hash_tree_root_deposit_message(const Bytes48& pubkey,
                                    const Bytes32& withdrawal_credentials,
                                    uint64_t amount_gwei) {
  return merkleize({
      hash_tree_root_bytes(ByteView(pubkey.data(), pubkey.size())),
      withdrawal_credentials,
      hash_tree_root_uint64(amount_gwei),
  });
}

Root hash_tree_root_deposit_data(const Bytes48& pubkey,
                                 const Bytes32& withdrawal_credentials,
                                 uint64_t amount_gwei,
                                 const Bytes96& signature) {
  return merkleize({
      hash_tree_root_bytes(ByteView(pubkey.data(), pubkey.size())),
      withdrawal_credentials,
      hash_tree_root_uint64(amount_gwei),
      hash_tree_root_bytes(ByteView(signature.data(), signature.size())),
  });
}

Root hash_tree_root_fork_data(const Bytes4& current_version,
                              const Root& genesis_validators_root) {
  return merkleize({
      hash_tree_root_bytes(
          ByteView(current_version.data(), current_version.size())),
      genesis_validators_root,
  });
}

Root hash_tree_root_signing_data(const Root& object_root,
                                 const Bytes32& domain) {
  return hash_pair(object_root, domain);
}

Result<Root> hash_tree_root_list(const std::vector<Root>& element_roots,
                                 uint64_t limit) {
  auto tree_root = merkleize(element_roots, limit);
  if (!tree_root.ok()) {
    return Error{tree_root.error().code,
                 "list of " + std::to_string(element_roots.size()) +
                     " elements is longer than its limit of " +
                     std::to_string(limit)};
  }
  return mix_in_length(*tree_root, element_roots.size());
}

}  // namespace pkm::chain
