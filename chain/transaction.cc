#include "chain/transaction.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "chain/rlp.h"

namespace pkm::chain {
namespace {

constexpr size_t kEip1559SignedFields = 12;
constexpr size_t kLegacySignedFields = 9;
constexpr uint64_t kEip155Offset = 35;  // v = recovery_id + 35 + 2 * chain id

Bytes encode_to(const std::optional<crypto::EthereumAddress>& to) {
  if (!to) return rlp_encode_string(ByteView());
  return rlp_encode_string(ByteView(to->data(), to->size()));
}

Bytes encode_access_list(const AccessList& access_list) {
  std::vector<Bytes> entries;
  entries.reserve(access_list.size());
  for (const AccessListEntry& entry : access_list) {
    std::vector<Bytes> keys;
    keys.reserve(entry.storage_keys.size());
    for (const auto& key : entry.storage_keys) {
      keys.push_back(rlp_encode_string(ByteView(key.data(), key.size())));
    }
    entries.push_back(
        rlp_encode_list({rlp_encode_string(ByteView(entry.address.data(),
                                                    entry.address.size())),
                         rlp_encode_list(keys)}));
  }
  return rlp_encode_list(entries);
}

std::vector<Bytes> eip1559_fields(const Eip1559Transaction& tx) {
  return {rlp_encode_uint(tx.chain_id),
          rlp_encode_uint(tx.nonce),
          rlp_encode_uint(tx.max_priority_fee_per_gas),
          rlp_encode_uint(tx.max_fee_per_gas),
          rlp_encode_uint(tx.gas_limit),
          encode_to(tx.to),
          rlp_encode_uint(tx.value),
          rlp_encode_string(tx.data),
          encode_access_list(tx.access_list)};
}

std::vector<Bytes> legacy_fields(const LegacyTransaction& tx) {
  return {rlp_encode_uint(tx.nonce),     rlp_encode_uint(tx.gas_price),
          rlp_encode_uint(tx.gas_limit), encode_to(tx.to),
          rlp_encode_uint(tx.value),     rlp_encode_string(tx.data)};
}

Bytes with_type_byte(const Bytes& body) {
  Bytes out;
  out.reserve(body.size() + 1);
  out.push_back(kEip1559TransactionType);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Uint256 signature_integer(const std::array<uint8_t, 32>& bytes) {
  // 32 bytes always fit.
  return Uint256::from_big_endian(ByteView(bytes.data(), bytes.size())).value();
}

void append_signature(std::vector<Bytes>& fields, const Uint256& v,
                      const crypto::RecoverableSignature& signature) {
  fields.push_back(rlp_encode_uint(v));
  fields.push_back(rlp_encode_uint(signature_integer(signature.r)));
  fields.push_back(rlp_encode_uint(signature_integer(signature.s)));
}

Status check_chain_id(uint64_t chain_id) {
  if (chain_id == 0) {
    return invalid_argument(
        "chain id is 0; allowed: the chain's own id, 1 or more");
  }
  return Status();
}

// 35 + 2 * chain_id + recovery_id, which may exceed 64 bits.
Uint256 legacy_v(uint64_t chain_id, uint8_t recovery_id) {
  Uint256 twice = checked_mul(Uint256(chain_id), Uint256(2)).value();
  return checked_add(twice, Uint256(kEip155Offset + recovery_id)).value();
}

// Moves the value of `result` into `target` unless an earlier field failed;
// keeps the first error, so fields read in order report the first problem.
template <class T>
void take(Result<T> result, T& target, std::optional<Error>& error) {
  if (error) return;
  if (!result.ok()) {
    error = result.error();
    return;
  }
  target = std::move(result).value();
}

// Prefixes errors from a nested decoding step with what was being decoded.
Error in_context(const std::string& context, const Error& error) {
  return Error{error.code, context + ": " + error.message};
}

Result<std::optional<crypto::EthereumAddress>> decode_to(const RlpItem& item) {
  Result<Bytes> bytes = item.as_bytes("to");
  if (!bytes.ok()) return bytes.error();
  if (bytes->empty()) return std::optional<crypto::EthereumAddress>();
  if (bytes->size() != crypto::EthereumAddress().size()) {
    return invalid_argument("RLP at offset " + std::to_string(item.offset()) +
                            ": to is " + std::to_string(bytes->size()) +
                            " bytes; allowed: 20 (an address) or 0 "
                            "(contract creation)");
  }
  crypto::EthereumAddress address{};
  std::copy(bytes->begin(), bytes->end(), address.begin());
  return std::optional<crypto::EthereumAddress>(address);
}

template <size_t N>
Result<std::array<uint8_t, N>> decode_fixed(const RlpItem& item,
                                            const std::string& what) {
  Result<Bytes> bytes = item.as_bytes(what);
  if (!bytes.ok()) return bytes.error();
  if (bytes->size() != N) {
    return invalid_argument("RLP at offset " + std::to_string(item.offset()) +
                            ": " + what + " is " +
                            std::to_string(bytes->size()) +
                            " bytes; allowed: exactly " + std::to_string(N));
  }
  std::array<uint8_t, N> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

Result<AccessList> decode_access_list(const RlpItem& item) {
  if (!item.is_list()) {
    return invalid_argument("RLP at offset " + std::to_string(item.offset()) +
                            ": access list is a byte string; allowed: a list");
  }

  AccessList access_list;
  for (size_t i = 0; i < item.items().size(); ++i) {
    std::string what = "access list entry " + std::to_string(i);
    Result<std::vector<RlpItem>> pair = item.items()[i].as_list(what, 2);
    if (!pair.ok()) return pair.error();

    AccessListEntry entry;
    auto address = decode_fixed<20>((*pair)[0], what + " address");
    if (!address.ok()) return address.error();
    entry.address = *address;

    const RlpItem& keys = (*pair)[1];
    if (!keys.is_list()) {
      return invalid_argument("RLP at offset " + std::to_string(keys.offset()) +
                              ": " + what +
                              " storage keys are a byte string; allowed: a "
                              "list");
    }
    for (size_t k = 0; k < keys.items().size(); ++k) {
      auto key = decode_fixed<32>(keys.items()[k],
                                  what + " storage key " + std::to_string(k));
      if (!key.ok()) return key.error();
      entry.storage_keys.push_back(*key);
    }
    access_list.push_back(std::move(entry));
  }
  return access_list;
}

// Reads r and s: canonical integers, non-zero (range and low-s are checked
// by the recovery).
Status decode_r_s(const RlpItem& r_item, const RlpItem& s_item,
                  crypto::RecoverableSignature& signature) {
  Result<Uint256> r = r_item.as_uint256("r");
  if (!r.ok()) return r.error();
  Result<Uint256> s = s_item.as_uint256("s");
  if (!s.ok()) return s.error();
  if (r->is_zero() || s->is_zero()) {
    return invalid_argument(std::string("signature ") +
                            (r->is_zero() ? "r" : "s") +
                            " is zero; allowed: 1 to n - 1");
  }
  signature.r = r->to_bytes32();
  signature.s = s->to_bytes32();
  return Status();
}

Result<crypto::EthereumAddress> recover_sender(
    const crypto::Keccak256Digest& signing_hash,
    const crypto::RecoverableSignature& signature) {
  Result<crypto::EthereumAddress> sender = crypto::recover_address(
      ByteView(signing_hash.data(), signing_hash.size()), signature);
  if (!sender.ok()) return in_context("sender recovery", sender.error());
  return sender;
}

}  // namespace

SignedTransaction make_signed_transaction(
    SignedTransaction::Unsigned transaction,
    const crypto::RecoverableSignature& signature, Bytes raw,
    const crypto::EthereumAddress& sender) {
  SignedTransaction signed_tx;
  signed_tx.transaction_ = std::move(transaction);
  signed_tx.signature_ = signature;
  signed_tx.hash_ = crypto::keccak256(raw);
  signed_tx.raw_ = std::move(raw);
  signed_tx.sender_ = sender;
  return signed_tx;
}

namespace {

Result<SignedTransaction> decode_eip1559(ByteView raw) {
  const std::string context =
      "EIP-1559 transaction (offsets count from after the type byte)";
  Result<RlpItem> decoded = rlp_decode(ByteView(raw.data + 1, raw.size - 1));
  if (!decoded.ok()) return in_context(context, decoded.error());
  Result<std::vector<RlpItem>> fields =
      decoded->as_list("transaction", kEip1559SignedFields);
  if (!fields.ok()) return in_context(context, fields.error());
  const std::vector<RlpItem>& f = *fields;

  Eip1559Transaction tx;
  uint64_t y_parity = 0;
  std::optional<Error> error;
  take(f[0].as_uint64("chain id"), tx.chain_id, error);
  take(f[1].as_uint64("nonce"), tx.nonce, error);
  take(f[2].as_uint256("max priority fee per gas"), tx.max_priority_fee_per_gas,
       error);
  take(f[3].as_uint256("max fee per gas"), tx.max_fee_per_gas, error);
  take(f[4].as_uint64("gas limit"), tx.gas_limit, error);
  take(decode_to(f[5]), tx.to, error);
  take(f[6].as_uint256("value"), tx.value, error);
  take(f[7].as_bytes("data"), tx.data, error);
  take(decode_access_list(f[8]), tx.access_list, error);
  take(f[9].as_uint64("y parity"), y_parity, error);
  if (error) return in_context(context, *error);
  if (tx.chain_id == 0) {
    return invalid_argument(context + ": chain id is 0; allowed: 1 or more");
  }
  if (y_parity > 1) {
    return invalid_argument(context + ": RLP at offset " +
                            std::to_string(f[9].offset()) + ": y parity is " +
                            std::to_string(y_parity) + "; allowed: 0 or 1");
  }

  crypto::RecoverableSignature signature;
  signature.recovery_id = static_cast<uint8_t>(y_parity);
  Status r_s = decode_r_s(f[10], f[11], signature);
  if (!r_s.ok()) return in_context(context, r_s.error());

  Result<crypto::EthereumAddress> sender =
      recover_sender(tx.signing_hash(), signature);
  if (!sender.ok()) return in_context(context, sender.error());
  return make_signed_transaction(std::move(tx), signature, raw.to_bytes(),
                                 *sender);
}

Result<SignedTransaction> decode_legacy(ByteView raw) {
  const std::string context = "legacy transaction";
  Result<RlpItem> decoded = rlp_decode(raw);
  if (!decoded.ok()) return in_context(context, decoded.error());
  Result<std::vector<RlpItem>> fields =
      decoded->as_list("transaction", kLegacySignedFields);
  if (!fields.ok()) return in_context(context, fields.error());
  const std::vector<RlpItem>& f = *fields;

  LegacyTransaction tx;
  Uint256 v;
  std::optional<Error> error;
  take(f[0].as_uint64("nonce"), tx.nonce, error);
  take(f[1].as_uint256("gas price"), tx.gas_price, error);
  take(f[2].as_uint64("gas limit"), tx.gas_limit, error);
  take(decode_to(f[3]), tx.to, error);
  take(f[4].as_uint256("value"), tx.value, error);
  take(f[5].as_bytes("data"), tx.data, error);
  take(f[6].as_uint256("v"), v, error);
  if (error) return in_context(context, *error);

  // v = 35 + 2 * chain_id + recovery_id with chain_id >= 1, so v >= 37.
  const std::string v_rule =
      "; allowed: v = 35 + 2 * chain id + y parity with chain id >= 1 "
      "(EIP-155)";
  if (v == Uint256(27) || v == Uint256(28)) {
    return invalid_argument(context + ": v is " + v.to_decimal() +
                            ", a signature without replay protection" + v_rule);
  }
  if (v < Uint256(kEip155Offset + 2)) {
    return invalid_argument(context + ": v is " + v.to_decimal() + v_rule);
  }
  std::array<uint8_t, 32> offset_v =
      checked_sub(v, Uint256(kEip155Offset)).value().to_bytes32();
  uint8_t recovery_id = offset_v[31] & 1;
  // Halve: shift the 32-byte big-endian value right by one bit.
  for (size_t i = offset_v.size(); i-- > 0;) {
    uint8_t carry_in = i > 0 ? static_cast<uint8_t>(offset_v[i - 1] << 7) : 0;
    offset_v[i] = static_cast<uint8_t>((offset_v[i] >> 1) | carry_in);
  }
  Result<uint64_t> chain_id =
      Uint256::from_big_endian(ByteView(offset_v.data(), offset_v.size()))
          .value()
          .to_uint64("chain id (from v)");
  if (!chain_id.ok()) return in_context(context, chain_id.error());
  tx.chain_id = *chain_id;

  crypto::RecoverableSignature signature;
  signature.recovery_id = recovery_id;
  Status r_s = decode_r_s(f[7], f[8], signature);
  if (!r_s.ok()) return in_context(context, r_s.error());

  Result<crypto::EthereumAddress> sender =
      recover_sender(tx.signing_hash(), signature);
  if (!sender.ok()) return in_context(context, sender.error());
  return make_signed_transaction(std::move(tx), signature, raw.to_bytes(),
                                 *sender);
}

}  // namespace

Bytes Eip1559Transaction::signing_payload() const {
  return with_type_byte(rlp_encode_list(eip1559_fields(*this)));
}

crypto::Keccak256Digest Eip1559Transaction::signing_hash() const {
  return crypto::keccak256(signing_payload());
}

bool operator==(const Eip1559Transaction& a, const Eip1559Transaction& b) {
  return a.chain_id == b.chain_id && a.nonce == b.nonce &&
         a.max_priority_fee_per_gas == b.max_priority_fee_per_gas &&
         a.max_fee_per_gas == b.max_fee_per_gas && a.gas_limit == b.gas_limit &&
         a.to == b.to && a.value == b.value && a.data == b.data &&
         a.access_list == b.access_list;
}

Bytes LegacyTransaction::signing_payload() const {
  std::vector<Bytes> fields = legacy_fields(*this);
  fields.push_back(rlp_encode_uint(chain_id));
  fields.push_back(rlp_encode_uint(uint64_t{0}));
  fields.push_back(rlp_encode_uint(uint64_t{0}));
  return rlp_encode_list(fields);
}

crypto::Keccak256Digest LegacyTransaction::signing_hash() const {
  return crypto::keccak256(signing_payload());
}

bool operator==(const LegacyTransaction& a, const LegacyTransaction& b) {
  return a.chain_id == b.chain_id && a.nonce == b.nonce &&
         a.gas_price == b.gas_price && a.gas_limit == b.gas_limit &&
         a.to == b.to && a.value == b.value && a.data == b.data;
}

uint64_t SignedTransaction::chain_id() const {
  return std::visit([](const auto& tx) { return tx.chain_id; }, transaction_);
}

uint64_t SignedTransaction::nonce() const {
  return std::visit([](const auto& tx) { return tx.nonce; }, transaction_);
}

Result<SignedTransaction> sign_transaction(
    const Eip1559Transaction& transaction, const crypto::EcdsaPrivateKey& key) {
  Status chain_id = check_chain_id(transaction.chain_id);
  if (!chain_id.ok()) return chain_id.error();
  if (transaction.max_priority_fee_per_gas > transaction.max_fee_per_gas) {
    return invalid_argument("max priority fee per gas " +
                            transaction.max_priority_fee_per_gas.to_decimal() +
                            " exceeds max fee per gas " +
                            transaction.max_fee_per_gas.to_decimal() +
                            "; allowed: a priority fee at most the fee cap");
  }

  crypto::Keccak256Digest hash = transaction.signing_hash();
  Result<crypto::RecoverableSignature> signature =
      key.sign_recoverable(ByteView(hash.data(), hash.size()));
  if (!signature.ok()) return signature.error();

  std::vector<Bytes> fields = eip1559_fields(transaction);
  append_signature(fields, Uint256(signature->recovery_id), *signature);
  return make_signed_transaction(transaction, *signature,
                                 with_type_byte(rlp_encode_list(fields)),
                                 key.address());
}

Result<SignedTransaction> sign_transaction(const LegacyTransaction& transaction,
                                           const crypto::EcdsaPrivateKey& key) {
  Status chain_id = check_chain_id(transaction.chain_id);
  if (!chain_id.ok()) return chain_id.error();

  crypto::Keccak256Digest hash = transaction.signing_hash();
  Result<crypto::RecoverableSignature> signature =
      key.sign_recoverable(ByteView(hash.data(), hash.size()));
  if (!signature.ok()) return signature.error();

  std::vector<Bytes> fields = legacy_fields(transaction);
  append_signature(fields,
                   legacy_v(transaction.chain_id, signature->recovery_id),
                   *signature);
  return make_signed_transaction(transaction, *signature,
                                 rlp_encode_list(fields), key.address());
}

Result<SignedTransaction> decode_signed_transaction(ByteView raw) {
  if (raw.empty()) {
    return invalid_argument(
        "raw transaction is empty; allowed: 0x02 || RLP (EIP-1559) or an RLP "
        "list (legacy)");
  }

  uint8_t first = raw[0];
  if (first == kEip1559TransactionType) return decode_eip1559(raw);
  if (first >= 0xc0) return decode_legacy(raw);
  if (first < 0x80) {
    return invalid_argument("transaction type " + std::to_string(first) +
                            " is not supported; allowed: type 2 (EIP-1559) "
                            "or legacy EIP-155");
  }
  return invalid_argument(
      "raw transaction starts with an RLP byte string; allowed: 0x02 || RLP "
      "(EIP-1559) or an RLP list (legacy)");
}

}  // namespace pkm::chain
