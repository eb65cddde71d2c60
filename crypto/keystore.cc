#include "crypto/keystore.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <climits>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "crypto/eip2333.h"
#include "crypto/text_normalization.h"

namespace pkm::crypto::keystore {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

constexpr int64_t kVersion = 4;
// A real keystore is about 1 KB; anything much larger is not one.
constexpr size_t kMaxKeystoreTextSize = 64 * 1024;
constexpr size_t kDefaultSaltSize = 32;
constexpr size_t kMaxSaltSize = 1024;
constexpr size_t kIvSize = 16;
constexpr size_t kAesKeySize = 16;
constexpr size_t kChecksumSize = SHA256_DIGEST_LENGTH;
constexpr size_t kUuidTextSize = 36;
// scrypt requires r * p < 2^30.
constexpr uint64_t kMaxScryptRTimesP = (uint64_t{1} << 30) - 1;

constexpr char kChecksumMismatch[] =
    "checksum mismatch: wrong password or corrupted keystore";

// OpenSSL refuses null buffers even for zero lengths.
const uint8_t kEmptyBuffer[1] = {0};
const uint8_t* non_null(ByteView bytes) {
  return bytes.empty() ? kEmptyBuffer : bytes.data;
}

Error openssl_failure(std::string_view step) {
  return Error{ErrorCode::kInternal,
               "OpenSSL " + std::string(step) + " failed"};
}

// Shows a short, printable excerpt of a (non-secret) keystore value.
std::string excerpt(std::string_view text) {
  constexpr size_t kMaxShown = 32;
  std::string shown = "\"";
  for (size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    char c = text[i];
    shown += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (text.size() > kMaxShown) shown += "...";
  return shown + "\"";
}

bool is_power_of_two(uint64_t value) {
  return value != 0 && (value & (value - 1)) == 0;
}

// ---- Reading fields, with errors naming their dotted JSON path. ----

std::string field_name(std::string_view parent, std::string_view name) {
  if (parent.empty()) return std::string(name);
  return std::string(parent) + "." + std::string(name);
}

Error missing_field(const std::string& name) {
  return invalid_argument("keystore field " + name + " is missing");
}

Error wrong_type(const std::string& name, std::string_view expected) {
  return invalid_argument("keystore field " + name + " must be " +
                          std::string(expected));
}

// The member `name` of `object`, or nullptr when absent.
const Json* find_member(const Json& object, std::string_view name) {
  auto it = object.find(std::string(name));
  return it == object.end() ? nullptr : &*it;
}

Result<const Json*> get_object(const Json& object, std::string_view parent,
                               std::string_view name) {
  std::string full = field_name(parent, name);
  const Json* member = find_member(object, name);
  if (member == nullptr) return missing_field(full);
  if (!member->is_object()) return wrong_type(full, "a JSON object");
  return member;
}

Result<std::string> get_string(const Json& object, std::string_view parent,
                               std::string_view name) {
  std::string full = field_name(parent, name);
  const Json* member = find_member(object, name);
  if (member == nullptr) return missing_field(full);
  if (!member->is_string()) return wrong_type(full, "a string");
  return member->get_ref<const std::string&>();
}

Result<uint64_t> get_unsigned(const Json& object, std::string_view parent,
                              std::string_view name) {
  std::string full = field_name(parent, name);
  const Json* member = find_member(object, name);
  if (member == nullptr) return missing_field(full);
  if (!member->is_number_unsigned()) {
    return wrong_type(full, "a non-negative integer");
  }
  return member->get<uint64_t>();
}

// A hex string field (with or without 0x) of `min_size` to `max_size` bytes.
Result<Bytes> get_hex(const Json& object, std::string_view parent,
                      std::string_view name, size_t min_size, size_t max_size) {
  std::string full = field_name(parent, name);
  auto text = get_string(object, parent, name);
  if (!text.ok()) return text.error();
  auto bytes = from_hex(*text);
  if (!bytes.ok()) {
    return invalid_argument("keystore field " + full +
                            " is not hex: " + bytes.error().message);
  }
  if (bytes->size() < min_size || bytes->size() > max_size) {
    std::string allowed =
        min_size == max_size
            ? std::to_string(min_size)
            : std::to_string(min_size) + " to " + std::to_string(max_size);
    return invalid_argument("keystore field " + full + " is " +
                            std::to_string(bytes->size()) +
                            " bytes; allowed: " + allowed);
  }
  return bytes;
}

// Checks that `object.name` equals `expected`, naming the allowed value.
Status expect_string(const Json& object, std::string_view parent,
                     std::string_view name, std::string_view expected) {
  auto value = get_string(object, parent, name);
  if (!value.ok()) return value.error();
  if (*value != expected) {
    return invalid_argument("keystore field " + field_name(parent, name) +
                            " is " + excerpt(*value) +
                            "; allowed: " + std::string(expected));
  }
  return Status();
}

// ---- KDF parameter bounds, shared by encrypt and decrypt. ----

constexpr std::string_view kParams = "crypto.kdf.params";

Status check_scrypt_params(const ScryptParams& params, const Limits& limits) {
  std::string n_name = field_name(kParams, "n");
  if (params.n < 2 || !is_power_of_two(params.n) ||
      params.n > limits.max_scrypt_n) {
    return invalid_argument(n_name + " is " + std::to_string(params.n) +
                            "; allowed: a power of two from 2 to " +
                            std::to_string(limits.max_scrypt_n));
  }
  if (params.r < 1 || params.r > kMaxScryptRTimesP) {
    return invalid_argument(field_name(kParams, "r") + " is " +
                            std::to_string(params.r) + "; allowed: 1 to " +
                            std::to_string(kMaxScryptRTimesP));
  }
  if (params.p < 1 || params.p > kMaxScryptRTimesP / params.r) {
    return invalid_argument(field_name(kParams, "p") + " is " +
                            std::to_string(params.p) +
                            "; allowed: at least 1, with r * p below 2^30");
  }
  // scrypt's own rule: n < 2^(16 r).
  if (params.r < 4 && params.n >= (uint64_t{1} << (16 * params.r))) {
    return invalid_argument(n_name + " is " + std::to_string(params.n) +
                            "; scrypt requires n < 2^(16 * r) = 2^" +
                            std::to_string(16 * params.r));
  }

  // OpenSSL allocates 128 * r * (n + 2 + p) bytes; the limit leaves out the
  // small "+ 2".
  unsigned __int128 memory =
      static_cast<unsigned __int128>(128) * params.r *
      (static_cast<unsigned __int128>(params.n) + params.p);
  if (memory > limits.max_scrypt_memory_bytes) {
    return invalid_argument(
        "scrypt parameters n = " + std::to_string(params.n) + ", r = " +
        std::to_string(params.r) + ", p = " + std::to_string(params.p) +
        " need more than " + std::to_string(limits.max_scrypt_memory_bytes) +
        " bytes of memory (128 * r * (n + p)); allowed: at most that");
  }
  // r * n <= memory / 128 fits in 64 bits now, and is not zero.
  uint64_t n_times_r = params.n * params.r;
  if (params.p > limits.max_scrypt_work / n_times_r) {
    return invalid_argument(
        "scrypt parameters n = " + std::to_string(params.n) + ", r = " +
        std::to_string(params.r) + ", p = " + std::to_string(params.p) +
        " cost more than the allowed n * r * p = " +
        std::to_string(limits.max_scrypt_work));
  }
  return Status();
}

Status check_pbkdf2_params(const Pbkdf2Params& params, const Limits& limits) {
  uint64_t max = std::min<uint64_t>(limits.max_pbkdf2_iterations, INT_MAX);
  if (params.c < 1 || params.c > max) {
    return invalid_argument(field_name(kParams, "c") + " is " +
                            std::to_string(params.c) + "; allowed: 1 to " +
                            std::to_string(max));
  }
  return Status();
}

// ---- Parsing a keystore. ----

struct ParsedKeystore {
  Kdf kdf = Kdf::kScrypt;
  ScryptParams scrypt;
  Pbkdf2Params pbkdf2;
  Bytes salt;
  Bytes checksum;
  Bytes iv;
  Bytes cipher_message;
  std::optional<Bytes> pubkey;
};

// A crypto module: {"function": ..., "params": {...}, "message": ...}.
struct Module {
  const Json* object = nullptr;
  const Json* params = nullptr;
  std::string function;
  std::string name;  // "crypto.kdf"
};

Result<Module> get_module(const Json& crypto, std::string_view name) {
  Module module;
  module.name = field_name("crypto", name);
  auto object = get_object(crypto, "crypto", name);
  if (!object.ok()) return object.error();
  module.object = *object;

  auto function = get_string(*module.object, module.name, "function");
  if (!function.ok()) return function.error();
  module.function = std::move(function).value();
  auto params = get_object(*module.object, module.name, "params");
  if (!params.ok()) return params.error();
  module.params = *params;
  // Every module has a message, even when (for the KDF) it is empty.
  auto message = get_string(*module.object, module.name, "message");
  if (!message.ok()) return message.error();
  return module;
}

Status parse_kdf(const Json& crypto, const Limits& limits,
                 ParsedKeystore& out) {
  auto module = get_module(crypto, "kdf");
  if (!module.ok()) return module.error();
  const Json& params = *module->params;

  auto dklen = get_unsigned(params, kParams, "dklen");
  if (!dklen.ok()) return dklen.error();
  if (*dklen != detail::kDecryptionKeySize) {
    return invalid_argument(field_name(kParams, "dklen") + " is " +
                            std::to_string(*dklen) + "; allowed: 32");
  }
  auto salt = get_hex(params, kParams, "salt", 1, kMaxSaltSize);
  if (!salt.ok()) return salt.error();
  out.salt = std::move(salt).value();

  if (module->function == "scrypt") {
    out.kdf = Kdf::kScrypt;
    for (auto [name, target] :
         {std::pair{"n", &out.scrypt.n}, std::pair{"r", &out.scrypt.r},
          std::pair{"p", &out.scrypt.p}}) {
      auto value = get_unsigned(params, kParams, name);
      if (!value.ok()) return value.error();
      *target = *value;
    }
    return check_scrypt_params(out.scrypt, limits);
  }
  if (module->function == "pbkdf2") {
    out.kdf = Kdf::kPbkdf2;
    Status prf = expect_string(params, kParams, "prf", "hmac-sha256");
    if (!prf.ok()) return prf;
    auto c = get_unsigned(params, kParams, "c");
    if (!c.ok()) return c.error();
    out.pbkdf2.c = *c;
    return check_pbkdf2_params(out.pbkdf2, limits);
  }
  return invalid_argument("keystore field crypto.kdf.function is " +
                          excerpt(module->function) +
                          "; allowed: scrypt, pbkdf2");
}

Status parse_checksum(const Json& crypto, ParsedKeystore& out) {
  auto module = get_module(crypto, "checksum");
  if (!module.ok()) return module.error();
  if (module->function != "sha256") {
    return invalid_argument("keystore field crypto.checksum.function is " +
                            excerpt(module->function) + "; allowed: sha256");
  }
  auto message = get_hex(*module->object, module->name, "message",
                         kChecksumSize, kChecksumSize);
  if (!message.ok()) return message.error();
  out.checksum = std::move(message).value();
  return Status();
}

Status parse_cipher(const Json& crypto, ParsedKeystore& out) {
  auto module = get_module(crypto, "cipher");
  if (!module.ok()) return module.error();
  if (module->function != "aes-128-ctr") {
    return invalid_argument("keystore field crypto.cipher.function is " +
                            excerpt(module->function) +
                            "; allowed: aes-128-ctr");
  }
  auto iv =
      get_hex(*module->params, "crypto.cipher.params", "iv", kIvSize, kIvSize);
  if (!iv.ok()) return iv.error();
  out.iv = std::move(iv).value();
  // The cipher text of a 32-byte BLS secret key.
  auto message = get_hex(*module->object, module->name, "message",
                         SecretKey::kSize, SecretKey::kSize);
  if (!message.ok()) return message.error();
  out.cipher_message = std::move(message).value();
  return Status();
}

Result<ParsedKeystore> parse_keystore(std::string_view text,
                                      const Limits& limits) {
  if (text.size() > kMaxKeystoreTextSize) {
    return invalid_argument("keystore is " + std::to_string(text.size()) +
                            " bytes; allowed: at most " +
                            std::to_string(kMaxKeystoreTextSize));
  }
  // nlohmann stops reading at a NUL byte and would ignore what follows.
  if (text.find('\0') != std::string_view::npos) {
    return invalid_argument(
        "keystore has a NUL byte; allowed: JSON text without NUL bytes");
  }

  // nlohmann keeps the last of duplicate keys silently; a keystore whose
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
        duplicate = excerpt(key);
      }
    }
    return true;
  };
  Json root = Json::parse(text.begin(), text.end(), track_keys,
                          /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    return invalid_argument("keystore is not valid JSON");
  }
  if (duplicate) {
    return invalid_argument("keystore has field " + *duplicate +
                            " more than once in one object; allowed: each "
                            "field once");
  }
  if (!root.is_object()) {
    return invalid_argument("keystore must be a JSON object");
  }

  const Json* version = find_member(root, "version");
  if (version == nullptr) return missing_field("version");
  if (!version->is_number_integer() || version->get<int64_t>() != kVersion) {
    return invalid_argument(
        "keystore field version must be the integer 4 (EIP-2335); other "
        "versions are not supported");
  }
  for (const char* name : {"uuid", "path"}) {
    auto value = get_string(root, "", name);
    if (!value.ok()) return value.error();
  }
  const Json* description = find_member(root, "description");
  if (description != nullptr && !description->is_string()) {
    return wrong_type("description", "a string");
  }

  ParsedKeystore parsed;
  if (find_member(root, "pubkey") != nullptr) {
    auto pubkey =
        get_hex(root, "", "pubkey", PublicKey::kSize, PublicKey::kSize);
    if (!pubkey.ok()) return pubkey.error();
    parsed.pubkey = std::move(pubkey).value();
  }

  auto crypto = get_object(root, "", "crypto");
  if (!crypto.ok()) return crypto.error();
  Status kdf = parse_kdf(**crypto, limits, parsed);
  if (!kdf.ok()) return kdf.error();
  Status checksum = parse_checksum(**crypto, parsed);
  if (!checksum.ok()) return checksum.error();
  Status cipher = parse_cipher(**crypto, parsed);
  if (!cipher.ok()) return cipher.error();
  return parsed;
}

