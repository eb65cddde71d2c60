// Sends deposit transactions from one funder account, pipelined: every
// deposit of a call gets its own EIP-1559 transaction with consecutive
// nonces, the signed bytes are handed to a journal before anything is sent,
// and the transactions go to the node in JSON-RPC batches so that many
// deposits share a block.
//
// No deposit is sent twice: a recorded transaction is only ever re-sent
// byte for byte (same nonce, same hash), and a deposit whose nonce was taken
// by another transaction is reported, never re-signed silently.
#ifndef PKM_CHAIN_DEPOSIT_SENDER_H_
#define PKM_CHAIN_DEPOSIT_SENDER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "chain/deposit.h"
#include "chain/json_rpc_client.h"
#include "chain/nonce_manager.h"
#include "chain/uint256.h"
#include "crypto/secp256k1.h"

namespace pkm::chain {

// One deposit transaction as signed: what a journal must keep to resume.
struct DepositSubmission {
  Bytes48 pubkey{};
  uint64_t nonce = 0;
  Bytes tx_hash;
  Bytes raw;
};

// What the node says about a recorded transaction.
enum class SubmissionState {
  kPending,  // known to the node, not mined yet
  kMined,    // in a block (see the receipt for success)
  kLost,     // unknown to the node while its nonce is still open: re-send
  kReplaced  // unknown, and the nonce was used by another transaction
};

class DepositSender {
 public:
  struct Options {
    std::string contract_address;      // EIP-55 checked
    ForkVersion fork_version{};        // for the pre-flight check
    uint64_t gas_limit = 120000;       // per deposit; deposits use 52-87k
    uint64_t max_priority_fee_wei = 0; // 0: ask the node
    size_t batch_size = 64;            // transactions per JSON-RPC batch
    // Verify every deposit's BLS signature before signing anything (about
    // 2 ms each, one thread). A caller that verified each deposit when it
    // was made (pkm's keygen pool does, in parallel) may turn it off; the
    // amount is checked either way.
    bool verify_signatures = true;
  };

  // Reads the chain id and the funder's pending nonce from the node.
  [[nodiscard]] static Result<std::unique_ptr<DepositSender>> create(
      JsonRpcClient& client, crypto::EcdsaPrivateKey funder, Options options);

  // Called with each signed transaction before it is sent; an error stops
  // the call before that transaction is sent and its nonce is given back to
  // the next deposit, so a journal record written before the error is
  // superseded: on resume such a record resolves as kReplaced (or kLost
  // while nothing took the nonce yet) and its deposit was never sent.
  using Journal = std::function<Status(const DepositSubmission&)>;

  // Called once per submit with every transaction signed in that call,
  // after the per-transaction journal and before the first is sent: one
  // synced write can then carry a whole batch. An error gives every nonce
  // back and sends nothing; each deposit then fails with that error.
  using BatchJournal =
      std::function<Status(const std::vector<DepositSubmission>&)>;

  // Pre-flight checks every deposit (signature under the configured fork,
  // amount), then signs and journals them, then sends them in batches.
  // Calls are serialised. A refusal by the node counts only if the node
  // does not have the transaction under its hash (a retried send after a
  // lost reply is refused as already known but was accepted).
  // Returns one result per deposit, in order. A deposit that fails the
  // pre-flight check is refused with invalid_argument before anything is
  // sent for the whole call. Transport failures while sending are reported
  // as unavailable per deposit; their transactions are journaled and may
  // or may not have reached the node: resolve them with resend().
  [[nodiscard]] Result<std::vector<Result<DepositSubmission>>> submit(
      const std::vector<DepositData>& deposits, const Journal& journal,
      const BatchJournal& batch_journal = BatchJournal());

  // Finds out what became of a recorded transaction.
  [[nodiscard]] Result<SubmissionState> state_of(
      const DepositSubmission& submission);

  // Re-sends a recorded transaction byte for byte if the node lost it.
  // Returns the state after the attempt.
  [[nodiscard]] Result<SubmissionState> resend(
      const DepositSubmission& submission);

  // Waits until each transaction has `confirmations` blocks on top (1 =
  // mined), re-sending lost ones. Returns receipts in order; deadline
  // exceeded gives unavailable naming how many are still open.
  [[nodiscard]] Result<std::vector<TransactionReceipt>> wait_for_receipts(
      const std::vector<DepositSubmission>& submissions,
      uint64_t confirmations, std::chrono::milliseconds timeout);

  const std::string& funder_address() const { return funder_address_; }
  uint64_t chain_id() const { return chain_id_; }

 private:
  DepositSender(JsonRpcClient& client, crypto::EcdsaPrivateKey funder,
                Options options, uint64_t chain_id,
                crypto::EthereumAddress contract, NonceManager nonces);

  // Fills a nonce left open by a refused transaction with a zero-value
  // transfer to the funder itself, so later nonces can be mined.
  Status fill_nonce_gap(uint64_t nonce, const Uint256& max_fee,
                        const Uint256& priority_fee);

  JsonRpcClient& client_;
  crypto::EcdsaPrivateKey funder_;
  Options options_;
  uint64_t chain_id_;
  crypto::EthereumAddress contract_;
  std::string funder_address_;
  NonceManager nonces_;
  std::mutex submit_mutex_;
};

}  // namespace pkm::chain

#endif  // PKM_CHAIN_DEPOSIT_SENDER_H_
