// EIP-3076 slashing-protection interchange documents: the signing history a
// pod leaves on pkm.release and that pkm hands, key by key, to the next pod
// that gets the same keys. Part of the messages/ library: pure functions
// over JSON text, no I/O, no actors; they may be called from any thread.
//
// What is accepted (interchange format version 5, both the complete and
// the minimal form):
//
//   {"metadata": {"interchange_format_version": "5",
//                 "genesis_validators_root": "0x<32 bytes>"},
//    "data": [{"pubkey": "0x<48 bytes>",
//              "signed_blocks": [{"slot": "<u64>",
//                                 "signing_root": "0x<32 bytes>"}],
//              "signed_attestations": [{"source_epoch": "<u64>",
//                                       "target_epoch": "<u64>",
//                                       "signing_root": "0x<32 bytes>"}]}]}
//
// <u64> is a JSON string of decimal digits from 0 to 2^64 - 1 (the EIP
// writes numbers as strings so that no parser rounds them); signing_root
// may be left out. Hex may use either letter case and is written back in
// lower case. Refused: anything the EIP's schema refuses (a missing field,
// a field of the wrong type), a version other than "5", byte strings of
// the wrong length, an attestation whose source epoch is above its target
// epoch, and a JSON object that names a field twice (its meaning would
// depend on the parser).
//
// Leniency, decided from the EIP's text:
//   - Unknown fields are accepted and dropped, at every level. The EIP's
//     schema does not forbid them, a validator client could add its own,
//     and dropping one loses no protection: a misspelt required field is
//     still missing, and a misspelt signing_root only makes the importer
//     more careful.
//   - A public key may appear in several entries of data: the EIP's
//     conditions take the minimum over every record of a key, so such
//     documents are valid. parse_interchange merges them into one entry
//     holding all their records; nothing is dropped.
#ifndef PKM_MESSAGES_SLASHING_PROTECTION_H_
#define PKM_MESSAGES_SLASHING_PROTECTION_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace pkm::messages {

// The same types as chain::Bytes32 and chain::Bytes48.
using Bytes32 = std::array<uint8_t, 32>;
using Bytes48 = std::array<uint8_t, 48>;

inline constexpr char kInterchangeFormatVersion[] = "5";

struct SignedBlock {
  uint64_t slot = 0;
  std::optional<Bytes32> signing_root;
};

struct SignedAttestation {
  uint64_t source_epoch = 0;  // never above target_epoch
  uint64_t target_epoch = 0;
  std::optional<Bytes32> signing_root;
};

// The history of one validator key, records in document order.
struct InterchangeEntry {
  Bytes48 pubkey{};
  std::vector<SignedBlock> signed_blocks;
  std::vector<SignedAttestation> signed_attestations;
};

// A parsed interchange document. `data` holds at most one entry per public
// key, in the order the keys first appear in the document.
struct Interchange {
  Bytes32 genesis_validators_root{};
  std::vector<InterchangeEntry> data;

  // The entry of `pubkey` (48 raw bytes), or nullptr.
  const InterchangeEntry* find(std::string_view pubkey) const;
};

bool operator==(const SignedBlock& a, const SignedBlock& b);
bool operator==(const SignedAttestation& a, const SignedAttestation& b);
bool operator==(const InterchangeEntry& a, const InterchangeEntry& b);
bool operator==(const Interchange& a, const Interchange& b);

enum class JsonLayout {
  kCompact,   // one line, no spaces: for storage and the wire
  kIndented,  // two-space indentation and a final newline: for files
};

// Parses and checks `json_text` as described at the top of this file.
// invalid_argument otherwise, with a message that starts with the path of
// the first bad field (data[2].signed_attestations[0].target_epoch), says
// what it is and what is allowed. Values are quoted at most 64 bytes long;
// an interchange holds no secrets. The caller bounds the size of
// `json_text`.
[[nodiscard]] Result<Interchange> parse_interchange(std::string_view json_text);

// `interchange` as EIP-3076 JSON with the field order of the EIP's example;
// signing_root is written only when present. parse_interchange of the
// result gives `interchange` back.
std::string serialize_interchange(const Interchange& interchange,
                                  JsonLayout layout = JsonLayout::kCompact);

// Checks a document that pod `pod_name` sent with pkm.release:
// invalid_argument when its genesis_validators_root differs from
// `expected_genesis_validators_root` (skipped when that is empty), or when
// it names a key that is not in `pod_keys` (48 raw bytes each, as in
// records.PodRecord.public_keys). The pod need not name every key it holds:
// a key that never signed has no entry.
[[nodiscard]] Status check_release_interchange(
    const Interchange& interchange, std::string_view pod_name,
    const std::vector<std::string>& pod_keys,
    const std::optional<Bytes32>& expected_genesis_validators_root);

// The compact document to store with one key (records.KeyRecord and
// wire.AllocatedKey.slashing_protection): the metadata of `interchange`
// and the entry of `pubkey` (48 raw bytes) alone. Empty when `interchange`
// has no entry for the key: there is nothing to store.
std::string interchange_for_key(const Interchange& interchange,
                                std::string_view pubkey);

// Combines stored documents (each from interchange_for_key, or any valid
// interchange) into one, as pkm-client writes it beside the keystores.
// Entries keep the order of `documents`; a key found in several documents
// gets one entry with all their records. Empty strings stand for keys
// without history and are skipped; when nothing is left the result is
// empty. invalid_argument when a document does not parse (the message
// names it by index, documents[1]: ...) or when two documents name
// different genesis validators roots, i.e. different chains.
[[nodiscard]] Result<std::string> merge_interchanges(
    const std::vector<std::string>& documents,
    JsonLayout layout = JsonLayout::kCompact);

// The minimal form of `interchange` (the EIP's "minimal" strategy): per key
// one block at the highest slot and one attestation with the highest source
// and the highest target epoch, none with a signing root. A validator
// client that imports it refuses everything the complete form makes it
// refuse (conditions 2, 4 and 5 of the EIP), and a little more: it cannot
// re-sign the very latest messages. Lists that were empty stay empty.
Interchange minify_interchange(const Interchange& interchange);

}  // namespace pkm::messages

#endif  // PKM_MESSAGES_SLASHING_PROTECTION_H_
