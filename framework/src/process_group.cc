#include "stride/process_group.h"

namespace stride {
namespace {

// one process: every collective is the identity
class SingleProcessGroup : public ProcessGroup {
 public:
  int rank() const override { return 0; }
  int world_size() const override { return 1; }
  const std::string& launcher() const override { return launcher_; }
  void Sum(float*, int64_t) override {}
  void Sum(double*, int64_t) override {}
  std::vector<std::vector<uint8_t>> AllGather(const std::vector<uint8_t>& bytes) override {
    return {bytes};
  }
  void Broadcast(std::vector<uint8_t>&) override {}
  void MarkProgress(int64_t) override {}
  void ReportFailure(const std::string&) override {}

 private:
  const std::string launcher_ = "none";
};

}  // namespace

ProcessGroup::~ProcessGroup() = default;

bool ProcessGroup::Any(bool value) {
  double flag = value ? 1.0 : 0.0;
  Sum(&flag, 1);
  return flag > 0.0;
}

ProcessGroup& SingleProcess() {
  static SingleProcessGroup group;
  return group;
}

}  // namespace stride
