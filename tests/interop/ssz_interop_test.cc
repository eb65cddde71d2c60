// Differential tests of pkm's SSZ roots against @chainsafe/ssz: the roots of
// DepositMessage, DepositData, ForkData, SigningData and List[DepositData,
// 2**32] must equal the ones ssz_roots.mjs wrote (see ssz.cmake).
//
// Usage: pkm_ssz_interop_tests [gtest flags] ROOTS.json
//        (or $PKM_SSZ_ROOTS instead of the argument)
//
// Each test walks every case of its kind, collects the disagreements and
// fails once listing the first few; each also fails when the file holds
// fewer cases than the generator writes, so a truncated file cannot pass.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "chain/deposit.h"
#include "chain/deposit_tree.h"
#include "chain/ssz.h"

namespace pkm::chain {
namespace {

using nlohmann::json;

// The roots file, loaded by main() before any test runs.
json g_roots;

constexpr size_t kMinimumDeposits = 500;
constexpr size_t kMinimumForkData = 50;
const std::vector<size_t> kExpectedListLengths = {0,  1,   2,   3,  17,
                                                  64, 255, 256, 257};

template <size_t N>
std::array<uint8_t, N> field(const json& object, const char* name) {
  auto bytes = from_hex_exact(object.at(name).get<std::string>(), N, name);
  if (!bytes.ok()) {
    throw std::runtime_error("bad roots file: " + bytes.error().message);
  }
  std::array<uint8_t, N> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

// The amount is a decimal string so that no JSON reader rounds it.
uint64_t amount_field(const json& object) {
  const std::string text = object.at("amount").get<std::string>();
  size_t used = 0;
  unsigned long long value = std::stoull(text, &used, 10);
  if (used != text.size()) {
    throw std::runtime_error("bad amount in roots file: " + text);
  }
  return value;
}

DepositData deposit_from(const json& object) {
  DepositData deposit;
  deposit.pubkey = field<48>(object, "pubkey");
  deposit.withdrawal_credentials = field<32>(object, "withdrawal_credentials");
  deposit.amount_gwei = amount_field(object);
  deposit.signature = field<96>(object, "signature");
  return deposit;
}

std::string hex_of(const Root& root) {
  return to_hex(ByteView(root.data(), root.size()));
}

// Collects disagreements and reports the first few.
class Mismatches {
 public:
  void add(const std::string& what) {
    ++count_;
    if (count_ <= 5) report_ << "\n  " << what;
  }
  size_t count() const { return count_; }
  std::string report() const { return report_.str(); }

 private:
  size_t count_ = 0;
  std::ostringstream report_;
};

TEST(SszInterop, DepositMessageAndDataRootsMatchChainsafe) {
  const json& deposits = g_roots.at("deposits");
  ASSERT_GE(deposits.size(), kMinimumDeposits);
  Mismatches mismatches;

  for (size_t i = 0; i < deposits.size(); ++i) {
    DepositData deposit = deposit_from(deposits[i]);
    Root message_root = deposit_message_root(deposit);
    Root data_root = deposit_data_root(deposit);

    if (message_root != field<32>(deposits[i], "deposit_message_root")) {
      mismatches.add("deposit " + std::to_string(i) + " message root " +
                     hex_of(message_root));
    }
    if (data_root != field<32>(deposits[i], "deposit_data_root")) {
      mismatches.add("deposit " + std::to_string(i) + " data root " +
                     hex_of(data_root));
    }
  }

  EXPECT_EQ(mismatches.count(), 0u) << mismatches.report();
}

TEST(SszInterop, ExtremeAmountsAreAmongTheCases) {
  const json& deposits = g_roots.at("deposits");
  bool has_zero = false;
  bool has_max = false;

  for (const auto& deposit : deposits) {
    uint64_t amount = amount_field(deposit);
    has_zero = has_zero || amount == 0;
    has_max = has_max || amount == UINT64_MAX;
  }

  EXPECT_TRUE(has_zero);
  EXPECT_TRUE(has_max);
}

TEST(SszInterop, ForkDataRootsMatchChainsafe) {
  const json& cases = g_roots.at("fork_data");
  ASSERT_GE(cases.size(), kMinimumForkData);
  Mismatches mismatches;

  for (size_t i = 0; i < cases.size(); ++i) {
    Root root = hash_tree_root_fork_data(
        field<4>(cases[i], "current_version"),
        field<32>(cases[i], "genesis_validators_root"));

    if (root != field<32>(cases[i], "root")) {
      mismatches.add("fork data " + std::to_string(i) + " " + hex_of(root));
    }
  }

  EXPECT_EQ(mismatches.count(), 0u) << mismatches.report();
}

TEST(SszInterop, SigningDataRootsMatchChainsafe) {
  const json& cases = g_roots.at("signing_data");
  ASSERT_GE(cases.size(), kMinimumForkData);
  Mismatches mismatches;

  for (size_t i = 0; i < cases.size(); ++i) {
    Root object_root = field<32>(cases[i], "object_root");
    Bytes32 domain = field<32>(cases[i], "domain");
    auto root = compute_signing_root(object_root,
                                     ByteView(domain.data(), domain.size()));
    ASSERT_TRUE(root.ok());

    if (*root != field<32>(cases[i], "root")) {
      mismatches.add("signing data " + std::to_string(i) + " " + hex_of(*root));
    }
  }

  EXPECT_EQ(mismatches.count(), 0u) << mismatches.report();
}

TEST(SszInterop, DepositListRootsMatchChainsafeBothWays) {
  const json& deposits = g_roots.at("deposits");
  const json& lists = g_roots.at("deposit_lists");
  std::vector<size_t> lengths;
  Mismatches mismatches;

  for (const auto& list : lists) {
    DepositTree tree;
    std::vector<Root> leaves;
    for (const auto& index : list.at("deposit_indices")) {
      leaves.push_back(
          deposit_data_root(deposit_from(deposits.at(index.get<size_t>()))));
      ASSERT_TRUE(tree.push(leaves.back()).ok());
    }
    auto list_root = hash_tree_root_list(leaves, kDepositListLimit);
    ASSERT_TRUE(list_root.ok());
    Root expected = field<32>(list, "root");
    lengths.push_back(leaves.size());

    if (tree.root() != expected) {
      mismatches.add("deposit tree of " + std::to_string(leaves.size()) + ": " +
                     hex_of(tree.root()));
    }
    if (*list_root != expected) {
      mismatches.add("list root of " + std::to_string(leaves.size()) + ": " +
                     hex_of(*list_root));
    }
  }

  EXPECT_EQ(lengths, kExpectedListLengths);
  EXPECT_EQ(mismatches.count(), 0u) << mismatches.report();
}

}  // namespace
}  // namespace pkm::chain

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const char* from_env = std::getenv("PKM_SSZ_ROOTS");
  std::string path = argc > 1 ? argv[1] : (from_env ? from_env : "");
  if (path.empty()) {
    std::cerr << "usage: " << argv[0] << " [gtest flags] ROOTS.json\n";
    return 2;
  }
  std::ifstream in(path);
  if (!in) {
    std::cerr << "cannot open " << path << "\n";
    return 2;
  }
  pkm::chain::g_roots = nlohmann::json::parse(in, nullptr, false);
  if (pkm::chain::g_roots.is_discarded()) {
    std::cerr << path << " is not JSON\n";
    return 2;
  }
  return RUN_ALL_TESTS();
}