// ---- Crypto steps. ----

// AES-128-CTR; encryption and decryption are the same operation.
Status aes_128_ctr(ByteView key, ByteView iv, ByteView input, uint8_t* output) {
  EVP_CIPHER_CTX* context = EVP_CIPHER_CTX_new();
  if (context == nullptr) return openssl_failure("cipher allocation");
  int written = 0;
  int final_written = 0;
  bool ok = EVP_EncryptInit_ex(context, EVP_aes_128_ctr(), nullptr, key.data,
                               iv.data) == 1 &&
            EVP_EncryptUpdate(context, output, &written, non_null(input),
                              static_cast<int>(input.size)) == 1 &&
            EVP_EncryptFinal_ex(context, output + written, &final_written) == 1;
  // Freeing cleanses the key schedule.
  EVP_CIPHER_CTX_free(context);
  if (!ok) return openssl_failure("AES-128-CTR");
  return Status();
}

Result<SecretBytes> derive_key(Kdf kdf, ByteView password, ByteView salt,
                               const ScryptParams& scrypt,
                               const Pbkdf2Params& pbkdf2) {
  if (kdf == Kdf::kScrypt) return detail::scrypt_key(password, salt, scrypt);
  return detail::pbkdf2_key(password, salt, pbkdf2);
}

