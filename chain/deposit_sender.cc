#include "chain/deposit_sender.h"

#include <algorithm>
#include <thread>

#include "chain/abi.h"
#include "chain/transaction.h"

namespace pkm::chain {
namespace {

using nlohmann::json;

bool mentions(const Error& error, std::string_view text) {
  return error.message.find(text) != std::string::npos;
}

}  // namespace

Result<std::unique_ptr<DepositSender>> DepositSender::create(
    JsonRpcClient& client, crypto::EcdsaPrivateKey funder, Options options) {
  auto contract = crypto::parse_address(options.contract_address);
  if (!contract.ok()) {
    return invalid_argument("deposit contract: " + contract.error().message);
  }
  if (options.batch_size == 0) {
    return invalid_argument("batch size is 0; allowed: 1 or more");
  }
  auto chain_id = client.chain_id();
  if (!chain_id.ok()) return chain_id.error();

  std::string address = crypto::to_checksum_address(funder.address());
  auto nonces = NonceManager::create(client, address);
  if (!nonces.ok()) return nonces.error();
  return std::unique_ptr<DepositSender>(
      new DepositSender(client, std::move(funder), std::move(options),
                        *chain_id, *contract, std::move(nonces).value()));
}

DepositSender::DepositSender(JsonRpcClient& client,
                             crypto::EcdsaPrivateKey funder, Options options,
                             uint64_t chain_id,
                             crypto::EthereumAddress contract,
                             NonceManager nonces)
    : client_(client),
      funder_(std::move(funder)),
      options_(std::move(options)),
      chain_id_(chain_id),
      contract_(contract),
      funder_address_(crypto::to_checksum_address(funder_.address())),
      nonces_(std::move(nonces)) {}

Result<std::vector<Result<DepositSubmission>>> DepositSender::submit(
    const std::vector<DepositData>& deposits, const Journal& journal,
    const BatchJournal& batch_journal) {
  // One call at a time: nonce gaps are judged against this call's nonces.
  std::lock_guard<std::mutex> lock(submit_mutex_);

  // Pre-flight: nothing is signed or sent unless every deposit verifies.
  for (size_t i = 0; i < deposits.size(); ++i) {
    Status valid =
        options_.verify_signatures
            ? verify_deposit(deposits[i], options_.fork_version)
            : (deposits[i].amount_gwei < kMinDepositGwei
                   ? Status(invalid_argument(
                         "amount " + format_amount(deposits[i].amount_gwei) +
                         " is below the 1 ETH minimum"))
                   : Status());
    if (!valid.ok()) {
      return invalid_argument("deposit " + std::to_string(i) + " (pubkey " +
                              to_hex(ByteView(deposits[i].pubkey.data(), 48)) +
                              ") fails the pre-flight check: " +
                              valid.error().message);
    }
  }

  // Fees: twice the current base fee leaves room for it to rise while the
  // transactions wait.
  auto base_fee = client_.base_fee();
  if (!base_fee.ok()) return base_fee.error();
  uint64_t priority = options_.max_priority_fee_wei;
  if (priority == 0) {
    auto suggested = client_.max_priority_fee();
    if (!suggested.ok()) return suggested.error();
    priority = *suggested;
  }
  Uint256 priority_fee(priority);
  Uint256 max_fee(2 * *base_fee + priority);

  // Sign and journal every transaction before any is sent.
  std::vector<Result<DepositSubmission>> results;
  results.reserve(deposits.size());
  bool journal_failed = false;
  for (const DepositData& deposit : deposits) {
    if (journal_failed) {
      results.emplace_back(Error{ErrorCode::kFailedPrecondition,
                                 "not sent: an earlier journal write failed"});
      continue;
    }
    Root root = deposit_data_root(deposit);
    auto call = encode_deposit_call(
        ByteView(deposit.pubkey.data(), deposit.pubkey.size()),
        ByteView(deposit.withdrawal_credentials.data(), 32),
        ByteView(deposit.signature.data(), deposit.signature.size()),
        ByteView(root.data(), root.size()));
    auto value = checked_mul(Uint256(deposit.amount_gwei),
                             Uint256(kGweiPerEth));
    if (!call.ok() || !value.ok()) {
      results.emplace_back(call.ok() ? value.error() : call.error());
      continue;
    }

    Eip1559Transaction tx;
    tx.chain_id = chain_id_;
    tx.nonce = nonces_.reserve();
    tx.max_priority_fee_per_gas = priority_fee;
    tx.max_fee_per_gas = max_fee;
    tx.gas_limit = options_.gas_limit;
    tx.to = contract_;
    tx.value = *value;
    tx.data = std::move(call).value();
    auto signed_tx = sign_transaction(tx, funder_);
    if (!signed_tx.ok()) {
      nonces_.release(tx.nonce);
      results.emplace_back(signed_tx.error());
      continue;
    }

    DepositSubmission submission;
    submission.pubkey = deposit.pubkey;
    submission.nonce = tx.nonce;
    submission.tx_hash.assign(signed_tx->hash().begin(),
                              signed_tx->hash().end());
    submission.raw = signed_tx->raw();
    Status journaled = journal ? journal(submission) : Status();
    if (!journaled.ok()) {
      nonces_.release(tx.nonce);
      journal_failed = true;
      results.emplace_back(journaled.error());
      continue;
    }
    results.emplace_back(std::move(submission));
  }

  // The batch journal sees every signed transaction at once; if it cannot
  // keep them, none is sent and every nonce goes back, highest first.
  if (batch_journal) {
    std::vector<DepositSubmission> signed_batch;
    for (const auto& result : results) {
      if (result.ok()) signed_batch.push_back(*result);
    }
    Status kept = signed_batch.empty() ? Status() : batch_journal(signed_batch);
    if (!kept.ok()) {
      for (auto it = signed_batch.rbegin(); it != signed_batch.rend(); ++it) {
        nonces_.release(it->nonce);
      }
      for (auto& result : results) {
        if (result.ok()) result = kept.error();
      }
      return results;
    }
  }

  // Send in batches. A transport failure leaves the rest unsent but
  // journaled: they resolve through resend().
  std::vector<size_t> to_send;
  std::vector<DepositSubmission> signed_txs(results.size());
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].ok()) continue;
    to_send.push_back(i);
    signed_txs[i] = *results[i];
  }
  std::vector<size_t> refused;  // indexes whose send the node refused
  bool node_gone = false;
  for (size_t start = 0; start < to_send.size();
       start += options_.batch_size) {
    size_t end = std::min(to_send.size(), start + options_.batch_size);
    if (node_gone) {
      for (size_t k = start; k < end; ++k) {
        results[to_send[k]] = Error{
            ErrorCode::kUnavailable,
            "not sent: the node went away; the transaction is journaled"};
      }
      continue;
    }
    std::vector<RpcRequest> requests;
    for (size_t k = start; k < end; ++k) {
      requests.push_back(
          {"eth_sendRawTransaction", {to_hex(signed_txs[to_send[k]].raw)}});
    }
    auto replies = client_.batch(requests);
    if (!replies.ok()) {
      node_gone = true;
      for (size_t k = start; k < end; ++k) {
        results[to_send[k]] = Error{
            ErrorCode::kUnavailable,
            "sending failed (" + replies.error().message +
                "); the transaction is journaled and may have reached the "
                "node"};
      }
      continue;
    }
    for (size_t k = start; k < end; ++k) {
      Result<json>& reply = (*replies)[k - start];
      if (reply.ok()) continue;
      results[to_send[k]] = reply.error();
      refused.push_back(to_send[k]);
    }
  }

  // A refusal may only mean the node already had the transaction: a
  // retried request after a lost reply gets "already known" or, once it is
  // mined, "nonce too low". Ask for each refused one by its own hash before
  // believing the refusal.
  if (!refused.empty()) {
    std::vector<RpcRequest> lookups;
    for (size_t index : refused) {
      lookups.push_back({"eth_getTransactionByHash",
                         {to_hex(signed_txs[index].tx_hash)}});
    }
    auto known = client_.batch(lookups);
    if (!known.ok()) {
      // Unknown either way: report them as journaled and unresolved.
      for (size_t index : refused) {
        results[index] = Error{
            ErrorCode::kUnavailable,
            "the node refused the transaction (" +
                results[index].error().message +
                ") and could not be asked whether it has it; it is "
                "journaled"};
      }
      return results;
    }
    std::vector<size_t> really_refused;
    for (size_t k = 0; k < refused.size(); ++k) {
      const Result<json>& reply = (*known)[k];
      if (reply.ok() && !reply->is_null()) {
        results[refused[k]] = signed_txs[refused[k]];
      } else {
        really_refused.push_back(refused[k]);
      }
    }
    refused.swap(really_refused);
  }

  // Close the nonces of refused transactions: give back those above every
  // nonce the node holds from this call, fill the others with a
  // self-transfer so later ones can be mined. "nonce too low" means the
  // nonce is already used elsewhere: nothing to close, but resync.
  uint64_t highest_accepted = 0;
  bool any_accepted = false;
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].ok()) continue;
    any_accepted = true;
    highest_accepted = std::max(highest_accepted, results[i]->nonce);
  }
  std::sort(refused.begin(), refused.end(), [&](size_t a, size_t b) {
    return signed_txs[a].nonce > signed_txs[b].nonce;
  });
  for (size_t index : refused) {
    if (mentions(results[index].error(), "nonce too low")) continue;
    uint64_t nonce = signed_txs[index].nonce;
    if (!any_accepted || nonce > highest_accepted) {
      nonces_.release(nonce);
      continue;
    }
    Status filled = fill_nonce_gap(nonce, max_fee, priority_fee);
    if (!filled.ok()) {
      results[index] = Error{filled.error().code,
                             results[index].error().message + "; and " +
                                 filled.error().message};
    }
  }
  if (!refused.empty()) {
    Status synced = nonces_.resync();
    if (!synced.ok()) return synced.error();
  }
  return results;
}

