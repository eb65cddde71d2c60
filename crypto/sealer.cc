#include "crypto/sealer.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>

namespace pkm::crypto {
namespace {

// HKDF labels. Changing either makes every sealed secret unreadable.
constexpr std::string_view kHkdfSalt = "pkm master key";
constexpr std::string_view kSealingKeyLabel = "pkm sealing key aes-256-gcm v1";
constexpr std::string_view kKeyCheckLabel = "pkm master key check v1";

// An existing key file larger than this is refused without reading it.
constexpr off_t kMaxKeyFileSize = 256;

struct CipherContextDeleter {
  void operator()(EVP_CIPHER_CTX* context) const {
    EVP_CIPHER_CTX_free(context);
  }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextDeleter>;

Error internal_error(std::string message) {
  return Error{ErrorCode::kInternal, std::move(message)};
}

std::string errno_text(int error_number) { return std::strerror(error_number); }

// HKDF-SHA256(salt = kHkdfSalt, ikm = master_key, info = label) into `out`.
Status derive(const SecretBytes& master_key, std::string_view label,
              uint8_t* out, size_t out_size) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  if (kdf == nullptr) return internal_error("OpenSSL has no HKDF");
  EVP_KDF_CTX* context = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  if (context == nullptr) return internal_error("HKDF context allocation");

  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                        const_cast<uint8_t*>(master_key.data()),
                                        master_key.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                        const_cast<char*>(kHkdfSalt.data()),
                                        kHkdfSalt.size()),
      OSSL_PARAM_construct_octet_string(
          OSSL_KDF_PARAM_INFO, const_cast<char*>(label.data()), label.size()),
      OSSL_PARAM_construct_end(),
  };
  int ok = EVP_KDF_derive(context, out, out_size, params);
  EVP_KDF_CTX_free(context);
  if (ok != 1) return internal_error("HKDF-SHA256 derivation failed");
  return Status();
}

int hex_value(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes the key file content (raw or hex) without leaving copies of the
// key in buffers that are not wiped.
Result<SecretBytes> parse_master_key(const SecretBytes& content,
                                     const std::string& path) {
  if (content.size() == kMasterKeySize) return content;
  if (content.empty()) {
    return Error{ErrorCode::kDataLoss,
                 "master key file " + path +
                     " is empty; expected 32 raw bytes or 64 hex digits"};
  }

  size_t begin = 0;
  size_t end = content.size();
  if (content[end - 1] == '\n') --end;
  if (end > begin && content[end - 1] == '\r') --end;
  if (end - begin >= 2 && content[0] == '0' &&
      (content[1] == 'x' || content[1] == 'X')) {
    begin += 2;
  }
  if (end - begin != 2 * kMasterKeySize) {
    return Error{ErrorCode::kDataLoss,
                 "master key file " + path + " is " +
                     std::to_string(content.size()) +
                     " bytes; expected 32 raw bytes or 64 hex digits "
                     "(optionally 0x-prefixed, one trailing newline)"};
  }

  SecretBytes key(kMasterKeySize);
  for (size_t i = 0; i < kMasterKeySize; ++i) {
    int high = hex_value(content[begin + 2 * i]);
    int low = hex_value(content[begin + 2 * i + 1]);
    if (high < 0 || low < 0) {
      return Error{ErrorCode::kDataLoss,
                   "master key file " + path +
                       " has 64 characters that are not all hex digits; "
                       "expected 32 raw bytes or 64 hex digits"};
    }
    key[i] = static_cast<uint8_t>(high << 4 | low);
  }
  return key;
}

// Reads and checks an existing key file. not_found (errno ENOENT) lets the
// caller create one.
Result<SecretBytes> load_master_key(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    int error = errno;
    ErrorCode code = error == ENOENT   ? ErrorCode::kNotFound
                     : error == EACCES ? ErrorCode::kFailedPrecondition
                                       : ErrorCode::kUnavailable;
    return Error{
        code, "cannot open master key file " + path + ": " + errno_text(error)};
  }
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};

  struct stat info;
  if (::fstat(fd, &info) != 0) {
    return Error{ErrorCode::kUnavailable, "cannot stat master key file " +
                                              path + ": " + errno_text(errno)};
  }
  if (!S_ISREG(info.st_mode)) {
    return Error{ErrorCode::kFailedPrecondition,
                 "master key file " + path + " is not a regular file"};
  }
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o",
                  static_cast<unsigned>(info.st_mode & 07777));
    return Error{ErrorCode::kFailedPrecondition,
                 "master key file " + path + " has mode " + mode +
                     ", open to group or others; allowed: 0600 or 0400 "
                     "(chmod 600 " +
                     path + ")"};
  }
  if (info.st_size > kMaxKeyFileSize) {
    return Error{ErrorCode::kDataLoss,
                 "master key file " + path + " is " +
                     std::to_string(info.st_size) +
                     " bytes; expected 32 raw bytes or 64 hex digits"};
  }

  // One byte more than the limit, to notice a file that grew meanwhile.
  SecretBytes content(static_cast<size_t>(kMaxKeyFileSize) + 1);
  size_t filled = 0;
  while (filled < content.size()) {
    ssize_t n = ::read(fd, content.data() + filled, content.size() - filled);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return Error{
          ErrorCode::kUnavailable,
          "cannot read master key file " + path + ": " + errno_text(errno)};
    }
    if (n == 0) break;
    filled += static_cast<size_t>(n);
  }
  content.resize(filled);
  return parse_master_key(content, path);
}