Status random_bytes(uint8_t* out, size_t size) {
  if (RAND_bytes(out, static_cast<int>(size)) != 1) {
    return Error{ErrorCode::kUnavailable,
                 "OpenSSL random number generator failed"};
  }
  return Status();
}

// Lower-cases a canonical 8-4-4-4-12 UUID, or refuses it.
Result<std::string> canonical_uuid(std::string_view text) {
  bool ok = text.size() == kUuidTextSize;
  std::string out;
  for (size_t i = 0; ok && i < text.size(); ++i) {
    char c = text[i];
    bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position) {
      ok = c == '-';
    } else if (c >= 'A' && c <= 'F') {
      c = static_cast<char>(c - 'A' + 'a');
    } else {
      ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    }
    out += c;
  }
  if (!ok) {
    return invalid_argument(
        "uuid " + excerpt(text) +
        " is malformed; allowed: RFC 4122 text form "
        "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (hex digits)");
  }
  return out;
}

Result<std::string> random_uuid() {
  uint8_t bytes[16];
  Status filled = random_bytes(bytes, sizeof(bytes));
  if (!filled.ok()) return filled.error();
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);  // RFC 4122
  std::string hex = to_hex(bytes, /*prefix=*/false);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) +
         "-" + hex.substr(16, 4) + "-" + hex.substr(20);
}

