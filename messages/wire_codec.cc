#include "messages/wire_codec.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <initializer_list>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include <google/protobuf/message.h>
#include <google/protobuf/unknown_field_set.h>
#include <nlohmann/json.hpp>

#include "base/bytes.h"
#include "messages/pod_name.h"

namespace pkm::messages {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

constexpr size_t kPublicKeySize = 48;
constexpr size_t kPrivateKeySize = 32;
constexpr size_t kWithdrawalCredentialsSize = 32;
constexpr size_t kTxHashSize = 32;
constexpr size_t kSignatureSize = 96;
constexpr size_t kDepositDataRootSize = 32;
constexpr size_t kMaxJobIdLength = 128;
constexpr size_t kMaxQuotedLength = 64;
constexpr size_t kMaxErrorMessageBytes = 4096;
constexpr size_t kMaxErrorHeaderBytes = 1024;

constexpr char kAllocateExample[] =
    R"({"pod_name":"validator-0","number_of_keys":2})";
constexpr char kPodExample[] = R"({"pod_name":"validator-0"})";
constexpr char kPodNameAllowed[] =
    "a string holding a DNS-1123 subdomain such as validator-0";
constexpr char kInterchangeAllowed[] =
    "an EIP-3076 interchange object with \"metadata\" "
    "(interchange_format_version \"5\") and a \"data\" array";

// ---------------------------------------------------------------------------
// Text helpers

// Length of the well-formed UTF-8 sequence at text[i], or 0 when the byte
// there does not start one (overlong forms and surrogates included).
size_t utf8_sequence_length(std::string_view text, size_t i) {
  auto lead = static_cast<unsigned char>(text[i]);
  size_t length = lead < 0x80                     ? 1
                  : (lead >= 0xc2 && lead <= 0xdf) ? 2
                  : (lead >= 0xe0 && lead <= 0xef) ? 3
                  : (lead >= 0xf0 && lead <= 0xf4) ? 4
                                                   : 0;
  if (length == 0 || i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return 0;
  }
  if (length < 3) return length;
  auto second = static_cast<unsigned char>(text[i + 1]);
  if (lead == 0xe0 && second < 0xa0) return 0;  // overlong
  if (lead == 0xed && second > 0x9f) return 0;  // surrogate
  if (lead == 0xf0 && second < 0x90) return 0;  // overlong
  if (lead == 0xf4 && second > 0x8f) return 0;  // above U+10FFFF
  return length;
}

// `text` with every byte outside a well-formed UTF-8 sequence replaced by
// '?', cut to at most `max_bytes` at a character boundary.
std::string to_valid_utf8(std::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  for (size_t i = 0; i < text.size();) {
    size_t length = utf8_sequence_length(text, i);
    size_t taken = length == 0 ? 1 : length;
    if (out.size() + taken > max_bytes) break;
    if (length == 0) {
      out += '?';
    } else {
      out.append(text.substr(i, length));
    }
    i += taken;
  }
  return out;
}

std::string dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string dump(const OrderedJson& value) {
  return value.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

// `text` as a JSON string literal, cut to kMaxQuotedLength bytes, for
// showing client-chosen names (field names, content types) in messages.
std::string quote(std::string_view text) {
  bool cut = text.size() > kMaxQuotedLength;
  std::string shown = to_valid_utf8(text, kMaxQuotedLength);
  std::string quoted = dump(Json(shown));
  if (cut) quoted.insert(quoted.size() - 1, "...");
  return quoted;
}

// "a string", "an object", ... for messages about wrong types.
std::string describe_type(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return "a number";
    default:
      return "not a JSON value";
  }
}

void append_hex(std::string& out, std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  out += "0x";
  for (char c : bytes) {
    auto b = static_cast<unsigned char>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0f];
  }
}

std::string hex_of(std::string_view bytes) {
  std::string out;
  out.reserve(2 + 2 * bytes.size());
  append_hex(out, bytes);
  return out;
}

std::string as_string(const Bytes& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

std::string path_of(std::string_view parent, size_t index,
                    std::string_view field) {
  return std::string(parent) + "[" + std::to_string(index) + "]." +
         std::string(field);
}

Error internal_error(std::string message) {
  return Error{ErrorCode::kInternal, std::move(message)};
}

// ---------------------------------------------------------------------------
// JSON parsing

// Parses `payload` as one JSON object. `what` names the message in errors
// ("allocate request"); `example` shows a valid one.
Result<Json> parse_json_object(std::string_view payload, size_t limit,
                               std::string_view what,
                               std::string_view example) {
  std::string name(what);
  std::string allowed = "; allowed: a JSON object";
  if (!example.empty()) allowed += " such as " + std::string(example);
  if (payload.size() > limit) {
    return invalid_argument(name + " is " + std::to_string(payload.size()) +
                            " bytes; allowed: at most " +
                            std::to_string(limit) + " bytes");
  }
  if (payload.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return invalid_argument(name + " is empty" + allowed);
  }

  // nlohmann keeps the last of duplicate keys silently; a request whose
  // meaning depends on which parser reads it is refused instead.
  std::vector<std::set<std::string>> open_objects;
  std::optional<std::string> duplicate;
  Json::parser_callback_t track_keys = [&](int, Json::parse_event_t event,
                                           Json& parsed) {
    if (event == Json::parse_event_t::object_start) {
      open_objects.emplace_back();
    } else if (event == Json::parse_event_t::object_end) {
      if (!open_objects.empty()) open_objects.pop_back();
    } else if (event == Json::parse_event_t::key && !open_objects.empty()) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (!open_objects.back().insert(key).second && !duplicate) {
        duplicate = key;
      }
    }
    return true;
  };

  Json value;
  try {
    value = Json::parse(payload.begin(), payload.end(), track_keys);
  } catch (const Json::parse_error& e) {
    // The library's own text quotes the input, so only the offset is used.
    return invalid_argument(name + " is not valid JSON (syntax error at byte " +
                            std::to_string(e.byte) + ")" + allowed);
  } catch (const Json::out_of_range&) {
    return invalid_argument(name +
                            " is not valid JSON (a number is out of range)" +
                            allowed);
  } catch (const std::exception&) {
    return invalid_argument(name + " is not valid JSON" + allowed);
  }

  if (duplicate) {
    return invalid_argument(name + " has field " + quote(*duplicate) +
                            " more than once; allowed: each field once");
  }
  if (!value.is_object()) {
    return invalid_argument(name + " is " + describe_type(value) +
                            " in JSON" + allowed);
  }
  return Result<Json>(std::move(value));
}

