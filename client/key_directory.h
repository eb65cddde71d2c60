// The output directory of pkm-client: the pod's validator keys in the
// layout validator clients load, rewritten in place on every run.
//
// Format keystore (the default), for DIR = --output-dir:
//
//   DIR/validator_keys/keystore-0x<pubkey>.json  EIP-2335 keystore
//   DIR/secrets/0x<pubkey>                        its password
//   DIR/passwords/keystore-0x<pubkey>.txt         the same password again
//   DIR/pubkeys.txt                               one 0x<pubkey> per line
//   DIR/slashing_protection.json                  EIP-3076, when served
//
// <pubkey> is the 48-byte public key in lower-case hex. Password files hold
// the password alone, with no trailing newline. Who reads what:
//   - Teku loads keystores and passwords in place:
//     --validator-keys=DIR/validator_keys:DIR/passwords (a keystore's
//     password file has its name with .txt, Teku's convention).
//   - Lighthouse, Lodestar and Nimbus name password files 0x<pubkey> in
//     their secrets directories (--secrets-dir, --secretsDir); DIR/secrets
//     follows that convention, one password per keystore.
//   - Import commands read DIR/validator_keys: `lighthouse account
//     validator import --directory`, `lodestar validator import
//     --importKeystores`, `prysm validator accounts import --keys-dir`.
//     Lodestar's and Prysm's imports take one password for all keystores:
//     pass --password-file to pkm-client so every keystore uses it.
//   - Before signing, import DIR/slashing_protection.json (EIP-3076) into
//     the validator client when it exists: it carries the history that
//     earlier holders of recycled keys left (e.g. `lighthouse account
//     validator slashing-protection import`, `teku slashing-protection
//     import --from`). It is one document for every served key that has
//     history, written before any keystore, and removed when no served
//     key has any.
//
// Format unencrypted-json (the format before keystores, for old
// deployments): DIR/keys.json is {"keys":[{"validator_key":"0x<private
// key>"}, ...]} plus DIR/pubkeys.txt. The server hands out no withdrawal
// private key, so "withdrawal_key" is left out (not written as empty).
//
// Every file is written atomically (temporary file, fsync, rename, fsync of
// the directory) with mode 0600; directories pkm-client creates get mode
// 0700, and the subdirectories above are set to 0700 when they exist. An
// existing DIR keeps its mode: it may be a volume the operator mounted.
//
// Idempotent: files are named by public key, so a second run for the same
// pod rewrites the same names and duplicates nothing. A keystore already in
// place for a served key, with the requested KDF, opening with the password
// in DIR/secrets and both password files agreeing, is left as it is (one
// decryption, no new encryption); otherwise the key's password is kept when
// the keystore in place opens with it, a new one is generated when not,
// and the keystore is written again. Files of keys the server no longer
// serves to this pod, files of the other format, and temporary files a
// crash left behind are removed: a validator must never keep a key that may
// now belong to another pod.
//
// pkm-client follows no symbolic link inside DIR: a link in place of a
// subdirectory above or of a key's file is an error naming it, and nothing
// outside DIR is read, changed or removed. DIR itself may be a link.
#ifndef PKM_CLIENT_KEY_DIRECTORY_H_
#define PKM_CLIENT_KEY_DIRECTORY_H_

#include <cstddef>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "client/validator_key.h"
#include "crypto/keystore.h"

namespace pkm::client {

enum class OutputFormat { kKeystore, kUnencryptedJson };

inline constexpr char kKeystoreDirectory[] = "validator_keys";
inline constexpr char kSecretsDirectory[] = "secrets";
inline constexpr char kPasswordsDirectory[] = "passwords";
inline constexpr char kPubkeysFile[] = "pubkeys.txt";
inline constexpr char kUnencryptedKeysFile[] = "keys.json";
inline constexpr char kSlashingProtectionFile[] = "slashing_protection.json";

struct KeyDirectoryOptions {
  OutputFormat format = OutputFormat::kKeystore;
  crypto::keystore::Kdf kdf = crypto::keystore::Kdf::kScrypt;
  // One password for every keystore (--password-file). Empty: each key
  // gets its own random password (generate_password).
  SecretBytes shared_password;
  // Named in each keystore's description.
  std::string pod_name;
};

// What a write did, counted in keys.
struct WriteSummary {
  size_t written = 0;
  size_t unchanged = 0;
  size_t removed = 0;
  // Keys that came with slashing protection, and the file that holds it
  // (empty when none did and no file is left).
  size_t with_slashing_protection = 0;
  std::string slashing_protection_path;
};

// Writes and cleans one output directory. Not thread-safe; one process
// should own a directory at a time.
class KeyDirectory {
 public:
  explicit KeyDirectory(std::string path);

  // Makes the directory hold exactly `keys` in `options.format`, as the
  // file comment describes. Call only with keys take_validator_keys
  // accepted. failed_precondition for I/O failures (naming the path),
  // unavailable when the random generator fails, internal (and nothing
  // written) when the keys' slashing protection is not valid EIP-3076 or
  // names different chains. A failure can leave some keys written and
  // others not; every file is whole, and running again completes the
  // directory.
  [[nodiscard]] Result<WriteSummary> write(
      const std::vector<ValidatorKey>& keys,
      const KeyDirectoryOptions& options);

  const std::string& path() const { return path_; }
  // DIR/validator_keys/keystore-0x<pubkey>.json for "0x<pubkey>".
  std::string keystore_path(const std::string& public_key_hex) const;
  // DIR/secrets/0x<pubkey>.
  std::string secret_path(const std::string& public_key_hex) const;
  // DIR/passwords/keystore-0x<pubkey>.txt.
  std::string password_path(const std::string& public_key_hex) const;

 private:
  std::string subdirectory(const char* name) const;
  Result<size_t> remove_unlisted(const std::vector<std::string>& keep,
                                 OutputFormat format);
  // True when the key's keystore was written, false when it was in place.
  Result<bool> write_keystore(const ValidatorKey& key,
                              const KeyDirectoryOptions& options);
  Status write_unencrypted(const std::vector<ValidatorKey>& keys);
  // Writes `document` (EIP-3076 JSON) or, when it is empty, removes the
  // file.
  Status write_slashing_protection(const std::string& document);

  std::string path_;
};

}  // namespace pkm::client

#endif  // PKM_CLIENT_KEY_DIRECTORY_H_