Status DepositSender::fill_nonce_gap(uint64_t nonce, const Uint256& max_fee,
                                     const Uint256& priority_fee) {
  Eip1559Transaction tx;
  tx.chain_id = chain_id_;
  tx.nonce = nonce;
  tx.max_priority_fee_per_gas = priority_fee;
  tx.max_fee_per_gas = max_fee;
  tx.gas_limit = 21000;
  tx.to = funder_.address();
  auto signed_tx = sign_transaction(tx, funder_);
  if (!signed_tx.ok()) return signed_tx.error();
  auto hash = client_.send_raw_transaction(signed_tx->raw());
  if (!hash.ok()) {
    return Error{hash.error().code,
                 "nonce " + std::to_string(nonce) +
                     " was left open by a refused deposit and could not be "
                     "filled: " + hash.error().message};
  }
  return Status();
}

Result<SubmissionState> DepositSender::state_of(
    const DepositSubmission& submission) {
  auto receipt = client_.transaction_receipt(submission.tx_hash);
  if (!receipt.ok()) return receipt.error();
  if (receipt->has_value()) return SubmissionState::kMined;

  auto known = client_.has_transaction(submission.tx_hash);
  if (!known.ok()) return known.error();
  if (*known) return SubmissionState::kPending;

  auto confirmed = nonces_.confirmed_count();
  if (!confirmed.ok()) return confirmed.error();
  return *confirmed > submission.nonce ? SubmissionState::kReplaced
                                       : SubmissionState::kLost;
}