// Refuses the first field of `object` that is not in `allowed`.
Status refuse_unknown_fields(const Json& object, std::string_view what,
                             std::initializer_list<std::string_view> allowed) {
  for (const auto& item : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), item.key()) !=
        allowed.end()) {
      continue;
    }
    std::string names;
    for (std::string_view field : allowed) {
      if (!names.empty()) names += ", ";
      names += field;
    }
    if (names.empty()) names = "no fields";
    return invalid_argument(std::string(what) + " has unknown field " +
                            quote(item.key()) + "; allowed: " + names);
  }
  return Status();
}

Result<std::string> read_pod_name(const Json& object,
                                  const std::string& path = "pod_name") {
  auto it = object.find("pod_name");
  if (it == object.end()) {
    return invalid_argument(path + " is missing; allowed: " +
                            kPodNameAllowed);
  }
  if (!it->is_string()) {
    return invalid_argument(path + " is " + describe_type(*it) +
                            "; allowed: " + kPodNameAllowed);
  }
  const auto& name = it->get_ref<const std::string&>();
  Status valid = validate_pod_name(name);
  if (!valid.ok()) return valid.error();
  return name;
}

Result<uint32_t> check_number_of_keys(uint64_t requested, uint32_t max) {
  if (requested > max) {
    return invalid_argument("number_of_keys is " + std::to_string(requested) +
                            "; allowed: at most " + std::to_string(max) +
                            " keys per request (--max-keys-per-request)");
  }
  return requested == 0 ? uint32_t{1} : static_cast<uint32_t>(requested);
}

Result<uint32_t> read_number_of_keys(const Json& object, uint32_t max) {
  auto it = object.find("number_of_keys");
  if (it == object.end()) return uint32_t{1};
  const Json& value = *it;
  std::string allowed = "; allowed: a whole number from 0 to " +
                        std::to_string(max) + " (0 means 1)";

  if (value.is_number_unsigned()) {
    return check_number_of_keys(value.get<uint64_t>(), max);
  }
  if (value.is_number_integer()) {
    auto signed_value = value.get<int64_t>();
    if (signed_value >= 0) {  // "-0"
      return check_number_of_keys(static_cast<uint64_t>(signed_value), max);
    }
    return invalid_argument("number_of_keys is " +
                            std::to_string(signed_value) +
                            ", a negative number" + allowed);
  }
  if (value.is_number_float()) {
    double number = value.get<double>();
    std::string shown = dump(value);
    if (number == std::floor(number) && number > static_cast<double>(max)) {
      return invalid_argument("number_of_keys is " + shown +
                              "; allowed: at most " + std::to_string(max) +
                              " keys per request (--max-keys-per-request)");
    }
    if (number == std::floor(number)) {
      return invalid_argument("number_of_keys is " + shown +
                              ", written with a fraction or exponent" +
                              allowed + ", written without them");
    }
    return invalid_argument("number_of_keys is " + shown +
                            ", not a whole number" + allowed);
  }
  return invalid_argument("number_of_keys is " + describe_type(value) +
                          allowed);
}

bool is_hex_root(const Json& value) {
  if (!value.is_string()) return false;
  const auto& text = value.get_ref<const std::string&>();
  if (text.size() != 66 || text.compare(0, 2, "0x") != 0) return false;
  return from_hex(text).ok();
}

// Checks the outline of an EIP-3076 interchange document; the validator
// client that imports it checks the entries.
Status validate_interchange(const Json& value, const std::string& path) {
  std::string allowed = std::string("; allowed: ") + kInterchangeAllowed;
  if (!value.is_object()) {
    return invalid_argument(path + " is " + describe_type(value) + allowed);
  }
  auto metadata = value.find("metadata");
  if (metadata == value.end() || !metadata->is_object()) {
    return invalid_argument(path + " has no \"metadata\" object" + allowed);
  }
  auto version = metadata->find("interchange_format_version");
  if (version == metadata->end() || *version != Json("5")) {
    return invalid_argument(path +
                            " has no interchange_format_version \"5\"" +
                            allowed);
  }
  auto root = metadata->find("genesis_validators_root");
  if (root == metadata->end() || !is_hex_root(*root)) {
    return invalid_argument(
        path + " has no genesis_validators_root of 32 bytes in 0x-hex" +
        allowed);
  }
  auto data = value.find("data");
  if (data == value.end() || !data->is_array()) {
    return invalid_argument(path + " has no \"data\" array" + allowed);
  }
  return Status();
}

// Validates interchange JSON text (from protobuf, or stored) and returns it
// in compact form.
Result<std::string> compact_interchange(std::string_view text,
                                        size_t limit,
                                        const std::string& path) {
  auto parsed = parse_json_object(text, limit, path, "");
  if (!parsed.ok()) return parsed.error();
  Status valid = validate_interchange(*parsed, path);
  if (!valid.ok()) return valid.error();
  return dump(*parsed);
}

Result<std::optional<std::string>> read_slashing_protection(
    const Json& object) {
  auto it = object.find("slashing_protection");
  if (it == object.end()) return std::optional<std::string>();
  if (it->is_null()) {
    return invalid_argument(
        std::string("slashing_protection is null; allowed: ") +
        kInterchangeAllowed + ", or no slashing_protection field");
  }
  Status valid = validate_interchange(*it, "slashing_protection");
  if (!valid.ok()) return valid.error();
  return std::optional<std::string>(dump(*it));
}

