// A disk that fills up, for tests: preloaded into stride, it fails every write
// to a file under $STRIDE_FULL_DISK_DIR with ENOSPC once
// $STRIDE_FULL_DISK_BYTES bytes have been written there.
#include <dlfcn.h>
#include <limits.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

long long g_written = 0;

// the bytes a write of count to fd may still take, or -1 for a file elsewhere
long long Room(int fd) {
  const char* dir = getenv("STRIDE_FULL_DISK_DIR");
  const char* bytes = getenv("STRIDE_FULL_DISK_BYTES");
  if (!dir || !bytes) return -1;
  char link[64], path[PATH_MAX];
  snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
  const ssize_t n = readlink(link, path, sizeof(path) - 1);
  if (n < 0) return -1;
  path[n] = '\0';
  if (strncmp(path, dir, strlen(dir)) != 0) return -1;
  const long long room = atoll(bytes) - g_written;
  return room > 0 ? room : 0;
}

ssize_t Take(int fd, size_t count) {
  const long long room = Room(fd);
  if (room < 0) return static_cast<ssize_t>(count);
  if (room == 0) {
    errno = ENOSPC;
    return -1;
  }
  const size_t taken = static_cast<size_t>(room) < count ? static_cast<size_t>(room) : count;
  g_written += static_cast<long long>(taken);
  return static_cast<ssize_t>(taken);
}

}  // namespace

extern "C" {

ssize_t write(int fd, const void* data, size_t count) {
  using Write = ssize_t (*)(int, const void*, size_t);
  static const auto real = reinterpret_cast<Write>(dlsym(RTLD_NEXT, "write"));
  const ssize_t allowed = Take(fd, count);
  return allowed < 0 ? -1 : real(fd, data, static_cast<size_t>(allowed));
}

ssize_t writev(int fd, const struct iovec* parts, int count) {
  // one part at a time is a valid short write
  size_t total = 0;
  for (int i = 0; i < count; ++i) {
    if (parts[i].iov_len == 0) continue;
    const ssize_t n = write(fd, parts[i].iov_base, parts[i].iov_len);
    if (n < 0) return total > 0 ? static_cast<ssize_t>(total) : -1;
    total += static_cast<size_t>(n);
    if (static_cast<size_t>(n) < parts[i].iov_len) break;
  }
  return static_cast<ssize_t>(total);
}

}  // extern "C"
