#include "chain/deposit_tree.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "chain/ssz.h"
#include "tests/support/test_support.h"

namespace pkm::chain {
namespace {

using pkm::testing::hex;
using pkm::testing::load_vectors;

std::string hex_of(const Root& root) {
  return to_hex(ByteView(root.data(), root.size()));
}

// Distinct, reproducible leaves: sha256 of the leaf's index.
Root leaf(uint32_t index) {
  uint8_t bytes[4] = {
      static_cast<uint8_t>(index), static_cast<uint8_t>(index >> 8),
      static_cast<uint8_t>(index >> 16), static_cast<uint8_t>(index >> 24)};
  return sha256(ByteView(bytes, sizeof(bytes)));
}

// The deposit contract's get_deposit_root() written out plainly:
// sha256(tree root ‖ count as 8 little-endian bytes ‖ 24 zero bytes).
Root contract_formula(const std::vector<Root>& leaves) {
  Root tree_root = merkleize(leaves, kDepositListLimit).value();
  Bytes preimage(tree_root.begin(), tree_root.end());
  uint64_t count = leaves.size();
  for (int i = 0; i < 8; ++i) {
    preimage.push_back(static_cast<uint8_t>(count >> (8 * i)));
  }
  preimage.resize(64, 0);
  return sha256(preimage);
}

TEST(DepositTree, EmptyTreeHasTheContractsInitialDepositRoot) {
  DepositTree tree;

  Root root = tree.root();

  EXPECT_EQ(tree.count(), 0u);
  EXPECT_EQ(
      hex_of(root),
      "0xd70a234731285c6804c2a4f56711ddb8c82c99740f207854891028af34e27e5e");
}

TEST(DepositTree, CountGrowsByOnePerPush) {
  DepositTree tree;

  for (uint32_t i = 0; i < 5; ++i) {
    ASSERT_TRUE(tree.push(leaf(i)).ok());
  }

  EXPECT_EQ(tree.count(), 5u);
}

TEST(DepositTree, RootEqualsSszListRootAfterEveryPush) {
  DepositTree tree;
  std::vector<Root> leaves;

  for (uint32_t i = 0; i < 70; ++i) {
    leaves.push_back(leaf(i));
    ASSERT_TRUE(tree.push(leaves.back()).ok());
    auto list_root = hash_tree_root_list(leaves, kDepositListLimit);
    ASSERT_TRUE(list_root.ok());

    EXPECT_EQ(tree.root(), *list_root) << "after " << leaves.size();
  }
}

TEST(DepositTree, RootEqualsContractFormulaOfTreeRootAndPaddedCount) {
  DepositTree tree;
  std::vector<Root> leaves;

  for (uint32_t i = 0; i < 17; ++i) {
    leaves.push_back(leaf(1000 + i));
    ASSERT_TRUE(tree.push(leaves.back()).ok());

    EXPECT_EQ(tree.root(), contract_formula(leaves))
        << "after " << leaves.size();
  }
}

TEST(DepositTree, RootDependsOnLeafOrder) {
  DepositTree forward;
  DepositTree backward;

  ASSERT_TRUE(forward.push(leaf(1)).ok());
  ASSERT_TRUE(forward.push(leaf(2)).ok());
  ASSERT_TRUE(backward.push(leaf(2)).ok());
  ASSERT_TRUE(backward.push(leaf(1)).ok());

  EXPECT_NE(forward.root(), backward.root());
}

TEST(DepositTree, CliDepositDataRootsGiveTheListRoot) {
  auto sets = load_vectors("deposit/deposit_data_cli.json")["sets"];
  DepositTree tree;
  std::vector<Root> leaves;

  for (const auto& set : sets) {
    for (const auto& entry : set["deposit_data"]) {
      Bytes root_bytes = hex(entry["deposit_data_root"].get<std::string>());
      Root leaf_root{};
      std::copy(root_bytes.begin(), root_bytes.end(), leaf_root.begin());
      leaves.push_back(leaf_root);
      ASSERT_TRUE(tree.push(leaf_root).ok());
    }
  }

  ASSERT_EQ(leaves.size(), 33u);
  EXPECT_EQ(tree.root(),
            hash_tree_root_list(leaves, kDepositListLimit).value());
  EXPECT_EQ(tree.root(), contract_formula(leaves));
}

}  // namespace
}  // namespace pkm::chain
