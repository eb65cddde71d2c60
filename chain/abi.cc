#include "chain/abi.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "chain/uint256.h"

namespace pkm::chain {
namespace {

constexpr size_t kWordSize = 32;
constexpr size_t kLittleEndianUint64Size = 8;

size_t padded_size(size_t length) {
  return (length + kWordSize - 1) / kWordSize * kWordSize;
}

AbiWord word_of(size_t value) {
  return Uint256(static_cast<uint64_t>(value)).to_bytes32();
}

Uint256 read_word(ByteView data, size_t offset) {
  // A word is 32 bytes, which always fits.
  return Uint256::from_big_endian(ByteView(data.data + offset, kWordSize))
      .value();
}

uint64_t little_endian_uint64(const Bytes& bytes) {
  uint64_t value = 0;
  for (size_t i = kLittleEndianUint64Size; i-- > 0;) {
    value = (value << 8) | bytes[i];
  }
  return value;
}

// A dynamic `bytes` or `string` value in a tuple that holds only such
// values; `exact_length` when the contract fixes its length.
struct DynamicField {
  const char* name;
  std::optional<size_t> exact_length;
};

// Decodes a tuple of dynamic byte strings in canonical layout: a head of
// offsets, then each value (length word, data, zero padding) directly after
// the previous one, and nothing after the last. `what` names the data in
// messages.
Result<std::vector<Bytes>> decode_dynamic_tuple(
    ByteView data, const std::string& what,
    const std::vector<DynamicField>& fields) {
  size_t head_size = kWordSize * fields.size();
  if (data.size < head_size) {
    return invalid_argument(what + " is " + std::to_string(data.size) +
                            " bytes, shorter than its " +
                            std::to_string(head_size) + "-byte head");
  }

  std::vector<Bytes> values;
  size_t position = head_size;  // where the canonical layout puts the next
  for (size_t i = 0; i < fields.size(); ++i) {
    const DynamicField& field = fields[i];
    std::string name = what + " " + field.name;

    Uint256 offset = read_word(data, kWordSize * i);
    if (offset != Uint256(static_cast<uint64_t>(position))) {
      return invalid_argument(name + " offset is " + offset.to_decimal() +
                              "; allowed: " + std::to_string(position) +
                              " (canonical layout)");
    }
    if (data.size - position < kWordSize) {
      return invalid_argument(name + " length word at byte " +
                              std::to_string(position) +
                              " runs past the end of the data (" +
                              std::to_string(data.size) + " bytes)");
    }

    Uint256 length_word = read_word(data, position);
    size_t available = data.size - position - kWordSize;
    if (field.exact_length &&
        length_word != Uint256(static_cast<uint64_t>(*field.exact_length))) {
      return invalid_argument(name + " is " + length_word.to_decimal() +
                              " bytes; allowed: exactly " +
                              std::to_string(*field.exact_length));
    }
    if (length_word > Uint256(static_cast<uint64_t>(available))) {
      return invalid_argument(name + " of " + length_word.to_decimal() +
                              " bytes runs past the end of the data (" +
                              std::to_string(available) + " bytes left)");
    }
    size_t length = static_cast<size_t>(length_word.to_uint64(name).value());
    size_t padded = padded_size(length);
    if (padded > available) {
      return invalid_argument(name +
                              " padding runs past the end of the data "
                              "(allowed: zero padding to a multiple of 32 "
                              "bytes)");
    }

    const uint8_t* start = data.data + position + kWordSize;
    if (std::any_of(start + length, start + padded,
                    [](uint8_t byte) { return byte != 0; })) {
      return invalid_argument(name +
                              " has non-zero padding; allowed: zero "
                              "bytes up to the next multiple of 32");
    }
    values.emplace_back(start, start + length);
    position += kWordSize + padded;
  }

  if (position != data.size) {
    return invalid_argument(what + " has " +
                            std::to_string(data.size - position) +
                            " trailing byte(s) after its last value");
  }
  return values;
}

Status check_size(ByteView value, size_t size, const char* what) {
  if (value.size == size) return Status();
  return invalid_argument(std::string(what) + " is " +
                          std::to_string(value.size) +
                          " bytes; allowed: exactly " + std::to_string(size));
}

template <size_t N>
std::array<uint8_t, N> to_array(const Bytes& bytes) {
  std::array<uint8_t, N> out{};
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

Bytes selector_bytes(std::string_view signature) {
  AbiSelector selector = function_selector(signature);
  return Bytes(selector.begin(), selector.end());
}

}  // namespace

AbiSelector function_selector(std::string_view signature) {
  crypto::Keccak256Digest digest = crypto::keccak256(signature);
  AbiSelector selector{};
  std::copy(digest.begin(), digest.begin() + selector.size(), selector.begin());
  return selector;
}

crypto::Keccak256Digest event_topic(std::string_view signature) {
  return crypto::keccak256(signature);
}

AbiArgument AbiArgument::dynamic_bytes(ByteView bytes) {
  AbiArgument argument;
  argument.is_dynamic_ = true;
  argument.bytes_ = bytes.to_bytes();
  return argument;
}

AbiArgument AbiArgument::word(const AbiWord& word) {
  AbiArgument argument;
  argument.bytes_.assign(word.begin(), word.end());
  return argument;
}

Bytes encode_call(const AbiSelector& selector,
                  const std::vector<AbiArgument>& arguments) {
  Bytes head(selector.begin(), selector.end());
  Bytes tail;
  size_t head_size = kWordSize * arguments.size();

  for (const AbiArgument& argument : arguments) {
    if (!argument.is_dynamic()) {
      head.insert(head.end(), argument.bytes().begin(), argument.bytes().end());
      continue;
    }
    AbiWord offset = word_of(head_size + tail.size());
    head.insert(head.end(), offset.begin(), offset.end());

    AbiWord length = word_of(argument.bytes().size());
    tail.insert(tail.end(), length.begin(), length.end());
    tail.insert(tail.end(), argument.bytes().begin(), argument.bytes().end());
    tail.resize(tail.size() + padded_size(argument.bytes().size()) -
                    argument.bytes().size(),
                0);
  }

  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

Result<Bytes> encode_deposit_call(ByteView pubkey,
                                  ByteView withdrawal_credentials,
                                  ByteView signature,
                                  ByteView deposit_data_root) {
  for (Status status :
       {check_size(pubkey, kDepositPubkeySize, "deposit pubkey"),
        check_size(withdrawal_credentials, kDepositWithdrawalCredentialsSize,
                   "deposit withdrawal credentials"),
        check_size(signature, kDepositSignatureSize, "deposit signature"),
        check_size(deposit_data_root, kDepositDataRootSize,
                   "deposit data root")}) {
    if (!status.ok()) return status.error();
  }

  AbiWord root{};
  std::copy(deposit_data_root.begin(), deposit_data_root.end(), root.begin());
  return encode_call(
      function_selector(kDepositFunction),
      {AbiArgument::dynamic_bytes(pubkey),
       AbiArgument::dynamic_bytes(withdrawal_credentials),
       AbiArgument::dynamic_bytes(signature), AbiArgument::word(root)});
}

Bytes encode_get_deposit_root_call() {
  return selector_bytes(kGetDepositRootFunction);
}

Bytes encode_get_deposit_count_call() {
  return selector_bytes(kGetDepositCountFunction);
}

Result<AbiWord> decode_deposit_root(ByteView return_data) {
  Status size =
      check_size(return_data, kWordSize, "get_deposit_root() return data");
  if (!size.ok()) return size.error();
  return to_array<kWordSize>(return_data.to_bytes());
}

Result<uint64_t> decode_deposit_count(ByteView return_data) {
  Result<std::vector<Bytes>> values =
      decode_dynamic_tuple(return_data, "get_deposit_count() return data",
                           {{"count", kLittleEndianUint64Size}});
  if (!values.ok()) return values.error();
  return little_endian_uint64((*values)[0]);
}

Result<DepositEvent> decode_deposit_event(ByteView data) {
  Result<std::vector<Bytes>> values = decode_dynamic_tuple(
      data, "DepositEvent data",
      {{"pubkey", kDepositPubkeySize},
       {"withdrawal_credentials", kDepositWithdrawalCredentialsSize},
       {"amount", kLittleEndianUint64Size},
       {"signature", kDepositSignatureSize},
       {"index", kLittleEndianUint64Size}});
  if (!values.ok()) return values.error();

  const std::vector<Bytes>& v = *values;
  DepositEvent event;
  event.pubkey = to_array<kDepositPubkeySize>(v[0]);
  event.withdrawal_credentials =
      to_array<kDepositWithdrawalCredentialsSize>(v[1]);
  event.amount_gwei = little_endian_uint64(v[2]);
  event.signature = to_array<kDepositSignatureSize>(v[3]);
  event.index = little_endian_uint64(v[4]);
  return event;
}

Result<std::string> decode_revert_reason(ByteView return_data) {
  AbiSelector expected = function_selector(kErrorFunction);
  if (return_data.size < expected.size() ||
      !std::equal(expected.begin(), expected.end(), return_data.begin())) {
    std::string got =
        return_data.size < expected.size()
            ? std::to_string(return_data.size) + " bytes"
            : "selector " + to_hex(ByteView(return_data.data, expected.size()));
    return invalid_argument("revert data is not Error(string) (" + got +
                            "); allowed: selector " +
                            to_hex(ByteView(expected.data(), expected.size())) +
                            " followed by an ABI string");
  }

  Result<std::vector<Bytes>> values = decode_dynamic_tuple(
      ByteView(return_data.data + expected.size(),
               return_data.size - expected.size()),
      "Error(string) revert data", {{"message", std::nullopt}});
  if (!values.ok()) return values.error();
  const Bytes& message = (*values)[0];
  return std::string(message.begin(), message.end());
}

}  // namespace pkm::chain
