#include "chain/deposit_tree.h"

#include <string>

namespace pkm::chain {

Status DepositTree::push(const Root& leaf) {
  if (count_ >= kMaxDeposits) {
    return Error{ErrorCode::kFailedPrecondition,
                 "deposit tree is full: it holds " +
                     std::to_string(kMaxDeposits) +
                     " deposits, the most the deposit contract accepts"};
  }

  // Carry the new leaf up while it completes subtrees: at the first level
  // where the new count has a one bit, the combined node becomes that
  // level's branch node.
  ++count_;
  uint64_t size = count_;
  Root node = leaf;
  for (size_t height = 0; height < kDepth; ++height) {
    if ((size & 1) == 1) {
      branch_[height] = node;
      return Status();
    }
    node = hash_pair(branch_[height], node);
    size >>= 1;
  }
  // count_ <= kMaxDeposits has a one bit below kDepth, so the loop returned.
  return Error{ErrorCode::kInternal, "deposit tree push ran past its depth"};
}

Root DepositTree::root() const {
  // Walk up the right edge: where the count has a one bit the filled
  // branch node is the left sibling; elsewhere the right sibling is empty.
  Root node{};
  uint64_t size = count_;
  for (size_t height = 0; height < kDepth; ++height) {
    if ((size & 1) == 1) {
      node = hash_pair(branch_[height], node);
    } else {
      node = hash_pair(node, zero_hash(height));
    }
    size >>= 1;
  }
  return mix_in_length(node, count_);
}

}  // namespace pkm::chain
