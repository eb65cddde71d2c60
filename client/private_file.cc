#include "client/private_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace pkm::client {
namespace {

Error io_error(const std::string& what, const std::string& path,
               int error_number) {
  return Error{
      ErrorCode::kFailedPrecondition,
      "cannot " + what + " " + path + ": " + std::strerror(error_number)};
}

std::string join(const std::string& directory, const std::string& name) {
  if (directory.empty()) return name;
  if (directory.back() == '/') return directory + name;
  return directory + "/" + name;
}

Status sync_directory(const std::string& directory) {
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("open directory", directory, errno);
  int result = ::fsync(fd);
  int error_number = errno;
  ::close(fd);
  if (result != 0) return io_error("fsync directory", directory, error_number);
  return {};
}

Status write_all(int fd, ByteView content, const std::string& path) {
  size_t done = 0;
  while (done < content.size) {
    ssize_t written = ::write(fd, content.data + done, content.size - done);
    if (written < 0) {
      if (errno == EINTR) continue;
      return io_error("write", path, errno);
    }
    done += static_cast<size_t>(written);
  }
  return {};
}

Error symbolic_link_error(const std::string& path) {
  return Error{ErrorCode::kFailedPrecondition,
               path + " is a symbolic link; allowed: a real file or "
                      "directory (pkm-client follows no links in its output "
                      "directory)"};
}

// Opens directory `path` without following a link at its last component.
int open_directory_no_follow(const std::string& path) {
  return ::open(path.c_str(),
                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

}  // namespace

Status refuse_symbolic_link(const std::string& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return {};
    return io_error("inspect", path, errno);
  }
  if (S_ISLNK(info.st_mode)) return symbolic_link_error(path);
  return {};
}

Status make_private_directory(const std::string& path, bool tighten_mode) {
  if (path.empty()) {
    return invalid_argument("directory path is empty; allowed: a path");
  }

  // A directory whose mode is tightened is one pkm-client owns, so it must
  // be the directory itself: a link there could point anywhere.
  struct stat info {};
  int inspected = tighten_mode ? ::lstat(path.c_str(), &info)
                               : ::stat(path.c_str(), &info);
  if (inspected == 0) {
    if (S_ISLNK(info.st_mode)) return symbolic_link_error(path);
    if (!S_ISDIR(info.st_mode)) {
      return Error{ErrorCode::kFailedPrecondition,
                   path + " exists and is not a directory"};
    }
    if (!tighten_mode || (info.st_mode & 07777) == kPrivateDirectoryMode) {
      return {};
    }
    int fd = open_directory_no_follow(path);
    if (fd < 0) {
      if (errno == ELOOP) return symbolic_link_error(path);
      return io_error("open directory", path, errno);
    }
    int result = ::fchmod(fd, kPrivateDirectoryMode);
    int error_number = errno;
    ::close(fd);
    if (result != 0) return io_error("set mode 0700 on", path, error_number);
    return {};
  }
  if (errno != ENOENT) return io_error("inspect", path, errno);

  // Create missing parents first, each private as well.
  size_t slash = path.find_last_of('/');
  if (slash != std::string::npos && slash > 0) {
    Status parent = make_private_directory(path.substr(0, slash), false);
    if (!parent.ok()) return parent;
  }
  if (::mkdir(path.c_str(), kPrivateDirectoryMode) != 0 && errno != EEXIST) {
    return io_error("create directory", path, errno);
  }
  // mkdir applies the umask; the mode must not depend on it. A link
  // planted between mkdir and here is refused, not followed.
  int fd = open_directory_no_follow(path);
  if (fd < 0) {
    if (errno == ELOOP) return symbolic_link_error(path);
    return io_error("open directory", path, errno);
  }
  int result = ::fchmod(fd, kPrivateDirectoryMode);
  int error_number = errno;
  ::close(fd);
  if (result != 0) return io_error("set mode 0700 on", path, error_number);
  return {};
}

Status write_private_file(const std::string& directory, const std::string& name,
                          ByteView content) {
  std::string target = join(directory, name);
  std::string temporary =
      join(directory, kTemporaryFilePrefix + name + "-XXXXXX");
  std::vector<char> pattern(temporary.begin(), temporary.end());
  pattern.push_back('\0');

  int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd < 0) return io_error("create a temporary file for", target, errno);
  temporary.assign(pattern.data());

