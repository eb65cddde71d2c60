// The deposit contract's incremental Merkle tree: a depth-32 tree over
// deposit_data_root leaves, kept as one "branch" node per level so that each
// deposit costs at most 32 hashes and the tree needs 32 nodes of memory.
#ifndef PKM_CHAIN_DEPOSIT_TREE_H_
#define PKM_CHAIN_DEPOSIT_TREE_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "base/result.h"
#include "chain/ssz.h"

namespace pkm::chain {

// Mirrors the deposit contract's state. root() equals the contract's
// get_deposit_root() after the same deposits, which in turn equals the SSZ
// hash_tree_root of List[DepositData, 2**32] holding them:
// sha256(tree root ‖ count as 8 little-endian bytes ‖ 24 zero bytes) is
// mix_in_length. A plain value; const members may be called from several
// threads at once, push() needs exclusive access.
class DepositTree {
 public:
  static constexpr size_t kDepth = 32;
  // The contract refuses the deposit that would fill the last leaf.
  static constexpr uint64_t kMaxDeposits = (uint64_t{1} << kDepth) - 1;

  // An empty tree; root() is then the contract's initial deposit root.
  DepositTree() = default;

  // Appends one leaf: a DepositData hash_tree_root. Refuses the leaf after
  // kMaxDeposits with failed_precondition (the contract reverts the same
  // way), leaving the tree unchanged.
  [[nodiscard]] Status push(const Root& leaf);

  // get_deposit_root(): the tree root with the deposit count mixed in.
  Root root() const;

  // The number of leaves pushed.
  uint64_t count() const { return count_; }

 private:
  // branch_[h] is the root of the last complete subtree of height h on the
  // left edge of the filled part; it is meaningful only where bit h of
  // count_ is set.
  std::array<Root, kDepth> branch_{};
  uint64_t count_ = 0;
};

}  // namespace pkm::chain

#endif  // PKM_CHAIN_DEPOSIT_TREE_H_