// `value` as a JSON string of 0x-prefixed hex; `path` names it in errors.
Result<Bytes> read_hex_value(const Json& value, const std::string& path) {
  if (!value.is_string()) {
    return invalid_argument(path + " is " + describe_type(value) +
                            "; allowed: a string of 0x-prefixed hex");
  }
  const auto& text = value.get_ref<const std::string&>();
  if (text.compare(0, 2, "0x") != 0) {
    return invalid_argument(path + " has no 0x prefix; allowed: 0x-prefixed "
                            "hex");
  }
  auto bytes = from_hex(text);
  if (!bytes.ok()) {
    return invalid_argument(path + ": " + bytes.error().message);
  }
  return bytes;
}

// The value of `field` in `object` as 0x-hex bytes.
Result<Bytes> read_hex(const Json& object, std::string_view field,
                       const std::string& path) {
  auto it = object.find(field);
  if (it == object.end()) {
    return invalid_argument(path + " is missing; allowed: 0x-prefixed hex");
  }
  return read_hex_value(*it, path);
}

Result<uint64_t> read_unsigned(const Json& object, std::string_view field,
                               uint64_t max) {
  std::string name(field);
  auto it = object.find(field);
  if (it == object.end()) {
    return invalid_argument(name + " is missing; allowed: a whole number");
  }
  bool whole = it->is_number_unsigned() ||
               (it->is_number_integer() && it->get<int64_t>() >= 0);
  if (!whole) {
    std::string shown = it->is_number() ? dump(*it) : describe_type(*it);
    return invalid_argument(name + " is " + shown +
                            "; allowed: a whole number from 0 to " +
                            std::to_string(max));
  }
  auto value = it->get<uint64_t>();
  if (value > max) {
    return invalid_argument(name + " is " + std::to_string(value) +
                            "; allowed: at most " + std::to_string(max));
  }
  return value;
}

Result<std::string> read_string(const Json& object, std::string_view field,
                                const std::string& path) {
  auto it = object.find(field);
  if (it == object.end()) {
    return invalid_argument(path + " is missing; allowed: a string");
  }
  if (!it->is_string()) {
    return invalid_argument(path + " is " + describe_type(*it) +
                            "; allowed: a string");
  }
  return it->get<std::string>();
}

Result<const Json*> read_array(const Json& object, std::string_view field,
                               const std::string& name) {
  auto it = object.find(field);
  if (it == object.end()) {
    return invalid_argument(name + " is missing; allowed: an array");
  }
  if (!it->is_array()) {
    return invalid_argument(name + " is " + describe_type(*it) +
                            "; allowed: an array");
  }
  return &*it;
}

// ---------------------------------------------------------------------------
// Protobuf parsing

template <class Message>
Result<Message> parse_protobuf(std::string_view payload, size_t limit,
                               std::string_view what,
                               bool refuse_unknown_fields) {
  std::string name(what);
  std::string type = Message::descriptor()->full_name();
  if (payload.size() > limit) {
    return invalid_argument(name + " is " + std::to_string(payload.size()) +
                            " bytes; allowed: at most " +
                            std::to_string(limit) + " bytes");
  }

  Message message;
  if (!message.ParseFromArray(payload.data(),
                              static_cast<int>(payload.size()))) {
    return invalid_argument(name + " is not a valid protobuf " + type +
                            " (malformed bytes, or a string field that is "
                            "not UTF-8); allowed: the binary encoding of " +
                            type + " (messages/wire.proto)");
  }

  const auto& unknown =
      message.GetReflection()->GetUnknownFields(message);
  if (refuse_unknown_fields && unknown.field_count() > 0) {
    return invalid_argument(name + " has unknown protobuf field number " +
                            std::to_string(unknown.field(0).number()) +
                            "; allowed: the fields of " + type);
  }
  return Result<Message>(std::move(message));
}

Result<std::string> serialize(const google::protobuf::Message& message) {
  std::string out;
  if (!message.SerializeToString(&out)) {
    return internal_error("could not serialize " +
                          message.GetDescriptor()->full_name() +
                          " as protobuf");
  }
  return Result<std::string>(std::move(out));
}

// ---------------------------------------------------------------------------
// Checks shared by both encodings

Status check_size(std::string_view bytes, const std::string& path,
                  size_t size, std::string_view meaning) {
  if (bytes.size() == size) return Status();
  return invalid_argument(path + " is " + std::to_string(bytes.size()) +
                          " bytes; allowed: " + std::to_string(size) +
                          " bytes (" + std::string(meaning) + ")");
}

Status check_optional_hash(std::string_view bytes, const std::string& path) {
  if (bytes.empty() || bytes.size() == kTxHashSize) return Status();
  return invalid_argument(path + " is " + std::to_string(bytes.size()) +
                          " bytes; allowed: empty or 32 bytes (a "
                          "transaction hash)");
}

Status check_job_id(const std::string& job_id, std::string_view what) {
  bool printable = std::all_of(job_id.begin(), job_id.end(), [](char c) {
    return c >= 0x20 && c <= 0x7e;
  });
  if (!job_id.empty() && job_id.size() <= kMaxJobIdLength && printable) {
    return Status();
  }
  return invalid_argument(std::string(what) + " job_id is " +
                          (job_id.empty() ? std::string("empty")
                                          : quote(job_id)) +
                          "; allowed: 1 to 128 printable ASCII characters");
}

Status check_allocate_reply(const wire::AllocateReply& reply,
                            size_t interchange_limit) {
  Status valid = validate_pod_name(reply.pod_name());
  if (!valid.ok()) return valid;
  for (int i = 0; i < reply.keys_size(); ++i) {
    const auto& key = reply.keys(i);
    auto index = static_cast<size_t>(i);
    Status field = check_size(key.public_key(),
                              path_of("keys", index, "public_key"),
                              kPublicKeySize, "a compressed BLS public key");
    if (field.ok()) {
      field = check_size(key.private_key(),
                         path_of("keys", index, "private_key"),
                         kPrivateKeySize, "a BLS secret key");
    }
    if (field.ok()) {
      field = check_size(key.withdrawal_credentials(),
                         path_of("keys", index, "withdrawal_credentials"),
                         kWithdrawalCredentialsSize,
                         "withdrawal credentials");
    }
    if (field.ok()) {
      field = check_optional_hash(key.deposit_tx(),
                                  path_of("keys", index, "deposit_tx"));
    }
    if (field.ok() && key.has_slashing_protection()) {
      auto text =
          compact_interchange(key.slashing_protection(), interchange_limit,
                              path_of("keys", index, "slashing_protection"));
      if (!text.ok()) field = text.error();
    }
    if (!field.ok()) return field;
  }
  return Status();
}