// Validates `options` and fills in what is random; `salt` and `iv` receive
// the values to use.
Status prepare_options(const Options& options, Bytes& salt, Bytes& iv,
                       std::string& uuid) {
  Limits defaults;
  Status kdf = options.kdf == Kdf::kScrypt
                   ? check_scrypt_params(options.scrypt, defaults)
                   : check_pbkdf2_params(options.pbkdf2, defaults);
  if (!kdf.ok()) return kdf;
  if (!options.path.empty()) {
    auto path = parse_path(options.path);
    if (!path.ok()) return path.error();
  }
  Status description = validate_utf8(options.description, "description");
  if (!description.ok()) return description;

  if (options.uuid) {
    auto given = canonical_uuid(*options.uuid);
    if (!given.ok()) return given.error();
    uuid = std::move(given).value();
  } else {
    auto generated = random_uuid();
    if (!generated.ok()) return generated.error();
    uuid = std::move(generated).value();
  }

  if (options.salt) {
    if (options.salt->empty() || options.salt->size() > kMaxSaltSize) {
      return invalid_argument(
          "salt is " + std::to_string(options.salt->size()) +
          " bytes; allowed: 1 to " + std::to_string(kMaxSaltSize));
    }
    salt = *options.salt;
  } else {
    salt.assign(kDefaultSaltSize, 0);
    Status filled = random_bytes(salt.data(), salt.size());
    if (!filled.ok()) return filled;
  }

  if (options.iv) {
    if (options.iv->size() != kIvSize) {
      return invalid_argument("iv is " + std::to_string(options.iv->size()) +
                              " bytes; allowed: 16");
    }
    iv = *options.iv;
  } else {
    iv.assign(kIvSize, 0);
    Status filled = random_bytes(iv.data(), iv.size());
    if (!filled.ok()) return filled;
  }
  return Status();
}

