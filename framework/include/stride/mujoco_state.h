// The bytes of a saved MuJoCo environment: a versioned record of plain values,
// and the dynamic state of a simulation. Part of stride::mujoco.
#ifndef STRIDE_MUJOCO_STATE_H_
#define STRIDE_MUJOCO_STATE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <mujoco/mujoco.h>

namespace stride {

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
  // throws RuntimeError unless the record has this version
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

}  // namespace stride

#endif  // STRIDE_MUJOCO_STATE_H_