Status check_assignments_reply(const wire::AssignmentsReply& reply) {
  for (int i = 0; i < reply.assignments_size(); ++i) {
    const auto& assignment = reply.assignments(i);
    Status valid = validate_pod_name(assignment.pod_name());
    if (!valid.ok()) return valid;
    for (int k = 0; k < assignment.public_keys_size(); ++k) {
      Status size = check_size(
          assignment.public_keys(k),
          path_of("assignments", static_cast<size_t>(i), "public_keys") +
              "[" + std::to_string(k) + "]",
          kPublicKeySize, "a compressed BLS public key");
      if (!size.ok()) return size;
    }
  }
  return Status();
}

// ---------------------------------------------------------------------------
// JSON encoding

std::string encode_json(const OrderedJson& value) { return dump(value); }

// The JSON object held as text by a slashing_protection field, for
// embedding. internal when it is not one: the decoders let nothing else in.
Result<OrderedJson> embedded_object(const std::string& text,
                                    const std::string& path) {
  OrderedJson parsed = OrderedJson::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return internal_error(path + " does not hold a JSON object");
  }
  return Result<OrderedJson>(std::move(parsed));
}

// Builds the reply in one buffer reserved up front, so that the private
// key text exists in exactly one place: the returned string.
Result<std::string> encode_allocate_reply_json(
    const wire::AllocateReply& reply) {
  std::string pod_name = dump(Json(reply.pod_name()));
  std::vector<std::string> protections(reply.keys_size());
  size_t size = 32 + pod_name.size();
  for (int i = 0; i < reply.keys_size(); ++i) {
    const auto& key = reply.keys(i);
    if (key.has_slashing_protection()) {
      auto object = embedded_object(
          key.slashing_protection(),
          path_of("keys", static_cast<size_t>(i), "slashing_protection"));
      if (!object.ok()) return object.error();
      protections[i] = dump(*object);
    }
    size += 160 + protections[i].size() +
            2 * (key.public_key().size() + key.private_key().size() +
                 key.withdrawal_credentials().size() +
                 key.deposit_tx().size());
  }

  std::string out;
  out.reserve(size);
  out += "{\"pod_name\":";
  out += pod_name;
  out += ",\"keys\":[";
  for (int i = 0; i < reply.keys_size(); ++i) {
    const auto& key = reply.keys(i);
    if (i > 0) out += ',';
    out += "{\"public_key\":\"";
    append_hex(out, key.public_key());
    out += "\",\"private_key\":\"";
    append_hex(out, key.private_key());
    out += "\",\"withdrawal_credentials\":\"";
    append_hex(out, key.withdrawal_credentials());
    out += "\",\"deposit_tx\":\"";
    append_hex(out, key.deposit_tx());
    out += '"';
    if (key.has_slashing_protection()) {
      out += ",\"slashing_protection\":";
      out += protections[i];
    }
    out += '}';
  }
  out += "]}";
  return Result<std::string>(std::move(out));
}

// Overwrites the private keys of `reply` before it is dropped on an error
// path (protobuf does not wipe strings it frees).
void wipe_private_keys(wire::AllocateReply& reply) {
  for (auto& key : *reply.mutable_keys()) {
    std::string* secret = key.mutable_private_key();
    secure_wipe(secret->data(), secret->size());
  }
}

// Overwrites the private-key text in the parsed "keys" array of an allocate
// reply before the document is freed.
void wipe_private_key_text(Json& keys) {
  for (Json& item : keys) {
    if (!item.is_object()) continue;
    auto secret_text = item.find("private_key");
    if (secret_text == item.end() || !secret_text->is_string()) continue;
    auto& text = secret_text->get_ref<std::string&>();
    secure_wipe(text.data(), text.size());
  }
}

// ---------------------------------------------------------------------------
// Debug strings

std::string describe_secret(std::string_view secret) {
  return secret.empty() ? "<empty>" : "<redacted>";
}

}  // namespace

// ---------------------------------------------------------------------------
// Content types and NATS service errors

Result<Encoding> encoding_from_content_type(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  size_t first = media.find_first_not_of(" \t");
  size_t last = media.find_last_not_of(" \t");
  media = first == std::string_view::npos
              ? std::string_view()
              : media.substr(first, last - first + 1);

  std::string lower(media);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  if (lower.empty() || lower == kJsonContentType) return Encoding::kJson;
  if (lower == kProtobufContentType) return Encoding::kProtobuf;
  return invalid_argument("Content-Type " + quote(content_type) +
                          " is not supported; allowed: application/json "
                          "(the default) or application/x-protobuf");
}

std::string_view content_type_of(Encoding encoding) {
  return encoding == Encoding::kProtobuf ? kProtobufContentType
                                         : kJsonContentType;
}

int nats_service_error_code(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kFailedPrecondition:
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kDataLoss:
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

std::string nats_service_error_description(const Error& error) {
  std::string text = to_valid_utf8(error.message, kMaxErrorHeaderBytes);
  for (char& c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) c = ' ';
  }
  return text;
}

// ---------------------------------------------------------------------------
// WireCodec

Result<WireCodec> WireCodec::create(const WireLimits& limits) {
  // protobuf parses at most INT_MAX bytes at once.
  auto check_bytes = [](size_t value, const char* name) -> Status {
    if (value > 0 && value <= static_cast<size_t>(INT_MAX)) return Status();
    return invalid_argument(std::string(name) + " is " +
                            std::to_string(value) +
                            "; allowed: 1 to 2147483647 bytes");
  };
  Status valid = check_bytes(limits.max_request_bytes, "max_request_bytes");
  if (valid.ok()) {
    valid = check_bytes(limits.max_reply_bytes, "max_reply_bytes");
  }
  if (!valid.ok()) return valid.error();
  if (limits.max_keys_per_request == 0 ||
      limits.max_keys_per_request > kMaxKeysPerRequestCeiling) {
    return invalid_argument(
        "max_keys_per_request is " +
        std::to_string(limits.max_keys_per_request) +
        "; allowed: 1 to 2147483647 (--max-keys-per-request)");
  }
  return WireCodec(limits);
}

