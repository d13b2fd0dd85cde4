#include "port_lease.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <string>

#include <gtest/gtest.h>

namespace stride::testing {
namespace {

// the lowest port the kernel hands to outgoing connections
int EphemeralLow() {
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 32768;
  range >> low;
  return low;
}

// whether a listener could bind port on every address now
bool Bindable(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  const int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  const bool free = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return free;
}

// a lock every test process agrees on for port; -1 if another holds it
int Lock(int port) {
  const std::string path = "/tmp/stride-test-port-" + std::to_string(port) + ".lock";
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) return -1;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

PortLease::PortLease(int count) {
  const int low = 20000, high = std::min(EphemeralLow(), 32768) - count;
  if (high < low) {
    ADD_FAILURE() << "no room for ports below this host's ephemeral range, which starts at "
                  << EphemeralLow();
    return;
  }
  std::random_device device;
  std::uniform_int_distribution<int> pick(low, high);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const int first = pick(device);
    for (int port = first; port < first + count; ++port) {
      const int fd = Lock(port);
      if (fd < 0 || !Bindable(port)) {
        if (fd >= 0) close(fd);
        break;
      }
      locks_.push_back(fd);
    }
    if (static_cast<int>(locks_.size()) == count) {
      first_ = first;
      return;
    }
    for (int fd : locks_) close(fd);
    locks_.clear();
  }
  ADD_FAILURE() << "no " << count << " free ports between " << low << " and " << high;
}

PortLease::~PortLease() {
  for (int fd : locks_) close(fd);
}

}  // namespace stride::testing
