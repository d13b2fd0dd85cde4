#include "stride/durable_file.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "stride/error.h"

namespace stride {
namespace {

namespace fs = std::filesystem;

// the end-of-central-directory record of a zip archive and its comment prefix
constexpr std::string_view kEndSignature("PK\x05\x06", 4);
constexpr size_t kEndSize = 22;
constexpr std::string_view kSealPrefix = "stride-crc32 ";

std::string Bytes(double bytes) {
  if (bytes < 1024) return fmt::format("{:.0f} B", bytes);
  if (bytes < 1024 * 1024) return fmt::format("{:.1f} KiB", bytes / 1024);
  if (bytes < 1024.0 * 1024 * 1024) return fmt::format("{:.1f} MiB", bytes / (1024 * 1024));
  return fmt::format("{:.1f} GiB", bytes / (1024.0 * 1024 * 1024));
}

// the IEEE CRC-32 of zip and gzip
uint32_t Crc32(std::string_view bytes) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : bytes) crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

uint32_t LittleEndian16(std::string_view bytes, size_t at) {
  return static_cast<unsigned char>(bytes[at]) | static_cast<unsigned char>(bytes[at + 1]) << 8;
}

// the offset of the record whose comment runs to the end of the archive, or npos
size_t FindEnd(std::string_view archive) {
  if (archive.size() < kEndSize) return std::string_view::npos;
  const size_t longest = kEndSize + 0xFFFF;
  const size_t earliest = archive.size() > longest ? archive.size() - longest : 0;
  for (size_t at = archive.size() - kEndSize + 1; at-- > earliest;) {
    if (archive.compare(at, 4, kEndSignature) != 0) continue;
    if (at + kEndSize + LittleEndian16(archive, at + 20) == archive.size()) return at;
  }
  return std::string_view::npos;
}

// fails with a message naming path and removes the temporary file
[[noreturn]] void Fail(const std::string& path, const std::string& temporary, int error_number,
                       size_t needed) {
  std::error_code ignored;
  fs::remove(temporary, ignored);
  throw RuntimeError(WriteFailure(path, error_number, needed));
}

}  // namespace

std::string WriteFailure(const std::string& path, int error_number, size_t needed) {
  std::string message = fmt::format("cannot write '{}': {}", path, std::strerror(error_number));
  if (error_number != ENOSPC && error_number != EDQUOT) return message;
  const fs::path parent = fs::path(path).parent_path();
  struct statvfs disk {};
  if (statvfs(parent.empty() ? "." : parent.c_str(), &disk) != 0) return message;
  const double free = static_cast<double>(disk.f_bavail) * static_cast<double>(disk.f_frsize);
  return message + fmt::format(
                       " ({} needed, {} free on its filesystem); nothing written before "
                       "was lost: free some space and run again to continue",
                       Bytes(static_cast<double>(needed)), Bytes(free));
}

void WriteFileAtomically(const std::string& path, std::string_view bytes) {
  const std::string temporary = fmt::format("{}.tmp.{}", path, getpid());
  const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw RuntimeError(WriteFailure(path, errno, bytes.size()));
  for (size_t written = 0; written < bytes.size();) {
    const ssize_t n = write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error_number = errno;
      close(fd);
      Fail(path, temporary, error_number, bytes.size());
    }
    written += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) Fail(path, temporary, errno, bytes.size());
  if (rename(temporary.c_str(), path.c_str()) != 0) Fail(path, temporary, errno, bytes.size());
  // the rename itself survives a power cut once its directory is synced
  const fs::path parent = fs::path(path).parent_path();
  const int dir = open(parent.empty() ? "." : parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw RuntimeError(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw RuntimeError(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
  return bytes.str();
}

std::string SealArchive(std::string archive) {
  const size_t end = FindEnd(archive);
  if (end == std::string::npos || end + kEndSize != archive.size()) {
    throw RuntimeError("cannot seal an archive that is not a zip archive without a comment");
  }
  const std::string seal =
      fmt::format("{}{:08x}", kSealPrefix, Crc32(std::string_view(archive).substr(0, end + 20)));
  archive[end + 20] = static_cast<char>(seal.size() & 0xFF);
  archive[end + 21] = static_cast<char>(seal.size() >> 8);
  return archive + seal;
}

void CheckArchive(const std::string& path, std::string_view archive) {
  const size_t end = FindEnd(archive);
  if (end == std::string_view::npos) {
    throw RuntimeError(fmt::format(
        "'{}' is damaged: it is truncated or not a zip archive ({} bytes, no end record)", path,
        archive.size()));
  }
  const std::string_view comment = archive.substr(end + kEndSize);
  if (comment.empty()) return;
  const std::string expected =
      fmt::format("{}{:08x}", kSealPrefix, Crc32(archive.substr(0, end + 20)));
  if (comment != expected) {
    throw RuntimeError(fmt::format(
        "'{}' is damaged: its contents fail the checksum written with them ({}, written '{}')",
        path, expected.substr(kSealPrefix.size() - 1), comment));
  }
}

}  // namespace stride