OrderedJson kdf_json(const Options& options, const Bytes& salt) {
  OrderedJson params = OrderedJson::object();
  params["dklen"] = detail::kDecryptionKeySize;
  if (options.kdf == Kdf::kScrypt) {
    params["n"] = options.scrypt.n;
    params["r"] = options.scrypt.r;
    params["p"] = options.scrypt.p;
  } else {
    params["c"] = options.pbkdf2.c;
    params["prf"] = "hmac-sha256";
  }
  params["salt"] = to_hex(salt, /*prefix=*/false);

  OrderedJson kdf = OrderedJson::object();
  kdf["function"] = options.kdf == Kdf::kScrypt ? "scrypt" : "pbkdf2";
  kdf["params"] = std::move(params);
  kdf["message"] = "";
  return kdf;
}

Result<std::string> encrypt_unguarded(const SecretKey& secret_key,
                                      std::string_view password,
                                      const Options& options) {
  if (secret_key.is_zero()) {
    return invalid_argument("secret key is zero; allowed: 0 < sk < r");
  }
  auto processed = process_password(password);
  if (!processed.ok()) return processed.error();
  Bytes salt;
  Bytes iv;
  std::string uuid;
  Status prepared = prepare_options(options, salt, iv, uuid);
  if (!prepared.ok()) return prepared.error();

  auto decryption_key = derive_key(options.kdf, processed->view(), salt,
                                   options.scrypt, options.pbkdf2);
  if (!decryption_key.ok()) return decryption_key.error();

  SecretBytes secret = secret_key.to_bytes();
  Bytes cipher_message(secret.size());
  Status encrypted = aes_128_ctr(ByteView(decryption_key->data(), kAesKeySize),
                                 iv, secret.view(), cipher_message.data());
  if (!encrypted.ok()) return encrypted.error();
  auto checksum = detail::checksum(decryption_key->view(), cipher_message);
  auto pubkey = secret_key.public_key().to_bytes();

  OrderedJson crypto = OrderedJson::object();
  crypto["kdf"] = kdf_json(options, salt);
  crypto["checksum"] = {
      {"function", "sha256"},
      {"params", OrderedJson::object()},
      {"message", to_hex(ByteView(checksum.data(), checksum.size()),
                         /*prefix=*/false)}};
  crypto["cipher"] = {{"function", "aes-128-ctr"},
                      {"params", {{"iv", to_hex(iv, /*prefix=*/false)}}},
                      {"message", to_hex(cipher_message, /*prefix=*/false)}};

  OrderedJson keystore = OrderedJson::object();
  keystore["crypto"] = std::move(crypto);
  keystore["description"] = options.description;
  keystore["pubkey"] =
      to_hex(ByteView(pubkey.data(), pubkey.size()), /*prefix=*/false);
  keystore["path"] = options.path;
  keystore["uuid"] = uuid;
  keystore["version"] = kVersion;
  return keystore.dump(4);
}

