#include "chain/deposit_data_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace pkm::chain {
namespace {

// The fields of one entry, in the order the CLI writes them.
constexpr const char* kFieldNames[] = {
    "pubkey",       "withdrawal_credentials", "amount",
    "signature",    "deposit_message_root",   "deposit_data_root",
    "fork_version", "network_name",           "deposit_cli_version",
};

template <size_t N>
std::string plain_hex(const std::array<uint8_t, N>& bytes) {
  return to_hex(ByteView(bytes.data(), bytes.size()), /*prefix=*/false);
}

std::string entry_prefix(size_t index) {
  return "deposit data entry " + std::to_string(index) + ": ";
}

// Labels are written into JSON strings unescaped, so only characters that
// need no escaping (and make sense in a name or version) are allowed.
Status check_label(std::string_view field, const std::string& value) {
  bool allowed_characters = std::all_of(value.begin(), value.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
  });
  if (value.empty() || value.size() > kMaxDepositFileLabel ||
      !allowed_characters) {
    return invalid_argument(
        std::string(field) + " is empty, longer than " +
        std::to_string(kMaxDepositFileLabel) +
        " characters or has other characters than allowed; allowed: 1 to " +
        std::to_string(kMaxDepositFileLabel) +
        " ASCII letters, digits, '.', '-' and '_'");
  }
  return Status();
}

Status check_entry(const DepositDataEntry& entry) {
  Status status = check_label("network_name", entry.network_name);
  if (status.ok()) {
    status = check_label("deposit_cli_version", entry.deposit_cli_version);
  }
  if (status.ok()) {
    status = verify_deposit(entry.deposit, entry.fork_version);
  }
  return status;
}

void append_string_field(std::string& text, const char* name,
                         const std::string& value) {
  text += '"';
  text += name;
  text += "\": \"";
  text += value;
  text += '"';
}

void append_entry(std::string& text, const DepositDataEntry& entry) {
  const DepositData& deposit = entry.deposit;
  text += '{';
  append_string_field(text, "pubkey", plain_hex(deposit.pubkey));
  text += ", ";
  append_string_field(text, "withdrawal_credentials",
                      plain_hex(deposit.withdrawal_credentials));
  text += ", \"amount\": ";
  text += std::to_string(deposit.amount_gwei);
  text += ", ";
  append_string_field(text, "signature", plain_hex(deposit.signature));
  text += ", ";
  append_string_field(text, "deposit_message_root",
                      plain_hex(deposit_message_root(deposit)));
  text += ", ";
  append_string_field(text, "deposit_data_root",
                      plain_hex(deposit_data_root(deposit)));
  text += ", ";
  append_string_field(text, "fork_version", plain_hex(entry.fork_version));
  text += ", ";
  append_string_field(text, "network_name", entry.network_name);
  text += ", ";
  append_string_field(text, "deposit_cli_version", entry.deposit_cli_version);
  text += '}';
}

// Reads a string field of `object` as exactly N bytes of hex.
template <size_t N>
Status read_hex_field(const nlohmann::json& object, const char* name,
                      std::array<uint8_t, N>* out) {
  const nlohmann::json& value = object.at(name);
  if (!value.is_string()) {
    return invalid_argument(std::string(name) +
                            " is not a JSON string; allowed: " +
                            std::to_string(2 * N) + " hex digits");
  }
  auto bytes = from_hex_exact(value.get_ref<const std::string&>(), N, name);
  if (!bytes.ok()) {
    return bytes.error();
  }
  std::copy(bytes->begin(), bytes->end(), out->begin());
  return Status();
}

Status read_label_field(const nlohmann::json& object, const char* name,
                        std::string* out) {
  const nlohmann::json& value = object.at(name);
  if (!value.is_string()) {
    return invalid_argument(std::string(name) + " is not a JSON string");
  }
  *out = value.get<std::string>();
  return check_label(name, *out);
}

Status read_amount_field(const nlohmann::json& object, uint64_t* out) {
  const nlohmann::json& value = object.at("amount");
  if (!value.is_number_unsigned()) {
    return invalid_argument(
        "amount is not a JSON integer from 0 to 18446744073709551615; "
        "allowed: the amount in gwei, e.g. 32000000000");
  }
  *out = value.get<uint64_t>();
  return Status();
}

