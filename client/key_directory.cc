#include "client/key_directory.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>
#include <string_view>
#include <system_error>

#include <nlohmann/json.hpp>

#include "client/password.h"
#include "client/private_file.h"
#include "messages/slashing_protection.h"

namespace pkm::client {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxKeystoreBytes = 64 * 1024;
constexpr size_t kPublicKeyHexSize = 2 + 2 * crypto::PublicKey::kSize;

constexpr char kKeystorePrefix[] = "keystore-";
constexpr char kKeystoreSuffix[] = ".json";
constexpr char kPasswordSuffix[] = ".txt";

bool is_public_key_hex(std::string_view text) {
  if (text.size() != kPublicKeyHexSize || text.substr(0, 2) != "0x") {
    return false;
  }
  return std::all_of(text.begin() + 2, text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

// The 0x<pubkey> inside `name` when it is prefix + 0x<pubkey> + suffix; an
// empty string for any other name (a file pkm-client did not write).
std::string public_key_in_name(std::string_view name, std::string_view prefix,
                               std::string_view suffix) {
  if (name.size() != prefix.size() + kPublicKeyHexSize + suffix.size() ||
      name.substr(0, prefix.size()) != prefix ||
      name.substr(name.size() - suffix.size()) != suffix) {
    return "";
  }
  std::string_view middle = name.substr(prefix.size(), kPublicKeyHexSize);
  return is_public_key_hex(middle) ? std::string(middle) : "";
}

const char* kdf_name(crypto::keystore::Kdf kdf) {
  return kdf == crypto::keystore::Kdf::kScrypt ? "scrypt" : "pbkdf2";
}

// Lower-case hex of `bytes` written into `out` at `offset`.
void put_hex(ByteView bytes, SecretBytes& out, size_t offset) {
  constexpr char kDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < bytes.size; ++i) {
    out[offset + 2 * i] = static_cast<uint8_t>(kDigits[bytes[i] >> 4]);
    out[offset + 2 * i + 1] = static_cast<uint8_t>(kDigits[bytes[i] & 0xf]);
  }
}

void put_text(std::string_view text, SecretBytes& out, size_t offset) {
  std::copy(text.begin(), text.end(), out.data() + offset);
}

// Whether the keystore at `path` is for `public_key_hex` and uses `kdf`.
// Reads only the public fields; the secret stays encrypted.
bool keystore_matches(const std::string& path,
                      const std::string& public_key_hex,
                      crypto::keystore::Kdf kdf) {
  auto text = read_private_file(path, kMaxKeystoreBytes);
  if (!text.ok()) return false;
  Json keystore = Json::parse(text->data(), text->data() + text->size(),
                              nullptr, /*allow_exceptions=*/false);
  if (!keystore.is_object()) return false;

  auto pubkey = keystore.find("pubkey");
  if (pubkey == keystore.end() || !pubkey->is_string() ||
      "0x" + pubkey->get<std::string>() != public_key_hex) {
    return false;
  }
  const Json* function = nullptr;
  auto crypto = keystore.find("crypto");
  if (crypto != keystore.end() && crypto->is_object()) {
    auto module = crypto->find("kdf");
    if (module != crypto->end() && module->is_object()) {
      auto found = module->find("function");
      if (found != module->end()) function = &*found;
    }
  }
  return function != nullptr && function->is_string() &&
         function->get<std::string>() == kdf_name(kdf);
}

// Whether the keystore at `path` decrypts with `password` to `key`.
bool keystore_opens(const std::string& path, const SecretBytes& password,
                    const ValidatorKey& key) {
  auto text = read_private_file(path, kMaxKeystoreBytes);
  if (!text.ok()) return false;
  std::string_view keystore(reinterpret_cast<const char*>(text->data()),
                            text->size());
  std::string_view password_text(
      reinterpret_cast<const char*>(password.data()), password.size());
  auto opened = crypto::keystore::decrypt(keystore, password_text);
  if (!opened.ok()) return false;
  SecretBytes found = opened->to_bytes();
  SecretBytes expected = key.secret_key.to_bytes();
  return constant_time_equal(found.view(), expected.view());
}

// One EIP-3076 document for every key that came with slashing protection;
// empty when none did. internal when the server sent history that is not
// valid EIP-3076 or that names different chains (a server bug).
Result<std::string> merged_slashing_protection(
    const std::vector<ValidatorKey>& keys) {
  std::vector<std::string> documents;
  std::optional<messages::Bytes32> root;
  std::string root_key;
  for (const ValidatorKey& key : keys) {
    if (!key.slashing_protection) {
      documents.emplace_back();
      continue;
    }
    std::string served =
        "slashing protection served with key " + key.public_key_hex();
    auto parsed = messages::parse_interchange(*key.slashing_protection);
    if (!parsed.ok()) {
      return Error{ErrorCode::kInternal, served + " is not valid EIP-3076: " +
                                             parsed.error().message};
    }
    const messages::Bytes32& key_root = parsed->genesis_validators_root;
    if (root && *root != key_root) {
      return Error{
          ErrorCode::kInternal,
          served + " is for genesis_validators_root " +
              to_hex(ByteView(key_root.data(), key_root.size())) +
              ", that of key " + root_key + " for " +
              to_hex(ByteView(root->data(), root->size())) +
              "; allowed: one chain for all keys of a pod"};
    }
    root = key_root;
    root_key = key.public_key_hex();
    documents.push_back(*key.slashing_protection);
  }

  auto merged =
      messages::merge_interchanges(documents, messages::JsonLayout::kIndented);
  if (!merged.ok()) {
    return Error{ErrorCode::kInternal,
                 "slashing protection served with the keys: " +
                     merged.error().message};
  }
  return merged;
}

}  // namespace

KeyDirectory::KeyDirectory(std::string path) : path_(std::move(path)) {
  while (path_.size() > 1 && path_.back() == '/') path_.pop_back();
}

std::string KeyDirectory::subdirectory(const char* name) const {
  return path_ + "/" + name;
}

std::string KeyDirectory::keystore_path(
    const std::string& public_key_hex) const {
  return subdirectory(kKeystoreDirectory) + "/" + kKeystorePrefix +
         public_key_hex + kKeystoreSuffix;
}

std::string KeyDirectory::secret_path(const std::string& public_key_hex) const {
  return subdirectory(kSecretsDirectory) + "/" + public_key_hex;
}

std::string KeyDirectory::password_path(
    const std::string& public_key_hex) const {
  return subdirectory(kPasswordsDirectory) + "/" + kKeystorePrefix +
         public_key_hex + kPasswordSuffix;
}

Result<WriteSummary> KeyDirectory::write(const std::vector<ValidatorKey>& keys,
                                         const KeyDirectoryOptions& options) {
  WriteSummary summary;

  // The history of the keys is checked before anything is written: a
  // keystore must never land without the protection that came with it.
  auto protection = merged_slashing_protection(keys);
  if (!protection.ok()) return protection.error();
  for (const ValidatorKey& key : keys) {
    if (key.slashing_protection) ++summary.with_slashing_protection;
  }

  Status made = make_private_directory(path_, /*tighten_mode=*/false);
  if (!made.ok()) return made.error();

  // Nothing is listed, removed or written through a link planted in DIR:
  // it could point at files outside DIR.
  for (const char* name :
       {kKeystoreDirectory, kSecretsDirectory, kPasswordsDirectory}) {
    Status real = refuse_symbolic_link(subdirectory(name));
    if (!real.ok()) return real.error();
  }

  std::vector<std::string> listed;
  for (const ValidatorKey& key : keys) listed.push_back(key.public_key_hex());

  // Leftovers first: a key this pod no longer holds must go even if
  // writing the current keys fails half way.
  for (const char* name :
       {kKeystoreDirectory, kSecretsDirectory, kPasswordsDirectory}) {
    auto stale = remove_stale_temporary_files(subdirectory(name));
    if (!stale.ok()) return stale.error();
  }
  auto stale = remove_stale_temporary_files(path_);
  if (!stale.ok()) return stale.error();
  auto removed = remove_unlisted(listed, options.format);
  if (!removed.ok()) return removed.error();
  summary.removed = *removed;

  // Before the keystores, so that a validator client that finds a key
  // also finds its history.
  Status protection_written = write_slashing_protection(*protection);
  if (!protection_written.ok()) return protection_written.error();
  if (!protection->empty()) {
    summary.slashing_protection_path =
        path_ + "/" + kSlashingProtectionFile;
  }

  if (options.format == OutputFormat::kKeystore) {
    for (const char* name :
         {kKeystoreDirectory, kSecretsDirectory, kPasswordsDirectory}) {
      Status sub = make_private_directory(subdirectory(name), true);
      if (!sub.ok()) return sub.error();
    }
    for (const ValidatorKey& key : keys) {
      auto written = write_keystore(key, options);
      if (!written.ok()) return written.error();
      ++(*written ? summary.written : summary.unchanged);
    }
  } else {
    Status written = write_unencrypted(keys);
    if (!written.ok()) return written.error();
    summary.written = keys.size();
  }

  std::string pubkeys;
  for (const std::string& public_key : listed) pubkeys += public_key + "\n";
  Status written = write_private_file(path_, kPubkeysFile, ByteView(pubkeys));
  if (!written.ok()) return written.error();
  return summary;
}

Result<size_t> KeyDirectory::remove_unlisted(
    const std::vector<std::string>& keep, OutputFormat format) {
  // In the unencrypted format no keystore is current, and the reverse.
  std::set<std::string> current;
  if (format == OutputFormat::kKeystore) {
    current.insert(keep.begin(), keep.end());
    Status removed = remove_private_file(path_, kUnencryptedKeysFile);
    if (!removed.ok()) return removed.error();
  }

  struct Pattern {
    const char* directory;
    std::string_view prefix;
    std::string_view suffix;
  };
  const Pattern patterns[] = {
      {kKeystoreDirectory, kKeystorePrefix, kKeystoreSuffix},
      {kSecretsDirectory, "", ""},
      {kPasswordsDirectory, kKeystorePrefix, kPasswordSuffix},
  };

  std::set<std::string> removed_keys;
  for (const Pattern& pattern : patterns) {
    std::string directory = subdirectory(pattern.directory);
    std::error_code error;
    std::vector<std::string> doomed;
    for (std::filesystem::directory_iterator it(directory, error), end;
         !error && it != end; it.increment(error)) {
      std::string name = it->path().filename().string();
      std::string public_key =
          public_key_in_name(name, pattern.prefix, pattern.suffix);
      if (public_key.empty() || current.count(public_key) > 0) continue;
      doomed.push_back(name);
      removed_keys.insert(public_key);
    }
    if (error && error != std::errc::no_such_file_or_directory) {
      return Error{ErrorCode::kFailedPrecondition,
                   "cannot list " + directory + ": " + error.message()};
    }
    for (const std::string& name : doomed) {
      Status removed = remove_private_file(directory, name);
      if (!removed.ok()) return removed.error();
    }
  }

  // Switching formats is not losing a key: count only keys not served.
  size_t count = 0;
  std::set<std::string> served(keep.begin(), keep.end());
  for (const std::string& public_key : removed_keys) {
    if (served.count(public_key) == 0) ++count;
  }
  return count;
}

Result<bool> KeyDirectory::write_keystore(const ValidatorKey& key,
                                          const KeyDirectoryOptions& options) {
  std::string public_key = key.public_key_hex();
  std::string keystore_file = keystore_path(public_key);
  for (const std::string& path :
       {keystore_file, secret_path(public_key), password_path(public_key)}) {
    Status real = refuse_symbolic_link(path);
    if (!real.ok()) return real.error();
  }
  auto secret =
      read_private_file(secret_path(public_key), kMaxPasswordFileBytes);
  bool have_secret = secret.ok() && !secret->empty();

  // A password in DIR/secrets is kept only when the keystore in place opens
  // with it to this very key; anything else there is not trusted.
  if (have_secret) {
    have_secret = keystore_matches(keystore_file, public_key, options.kdf) &&
                  keystore_opens(keystore_file, *secret, key);
  }

  if (have_secret) {
    auto copy =
        read_private_file(password_path(public_key), kMaxPasswordFileBytes);
    bool copies_agree =
        copy.ok() && constant_time_equal(copy->view(), secret->view());
    bool shared_agrees =
        options.shared_password.empty() ||
        constant_time_equal(options.shared_password.view(), secret->view());
    if (copies_agree && shared_agrees) return false;
  }

  // Keep the password the key already has, so that the keystore on disk
  // and DIR/secrets agree at every moment, even if this run dies here.
  SecretBytes password;
  if (!options.shared_password.empty()) {
    password = options.shared_password;
  } else if (have_secret) {
    password = std::move(*secret);
  } else {
    auto generated = generate_password();
    if (!generated.ok()) return generated.error();
    password = std::move(*generated);
  }
  std::string_view password_text(reinterpret_cast<const char*>(password.data()),
                                 password.size());

  crypto::keystore::Options keystore_options;
  keystore_options.kdf = options.kdf;
  keystore_options.description =
      "pkm validator key for pod " + options.pod_name;
  auto keystore = crypto::keystore::encrypt(key.secret_key, password_text,
                                            keystore_options);
  if (!keystore.ok()) return keystore.error();

  // Passwords before the keystore: a keystore never waits for its password.
  Status status = write_private_file(subdirectory(kSecretsDirectory),
                                     public_key, password.view());
  if (status.ok()) {
    status = write_private_file(
        subdirectory(kPasswordsDirectory),
        std::string(kKeystorePrefix) + public_key + kPasswordSuffix,
        password.view());
  }
  if (status.ok()) {
    status = write_private_file(
        subdirectory(kKeystoreDirectory),
        std::string(kKeystorePrefix) + public_key + kKeystoreSuffix,
        ByteView(*keystore));
  }
  if (!status.ok()) return status.error();
  return true;
}

Status KeyDirectory::write_unencrypted(const std::vector<ValidatorKey>& keys) {
  // Built in one wiped buffer of the exact size, so no copy of the key
  // text outlives the write.
  constexpr std::string_view kHead = "{\"keys\":[";
  constexpr std::string_view kKeyHead = "{\"validator_key\":\"0x";
  constexpr std::string_view kKeyTail = "\"}";
  constexpr std::string_view kTail = "]}\n";
  constexpr size_t kSecretHexSize = 2 * crypto::SecretKey::kSize;

  size_t per_key = kKeyHead.size() + kSecretHexSize + kKeyTail.size();
  size_t size = kHead.size() + kTail.size() + keys.size() * per_key +
                (keys.empty() ? 0 : keys.size() - 1);
  SecretBytes text(size);

  size_t offset = 0;
  put_text(kHead, text, offset);
  offset += kHead.size();
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) put_text(",", text, offset++);
    put_text(kKeyHead, text, offset);
    offset += kKeyHead.size();
    SecretBytes secret = keys[i].secret_key.to_bytes();
    put_hex(secret.view(), text, offset);
    offset += kSecretHexSize;
    put_text(kKeyTail, text, offset);
    offset += kKeyTail.size();
  }
  put_text(kTail, text, offset);

  return write_private_file(path_, kUnencryptedKeysFile, text.view());
}

Status KeyDirectory::write_slashing_protection(const std::string& document) {
  if (document.empty()) {
    return remove_private_file(path_, kSlashingProtectionFile);
  }
  return write_private_file(path_, kSlashingProtectionFile,
                            ByteView(document));
}

}  // namespace pkm::client