Result<SecretKey> decrypt_unguarded(std::string_view keystore_json,
                                    std::string_view password,
                                    const Limits& limits) {
  auto parsed = parse_keystore(keystore_json, limits);
  if (!parsed.ok()) return parsed.error();
  auto processed = process_password(password);
  if (!processed.ok()) return processed.error();

  auto decryption_key = derive_key(parsed->kdf, processed->view(), parsed->salt,
                                   parsed->scrypt, parsed->pbkdf2);
  if (!decryption_key.ok()) return decryption_key.error();

  auto checksum =
      detail::checksum(decryption_key->view(), parsed->cipher_message);
  if (!constant_time_equal(ByteView(checksum.data(), checksum.size()),
                           parsed->checksum)) {
    return Error{ErrorCode::kPermissionDenied, kChecksumMismatch};
  }

  SecretBytes secret(parsed->cipher_message.size());
  Status decrypted =
      aes_128_ctr(ByteView(decryption_key->data(), kAesKeySize), parsed->iv,
                  parsed->cipher_message, secret.data());
  if (!decrypted.ok()) return decrypted.error();

  auto secret_key = SecretKey::from_bytes(secret.view());
  if (!secret_key.ok()) {
    // from_bytes's own message is not repeated: it describes the value.
    return invalid_argument(
        "keystore's decrypted secret is not a BLS secret key although the "
        "checksum matches; allowed: 0 < sk < r");
  }
  if (parsed->pubkey) {
    auto pubkey = secret_key->public_key().to_bytes();
    if (!std::equal(pubkey.begin(), pubkey.end(), parsed->pubkey->begin(),
                    parsed->pubkey->end())) {
      return invalid_argument(
          "keystore field pubkey does not match the public key of the "
          "decrypted secret key");
    }
  }
  return secret_key;
}

}  // namespace