// Parses one object of the array without checking signatures or roots.
Status read_entry(const nlohmann::json& object, DepositDataEntry* entry,
                  Root* message_root, Root* data_root) {
  if (!object.is_object()) {
    return invalid_argument("is not a JSON object");
  }
  for (const char* name : kFieldNames) {
    if (!object.contains(name)) {
      return invalid_argument(std::string("field ") + name + " is missing");
    }
  }
  for (const auto& item : object.items()) {
    const std::string& key = item.key();
    bool known = std::any_of(std::begin(kFieldNames), std::end(kFieldNames),
                             [&key](const char* name) { return key == name; });
    if (!known) {
      return invalid_argument(
          "unknown field \"" + key.substr(0, kMaxDepositFileLabel) +
          "\"; allowed: only the nine fields the deposit CLI writes");
    }
  }

  DepositData& deposit = entry->deposit;
  Status status = read_hex_field(object, "pubkey", &deposit.pubkey);
  if (status.ok()) {
    status = read_hex_field(object, "withdrawal_credentials",
                            &deposit.withdrawal_credentials);
  }
  if (status.ok()) {
    status = read_amount_field(object, &deposit.amount_gwei);
  }
  if (status.ok()) {
    status = read_hex_field(object, "signature", &deposit.signature);
  }
  if (status.ok()) {
    status = read_hex_field(object, "deposit_message_root", message_root);
  }
  if (status.ok()) {
    status = read_hex_field(object, "deposit_data_root", data_root);
  }
  if (status.ok()) {
    status = read_hex_field(object, "fork_version", &entry->fork_version);
  }
  if (status.ok()) {
    status = read_label_field(object, "network_name", &entry->network_name);
  }
  if (status.ok()) {
    status = read_label_field(object, "deposit_cli_version",
                              &entry->deposit_cli_version);
  }
  return status;
}

Status check_roots(const DepositDataEntry& entry, const Root& message_root,
                   const Root& data_root) {
  Root computed_message_root = deposit_message_root(entry.deposit);
  if (computed_message_root != message_root) {
    return invalid_argument(
        "deposit_message_root " + plain_hex(message_root) + " differs from " +
        plain_hex(computed_message_root) +
        " computed from pubkey, withdrawal_credentials and amount");
  }
  Root computed_data_root = deposit_data_root(entry.deposit);
  if (computed_data_root != data_root) {
    return invalid_argument(
        "deposit_data_root " + plain_hex(data_root) + " differs from " +
        plain_hex(computed_data_root) +
        " computed from pubkey, withdrawal_credentials, amount and "
        "signature");
  }
  return Status();
}

std::string join_path(const std::string& directory, const std::string& name) {
  if (directory.empty()) {
    return name;
  }
  if (directory.back() == '/') {
    return directory + name;
  }
  return directory + "/" + name;
}

// Writes all of `text` to `fd`, retrying short writes.
bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) {
      continue;
    }
    if (written <= 0) {
      return false;
    }
    text.remove_prefix(static_cast<size_t>(written));
  }
  return true;
}

}  // namespace

Result<std::string> format_deposit_data_file(
    const std::vector<DepositDataEntry>& entries) {
  if (entries.empty()) {
    return invalid_argument(
        "no deposits to write; allowed: at least one deposit data entry");
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    Status status = check_entry(entries[i]);
    if (!status.ok()) {
      return invalid_argument(entry_prefix(i) + status.error().message);
    }
  }

  std::string text = "[";
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) {
      text += ", ";
    }
    append_entry(text, entries[i]);
  }
  text += ']';
  return text;
}