Status write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error{ErrorCode::kUnavailable, errno_text(errno)};
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Status();
}

Status sync_directory(const std::string& directory) {
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return Error{ErrorCode::kUnavailable,
                 "cannot open directory " + directory +
                     " to sync it: " + errno_text(errno)};
  }
  int result = ::fsync(fd);
  int error = errno;
  ::close(fd);
  if (result != 0) {
    return Error{ErrorCode::kUnavailable, "cannot sync directory " + directory +
                                              ": " + errno_text(error)};
  }
  return Status();
}

std::string parent_directory(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Writes a fresh key to a temporary file and links it to `path`. Returns
// false when `path` appeared in the meantime (its key is kept, and the
// caller loads it), true when this call created it.
Result<bool> create_master_key_file(const std::string& path) {
  std::string directory = parent_directory(path);
  struct stat directory_info;
  if (::stat(directory.c_str(), &directory_info) != 0 ||
      !S_ISDIR(directory_info.st_mode)) {
    return Error{ErrorCode::kNotFound, "cannot create master key file " + path +
                                           ": directory " + directory +
                                           " does not exist"};
  }

  SecretBytes key(kMasterKeySize);
  uint8_t suffix[6];
  if (RAND_priv_bytes(key.data(), static_cast<int>(key.size())) != 1 ||
      RAND_bytes(suffix, sizeof suffix) != 1) {
    return Error{
        ErrorCode::kUnavailable,
        "random generator failed while creating master key file " + path};
  }
  static const char kDigits[] = "0123456789abcdef";
  SecretBytes text_bytes(2 * kMasterKeySize + 1);
  for (size_t i = 0; i < kMasterKeySize; ++i) {
    text_bytes[2 * i] = static_cast<uint8_t>(kDigits[key[i] >> 4]);
    text_bytes[2 * i + 1] = static_cast<uint8_t>(kDigits[key[i] & 0x0f]);
  }
  text_bytes[2 * kMasterKeySize] = '\n';

  std::string temporary = path + ".tmp-" + to_hex(ByteView(suffix), false);
  int fd = ::open(temporary.c_str(),
                  O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return Error{ErrorCode::kUnavailable, "cannot create master key file " +
                                              temporary + ": " +
                                              errno_text(errno)};
  }

  // The umask can only remove bits, but make the mode explicit anyway.
  Status written =
      ::fchmod(fd, 0600) == 0
          ? write_all(fd, reinterpret_cast<const char*>(text_bytes.data()),
                      text_bytes.size())
          : Status(Error{ErrorCode::kUnavailable, errno_text(errno)});
  if (written.ok() && ::fsync(fd) != 0) {
    written = Error{ErrorCode::kUnavailable, errno_text(errno)};
  }
  ::close(fd);
  if (!written.ok()) {
    ::unlink(temporary.c_str());
    return Error{ErrorCode::kUnavailable, "cannot write master key file " +
                                              temporary + ": " +
                                              written.error().message};
  }

  // link() fails when `path` exists, so a key made by someone else at the
  // same moment is never overwritten.
  bool linked = ::link(temporary.c_str(), path.c_str()) == 0;
  int link_error = errno;
  ::unlink(temporary.c_str());
  if (!linked && link_error != EEXIST) {
    return Error{ErrorCode::kUnavailable, "cannot create master key file " +
                                              path + ": " +
                                              errno_text(link_error)};
  }

  Status synced = sync_directory(directory);
  if (!synced.ok()) return synced.error();
  return linked;
}

}  // namespace

Result<Sealer> Sealer::create(const SecretBytes& master_key) {
  if (master_key.size() != kMasterKeySize) {
    return invalid_argument(
        "master key is " + std::to_string(master_key.size()) +
        " bytes; expected " + std::to_string(kMasterKeySize));
  }

  Sealer sealer;
  sealer.sealing_key_ = SecretBytes(32);
  Status status =
      derive(master_key, kSealingKeyLabel, sealer.sealing_key_.data(),
             sealer.sealing_key_.size());
  if (!status.ok()) return status.error();
  sealer.key_check_value_.resize(kKeyCheckValueSize);
  status = derive(master_key, kKeyCheckLabel, sealer.key_check_value_.data(),
                  sealer.key_check_value_.size());
  if (!status.ok()) return status.error();
  return sealer;
}