Result<wire::AllocateRequest> WireCodec::decode_allocate_request(
    std::string_view payload, Encoding encoding) const {
  constexpr char kWhat[] = "allocate request";
  wire::AllocateRequest request;
  uint64_t requested = 0;

  if (encoding == Encoding::kProtobuf) {
    auto parsed = parse_protobuf<wire::AllocateRequest>(
        payload, limits_.max_request_bytes, kWhat, true);
    if (!parsed.ok()) return parsed.error();
    request = std::move(*parsed);
    Status valid = validate_pod_name(request.pod_name());
    if (!valid.ok()) return valid.error();
    requested = request.number_of_keys();
  } else {
    auto object = parse_json_object(payload, limits_.max_request_bytes,
                                    kWhat, kAllocateExample);
    if (!object.ok()) return object.error();
    Status known = refuse_unknown_fields(*object, kWhat,
                                         {"pod_name", "number_of_keys"});
    if (!known.ok()) return known.error();
    auto pod_name = read_pod_name(*object);
    if (!pod_name.ok()) return pod_name.error();
    auto count = read_number_of_keys(*object, limits_.max_keys_per_request);
    if (!count.ok()) return count.error();
    request.set_pod_name(std::move(*pod_name));
    requested = *count;
  }

  auto count = check_number_of_keys(requested, limits_.max_keys_per_request);
  if (!count.ok()) return count.error();
  request.set_number_of_keys(*count);
  return Result<wire::AllocateRequest>(std::move(request));
}

Result<wire::ReleaseRequest> WireCodec::decode_release_request(
    std::string_view payload, Encoding encoding) const {
  constexpr char kWhat[] = "release request";
  wire::ReleaseRequest request;

  if (encoding == Encoding::kProtobuf) {
    auto parsed = parse_protobuf<wire::ReleaseRequest>(
        payload, limits_.max_request_bytes, kWhat, true);
    if (!parsed.ok()) return parsed.error();
    request = std::move(*parsed);
    Status valid = validate_pod_name(request.pod_name());
    if (!valid.ok()) return valid.error();
    if (request.has_slashing_protection()) {
      auto text = compact_interchange(request.slashing_protection(),
                                      limits_.max_request_bytes,
                                      "slashing_protection");
      if (!text.ok()) return text.error();
      request.set_slashing_protection(std::move(*text));
    }
    return Result<wire::ReleaseRequest>(std::move(request));
  }

  auto object = parse_json_object(payload, limits_.max_request_bytes, kWhat,
                                  kPodExample);
  if (!object.ok()) return object.error();
  Status known = refuse_unknown_fields(*object, kWhat,
                                       {"pod_name", "slashing_protection"});
  if (!known.ok()) return known.error();
  auto pod_name = read_pod_name(*object);
  if (!pod_name.ok()) return pod_name.error();
  auto protection = read_slashing_protection(*object);
  if (!protection.ok()) return protection.error();

  request.set_pod_name(std::move(*pod_name));
  if (protection->has_value()) {
    request.set_slashing_protection(std::move(**protection));
  }
  return Result<wire::ReleaseRequest>(std::move(request));
}

Result<wire::RenewRequest> WireCodec::decode_renew_request(
    std::string_view payload, Encoding encoding) const {
  constexpr char kWhat[] = "renew request";
  wire::RenewRequest request;

  if (encoding == Encoding::kProtobuf) {
    auto parsed = parse_protobuf<wire::RenewRequest>(
        payload, limits_.max_request_bytes, kWhat, true);
    if (!parsed.ok()) return parsed.error();
    request = std::move(*parsed);
    Status valid = validate_pod_name(request.pod_name());
    if (!valid.ok()) return valid.error();
    return Result<wire::RenewRequest>(std::move(request));
  }

  auto object = parse_json_object(payload, limits_.max_request_bytes, kWhat,
                                  kPodExample);
  if (!object.ok()) return object.error();
  Status known = refuse_unknown_fields(*object, kWhat, {"pod_name"});
  if (!known.ok()) return known.error();
  auto pod_name = read_pod_name(*object);
  if (!pod_name.ok()) return pod_name.error();
  request.set_pod_name(std::move(*pod_name));
  return Result<wire::RenewRequest>(std::move(request));
}

Result<wire::AssignmentsRequest> WireCodec::decode_assignments_request(
    std::string_view payload, Encoding encoding) const {
  constexpr char kWhat[] = "assignments request";

  if (encoding == Encoding::kProtobuf) {
    return parse_protobuf<wire::AssignmentsRequest>(
        payload, limits_.max_request_bytes, kWhat, true);
  }

  // A bare `nats req pkm.assignments ''` sends nothing at all.
  if (payload.find_first_not_of(" \t\r\n") == std::string_view::npos &&
      payload.size() <= limits_.max_request_bytes) {
    return wire::AssignmentsRequest();
  }
  auto object = parse_json_object(payload, limits_.max_request_bytes, kWhat,
                                  "{}");
  if (!object.ok()) return object.error();
  Status known = refuse_unknown_fields(*object, kWhat, {});
  if (!known.ok()) return known.error();
  return wire::AssignmentsRequest();
}

