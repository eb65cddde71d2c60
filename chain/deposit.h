// Validator deposits: the signed DepositData a validator key sends to the
// deposit contract, its two SSZ roots, the deposit signing domain,
// withdrawal credentials, and deposit amounts in gwei with their text form.
//
// All functions are pure and thread-safe. Errors never carry secret
// material; public keys, roots and fork versions may appear in them.
#ifndef PKM_CHAIN_DEPOSIT_H_
#define PKM_CHAIN_DEPOSIT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "chain/ssz.h"
#include "crypto/bls.h"
#include "crypto/secp256k1.h"

namespace pkm::chain {

// A 4-byte fork version, e.g. a network's genesis fork version.
using ForkVersion = Bytes4;

// DOMAIN_DEPOSIT from the consensus spec.
inline constexpr Bytes4 kDomainDeposit = {0x03, 0x00, 0x00, 0x00};

inline constexpr uint64_t kGweiPerEth = 1000000000;
// The deposit contract refuses deposits below 1 ETH.
inline constexpr uint64_t kMinDepositGwei = kGweiPerEth;

// Withdrawal credential prefixes: a BLS withdrawal key, an execution
// address, an execution address with compounding (EIP-7251).
inline constexpr uint8_t kBlsWithdrawalPrefix = 0x00;
inline constexpr uint8_t kExecutionWithdrawalPrefix = 0x01;
inline constexpr uint8_t kCompoundingWithdrawalPrefix = 0x02;

// The consensus spec's DepositData. The fixed-size members make lengths
// right by construction; nothing about the values is checked until
// verify_deposit().
struct DepositData {
  Bytes48 pubkey{};
  Bytes32 withdrawal_credentials{};
  uint64_t amount_gwei = 0;
  Bytes96 signature{};

  friend bool operator==(const DepositData& a, const DepositData& b) {
    return a.pubkey == b.pubkey &&
           a.withdrawal_credentials == b.withdrawal_credentials &&
           a.amount_gwei == b.amount_gwei && a.signature == b.signature;
  }
  friend bool operator!=(const DepositData& a, const DepositData& b) {
    return !(a == b);
  }
};

// Parses a fork version: 8 hex digits with or without "0x". Refuses other
// lengths and non-hex text with invalid_argument.
[[nodiscard]] Result<ForkVersion> parse_fork_version(std::string_view text);

// compute_domain: domain_type (4 bytes) ‖ the first 28 bytes of
// hash_tree_root(ForkData{fork_version, genesis_validators_root}). Refuses
// inputs that are not 4, 4 and 32 bytes long with invalid_argument naming
// the input.
[[nodiscard]] Result<Bytes32> compute_domain(ByteView domain_type,
                                             ByteView fork_version,
                                             ByteView genesis_validators_root);

// The deposit domain for `fork_version` (DOMAIN_DEPOSIT, and a zero
// genesis_validators_root: deposits stay valid across forks).
// Refuses a fork version that is not 4 bytes with invalid_argument.
[[nodiscard]] Result<Bytes32> compute_deposit_domain(ByteView fork_version);

// compute_signing_root: hash_tree_root(SigningData{object_root, domain}).
// Refuses a domain that is not 32 bytes with invalid_argument.
[[nodiscard]] Result<Root> compute_signing_root(const Root& object_root,
                                                ByteView domain);

// 0x00 ‖ sha256(withdrawal_pubkey)[1:], for the BLS withdrawal key (not the
// signing key) of a validator.
Bytes32 bls_withdrawal_credentials(const crypto::PublicKey& withdrawal_pubkey);

// 0x01 ‖ 11 zero bytes ‖ address.
Bytes32 execution_withdrawal_credentials(
    const crypto::EthereumAddress& address);

// Parses `address_text` as crypto::parse_address does ("0x" and 40 hex
// digits; mixed case must be the EIP-55 checksum form), then builds 0x01
// credentials. Refuses a bad address with invalid_argument.
[[nodiscard]] Result<Bytes32> execution_withdrawal_credentials(
    std::string_view address_text);

// 0x02 ‖ 11 zero bytes ‖ address (compounding, EIP-7251).
Bytes32 compounding_withdrawal_credentials(
    const crypto::EthereumAddress& address);

// Like the text overload of execution_withdrawal_credentials, with the 0x02
// prefix.
[[nodiscard]] Result<Bytes32> compounding_withdrawal_credentials(
    std::string_view address_text);

// hash_tree_root(DepositMessage): the deposit without its signature.
Root deposit_message_root(const DepositData& deposit);

// hash_tree_root(DepositData): the deposit_data_root the deposit contract
// recomputes and compares with the one it is sent.
Root deposit_data_root(const DepositData& deposit);

// Signs a deposit of `amount_gwei` to `withdrawal_credentials` with
// `signing_key` under the deposit domain of `fork_version` (the network's
// genesis fork version). BLS signing is deterministic: the same inputs give
// the same DepositData. Refuses amounts below kMinDepositGwei with
// invalid_argument.
[[nodiscard]] Result<DepositData> sign_deposit(
    const crypto::SecretKey& signing_key, const Bytes32& withdrawal_credentials,
    uint64_t amount_gwei, const ForkVersion& fork_version);

// The check before a deposit is sent: the amount is at least
// kMinDepositGwei, the pubkey is a usable BLS key (decodes, in G1, not the
// point at infinity), the signature decodes to a G2 point, and it verifies
// over the deposit message under the deposit domain of `fork_version`.
// Returns invalid_argument naming the first check that failed.
[[nodiscard]] Status verify_deposit(const DepositData& deposit,
                                    const ForkVersion& fork_version);

// Parses an amount with an explicit unit into gwei: a decimal number with
// an optional fraction ("32", "1.5"), optional spaces, then a unit: "ETH"
// (or "ether"), "gwei" or "wei", in any letter case; surrounding whitespace
// is ignored. Refuses with invalid_argument: text without a unit or with an
// unknown one, signs, exponents or separators, an amount that is not a whole
// number of gwei, below 1 ETH, or above 2^64 - 1 gwei.
[[nodiscard]] Result<uint64_t> parse_amount(std::string_view text);

// `amount_gwei` as ETH with no trailing zeros in the fraction, e.g.
// "32 ETH", "1.5 ETH", "0.000000001 ETH". parse_amount() reads it back.
std::string format_amount(uint64_t amount_gwei);

}  // namespace pkm::chain

#endif  // PKM_CHAIN_DEPOSIT_H_
