#ifndef TAPELESS_IO_DETAIL_FILE_HPP
#define TAPELESS_IO_DETAIL_FILE_HPP

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#if __has_include(<unistd.h>) && __has_include(<fcntl.h>)
#include <fcntl.h>
#include <unistd.h>
#define TAPELESS_IO_POSIX 1
#else
#include <fstream>
#define TAPELESS_IO_POSIX 0
#endif

#include "../status.hpp"

namespace tapeless::io::detail {

/// The text of errno, thread-safe unlike strerror.
inline std::string errno_text(int e) { return std::generic_category().message(e); }

inline std::string quoted(const std::filesystem::path& p) {
  std::string s(1, '\'');  // not "'" + p.string(): g++ 12 -O3 warns falsely (-Wrestrict)
  s += p.string();
  s += '\'';
  return s;
}

/// The whole file in memory. Loading is not the hot path and a checkpoint or data file has
/// to be validated in full before anything is used, so one read into a vector is right.
inline result<std::vector<std::byte>> read_file(const std::filesystem::path& path) {
  result<std::vector<std::byte>> r;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    r.status = status::failure(error::cannot_open, "cannot open " + quoted(path) + ": " + errno_text(errno));
    return r;
  }
  std::byte chunk[1 << 16];
  for (;;) {
    const std::size_t n = std::fread(chunk, 1, sizeof chunk, f);
    r.value.insert(r.value.end(), chunk, chunk + n);
    if (n < sizeof chunk) break;
  }
  const bool failed = std::ferror(f) != 0;
  const int e = errno;
  std::fclose(f);
  if (failed) r.status = status::failure(error::cannot_open, "cannot read " + quoted(path) + ": " + errno_text(e));
  return r;
}

#if TAPELESS_IO_POSIX
// POSIX: write(2) everything, retrying short writes and EINTR.
inline bool write_all(int fd, std::span<const std::byte> bytes) {
  while (!bytes.empty()) {
    const ::ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
  return true;
}

// After rename(2) the new directory entry is durable only once the directory itself is
// synced. Best effort: some file systems refuse fsync on a directory, and the data file
// is already complete and in place by then.
inline void sync_directory_of(const std::filesystem::path& path) {
  auto dir = path.parent_path();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}
#endif

/// Replaces the file at `path` by `bytes` so that a crash at any moment leaves either the
/// old file or the new one, never a mix or a truncated one: write "<path>.tmp", flush it to
/// the disk (fsync), then rename it over `path` (atomic within a file system on POSIX).
/// On failure the old file is untouched and the temporary is removed if it was created.
inline status write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  const auto fail = [&](const std::string& what, int e) {
    return status::failure(error::cannot_write, what + ": " + errno_text(e) + " (" + quoted(path) + " is unchanged)");
  };
#if TAPELESS_IO_POSIX
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return fail("cannot create " + quoted(tmp), errno);
  if (!write_all(fd, bytes)) {
    const int e = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return fail("cannot write " + quoted(tmp), e);
  }
  if (::fsync(fd) != 0) {
    const int e = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return fail("cannot flush " + quoted(tmp) + " to disk", e);
  }
  if (::close(fd) != 0) {  // NFS and others report deferred write errors here
    const int e = errno;
    ::unlink(tmp.c_str());
    return fail("cannot close " + quoted(tmp), e);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    return fail("cannot rename " + quoted(tmp) + " to " + quoted(path), e);
  }
  sync_directory_of(path);
  return {};
#else
  // Elsewhere: no fsync in the standard library; flush and rename is the best available.
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return fail("cannot create " + quoted(tmp), errno);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      out.close();
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      return fail("cannot write " + quoted(tmp), errno);
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    return fail("cannot rename " + quoted(tmp) + " to " + quoted(path), ec.value());
  }
  return {};
#endif
}

}  // namespace tapeless::io::detail

#endif