Result<wire::AllocateReply> WireCodec::decode_allocate_reply(
    std::string_view payload, Encoding encoding) const {
  constexpr char kWhat[] = "allocate reply";
  wire::AllocateReply reply;

  if (encoding == Encoding::kProtobuf) {
    auto parsed = parse_protobuf<wire::AllocateReply>(
        payload, limits_.max_reply_bytes, kWhat, false);
    if (!parsed.ok()) return parsed.error();
    reply = std::move(*parsed);
  } else {
    auto object =
        parse_json_object(payload, limits_.max_reply_bytes, kWhat, "");
    if (!object.ok()) return object.error();
    Json& root = *object;
    auto pod_name = read_pod_name(root);
    if (!pod_name.ok()) return pod_name.error();
    reply.set_pod_name(std::move(*pod_name));
    auto keys = read_array(root, "keys", "keys");
    if (!keys.ok()) return keys.error();

    Status status;
    size_t index = 0;
    for (Json& item : root["keys"]) {
      if (!item.is_object()) {
        status = invalid_argument("keys[" + std::to_string(index) + "] is " +
                                  describe_type(item) +
                                  "; allowed: an object");
        break;
      }
      auto* key = reply.add_keys();
      auto public_key =
          read_hex(item, "public_key", path_of("keys", index, "public_key"));
      auto private_key = read_hex(item, "private_key",
                                  path_of("keys", index, "private_key"));
      auto credentials =
          read_hex(item, "withdrawal_credentials",
                   path_of("keys", index, "withdrawal_credentials"));
      auto deposit_tx =
          read_hex(item, "deposit_tx", path_of("keys", index, "deposit_tx"));

      if (private_key.ok()) {
        key->set_private_key(private_key->data(), private_key->size());
        secure_wipe(private_key->data(), private_key->size());
      }

      for (const auto* field :
           {&public_key, &private_key, &credentials, &deposit_tx}) {
        if (!field->ok() && status.ok()) status = field->error();
      }
      if (!status.ok()) break;
      key->set_public_key(as_string(*public_key));
      key->set_withdrawal_credentials(as_string(*credentials));
      key->set_deposit_tx(as_string(*deposit_tx));

      auto protection = item.find("slashing_protection");
      if (protection != item.end()) {
        std::string path = path_of("keys", index, "slashing_protection");
        status = validate_interchange(*protection, path);
        if (!status.ok()) break;
        key->set_slashing_protection(dump(*protection));
      }
      ++index;
    }

    wipe_private_key_text(root["keys"]);
    if (!status.ok()) {
      wipe_private_keys(reply);
      return status.error();
    }
  }

  Status valid = check_allocate_reply(reply, limits_.max_reply_bytes);
  if (!valid.ok()) {
    wipe_private_keys(reply);
    return valid.error();
  }
  return Result<wire::AllocateReply>(std::move(reply));
}

Result<wire::ReleaseReply> WireCodec::decode_release_reply(
    std::string_view payload, Encoding encoding) const {
  constexpr char kWhat[] = "release reply";
  wire::ReleaseReply reply;

  if (encoding == Encoding::kProtobuf) {
    auto parsed = parse_protobuf<wire::ReleaseReply>(
        payload, limits_.max_reply_bytes, kWhat, false);
    if (!parsed.ok()) return parsed.error();
    reply = std::move(*parsed);
  } else {
    auto object =
        parse_json_object(payload, limits_.max_reply_bytes, kWhat, "");
    if (!object.ok()) return object.error();
    auto pod_name = read_pod_name(*object);
    if (!pod_name.ok()) return pod_name.error();
    auto released = read_unsigned(*object, "released", UINT32_MAX);
    if (!released.ok()) return released.error();
    reply.set_pod_name(std::move(*pod_name));
    reply.set_released(static_cast<uint32_t>(*released));
  }

  Status valid = validate_pod_name(reply.pod_name());
  if (!valid.ok()) return valid.error();
  return Result<wire::ReleaseReply>(std::move(reply));
}

Result<wire::RenewReply> WireCodec::decode_renew_reply(
    std::string_view payload, Encoding encoding) const {
  constexpr char kWhat[] = "renew reply";
  wire::RenewReply reply;

  if (encoding == Encoding::kProtobuf) {
    auto parsed = parse_protobuf<wire::RenewReply>(
        payload, limits_.max_reply_bytes, kWhat, false);
    if (!parsed.ok()) return parsed.error();
    reply = std::move(*parsed);
  } else {
    auto object =
        parse_json_object(payload, limits_.max_reply_bytes, kWhat, "");
    if (!object.ok()) return object.error();
    auto pod_name = read_pod_name(*object);
    if (!pod_name.ok()) return pod_name.error();
    auto expires =
        read_unsigned(*object, "lease_expires_unix_ms", UINT64_MAX);
    if (!expires.ok()) return expires.error();
    reply.set_pod_name(std::move(*pod_name));
    reply.set_lease_expires_unix_ms(*expires);
  }

  Status valid = validate_pod_name(reply.pod_name());
  if (!valid.ok()) return valid.error();
  return Result<wire::RenewReply>(std::move(reply));
}

Result<wire::AssignmentsReply> WireCodec::decode_assignments_reply(
    std::string_view payload, Encoding encoding) const {
  constexpr char kWhat[] = "assignments reply";
  wire::AssignmentsReply reply;

  if (encoding == Encoding::kProtobuf) {
    auto parsed = parse_protobuf<wire::AssignmentsReply>(
        payload, limits_.max_reply_bytes, kWhat, false);
    if (!parsed.ok()) return parsed.error();
    reply = std::move(*parsed);
  } else {
    auto object =
        parse_json_object(payload, limits_.max_reply_bytes, kWhat, "");
    if (!object.ok()) return object.error();
    const Json& root = *object;
    auto assignments = read_array(root, "assignments", "assignments");
    if (!assignments.ok()) return assignments.error();

    size_t index = 0;
    for (const Json& item : **assignments) {
      std::string path = "assignments[" + std::to_string(index) + "]";
      if (!item.is_object()) {
        return invalid_argument(path + " is " + describe_type(item) +
                                "; allowed: an object");
      }
      auto* assignment = reply.add_assignments();
      auto pod_name = read_pod_name(item, path + ".pod_name");
      if (!pod_name.ok()) return pod_name.error();
      assignment->set_pod_name(std::move(*pod_name));
      auto keys = read_array(item, "public_keys", path + ".public_keys");
      if (!keys.ok()) return keys.error();
      for (size_t k = 0; k < (*keys)->size(); ++k) {
        auto key = read_hex_value(
            (**keys)[k], path + ".public_keys[" + std::to_string(k) + "]");
        if (!key.ok()) return key.error();
        assignment->add_public_keys(as_string(*key));
      }
      ++index;
    }

    auto unassigned = read_unsigned(root, "unassigned", UINT64_MAX);
    auto quarantined = read_unsigned(root, "quarantined", UINT64_MAX);
    auto depositing = read_unsigned(root, "depositing", UINT64_MAX);
    auto retired = read_unsigned(root, "retired", UINT64_MAX);
    for (const auto* count :
         {&unassigned, &quarantined, &depositing, &retired}) {
      if (!count->ok()) return count->error();
    }
    reply.set_unassigned(*unassigned);
    reply.set_quarantined(*quarantined);
    reply.set_depositing(*depositing);
    reply.set_retired(*retired);
  }

  Status valid = check_assignments_reply(reply);
  if (!valid.ok()) return valid.error();
  return Result<wire::AssignmentsReply>(std::move(reply));
}