namespace detail {

Result<SecretBytes> scrypt_key(ByteView password, ByteView salt,
                               const ScryptParams& params) {
  // Structural checks only; the caller applies its Limits.
  if (params.n < 2 || !is_power_of_two(params.n) ||
      params.n > (uint64_t{1} << 40) || params.r < 1 ||
      params.r > kMaxScryptRTimesP || params.p < 1 ||
      params.p > kMaxScryptRTimesP) {
    return invalid_argument("scrypt parameters out of range");
  }
  // OpenSSL needs 128 * r * (n + 2) bytes for V and 128 * r * p for B; it
  // refuses to allocate more than `max_memory`.
  unsigned __int128 needed =
      static_cast<unsigned __int128>(128) * params.r * (params.n + 2) +
      static_cast<unsigned __int128>(128) * params.r * params.p + 4096;
  uint64_t max_memory =
      needed > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(needed);

  SecretBytes key(kDecryptionKeySize);
  int ok =
      EVP_PBE_scrypt(reinterpret_cast<const char*>(non_null(password)),
                     password.size, non_null(salt), salt.size, params.n,
                     params.r, params.p, max_memory, key.data(), key.size());
  if (ok != 1) return openssl_failure("scrypt");
  return key;
}

Result<SecretBytes> pbkdf2_key(ByteView password, ByteView salt,
                               const Pbkdf2Params& params) {
  if (params.c < 1 || params.c > INT_MAX) {
    return invalid_argument("pbkdf2 iteration count out of range");
  }
  SecretBytes key(kDecryptionKeySize);
  int ok =
      PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(non_null(password)),
                        static_cast<int>(password.size), non_null(salt),
                        static_cast<int>(salt.size), static_cast<int>(params.c),
                        EVP_sha256(), static_cast<int>(key.size()), key.data());
  if (ok != 1) return openssl_failure("PBKDF2-HMAC-SHA256");
  return key;
}

std::array<uint8_t, 32> checksum(ByteView decryption_key,
                                 ByteView cipher_message) {
  // decryption_key[16:32] || cipher_message; the first half is key material.
  SecretBytes preimage(kAesKeySize + cipher_message.size);
  if (decryption_key.size >= kDecryptionKeySize) {
    std::copy(decryption_key.begin() + kAesKeySize,
              decryption_key.begin() + kDecryptionKeySize, preimage.data());
  }
  std::copy(cipher_message.begin(), cipher_message.end(),
            preimage.data() + kAesKeySize);
  std::array<uint8_t, 32> digest;
  SHA256(preimage.data(), preimage.size(), digest.data());
  return digest;
}

}  // namespace detail

Result<std::string> encrypt(const SecretKey& secret_key,
                            std::string_view password, const Options& options) {
  // Nothing below is expected to throw; this keeps a surprise (such as
  // std::bad_alloc) from crossing the library boundary.
  try {
    return encrypt_unguarded(secret_key, password, options);
  } catch (const std::exception&) {
    return Error{ErrorCode::kInternal,
                 "unexpected exception while writing a keystore"};
  }
}

Result<SecretKey> decrypt(std::string_view keystore_json,
                          std::string_view password, const Limits& limits) {
  try {
    return decrypt_unguarded(keystore_json, password, limits);
  } catch (const std::exception&) {
    return Error{ErrorCode::kInternal,
                 "unexpected exception while reading a keystore"};
  }
}

Result<std::string> file_name(std::string_view key_path, int64_t unix_time) {
  auto indices = parse_path(key_path);
  if (!indices.ok()) return indices.error();
  if (unix_time < 0) {
    return invalid_argument("unix time is " + std::to_string(unix_time) +
                            "; allowed: not negative");
  }
  std::string path(key_path);
  std::replace(path.begin(), path.end(), '/', '_');
  return "keystore-" + path + "-" + std::to_string(unix_time) + ".json";
}

}  // namespace pkm::crypto::keystore