Result<SubmissionState> DepositSender::resend(
    const DepositSubmission& submission) {
  auto state = state_of(submission);
  if (!state.ok() || *state != SubmissionState::kLost) return state;

  auto hash = client_.send_raw_transaction(submission.raw);
  if (!hash.ok() && !mentions(hash.error(), "already known")) {
    return hash.error();
  }
  return state_of(submission);
}

Result<std::vector<TransactionReceipt>> DepositSender::wait_for_receipts(
    const std::vector<DepositSubmission>& submissions, uint64_t confirmations,
    std::chrono::milliseconds timeout) {
  std::vector<std::optional<TransactionReceipt>> receipts(submissions.size());
  auto deadline = std::chrono::steady_clock::now() + timeout;
  // Give the node a few blocks before looking for lost transactions.
  constexpr auto kLostCheckInterval = std::chrono::seconds(6);
  auto next_lost_check = std::chrono::steady_clock::now() + kLostCheckInterval;
  size_t open = submissions.size();

  while (open > 0) {
    auto head = client_.block_number();
    if (!head.ok()) return head.error();

    // Ask for every missing receipt in one round trip.
    std::vector<size_t> waiting;
    std::vector<RpcRequest> requests;
    for (size_t i = 0; i < submissions.size(); ++i) {
      if (receipts[i]) continue;
      waiting.push_back(i);
      requests.push_back({"eth_getTransactionReceipt",
                          {to_hex(submissions[i].tx_hash)}});
    }
    auto replies = client_.batch(requests);
    if (!replies.ok()) return replies.error();
    for (size_t k = 0; k < waiting.size(); ++k) {
      const Result<json>& reply = (*replies)[k];
      if (!reply.ok() || reply->is_null()) continue;
      auto block = parse_quantity(reply->value("blockNumber", json()));
      auto status = parse_quantity(reply->value("status", json()));
      auto gas = parse_quantity(reply->value("gasUsed", json()));
      if (!block.ok() || !status.ok() || !gas.ok()) continue;
      if (*block + confirmations > *head + 1) continue;
      TransactionReceipt receipt;
      receipt.transaction_hash = submissions[waiting[k]].tx_hash;
      receipt.block_number = *block;
      receipt.succeeded = *status == 1;
      receipt.gas_used = *gas;
      receipt.logs = reply->value("logs", json::array());
      if (auto hash = parse_data(reply->value("blockHash", json()), 32);
          hash.ok()) {
        receipt.block_hash = *hash;
      }
      receipts[waiting[k]] = std::move(receipt);
      --open;
    }
    if (open == 0) break;

    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      return Error{ErrorCode::kUnavailable,
                   std::to_string(open) + " of " +
                       std::to_string(submissions.size()) +
                       " deposit transactions are not confirmed yet"};
    }
    // Now and then, re-send transactions the node has lost. One batched
    // look-up finds them; only those go through resend().
    if (now >= next_lost_check) {
      std::vector<size_t> open_indexes;
      std::vector<RpcRequest> lookups;
      for (size_t i = 0; i < submissions.size(); ++i) {
        if (receipts[i]) continue;
        open_indexes.push_back(i);
        lookups.push_back({"eth_getTransactionByHash",
                           {to_hex(submissions[i].tx_hash)}});
      }
      auto known = client_.batch(lookups);
      if (!known.ok()) return known.error();
      for (size_t k = 0; k < open_indexes.size(); ++k) {
        const Result<json>& reply = (*known)[k];
        if (!reply.ok() || !reply->is_null()) continue;
        const DepositSubmission& submission = submissions[open_indexes[k]];
        auto state = resend(submission);
        if (state.ok() && *state == SubmissionState::kReplaced) {
          return Error{ErrorCode::kFailedPrecondition,
                       "deposit transaction " + to_hex(submission.tx_hash) +
                           " was replaced: its nonce " +
                           std::to_string(submission.nonce) +
                           " was used by another transaction"};
        }
      }
      next_lost_check = now + kLostCheckInterval;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  std::vector<TransactionReceipt> out;
  out.reserve(receipts.size());
  for (auto& receipt : receipts) out.push_back(std::move(*receipt));
  return out;
}

}  // namespace pkm::chain