Result<wire::ErrorReply> WireCodec::decode_error_reply(
    std::string_view payload, Encoding encoding) const {
  constexpr char kWhat[] = "error reply";
  wire::ErrorReply reply;

  if (encoding == Encoding::kProtobuf) {
    auto parsed = parse_protobuf<wire::ErrorReply>(
        payload, limits_.max_reply_bytes, kWhat, false);
    if (!parsed.ok()) return parsed.error();
    reply = std::move(*parsed);
  } else {
    auto object =
        parse_json_object(payload, limits_.max_reply_bytes, kWhat, "");
    if (!object.ok()) return object.error();
    auto error = object->find("error");
    if (error == object->end() || !error->is_object()) {
      return invalid_argument(
          "error reply has no \"error\" object; allowed: "
          R"({"error":{"code":"...","message":"..."}})");
    }
    auto code = read_string(*error, "code", "error.code");
    if (!code.ok()) return code.error();
    auto message = read_string(*error, "message", "error.message");
    if (!message.ok()) return message.error();
    reply.mutable_error()->set_code(std::move(*code));
    reply.mutable_error()->set_message(std::move(*message));
  }

  if (reply.error().code().empty()) {
    return invalid_argument("error.code is empty; allowed: a code such as "
                            "invalid_argument");
  }
  return Result<wire::ErrorReply>(std::move(reply));
}

Result<wire::DepositJob> WireCodec::decode_deposit_job(
    std::string_view payload) const {
  constexpr char kWhat[] = "deposit job";
  auto parsed = parse_protobuf<wire::DepositJob>(
      payload, limits_.max_request_bytes, kWhat, true);
  if (!parsed.ok()) return parsed.error();
  const wire::DepositJob& job = *parsed;

  Status valid = check_job_id(job.job_id(), kWhat);
  if (valid.ok()) {
    valid = check_size(job.pubkey(), "deposit job pubkey", kPublicKeySize,
                       "a compressed BLS public key");
  }
  if (valid.ok()) {
    valid = check_size(job.withdrawal_credentials(),
                       "deposit job withdrawal_credentials",
                       kWithdrawalCredentialsSize, "withdrawal credentials");
  }
  if (valid.ok() && job.amount_gwei() < kMinDepositGwei) {
    valid = invalid_argument("deposit job amount_gwei is " +
                             std::to_string(job.amount_gwei()) +
                             "; allowed: at least 1000000000 (1 ETH)");
  }
  if (valid.ok()) {
    valid = check_size(job.signature(), "deposit job signature",
                       kSignatureSize, "a compressed BLS signature");
  }
  if (valid.ok()) {
    valid = check_size(job.deposit_data_root(),
                       "deposit job deposit_data_root", kDepositDataRootSize,
                       "an SSZ hash tree root");
  }
  if (!valid.ok()) return valid.error();
  return Result<wire::DepositJob>(std::move(*parsed));
}

Result<wire::DepositResult> WireCodec::decode_deposit_result(
    std::string_view payload) const {
  constexpr char kWhat[] = "deposit result";
  auto parsed = parse_protobuf<wire::DepositResult>(
      payload, limits_.max_request_bytes, kWhat, true);
  if (!parsed.ok()) return parsed.error();
  const wire::DepositResult& result = *parsed;

  Status valid = check_job_id(result.job_id(), kWhat);
  if (valid.ok()) {
    valid = check_size(result.pubkey(), "deposit result pubkey",
                       kPublicKeySize, "a compressed BLS public key");
  }
  using wire::DepositResult;
  bool known_status = DepositResult::Status_IsValid(result.status()) &&
                      result.status() != DepositResult::STATUS_UNSPECIFIED;
  if (valid.ok() && !known_status) {
    valid = invalid_argument(
        "deposit result status is " + std::to_string(result.status()) +
        "; allowed: SUBMITTED, CONFIRMED, REVERTED or NOT_SENT");
  }
  if (valid.ok() && result.status() != wire::DepositResult::NOT_SENT) {
    valid = check_size(result.tx_hash(), "deposit result tx_hash",
                       kTxHashSize, "a transaction hash");
  }
  if (valid.ok() && result.status() == wire::DepositResult::NOT_SENT &&
      !result.tx_hash().empty()) {
    valid = invalid_argument(
        "deposit result tx_hash is set although status is NOT_SENT; "
        "allowed: no tx_hash for a deposit that was not sent");
  }
  if (!valid.ok()) return valid.error();
  return Result<wire::DepositResult>(std::move(*parsed));
}

// ---------------------------------------------------------------------------
// Encoders

Result<std::string> encode(const wire::AllocateRequest& request,
                           Encoding encoding) {
  if (encoding == Encoding::kProtobuf) return serialize(request);
  return encode_json(OrderedJson{
      {"pod_name", request.pod_name()},
      {"number_of_keys", request.number_of_keys()},
  });
}

