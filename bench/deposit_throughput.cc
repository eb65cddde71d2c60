// Sends N deposits from one funder through DepositSender to a devnet and
// reports how many land per block against the block's capacity. Run it
// through bench/deposit_bench, which starts and stops the devnet.
//
//   pkm_deposit_throughput RPC_URL CONTRACT FUNDER_KEY_FILE FORK_VERSION
//                          [COUNT] [BATCH]
#include <openssl/rand.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

#include "chain/deposit_sender.h"

using namespace pkm;
using namespace pkm::chain;

namespace {

int fail(const std::string& what, const Error& error) {
  std::cerr << "deposit_throughput: " << what << ": " << error.to_string()
            << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: pkm_deposit_throughput RPC_URL CONTRACT "
                 "FUNDER_KEY_FILE FORK_VERSION [COUNT] [BATCH]\n";
    return 2;
  }
  size_t count = argc > 5 ? std::stoul(argv[5]) : 1000;
  size_t batch = argc > 6 ? std::stoul(argv[6]) : 100;
  std::ifstream key_file(argv[3]);
  std::string key_text((std::istreambuf_iterator<char>(key_file)), {});
  auto funder = crypto::EcdsaPrivateKey::from_hex(key_text);
  if (!funder.ok()) return fail("funder key", funder.error());
  auto fork = parse_fork_version(argv[4]);
  if (!fork.ok()) return fail("fork version", fork.error());
  auto client = JsonRpcClient::create(argv[1]);
  if (!client.ok()) return fail("rpc", client.error());

  // Keys and signed deposit data are made before the clock starts: the
  // benchmark measures sending, not BLS signing.
  auto sign_start = std::chrono::steady_clock::now();
  std::vector<DepositData> deposits;
  for (size_t i = 0; i < count; ++i) {
    uint8_t seed[48];
    RAND_bytes(seed, sizeof(seed));
    auto key = crypto::SecretKey::reduce_wide(ByteView(seed, sizeof(seed)));
    auto deposit = sign_deposit(key, bls_withdrawal_credentials(
                                          key.public_key()),
                                32 * kGweiPerEth, *fork);
    if (!deposit.ok()) return fail("signing", deposit.error());
    deposits.push_back(*deposit);
  }
  double sign_seconds = std::chrono::duration<double>(
                            std::chrono::steady_clock::now() - sign_start)
                            .count();

  DepositSender::Options options;
  options.contract_address = argv[2];
  options.fork_version = *fork;
  options.batch_size = batch;
  // A devnet dev account holds 10,000 ETH; 1,000 deposits need 32,000.
  // anvil_setBalance is anvil's own method: this is a devnet benchmark.
  std::string funder_address =
      crypto::to_checksum_address(funder->address());
  auto topped_up = (*client)->call(
      "anvil_setBalance", {funder_address, "0xd3c21bcecceda1000000"});
  if (!topped_up.ok()) return fail("anvil_setBalance", topped_up.error());
  auto sender = DepositSender::create(**client, std::move(funder).value(),
                                      options);
  if (!sender.ok()) return fail("sender", sender.error());
  auto head_before = (*client)->block_number();
  if (!head_before.ok()) return fail("block number", head_before.error());

  auto start = std::chrono::steady_clock::now();
  auto results = (*sender)->submit(deposits, nullptr);
  if (!results.ok()) return fail("submit", results.error());
  double submit_seconds = std::chrono::duration<double>(
                              std::chrono::steady_clock::now() - start)
                              .count();
  std::vector<DepositSubmission> sent;
  for (auto& result : *results) {
    if (!result.ok()) return fail("deposit", result.error());
    sent.push_back(*result);
  }
  auto receipts = (*sender)->wait_for_receipts(sent, 1,
                                               std::chrono::minutes(5));
  if (!receipts.ok()) return fail("receipts", receipts.error());
  double total_seconds = std::chrono::duration<double>(
                             std::chrono::steady_clock::now() - start)
                             .count();

  // Per block: deposits and gas.
  std::map<uint64_t, std::pair<size_t, uint64_t>> blocks;
  uint64_t gas = 0;
  for (const auto& receipt : *receipts) {
    if (!receipt.succeeded) {
      std::cerr << "deposit_throughput: a deposit reverted in block "
                << receipt.block_number << "\n";
      return 1;
    }
    blocks[receipt.block_number].first += 1;
    blocks[receipt.block_number].second += receipt.gas_used;
    gas += receipt.gas_used;
  }
  auto block = (*client)->call("eth_getBlockByNumber",
                               {format_quantity(blocks.begin()->first),
                                false});
  if (!block.ok()) return fail("block", block.error());
  uint64_t gas_limit = parse_quantity((*block)["gasLimit"]).value();
  double average_gas = static_cast<double>(gas) / receipts->size();
  double capacity = gas_limit / average_gas;

  std::printf("deposits sent            %zu (batches of %zu)\n", count, batch);
  std::printf("BLS signing (not timed)  %.2f s\n", sign_seconds);
  std::printf("submit (sign+send txs)   %.2f s\n", submit_seconds);
  std::printf("all mined after          %.2f s\n", total_seconds);
  std::printf("blocks used              %zu (first block %llu after head "
              "%llu)\n",
              blocks.size(),
              static_cast<unsigned long long>(blocks.begin()->first),
              static_cast<unsigned long long>(*head_before));
  std::printf("gas per deposit          %.0f (block gas limit %llu)\n",
              average_gas, static_cast<unsigned long long>(gas_limit));
  std::printf("block capacity           %.0f deposits\n", capacity);
  size_t index = 0;
  double worst_full_fill = 1.0;
  for (const auto& [number, entry] : blocks) {
    double fill = entry.first / capacity;
    bool last = ++index == blocks.size();
    std::printf("  block %-6llu %5zu deposits  %5.1f%% of capacity%s\n",
                static_cast<unsigned long long>(number), entry.first,
                100 * fill, last ? " (last, partial)" : "");
    if (!last) worst_full_fill = std::min(worst_full_fill, fill);
  }
  if (blocks.size() > 1) {
    std::printf("fill of every block but the last: at least %.1f%% "
                "(target 90%%): %s\n",
                100 * worst_full_fill,
                worst_full_fill >= 0.9 ? "PASS" : "MISS");
  } else {
    std::printf("all deposits fit in one block: the sender kept up\n");
  }
  return 0;
}
