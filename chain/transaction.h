// Execution-layer transactions that pkm signs and checks: EIP-1559 (type 2)
// and legacy EIP-155 (replay-protected by chain id). Builds signing
// payloads and hashes, signs with a secp256k1 key into the raw bytes that
// eth_sendRawTransaction takes, and decodes raw signed transactions with
// sender recovery.
//
// These are encoding rules only: nothing here checks balances, fee caps
// against the base fee, or gas against the block limit.
#ifndef PKM_CHAIN_TRANSACTION_H_
#define PKM_CHAIN_TRANSACTION_H_

#include <array>
#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "chain/uint256.h"
#include "crypto/keccak.h"
#include "crypto/secp256k1.h"

namespace pkm::chain {

// The EIP-2718 type byte of EIP-1559 transactions.
inline constexpr uint8_t kEip1559TransactionType = 0x02;

// One EIP-2930 access list entry: an account and storage slots in it.
struct AccessListEntry {
  crypto::EthereumAddress address{};
  std::vector<std::array<uint8_t, 32>> storage_keys;

  friend bool operator==(const AccessListEntry& a, const AccessListEntry& b) {
    return a.address == b.address && a.storage_keys == b.storage_keys;
  }
};

using AccessList = std::vector<AccessListEntry>;

// An unsigned EIP-1559 transaction. `to` absent means contract creation.
struct Eip1559Transaction {
  uint64_t chain_id = 0;
  uint64_t nonce = 0;
  Uint256 max_priority_fee_per_gas;
  Uint256 max_fee_per_gas;
  uint64_t gas_limit = 0;
  std::optional<crypto::EthereumAddress> to;
  Uint256 value;
  Bytes data;
  AccessList access_list;

  // 0x02 || rlp([chain_id, nonce, max_priority_fee_per_gas,
  // max_fee_per_gas, gas_limit, to, value, data, access_list]).
  Bytes signing_payload() const;

  // Keccak-256 of signing_payload(): the hash the sender signs.
  crypto::Keccak256Digest signing_hash() const;

  friend bool operator==(const Eip1559Transaction& a,
                         const Eip1559Transaction& b);
};

// An unsigned legacy transaction signed under EIP-155, which binds the
// signature to `chain_id`. `to` absent means contract creation.
struct LegacyTransaction {
  uint64_t chain_id = 0;
  uint64_t nonce = 0;
  Uint256 gas_price;
  uint64_t gas_limit = 0;
  std::optional<crypto::EthereumAddress> to;
  Uint256 value;
  Bytes data;

  // rlp([nonce, gas_price, gas_limit, to, value, data, chain_id, 0, 0]).
  Bytes signing_payload() const;

  // Keccak-256 of signing_payload().
  crypto::Keccak256Digest signing_hash() const;

  friend bool operator==(const LegacyTransaction& a,
                         const LegacyTransaction& b);
};

// A signed transaction in either form, with its network encoding, hash and
// sender. Invariant: raw() is the canonical encoding of transaction() and
// signature(), hash() is Keccak-256 of raw(), and sender() is the address
// recovered from the signature over the signing hash. Made only by
// sign_transaction() and decode_signed_transaction(); immutable afterwards.
class SignedTransaction {
 public:
  using Unsigned = std::variant<LegacyTransaction, Eip1559Transaction>;

  const Unsigned& transaction() const { return transaction_; }
  bool is_eip1559() const {
    return std::holds_alternative<Eip1559Transaction>(transaction_);
  }
  uint64_t chain_id() const;
  uint64_t nonce() const;

  // recovery_id is the y parity (0 or 1); for a legacy transaction
  // v = recovery_id + 35 + 2 * chain_id.
  const crypto::RecoverableSignature& signature() const { return signature_; }

  // The bytes eth_sendRawTransaction takes: 0x02 || rlp([... 9 fields,
  // y_parity, r, s]) for EIP-1559, rlp([... 6 fields, v, r, s]) for legacy.
  const Bytes& raw() const { return raw_; }

  // Keccak-256 of raw(): the transaction hash nodes report.
  const crypto::Keccak256Digest& hash() const { return hash_; }

  const crypto::EthereumAddress& sender() const { return sender_; }

 private:
  // Used by sign_transaction() and decode_signed_transaction(), which
  // establish the invariant; computes the hash from `raw`.
  friend SignedTransaction make_signed_transaction(
      Unsigned transaction, const crypto::RecoverableSignature& signature,
      Bytes raw, const crypto::EthereumAddress& sender);

  SignedTransaction() = default;

  Unsigned transaction_;
  crypto::RecoverableSignature signature_;
  Bytes raw_;
  crypto::Keccak256Digest hash_{};
  crypto::EthereumAddress sender_{};
};

// Signs `transaction` with `key` (RFC 6979, low s). Refuses with
// invalid_argument chain id 0 (no real chain uses it) and, for EIP-1559, a
// max priority fee above the max fee (nodes reject such transactions);
// passes on the signer's errors. The key is only read.
[[nodiscard]] Result<SignedTransaction> sign_transaction(
    const Eip1559Transaction& transaction, const crypto::EcdsaPrivateKey& key);
[[nodiscard]] Result<SignedTransaction> sign_transaction(
    const LegacyTransaction& transaction, const crypto::EcdsaPrivateKey& key);

// Decodes raw signed bytes (as from eth_getRawTransactionByHash) and
// recovers the sender. Accepts type 0x02 and EIP-155 legacy transactions in
// canonical RLP. Refuses with invalid_argument, naming the field and
// offset: other transaction types, malformed or non-canonical RLP, a wrong
// number of fields, integers with leading zeros or too large for their field
// (chain id, nonce and gas limit are 64-bit), a `to` that is neither empty
// nor 20 bytes, malformed access lists, y parity other than 0 or 1, legacy v
// of 27 or 28 (no replay protection) or any v naming chain id 0, zero or
// out-of-range r and s, high s, and signatures from which no key can be
// recovered.
[[nodiscard]] Result<SignedTransaction> decode_signed_transaction(ByteView raw);

}  // namespace pkm::chain

#endif  // PKM_CHAIN_TRANSACTION_H_