Result<std::vector<DepositDataEntry>> parse_deposit_data_file(
    std::string_view text) {
  // nlohmann stops reading at a NUL byte, so text after one would be
  // silently ignored; such a file is refused rather than half read.
  size_t nul = text.find('\0');
  if (nul != std::string_view::npos) {
    return invalid_argument("deposit data file has a NUL byte at byte " +
                            std::to_string(nul) +
                            "; allowed: JSON text without NUL bytes");
  }

  // nlohmann keeps the last of duplicate keys silently; a file whose meaning
  // depends on which parser reads it is refused instead.
  std::vector<std::set<std::string>> open_objects;
  std::optional<std::string> duplicate;
  nlohmann::json::parser_callback_t track_keys =
      [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        using Event = nlohmann::json::parse_event_t;
        if (event == Event::object_start) {
          open_objects.emplace_back();
        } else if (event == Event::object_end) {
          if (!open_objects.empty()) open_objects.pop_back();
        } else if (event == Event::key && !open_objects.empty()) {
          const auto& key = parsed.get_ref<const std::string&>();
          if (!open_objects.back().insert(key).second && !duplicate) {
            duplicate = key.substr(0, 64);  // enough to name a field
          }
        }
        return true;
      };

  // nlohmann reports errors by exception; they stay inside this function.
  // Only the byte position is reported, not the text around it.
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text.begin(), text.end(), track_keys);
  } catch (const nlohmann::json::parse_error& error) {
    return invalid_argument(
        "deposit data file is not valid JSON (error at byte " +
        std::to_string(error.byte) + ")");
  } catch (const nlohmann::json::out_of_range&) {
    return invalid_argument(
        "deposit data file has a number too large to represent; allowed: "
        "numbers that fit a 64-bit integer or a finite double");
  } catch (const nlohmann::json::exception&) {
    return invalid_argument("deposit data file is not valid JSON");
  }
  if (duplicate) {
    return invalid_argument("deposit data file has field \"" + *duplicate +
                            "\" more than once in one object; allowed: "
                            "each field once");
  }
  if (!document.is_array()) {
    return invalid_argument(
        "deposit data file is not a JSON array; allowed: an array of deposit "
        "objects as the deposit CLI writes it");
  }
  if (document.empty()) {
    return invalid_argument(
        "deposit data file holds no deposits; allowed: at least one entry");
  }

  std::vector<DepositDataEntry> entries(document.size());
  for (size_t i = 0; i < document.size(); ++i) {
    Root message_root{};
    Root data_root{};
    Status status =
        read_entry(document[i], &entries[i], &message_root, &data_root);
    if (status.ok()) {
      status = check_roots(entries[i], message_root, data_root);
    }
    if (status.ok()) {
      status = verify_deposit(entries[i].deposit, entries[i].fork_version);
    }
    if (!status.ok()) {
      return invalid_argument(entry_prefix(i) + status.error().message);
    }
  }
  return entries;
}

std::string deposit_data_file_name(int64_t unix_seconds) {
  return "deposit_data-" + std::to_string(unix_seconds) + ".json";
}

Result<std::string> write_deposit_data_file(
    const std::string& directory, const std::vector<DepositDataEntry>& entries,
    int64_t unix_seconds) {
  auto text = format_deposit_data_file(entries);
  if (!text.ok()) {
    return text.error();
  }

  std::string path = join_path(directory, deposit_data_file_name(unix_seconds));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                  S_IRUSR | S_IRGRP);
  if (fd < 0) {
    int error = errno;
    if (error == EEXIST) {
      return Error{ErrorCode::kFailedPrecondition,
                   path +
                       " already exists; deposit data files are never "
                       "replaced, choose another time or directory"};
    }
    return Error{ErrorCode::kUnavailable,
                 "cannot create " + path + ": " + std::strerror(error)};
  }

  bool written = write_all(fd, *text) && ::fsync(fd) == 0;
  int write_error = written ? 0 : errno;
  if (::close(fd) != 0 && written) {
    written = false;
    write_error = errno;
  }
  if (!written) {
    ::unlink(path.c_str());
    return Error{ErrorCode::kUnavailable, "cannot write " + path + ": " +
                                              std::strerror(write_error) +
                                              "; the partial file was removed"};
  }
  return path;
}

Result<std::vector<DepositDataEntry>> read_deposit_data_file(
    const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int error = errno;
    ErrorCode code =
        error == ENOENT ? ErrorCode::kNotFound : ErrorCode::kUnavailable;
    return Error{code, "cannot open deposit data file " + path + ": " +
                           std::strerror(error)};
  }

  std::string text;
  char buffer[65536];
  bool too_large = false;
  ssize_t count = 0;
  while ((count = ::read(fd, buffer, sizeof(buffer))) != 0) {
    if (count < 0 && errno == EINTR) {
      continue;
    }
    if (count < 0) {
      break;
    }
    if (text.size() + static_cast<size_t>(count) > kMaxDepositDataFileSize) {
      too_large = true;
      break;
    }
    text.append(buffer, static_cast<size_t>(count));
  }
  int read_error = errno;
  ::close(fd);
  if (too_large) {
    return invalid_argument("deposit data file " + path + " is larger than " +
                            std::to_string(kMaxDepositDataFileSize) +
                            " bytes; allowed: files the deposit CLI writes");
  }
  if (count < 0) {
    return Error{ErrorCode::kUnavailable, "cannot read deposit data file " +
                                              path + ": " +
                                              std::strerror(read_error)};
  }

  auto entries = parse_deposit_data_file(text);
  if (!entries.ok()) {
    return Error{entries.error().code, path + ": " + entries.error().message};
  }
  return entries;
}

}  // namespace pkm::chain