Result<std::string> encode(const wire::ReleaseRequest& request,
                           Encoding encoding) {
  if (encoding == Encoding::kProtobuf) return serialize(request);
  OrderedJson out = {{"pod_name", request.pod_name()}};
  if (request.has_slashing_protection()) {
    auto object =
        embedded_object(request.slashing_protection(), "slashing_protection");
    if (!object.ok()) return object.error();
    out["slashing_protection"] = std::move(*object);
  }
  return encode_json(out);
}

Result<std::string> encode(const wire::RenewRequest& request,
                           Encoding encoding) {
  if (encoding == Encoding::kProtobuf) return serialize(request);
  return encode_json(OrderedJson{{"pod_name", request.pod_name()}});
}

Result<std::string> encode(const wire::AssignmentsRequest& request,
                           Encoding encoding) {
  if (encoding == Encoding::kProtobuf) return serialize(request);
  return std::string("{}");
}

Result<std::string> encode(const wire::AllocateReply& reply,
                           Encoding encoding) {
  if (encoding == Encoding::kProtobuf) return serialize(reply);
  return encode_allocate_reply_json(reply);
}

Result<std::string> encode(const wire::ReleaseReply& reply,
                           Encoding encoding) {
  if (encoding == Encoding::kProtobuf) return serialize(reply);
  return encode_json(OrderedJson{
      {"pod_name", reply.pod_name()},
      {"released", reply.released()},
  });
}

Result<std::string> encode(const wire::RenewReply& reply, Encoding encoding) {
  if (encoding == Encoding::kProtobuf) return serialize(reply);
  return encode_json(OrderedJson{
      {"pod_name", reply.pod_name()},
      {"lease_expires_unix_ms", reply.lease_expires_unix_ms()},
  });
}

Result<std::string> encode(const wire::AssignmentsReply& reply,
                           Encoding encoding) {
  if (encoding == Encoding::kProtobuf) return serialize(reply);
  OrderedJson assignments = OrderedJson::array();
  for (const auto& assignment : reply.assignments()) {
    OrderedJson public_keys = OrderedJson::array();
    for (const auto& key : assignment.public_keys()) {
      public_keys.push_back(hex_of(key));
    }
    assignments.push_back(OrderedJson{
        {"pod_name", assignment.pod_name()},
        {"public_keys", std::move(public_keys)},
    });
  }
  return encode_json(OrderedJson{
      {"assignments", std::move(assignments)},
      {"unassigned", reply.unassigned()},
      {"quarantined", reply.quarantined()},
      {"depositing", reply.depositing()},
      {"retired", reply.retired()},
  });
}

Result<std::string> encode(const wire::DepositJob& job) {
  return serialize(job);
}

Result<std::string> encode(const wire::DepositResult& result) {
  return serialize(result);
}

wire::ErrorReply make_error_reply(const Error& error) {
  wire::ErrorReply reply;
  reply.mutable_error()->set_code(error_code_name(error.code));
  reply.mutable_error()->set_message(
      to_valid_utf8(error.message, kMaxErrorMessageBytes));
  return reply;
}

std::string encode_error_reply(const Error& error, Encoding encoding) {
  wire::ErrorReply reply = make_error_reply(error);
  if (encoding == Encoding::kProtobuf) {
    // Serialization fails only above 2 GiB; the message is capped at 4 KiB
    // and is valid UTF-8, so the result is ignored safely.
    return reply.SerializeAsString();
  }
  return encode_json(OrderedJson{
      {"error",
       {{"code", reply.error().code()},
        {"message", reply.error().message()}}},
  });
}

// ---------------------------------------------------------------------------
// Debug strings

std::string redacted_debug_string(const wire::AllocatedKey& key) {
  std::string out = "public_key=" + hex_of(key.public_key()) +
                    " private_key=" + describe_secret(key.private_key()) +
                    " withdrawal_credentials=" +
                    hex_of(key.withdrawal_credentials()) +
                    " deposit_tx=" + hex_of(key.deposit_tx());
  if (key.has_slashing_protection()) {
    out += " slashing_protection=<" +
           std::to_string(key.slashing_protection().size()) + " bytes>";
  }
  return out;
}

std::string redacted_debug_string(const wire::AllocateReply& reply) {
  std::string out = "pod_name=" + to_valid_utf8(reply.pod_name(), 512) +
                    " keys=" + std::to_string(reply.keys_size()) + " [";
  for (int i = 0; i < reply.keys_size(); ++i) {
    if (i > 0) out += ", ";
    out += "{" + redacted_debug_string(reply.keys(i)) + "}";
  }
  out += "]";
  return out;
}

std::string redacted_debug_string(const wire::ReleaseReply& reply) {
  return "pod_name=" + to_valid_utf8(reply.pod_name(), 512) +
         " released=" + std::to_string(reply.released());
}

std::string redacted_debug_string(const wire::RenewReply& reply) {
  return "pod_name=" + to_valid_utf8(reply.pod_name(), 512) +
         " lease_expires_unix_ms=" +
         std::to_string(reply.lease_expires_unix_ms());
}

std::string redacted_debug_string(const wire::AssignmentsReply& reply) {
  std::string out = "assignments=[";
  for (int i = 0; i < reply.assignments_size(); ++i) {
    const auto& assignment = reply.assignments(i);
    if (i > 0) out += ", ";
    out += "{pod_name=" + to_valid_utf8(assignment.pod_name(), 512) +
           " public_keys=[";
    for (int k = 0; k < assignment.public_keys_size(); ++k) {
      if (k > 0) out += ",";
      out += hex_of(assignment.public_keys(k));
    }
    out += "]}";
  }
  out += "] unassigned=" + std::to_string(reply.unassigned()) +
         " quarantined=" + std::to_string(reply.quarantined()) +
         " depositing=" + std::to_string(reply.depositing()) +
         " retired=" + std::to_string(reply.retired());
  return out;
}

std::string redacted_debug_string(const wire::ErrorReply& reply) {
  return "code=" + to_valid_utf8(reply.error().code(), 64) + " message=" +
         dump(Json(to_valid_utf8(reply.error().message(),
                                 kMaxErrorMessageBytes)));
}

}  // namespace pkm::messages
