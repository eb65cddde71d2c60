// Files that hold secrets (keystores, passwords, unencrypted keys): written
// atomically and durably, readable by the owner only.
#ifndef PKM_CLIENT_PRIVATE_FILE_H_
#define PKM_CLIENT_PRIVATE_FILE_H_

#include <sys/types.h>

#include <cstddef>
#include <string>

#include "base/bytes.h"
#include "base/result.h"

namespace pkm::client {

inline constexpr mode_t kPrivateFileMode = 0600;
inline constexpr mode_t kPrivateDirectoryMode = 0700;

// Temporary files start with this; a crash can leave one behind, so
// remove_stale_temporary_files deletes them on the next run.
inline constexpr char kTemporaryFilePrefix[] = ".pkm-tmp-";

// failed_precondition naming `path` when it is a symbolic link; fine when it
// is anything else or absent. Checks the last component only.
[[nodiscard]] Status refuse_symbolic_link(const std::string& path);

// Creates `path` and any missing parents with mode 0700. An existing
// directory keeps its owner; its mode is set to 0700 when `tighten_mode`,
// and left alone otherwise (an operator's mount point); with `tighten_mode`
// a symbolic link at `path` is refused, never followed. failed_precondition
// naming the path and the system error when `path` is not a directory or
// cannot be created or changed.
[[nodiscard]] Status make_private_directory(const std::string& path,
                                            bool tighten_mode);

// Replaces `directory`/`name` with `content` so that a reader sees the old
// file or the new one, never a mix, and the new one survives a crash once
// this returns: writes a temporary file in the same directory with mode
// 0600, fsyncs it, renames it over the target and fsyncs the directory. The
// temporary file is removed on failure. failed_precondition naming the
// path and the system error on any I/O failure.
[[nodiscard]] Status write_private_file(const std::string& directory,
                                        const std::string& name,
                                        ByteView content);

// Reads a whole file of at most `max_size` bytes into wiped-on-free memory.
// not_found when it does not exist; failed_precondition when it is a
// symbolic link (never followed), larger than `max_size`, not a regular
// file, or unreadable.
[[nodiscard]] Result<SecretBytes> read_private_file(const std::string& path,
                                                    size_t max_size);

// Removes `directory`/`name` (absent is fine) and fsyncs the directory.
[[nodiscard]] Status remove_private_file(const std::string& directory,
                                         const std::string& name);

// Removes temporary files that an interrupted write left in `directory`.
// They may hold secrets. Returns how many it removed; failed_precondition
// when `directory` is a symbolic link (nothing is removed then).
[[nodiscard]] Result<size_t> remove_stale_temporary_files(
    const std::string& directory);

// True when `path` is not a symbolic link and its mode bits are exactly
// `mode`.
bool has_mode(const std::string& path, mode_t mode);

}  // namespace pkm::client

#endif  // PKM_CLIENT_PRIVATE_FILE_H_