  Status status;
  if (::fchmod(fd, kPrivateFileMode) != 0) {
    status = io_error("set mode 0600 on", temporary, errno);
  }
  if (status.ok()) status = write_all(fd, content, temporary);
  if (status.ok() && ::fsync(fd) != 0) {
    status = io_error("fsync", temporary, errno);
  }
  if (::close(fd) != 0 && status.ok()) {
    status = io_error("close", temporary, errno);
  }
  if (status.ok() && ::rename(temporary.c_str(), target.c_str()) != 0) {
    status = io_error("rename into place", target, errno);
  }
  if (!status.ok()) {
    ::unlink(temporary.c_str());
    return status;
  }
  return sync_directory(directory.empty() ? "." : directory);
}

Result<SecretBytes> read_private_file(const std::string& path,
                                      size_t max_size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return Error{ErrorCode::kNotFound, path + " does not exist"};
    }
    if (errno == ELOOP) return symbolic_link_error(path);
    return io_error("open", path, errno);
  }

  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return Error{ErrorCode::kFailedPrecondition,
                 path + " is not a regular file"};
  }
  if (static_cast<size_t>(info.st_size) > max_size) {
    ::close(fd);
    return Error{
        ErrorCode::kFailedPrecondition,
        path + " is larger than " + std::to_string(max_size) + " bytes"};
  }

  SecretBytes content(static_cast<size_t>(info.st_size));
  size_t done = 0;
  while (done < content.size()) {
    ssize_t got = ::read(fd, content.data() + done, content.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      int error_number = errno;
      ::close(fd);
      return io_error("read", path, error_number);
    }
    if (got == 0) break;
    done += static_cast<size_t>(got);
  }
  ::close(fd);
  content.resize(done);
  return content;
}

Status remove_private_file(const std::string& directory,
                           const std::string& name) {
  std::string path = join(directory, name);
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return {};
    return io_error("remove", path, errno);
  }
  return sync_directory(directory);
}

Result<size_t> remove_stale_temporary_files(const std::string& directory) {
  int fd = open_directory_no_follow(directory);
  if (fd < 0) {
    if (errno == ENOENT) return size_t{0};
    if (errno == ELOOP || errno == ENOTDIR) {
      Status link = refuse_symbolic_link(directory);
      if (!link.ok()) return link.error();
    }
    return io_error("list", directory, errno);
  }
  // Listed and removed through one descriptor, so a link swapped in for
  // the directory meanwhile changes nothing outside it.
  int listing_fd = ::dup(fd);
  DIR* listing = listing_fd < 0 ? nullptr : ::fdopendir(listing_fd);
  if (listing == nullptr) {
    int error_number = errno;
    if (listing_fd >= 0) ::close(listing_fd);
    ::close(fd);
    return io_error("list", directory, error_number);
  }
  std::vector<std::string> stale;
  while (dirent* entry = ::readdir(listing)) {
    if (std::strncmp(entry->d_name, kTemporaryFilePrefix,
                     sizeof(kTemporaryFilePrefix) - 1) == 0) {
      stale.emplace_back(entry->d_name);
    }
  }
  ::closedir(listing);

  for (const std::string& name : stale) {
    if (::unlinkat(fd, name.c_str(), 0) != 0 && errno != ENOENT) {
      int error_number = errno;
      ::close(fd);
      return io_error("remove", join(directory, name), error_number);
    }
  }
  int synced = stale.empty() ? 0 : ::fsync(fd);
  int error_number = errno;
  ::close(fd);
  if (synced != 0) return io_error("fsync directory", directory, error_number);
  return stale.size();
}

bool has_mode(const std::string& path, mode_t mode) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) return false;
  return !S_ISLNK(info.st_mode) && (info.st_mode & 07777) == mode;
}

}  // namespace pkm::client
