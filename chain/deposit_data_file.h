// deposit_data-<unix time>.json files as staking-deposit-cli (and
// ethstaker-deposit-cli) write them, for the staking launchpad and other
// tools that take that format: a JSON array with one object per deposit,
// whose nine fields appear in this order:
//   pubkey, withdrawal_credentials, amount (gwei, a JSON integer),
//   signature, deposit_message_root, deposit_data_root, fork_version,
//   network_name, deposit_cli_version
// Byte strings are lower-case hex without "0x". The text is what Python's
// json.dump writes with its default separators: ", " between items, ": "
// after keys, no indentation and no trailing newline.
#ifndef PKM_CHAIN_DEPOSIT_DATA_FILE_H_
#define PKM_CHAIN_DEPOSIT_DATA_FILE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "chain/deposit.h"

namespace pkm::chain {

// One object of a deposit data file. The two roots are not stored: they are
// computed from `deposit` when writing and checked against it when reading.
struct DepositDataEntry {
  DepositData deposit;
  ForkVersion fork_version{};       // genesis fork version of the network
  std::string network_name;         // e.g. "mainnet", "hoodi"
  std::string deposit_cli_version;  // e.g. "2.7.0"
};

// Longest network_name or deposit_cli_version accepted.
inline constexpr size_t kMaxDepositFileLabel = 64;
// Largest file read_deposit_data_file() reads (about 45,000 deposits).
inline constexpr size_t kMaxDepositDataFileSize = size_t{32} << 20;

// The file's text for `entries`, in their order. Checks every entry first
// and refuses with invalid_argument, naming the entry's index: an empty
// list, a network_name or deposit_cli_version that is empty, longer than
// kMaxDepositFileLabel or not made of ASCII letters, digits, '.', '-' and
// '_', and any deposit verify_deposit() refuses under the entry's
// fork_version.
[[nodiscard]] Result<std::string> format_deposit_data_file(
    const std::vector<DepositDataEntry>& entries);

// Reads a deposit data file's text and checks every entry: the nine fields
// present with the right JSON types and no others; hex (with or without
// "0x") of the right length; amount a non-negative integer below 2^64;
// labels as format_deposit_data_file() allows; both roots equal to the ones
// recomputed from pubkey, withdrawal_credentials, amount and signature; and
// verify_deposit() passing under the entry's own fork_version. Refuses an
// empty array. Errors are invalid_argument naming the entry and field.
[[nodiscard]] Result<std::vector<DepositDataEntry>> parse_deposit_data_file(
    std::string_view text);

// "deposit_data-<unix_seconds>.json".
std::string deposit_data_file_name(int64_t unix_seconds);

// Writes format_deposit_data_file(entries) to
// `directory`/deposit_data_file_name(unix_seconds) with mode 0440 (read for
// owner and group, as the CLI leaves it) and returns the path. Never
// replaces a file: failed_precondition if the name exists. Refuses what
// format_deposit_data_file() refuses, before creating anything;
// unavailable when creating or writing fails, in which case no partial file
// is left behind.
[[nodiscard]] Result<std::string> write_deposit_data_file(
    const std::string& directory, const std::vector<DepositDataEntry>& entries,
    int64_t unix_seconds);

// Reads and checks the file at `path` with parse_deposit_data_file().
// not_found when it does not exist, unavailable when it cannot be read,
// invalid_argument when it is larger than kMaxDepositDataFileSize or
// parsing refuses it.
[[nodiscard]] Result<std::vector<DepositDataEntry>> read_deposit_data_file(
    const std::string& path);

}  // namespace pkm::chain

#endif  // PKM_CHAIN_DEPOSIT_DATA_FILE_H_
