#include "messages/slashing_protection.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/bytes.h"

namespace pkm::messages {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

constexpr size_t kMaxQuotedLength = 64;
constexpr char kDocumentAllowed[] =
    "an EIP-3076 interchange object with \"metadata\" and \"data\"";
constexpr char kDecimalAllowed[] =
    "a string of decimal digits from \"0\" to \"18446744073709551615\"";

// ---------------------------------------------------------------------------
// Messages

// `value` as JSON text cut to kMaxQuotedLength bytes, for messages.
std::string quote(const Json& value) {
  std::string text =
      value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() <= kMaxQuotedLength) return text;
  return text.substr(0, kMaxQuotedLength) + "...";
}

std::string describe(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return "the number " + quote(value);
    default:
      return quote(value);
  }
}

std::string join(const std::string& path, std::string_view field) {
  return path.empty() ? std::string(field)
                      : path + "." + std::string(field);
}

std::string index_path(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

Error refuse(const std::string& path, const std::string& problem,
             const std::string& allowed) {
  return invalid_argument(path + " " + problem + "; allowed: " + allowed);
}

// ---------------------------------------------------------------------------
// JSON text

// Parses `text` as JSON, refusing an object that holds a field twice (which
// nlohmann would resolve silently by keeping the last one).
Result<Json> parse_json(std::string_view text) {
  // One frame per open object or array, with where the parser is inside
  // it: the current field name, or the index of the current element.
  struct Frame {
    bool is_array = false;
    size_t index = 0;
    std::string key;
    std::set<std::string> keys;
  };
  std::vector<Frame> frames;
  std::optional<std::string> duplicate;

  auto path_of_open = [&frames]() {
    std::string path;
    for (size_t i = 0; i + 1 < frames.size(); ++i) {
      path = frames[i].is_array ? index_path(path, frames[i].index)
                                : join(path, frames[i].key);
    }
    return path;
  };
  auto element_done = [&frames]() {
    if (!frames.empty() && frames.back().is_array) ++frames.back().index;
  };
  Json::parser_callback_t track = [&](int, Json::parse_event_t event,
                                      Json& parsed) {
    switch (event) {
      case Json::parse_event_t::object_start:
        frames.emplace_back();
        break;
      case Json::parse_event_t::array_start:
        frames.emplace_back();
        frames.back().is_array = true;
        break;
      case Json::parse_event_t::key: {
        const auto& key = parsed.get_ref<const std::string&>();
        if (!frames.back().keys.insert(key).second && !duplicate) {
          duplicate = join(path_of_open(), key);
        }
        frames.back().key = key;
        break;
      }
      case Json::parse_event_t::object_end:
      case Json::parse_event_t::array_end:
        if (!frames.empty()) frames.pop_back();
        element_done();
        break;
      case Json::parse_event_t::value:
        element_done();
        break;
    }
    return true;
  };

  Json value;
  std::string allowed = std::string("; allowed: ") + kDocumentAllowed;
  try {
    value = Json::parse(text.begin(), text.end(), track);
  } catch (const Json::parse_error& e) {
    // The library's own message quotes the input; the offset suffices.
    return invalid_argument("interchange is not valid JSON (syntax error "
                            "at byte " +
                            std::to_string(e.byte) + ")" + allowed);
  } catch (const std::exception&) {
    return invalid_argument("interchange is not valid JSON" + allowed);
  }
  if (duplicate) {
    return invalid_argument(*duplicate +
                            " is given more than once; allowed: each field "
                            "once per object");
  }
  return Result<Json>(std::move(value));
}

// ---------------------------------------------------------------------------
// Fields

Result<const Json*> field_of(const Json& object, std::string_view name,
                             const std::string& path,
                             const std::string& allowed) {
  auto it = object.find(name);
  if (it == object.end()) {
    return refuse(join(path, name), "is missing", allowed);
  }
  return &*it;
}

Result<const Json*> object_field(const Json& object, std::string_view name,
                                 const std::string& path,
                                 const std::string& allowed) {
  auto field = field_of(object, name, path, allowed);
  if (!field.ok()) return field.error();
  if (!(*field)->is_object()) {
    return refuse(join(path, name), "is " + describe(**field), allowed);
  }
  return field;
}

Result<const Json*> array_field(const Json& object, std::string_view name,
                                const std::string& path,
                                const std::string& allowed) {
  auto field = field_of(object, name, path, allowed);
  if (!field.ok()) return field.error();
  if (!(*field)->is_array()) {
    return refuse(join(path, name), "is " + describe(**field), allowed);
  }
  return field;
}

// A 0x-prefixed hex string of `size` bytes; `path` names it in errors.
template <size_t kSize>
Result<std::array<uint8_t, kSize>> read_hex(const Json& value,
                                            const std::string& path) {
  std::string allowed = "0x followed by " + std::to_string(2 * kSize) +
                        " hex digits (" + std::to_string(kSize) + " bytes)";
  if (!value.is_string()) return refuse(path, "is " + describe(value), allowed);
  const auto& text = value.get_ref<const std::string&>();
  if (text.compare(0, 2, "0x") != 0) {
    return refuse(path, "is " + quote(value) + ", without 0x in front",
                  allowed);
  }
  if (text.size() != 2 + 2 * kSize) {
    return refuse(path,
                  "is " + quote(value) + ", " +
                      std::to_string(text.size() - 2) + " hex digits long",
                  allowed);
  }
  auto bytes = from_hex(text);
  if (!bytes.ok()) {
    return refuse(path, "is " + quote(value) + ", not hex", allowed);
  }
  std::array<uint8_t, kSize> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

// A JSON string of decimal digits whose value fits 64 bits.
Result<uint64_t> read_decimal(const Json& object, std::string_view name,
                              const std::string& path) {
  auto field = field_of(object, name, path, kDecimalAllowed);
  if (!field.ok()) return field.error();
  const Json& value = **field;
  std::string at = join(path, name);
  if (!value.is_string()) {
    return refuse(at, "is " + describe(value), kDecimalAllowed);
  }
  const auto& text = value.get_ref<const std::string&>();
  if (text.empty() ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return refuse(at, "is " + quote(value) + ", not a decimal number",
                  kDecimalAllowed);
  }
  uint64_t number = 0;
  for (char digit : text) {
    uint64_t d = static_cast<uint64_t>(digit - '0');
    if (number > (UINT64_MAX - d) / 10) {
      return refuse(at, "is " + quote(value) + ", above 2^64 - 1",
                    kDecimalAllowed);
    }
    number = number * 10 + d;
  }
  return number;
}

// The optional signing_root of a block or attestation.
Result<std::optional<Bytes32>> read_signing_root(const Json& record,
                                                 const std::string& path) {
  auto it = record.find("signing_root");
  if (it == record.end()) return std::optional<Bytes32>();
  auto root = read_hex<32>(*it, join(path, "signing_root"));
  if (!root.ok()) return root.error();
  return std::optional<Bytes32>(*root);
}

Result<SignedBlock> read_block(const Json& value, const std::string& path) {
  constexpr char kAllowed[] =
      "an object with \"slot\" and an optional \"signing_root\"";
  if (!value.is_object()) {
    return refuse(path, "is " + describe(value), kAllowed);
  }
  SignedBlock block;
  auto slot = read_decimal(value, "slot", path);
  if (!slot.ok()) return slot.error();
  block.slot = *slot;
  auto root = read_signing_root(value, path);
  if (!root.ok()) return root.error();
  block.signing_root = *root;
  return block;
}

Result<SignedAttestation> read_attestation(const Json& value,
                                           const std::string& path) {
  constexpr char kAllowed[] =
      "an object with \"source_epoch\", \"target_epoch\" and an optional "
      "\"signing_root\"";
  if (!value.is_object()) {
    return refuse(path, "is " + describe(value), kAllowed);
  }
  SignedAttestation attestation;
  auto source = read_decimal(value, "source_epoch", path);
  if (!source.ok()) return source.error();
  auto target = read_decimal(value, "target_epoch", path);
  if (!target.ok()) return target.error();
  if (*source > *target) {
    return refuse(join(path, "source_epoch"),
                  "is " + std::to_string(*source) + ", above target_epoch " +
                      std::to_string(*target),
                  "a source epoch at most the target epoch");
  }
  attestation.source_epoch = *source;
  attestation.target_epoch = *target;
  auto root = read_signing_root(value, path);
  if (!root.ok()) return root.error();
  attestation.signing_root = *root;
  return attestation;
}

Result<InterchangeEntry> read_entry(const Json& value,
                                    const std::string& path) {
  constexpr char kAllowed[] =
      "an object with \"pubkey\", \"signed_blocks\" and "
      "\"signed_attestations\"";
  if (!value.is_object()) {
    return refuse(path, "is " + describe(value), kAllowed);
  }
  InterchangeEntry entry;
  auto pubkey_field = field_of(value, "pubkey", path, "0x-prefixed hex");
  if (!pubkey_field.ok()) return pubkey_field.error();
  auto pubkey = read_hex<48>(**pubkey_field, join(path, "pubkey"));
  if (!pubkey.ok()) return pubkey.error();
  entry.pubkey = *pubkey;

  auto blocks = array_field(value, "signed_blocks", path,
                            "an array of signed blocks, maybe empty");
  if (!blocks.ok()) return blocks.error();
  auto attestations =
      array_field(value, "signed_attestations", path,
                  "an array of signed attestations, maybe empty");
  if (!attestations.ok()) return attestations.error();

  std::string blocks_path = join(path, "signed_blocks");
  for (size_t i = 0; i < (*blocks)->size(); ++i) {
    auto block = read_block((**blocks)[i], index_path(blocks_path, i));
    if (!block.ok()) return block.error();
    entry.signed_blocks.push_back(*block);
  }
  std::string attestations_path = join(path, "signed_attestations");
  for (size_t i = 0; i < (*attestations)->size(); ++i) {
    auto attestation = read_attestation((**attestations)[i],
                                        index_path(attestations_path, i));
    if (!attestation.ok()) return attestation.error();
    entry.signed_attestations.push_back(*attestation);
  }
  return entry;
}

// Appends the records of `entry` to the entry of the same key in `data`,
// or appends `entry` when the key is new. `index` maps keys to positions.
void add_entry(InterchangeEntry entry, std::vector<InterchangeEntry>& data,
               std::map<Bytes48, size_t>& index) {
  auto found = index.find(entry.pubkey);
  if (found == index.end()) {
    index.emplace(entry.pubkey, data.size());
    data.push_back(std::move(entry));
    return;
  }
  InterchangeEntry& kept = data[found->second];
  kept.signed_blocks.insert(kept.signed_blocks.end(),
                            entry.signed_blocks.begin(),
                            entry.signed_blocks.end());
  kept.signed_attestations.insert(kept.signed_attestations.end(),
                                  entry.signed_attestations.begin(),
                                  entry.signed_attestations.end());
}

template <size_t kSize>
std::string hex_of(const std::array<uint8_t, kSize>& bytes) {
  return to_hex(ByteView(bytes.data(), bytes.size()));
}

std::string_view as_view(const Bytes48& pubkey) {
  return std::string_view(reinterpret_cast<const char*>(pubkey.data()),
                          pubkey.size());
}

OrderedJson entry_json(const InterchangeEntry& entry) {
  OrderedJson blocks = OrderedJson::array();
  for (const SignedBlock& block : entry.signed_blocks) {
    OrderedJson item;
    item["slot"] = std::to_string(block.slot);
    if (block.signing_root) item["signing_root"] = hex_of(*block.signing_root);
    blocks.push_back(std::move(item));
  }
  OrderedJson attestations = OrderedJson::array();
  for (const SignedAttestation& attestation : entry.signed_attestations) {
    OrderedJson item;
    item["source_epoch"] = std::to_string(attestation.source_epoch);
    item["target_epoch"] = std::to_string(attestation.target_epoch);
    if (attestation.signing_root) {
      item["signing_root"] = hex_of(*attestation.signing_root);
    }
    attestations.push_back(std::move(item));
  }
  OrderedJson out;
  out["pubkey"] = hex_of(entry.pubkey);
  out["signed_blocks"] = std::move(blocks);
  out["signed_attestations"] = std::move(attestations);
  return out;
}

std::string serialize(const Bytes32& genesis_validators_root,
                      const std::vector<const InterchangeEntry*>& entries,
                      JsonLayout layout) {
  OrderedJson document;
  document["metadata"]["interchange_format_version"] =
      kInterchangeFormatVersion;
  document["metadata"]["genesis_validators_root"] =
      hex_of(genesis_validators_root);
  document["data"] = OrderedJson::array();
  for (const InterchangeEntry* entry : entries) {
    document["data"].push_back(entry_json(*entry));
  }
  if (layout == JsonLayout::kCompact) return document.dump();
  return document.dump(2) + "\n";
}

}  // namespace

const InterchangeEntry* Interchange::find(std::string_view pubkey) const {
  for (const InterchangeEntry& entry : data) {
    if (as_view(entry.pubkey) == pubkey) return &entry;
  }
  return nullptr;
}

bool operator==(const SignedBlock& a, const SignedBlock& b) {
  return a.slot == b.slot && a.signing_root == b.signing_root;
}

bool operator==(const SignedAttestation& a, const SignedAttestation& b) {
  return a.source_epoch == b.source_epoch &&
         a.target_epoch == b.target_epoch && a.signing_root == b.signing_root;
}

bool operator==(const InterchangeEntry& a, const InterchangeEntry& b) {
  return a.pubkey == b.pubkey && a.signed_blocks == b.signed_blocks &&
         a.signed_attestations == b.signed_attestations;
}

bool operator==(const Interchange& a, const Interchange& b) {
  return a.genesis_validators_root == b.genesis_validators_root &&
         a.data == b.data;
}

Result<Interchange> parse_interchange(std::string_view json_text) {
  auto parsed = parse_json(json_text);
  if (!parsed.ok()) return parsed.error();
  const Json& document = *parsed;
  if (!document.is_object()) {
    return refuse("interchange", "is " + describe(document),
                  kDocumentAllowed);
  }

  Interchange interchange;
  auto metadata = object_field(document, "metadata", "",
                               "an object with interchange_format_version "
                               "and genesis_validators_root");
  if (!metadata.ok()) return metadata.error();
  std::string version_allowed =
      std::string("\"") + kInterchangeFormatVersion + "\"";
  auto version = field_of(**metadata, "interchange_format_version",
                          "metadata", version_allowed);
  if (!version.ok()) return version.error();
  if (**version != Json(kInterchangeFormatVersion)) {
    return refuse("metadata.interchange_format_version",
                  "is " + describe(**version), version_allowed);
  }
  auto root_field = field_of(**metadata, "genesis_validators_root",
                             "metadata", "0x-prefixed hex (32 bytes)");
  if (!root_field.ok()) return root_field.error();
  auto root =
      read_hex<32>(**root_field, "metadata.genesis_validators_root");
  if (!root.ok()) return root.error();
  interchange.genesis_validators_root = *root;

  auto data = array_field(document, "data", "",
                          "an array with one object per validator key");
  if (!data.ok()) return data.error();
  std::map<Bytes48, size_t> index;
  for (size_t i = 0; i < (*data)->size(); ++i) {
    auto entry = read_entry((**data)[i], index_path("data", i));
    if (!entry.ok()) return entry.error();
    add_entry(std::move(*entry), interchange.data, index);
  }
  return interchange;
}

std::string serialize_interchange(const Interchange& interchange,
                                  JsonLayout layout) {
  std::vector<const InterchangeEntry*> entries;
  for (const InterchangeEntry& entry : interchange.data) {
    entries.push_back(&entry);
  }
  return serialize(interchange.genesis_validators_root, entries, layout);
}

Status check_release_interchange(
    const Interchange& interchange, std::string_view pod_name,
    const std::vector<std::string>& pod_keys,
    const std::optional<Bytes32>& expected_genesis_validators_root) {
  if (expected_genesis_validators_root &&
      interchange.genesis_validators_root !=
          *expected_genesis_validators_root) {
    return invalid_argument(
        "slashing protection is for genesis_validators_root " +
        hex_of(interchange.genesis_validators_root) +
        "; allowed: the chain pkm serves, genesis_validators_root " +
        hex_of(*expected_genesis_validators_root));
  }

  std::set<std::string_view> held(pod_keys.begin(), pod_keys.end());
  for (const InterchangeEntry& entry : interchange.data) {
    if (held.count(as_view(entry.pubkey)) > 0) continue;
    return invalid_argument("slashing protection names key " +
                            hex_of(entry.pubkey) + " which pod " +
                            std::string(pod_name) +
                            " does not hold; allowed: only the pod's own "
                            "keys");
  }
  return Status();
}

std::string interchange_for_key(const Interchange& interchange,
                                std::string_view pubkey) {
  const InterchangeEntry* entry = interchange.find(pubkey);
  if (entry == nullptr) return "";
  return serialize(interchange.genesis_validators_root, {entry},
                   JsonLayout::kCompact);
}

Result<std::string> merge_interchanges(
    const std::vector<std::string>& documents, JsonLayout layout) {
  std::optional<Bytes32> root;
  size_t root_document = 0;
  std::vector<InterchangeEntry> data;
  std::map<Bytes48, size_t> index;

  for (size_t i = 0; i < documents.size(); ++i) {
    if (documents[i].empty()) continue;
    std::string name = index_path("documents", i);
    auto interchange = parse_interchange(documents[i]);
    if (!interchange.ok()) {
      return invalid_argument(name + ": " + interchange.error().message);
    }
    if (!root) {
      root = interchange->genesis_validators_root;
      root_document = i;
    } else if (*root != interchange->genesis_validators_root) {
      return invalid_argument(
          name + " is for genesis_validators_root " +
          hex_of(interchange->genesis_validators_root) + " but " +
          index_path("documents", root_document) + " for " + hex_of(*root) +
          "; allowed: documents of one chain");
    }
    for (InterchangeEntry& entry : interchange->data) {
      add_entry(std::move(entry), data, index);
    }
  }

  if (!root) return std::string();
  std::vector<const InterchangeEntry*> entries;
  for (const InterchangeEntry& entry : data) entries.push_back(&entry);
  return serialize(*root, entries, layout);
}

Interchange minify_interchange(const Interchange& interchange) {
  Interchange minimal;
  minimal.genesis_validators_root = interchange.genesis_validators_root;
  for (const InterchangeEntry& entry : interchange.data) {
    InterchangeEntry kept;
    kept.pubkey = entry.pubkey;
    if (!entry.signed_blocks.empty()) {
      SignedBlock latest;
      for (const SignedBlock& block : entry.signed_blocks) {
        latest.slot = std::max(latest.slot, block.slot);
      }
      kept.signed_blocks.push_back(latest);
    }
    if (!entry.signed_attestations.empty()) {
      // Highest source and highest target may come from different
      // attestations; source <= target still holds for the pair.
      SignedAttestation latest;
      for (const SignedAttestation& attestation : entry.signed_attestations) {
        latest.source_epoch =
            std::max(latest.source_epoch, attestation.source_epoch);
        latest.target_epoch =
            std::max(latest.target_epoch, attestation.target_epoch);
      }
      kept.signed_attestations.push_back(latest);
    }
    minimal.data.push_back(std::move(kept));
  }
  return minimal;
}

}  // namespace pkm::messages