Result<Bytes> Sealer::seal(ByteView plaintext, ByteView associated_data) const {
  if (plaintext.size > static_cast<size_t>(INT32_MAX) - kSealOverhead ||
      associated_data.size > static_cast<size_t>(INT32_MAX)) {
    return invalid_argument("value to seal is larger than 2 GiB");
  }

  Bytes sealed(kSealOverhead + plaintext.size);
  sealed[0] = kSealFormatVersion;
  uint8_t* nonce = sealed.data() + 1;
  uint8_t* ciphertext = nonce + kSealNonceSize;
  uint8_t* tag = ciphertext + plaintext.size;
  if (RAND_bytes(nonce, kSealNonceSize) != 1) {
    return Error{ErrorCode::kUnavailable,
                 "random generator failed while sealing"};
  }

  CipherContext context(EVP_CIPHER_CTX_new());
  int length = 0;
  bool ok =
      context != nullptr &&
      EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, nullptr,
                         nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, kSealNonceSize,
                          nullptr) == 1 &&
      EVP_EncryptInit_ex(context.get(), nullptr, nullptr, sealing_key_.data(),
                         nonce) == 1 &&
      EVP_EncryptUpdate(context.get(), nullptr, &length, sealed.data(), 1) ==
          1 &&
      (associated_data.empty() ||
       EVP_EncryptUpdate(context.get(), nullptr, &length, associated_data.data,
                         static_cast<int>(associated_data.size)) == 1) &&
      (plaintext.empty() ||
       EVP_EncryptUpdate(context.get(), ciphertext, &length, plaintext.data,
                         static_cast<int>(plaintext.size)) == 1) &&
      EVP_EncryptFinal_ex(context.get(), ciphertext + plaintext.size,
                          &length) == 1 &&
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, kSealTagSize,
                          tag) == 1;
  if (!ok) return internal_error("AES-256-GCM encryption failed");
  return sealed;
}

Result<SecretBytes> Sealer::open(ByteView sealed,
                                 ByteView associated_data) const {
  if (sealed.size < kSealOverhead) {
    return Error{ErrorCode::kDataLoss,
                 "sealed value is " + std::to_string(sealed.size) +
                     " bytes; at least " + std::to_string(kSealOverhead) +
                     " expected"};
  }
  if (sealed[0] != kSealFormatVersion) {
    return Error{ErrorCode::kDataLoss, "sealed value has format version " +
                                           std::to_string(sealed[0]) +
                                           "; this build reads " +
                                           std::to_string(kSealFormatVersion)};
  }
  if (sealed.size > static_cast<size_t>(INT32_MAX) ||
      associated_data.size > static_cast<size_t>(INT32_MAX)) {
    return invalid_argument("sealed value is larger than 2 GiB");
  }

  const uint8_t* nonce = sealed.data + 1;
  const uint8_t* ciphertext = nonce + kSealNonceSize;
  size_t ciphertext_size = sealed.size - kSealOverhead;
  const uint8_t* tag = ciphertext + ciphertext_size;
  SecretBytes plaintext(ciphertext_size);

  CipherContext context(EVP_CIPHER_CTX_new());
  int length = 0;
  bool ready =
      context != nullptr &&
      EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, nullptr,
                         nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, kSealNonceSize,
                          nullptr) == 1 &&
      EVP_DecryptInit_ex(context.get(), nullptr, nullptr, sealing_key_.data(),
                         nonce) == 1 &&
      EVP_DecryptUpdate(context.get(), nullptr, &length, sealed.data, 1) == 1 &&
      (associated_data.empty() ||
       EVP_DecryptUpdate(context.get(), nullptr, &length, associated_data.data,
                         static_cast<int>(associated_data.size)) == 1) &&
      (ciphertext_size == 0 ||
       EVP_DecryptUpdate(context.get(), plaintext.data(), &length, ciphertext,
                         static_cast<int>(ciphertext_size)) == 1) &&
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, kSealTagSize,
                          const_cast<uint8_t*>(tag)) == 1;
  if (!ready) return internal_error("AES-256-GCM decryption failed");

  // The plaintext buffer is wiped by its destructor when the tag fails.
  if (EVP_DecryptFinal_ex(context.get(), plaintext.data() + ciphertext_size,
                          &length) != 1) {
    return Error{ErrorCode::kPermissionDenied,
                 "sealed value failed authentication: wrong master key, "
                 "wrong associated data, or the stored bytes were altered"};
  }
  return plaintext;
}

Result<SecretBytes> load_or_create_master_key(const std::string& path) {
  if (path.empty()) return invalid_argument("master key file path is empty");

  // Two rounds at most: a lost creation race loads the winner's file.
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto loaded = load_master_key(path);
    if (loaded.ok() || loaded.error().code != ErrorCode::kNotFound) {
      return loaded;
    }
    auto created = create_master_key_file(path);
    if (!created.ok()) return created.error();
  }
  return load_master_key(path);
}

}  // namespace pkm::crypto
