#include "stride/mujoco_state.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "stride/error.h"

namespace stride {
namespace {

using Sizes = std::array<int32_t, 4>;

Sizes SizesOf(const mjModel& model) { return {model.nq, model.nv, model.na, model.nu}; }

std::string Join(const Sizes& sizes) {
  std::string text;
  for (int32_t size : sizes) text += (text.empty() ? "" : ", ") + std::to_string(size);
  return text;
}

}  // namespace

void StateWriter::PutBytes(const void* data, size_t size) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  bytes_.insert(bytes_.end(), bytes, bytes + size);
}

void StateWriter::PutText(const std::string& text) {
  Put(static_cast<uint64_t>(text.size()));
  Put(text.data(), static_cast<int>(text.size()));
}

StateReader::StateReader(const std::vector<uint8_t>& bytes, std::string owner, uint32_t version)
    : bytes_(bytes), owner_(std::move(owner)) {
  const auto found = Get<uint32_t>();
  if (found != version) {
    throw RuntimeError(owner_ + " state version " + std::to_string(found) + " is not " +
                       std::to_string(version));
  }
}

std::string StateReader::GetText() {
  const auto size = Get<uint64_t>();
  Require(size);
  std::string text(size, '\0');
  Get(text.data(), static_cast<int>(size));
  return text;
}

void StateReader::Finish() const {
  if (offset_ != bytes_.size()) throw RuntimeError("the " + owner_ + " state has trailing bytes");
}

void StateReader::Require(size_t size) const {
  if (size > bytes_.size() - offset_) throw RuntimeError("the " + owner_ + " state is truncated");
}

void StateReader::GetBytes(void* data, size_t size) {
  Require(size);
  std::memcpy(data, bytes_.data() + offset_, size);
  offset_ += size;
}

SimulationState SimulationState::Capture(const mjModel& model, const mjData& data) {
  SimulationState state;
  state.time = data.time;
  state.qpos.assign(data.qpos, data.qpos + model.nq);
  state.qvel.assign(data.qvel, data.qvel + model.nv);
  state.act.assign(data.act, data.act + model.na);
  state.qacc_warmstart.assign(data.qacc_warmstart, data.qacc_warmstart + model.nv);
  state.ctrl.assign(data.ctrl, data.ctrl + model.nu);
  return state;
}

SimulationState SimulationState::Read(const mjModel& model, StateReader* in) {
  const auto sizes = in->Get<Sizes>();
  if (sizes != SizesOf(model)) {
    throw RuntimeError(in->owner() + " state has (nq, nv, na, nu) = (" + Join(sizes) +
                       "), this model has (" + Join(SizesOf(model)) + ")");
  }
  SimulationState state;
  state.time = in->Get<double>();
  state.qpos.resize(model.nq);
  state.qvel.resize(model.nv);
  state.act.resize(model.na);
  state.qacc_warmstart.resize(model.nv);
  state.ctrl.resize(model.nu);
  in->Get(state.qpos.data(), model.nq);
  in->Get(state.qvel.data(), model.nv);
  in->Get(state.act.data(), model.na);
  in->Get(state.qacc_warmstart.data(), model.nv);
  in->Get(state.ctrl.data(), model.nu);
  return state;
}

void SimulationState::Write(const mjModel& model, StateWriter* out) const {
  out->Put(SizesOf(model));
  out->Put(time);
  out->Put(qpos.data(), model.nq);
  out->Put(qvel.data(), model.nv);
  out->Put(act.data(), model.na);
  out->Put(qacc_warmstart.data(), model.nv);
  out->Put(ctrl.data(), model.nu);
}

void SimulationState::Restore(const mjModel& model, mjData* data) const {
  data->time = time;
  std::copy(qpos.begin(), qpos.end(), data->qpos);
  std::copy(qvel.begin(), qvel.end(), data->qvel);
  std::copy(act.begin(), act.end(), data->act);
  std::copy(ctrl.begin(), ctrl.end(), data->ctrl);
  // derived quantities for rendering; mj_forward overwrites the warm start
  mj_forward(&model, data);
  std::copy(qacc_warmstart.begin(), qacc_warmstart.end(), data->qacc_warmstart);
}

}  // namespace stride
