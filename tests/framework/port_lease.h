// Loopback ports a test holds for itself: below the kernel's ephemeral range,
// so no outgoing connection is given them, free when taken, and locked against
// every other test process until released.
#ifndef STRIDE_TESTS_FRAMEWORK_PORT_LEASE_H_
#define STRIDE_TESTS_FRAMEWORK_PORT_LEASE_H_

#include <vector>

namespace stride::testing {

class PortLease {
 public:
  // count consecutive ports, each free on 127.0.0.1 and 0.0.0.0 when leased
  explicit PortLease(int count = 1);
  ~PortLease();
  PortLease(const PortLease&) = delete;
  PortLease& operator=(const PortLease&) = delete;

  int port() const { return first_; }

 private:
  int first_ = 0;
  std::vector<int> locks_;
};

}  // namespace stride::testing

#endif  // STRIDE_TESTS_FRAMEWORK_PORT_LEASE_H_
