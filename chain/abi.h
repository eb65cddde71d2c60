// Contract ABI encoding for the deposit contract: call data for
// deposit(bytes,bytes,bytes,bytes32), get_deposit_root() and
// get_deposit_count(), decoding of their return values and of DepositEvent
// logs, and decoding of Error(string) revert reasons.
//
// Decoders accept only the canonical layout a Solidity or Vyper contract
// emits: each dynamic value placed right after the previous one, lengths
// as the deposit contract defines them, zero padding, no trailing bytes.
// Anything else is refused with invalid_argument naming the field.
#ifndef PKM_CHAIN_ABI_H_
#define PKM_CHAIN_ABI_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "crypto/keccak.h"

namespace pkm::chain {

using AbiSelector = std::array<uint8_t, 4>;
using AbiWord = std::array<uint8_t, 32>;

inline constexpr std::string_view kDepositFunction =
    "deposit(bytes,bytes,bytes,bytes32)";
inline constexpr std::string_view kGetDepositRootFunction =
    "get_deposit_root()";
inline constexpr std::string_view kGetDepositCountFunction =
    "get_deposit_count()";
inline constexpr std::string_view kDepositEventSignature =
    "DepositEvent(bytes,bytes,bytes,bytes,bytes)";
inline constexpr std::string_view kErrorFunction = "Error(string)";

// Field sizes the deposit contract requires.
inline constexpr size_t kDepositPubkeySize = 48;
inline constexpr size_t kDepositWithdrawalCredentialsSize = 32;
inline constexpr size_t kDepositSignatureSize = 96;
inline constexpr size_t kDepositDataRootSize = 32;

// The first 4 bytes of Keccak-256 of a canonical function signature such as
// "transfer(address,uint256)" (no spaces, no parameter names). The text is
// hashed as given; nothing checks that it is canonical.
AbiSelector function_selector(std::string_view signature);

// Keccak-256 of a canonical event signature: the event's topic 0.
crypto::Keccak256Digest event_topic(std::string_view signature);

// One argument of a call: a dynamic `bytes` value, or a static 32-byte word
// (bytes32, or a uint256 as big-endian).
class AbiArgument {
 public:
  static AbiArgument dynamic_bytes(ByteView bytes);
  static AbiArgument word(const AbiWord& word);

  bool is_dynamic() const { return is_dynamic_; }
  const Bytes& bytes() const { return bytes_; }

 private:
  bool is_dynamic_ = false;
  Bytes bytes_;
};

// selector || head || tail, the standard ABI encoding of `arguments`:
// static words in place, dynamic bytes as an offset in the head and
// length || data zero-padded to a multiple of 32 in the tail. Never fails.
Bytes encode_call(const AbiSelector& selector,
                  const std::vector<AbiArgument>& arguments);

// Call data for deposit(pubkey, withdrawal_credentials, signature,
// deposit_data_root). Refuses a pubkey other than 48 bytes, credentials
// other than 32, a signature other than 96 and a root other than 32 with
// invalid_argument naming the field (the contract would revert on them).
// The value sent with the call is the amount; that is the caller's part.
[[nodiscard]] Result<Bytes> encode_deposit_call(ByteView pubkey,
                                                ByteView withdrawal_credentials,
                                                ByteView signature,
                                                ByteView deposit_data_root);

// Call data for get_deposit_root() and get_deposit_count(): the selector.
Bytes encode_get_deposit_root_call();
Bytes encode_get_deposit_count_call();

// Reads get_deposit_root()'s return value: exactly one bytes32 word.
// Refuses other lengths with invalid_argument.
[[nodiscard]] Result<AbiWord> decode_deposit_root(ByteView return_data);

// Reads get_deposit_count()'s return value: ABI `bytes` holding the count
// as 8 bytes little-endian. Refuses anything but the canonical 96-byte
// encoding of an 8-byte value with invalid_argument.
[[nodiscard]] Result<uint64_t> decode_deposit_count(ByteView return_data);

// A decoded DepositEvent log. amount is in Gwei; index is the deposit's
// position in the contract's tree (both little-endian on the wire).
struct DepositEvent {
  std::array<uint8_t, kDepositPubkeySize> pubkey{};
  std::array<uint8_t, kDepositWithdrawalCredentialsSize>
      withdrawal_credentials{};
  uint64_t amount_gwei = 0;
  std::array<uint8_t, kDepositSignatureSize> signature{};
  uint64_t index = 0;
};

// Decodes the data of a DepositEvent log (its only topic is
// event_topic(kDepositEventSignature); checking it is the caller's part).
// Expects five `bytes` of 48, 32, 8, 96 and 8 bytes in canonical layout
// (576 bytes in all). Refuses offsets that are not where the canonical
// layout puts them, lengths other than these, non-zero padding, and
// truncated or trailing data with invalid_argument naming the field.
[[nodiscard]] Result<DepositEvent> decode_deposit_event(ByteView data);

// Decodes revert data of the form Error(string): 0x08c379a0 || the ABI
// encoding of one string. Returns the message as the contract wrote it;
// it is untrusted text (escape it before logging). Refuses data with
// another selector (for instance Panic(uint256) or a custom error) and any
// malformed or non-canonical encoding with invalid_argument.
[[nodiscard]] Result<std::string> decode_revert_reason(ByteView return_data);

}  // namespace pkm::chain

#endif  // PKM_CHAIN_ABI_H_
