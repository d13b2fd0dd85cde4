// MuJoCo plumbing shared by the environments: embedded models, divergence,
// warning totals and the bytes of a saved simulation state.
#ifndef STRIDE_ENVIRONMENTS_COMMON_MUJOCO_SUPPORT_H_
#define STRIDE_ENVIRONMENTS_COMMON_MUJOCO_SUPPORT_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <mujoco/mujoco.h>

namespace stride::environments {

// a compiled model that deletes itself
using ModelPtr = std::unique_ptr<mjModel, void (*)(mjModel*)>;

// MuJoCo's multi-line error message on one line
std::string OneLine(const char* message);

// compiles the MJCF text xml as the virtual file file_name; description names
// the model in the RuntimeError thrown when it does not compile
ModelPtr LoadEmbeddedModel(const char* file_name, const char* xml, const std::string& description);

// MuJoCo raised a bad qpos, qvel or qacc warning, and reset the data itself
bool Diverged(const mjData& data);

// every qpos and qvel is finite
bool FiniteState(const mjModel& model, const mjData& data);

// totals of MuJoCo's warnings over many steps and resets
class WarningCounter {
 public:
  // adds the warnings raised since the last count
  void Count(const mjData& data);
  // call after mj_resetData, which restarts MuJoCo's counters
  void Restart();
  // "mjWARN_BADQACC: 3 times (last info 5)" for every warning raised
  std::vector<std::string> Lines() const;

 private:
  // counters as last seen in the data, and totals since construction
  std::array<int, mjNWARNING> seen_{};
  std::array<int64_t, mjNWARNING> totals_{};
  std::array<int, mjNWARNING> last_info_{};
};

// a flat byte record of plain values after a version number
class StateWriter {
 public:
  explicit StateWriter(uint32_t version) { Put(version); }
  template <typename T>
  void Put(const T& value) {
    Put(&value, 1);
  }
  template <typename T>
  void Put(const T* values, int count) {
    PutBytes(values, sizeof(T) * count);
  }
  // the size, then the characters
  void PutText(const std::string& text);
  std::vector<uint8_t> Take() { return std::move(bytes_); }

 private:
  void PutBytes(const void* data, size_t size);

  std::vector<uint8_t> bytes_;
};

// reads a StateWriter record; owner names the environment in error messages
class StateReader {
 public:
  // throws unless the record has this version
  StateReader(const std::vector<uint8_t>& bytes, std::string owner, uint32_t version);
  template <typename T>
  T Get() {
    T value;
    Get(&value, 1);
    return value;
  }
  template <typename T>
  void Get(T* values, int count) {
    GetBytes(values, sizeof(T) * count);
  }
  std::string GetText();
  // throws unless every byte was read
  void Finish() const;
  const std::string& owner() const { return owner_; }

 private:
  // throws unless size more bytes are left
  void Require(size_t size) const;
  void GetBytes(void* data, size_t size);

  const std::vector<uint8_t>& bytes_;
  std::string owner_;
  size_t offset_ = 0;
};

// the dynamic state of a simulation: time, qpos, qvel, act, the solver warm
// start and ctrl
struct SimulationState {
  double time = 0.0;
  std::vector<double> qpos, qvel, act, qacc_warmstart, ctrl;

  static SimulationState Capture(const mjModel& model, const mjData& data);
  // checks that the model sizes match before reading the values
  static SimulationState Read(const mjModel& model, StateReader* in);
  // the model sizes, then the values
  void Write(const mjModel& model, StateWriter* out) const;
  // sets data to the state and recomputes the derived quantities
  void Restore(const mjModel& model, mjData* data) const;
};

}  // namespace stride::environments

#endif  // STRIDE_ENVIRONMENTS_COMMON_MUJOCO_SUPPORT_H_
