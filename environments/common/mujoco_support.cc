#include "common/mujoco_support.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "stride/error.h"

namespace stride::environments {
namespace {

static_assert(mjNWARNING == 8, "name every MuJoCo warning");
constexpr std::array<const char*, mjNWARNING> kWarningNames = {
    "mjWARN_INERTIA", "mjWARN_CONTACTFULL", "mjWARN_CNSTRFULL", "mjWARN_VGEOMFULL",
    "mjWARN_BADQPOS", "mjWARN_BADQVEL",     "mjWARN_BADQACC",   "mjWARN_BADCTRL"};

// MuJoCo raises these and resets the data when the state is not finite
constexpr std::array<int, 3> kDivergenceWarnings = {mjWARN_BADQPOS, mjWARN_BADQVEL, mjWARN_BADQACC};

std::array<int32_t, 4> Sizes(const mjModel& model) {
  return {model.nq, model.nv, model.na, model.nu};
}

}  // namespace

std::string OneLine(const char* message) {
  std::string line = message;
  std::replace(line.begin(), line.end(), '\n', ' ');
  line.erase(line.find_last_not_of(' ') + 1);
  return line;
}

ModelPtr LoadEmbeddedModel(const char* file_name, const char* xml, const std::string& description) {
  auto vfs = std::make_unique<mjVFS>();
  mj_defaultVFS(vfs.get());
  const int size = static_cast<int>(std::strlen(xml));
  if (mj_makeEmptyFileVFS(vfs.get(), file_name, size) != 0) {
    throw RuntimeError(
        fmt::format("cannot create the MuJoCo virtual file for the {}", description));
  }
  std::memcpy(vfs->filedata[mj_findFileVFS(vfs.get(), file_name)], xml, size);
  char error[1024] = "";
  ModelPtr model(mj_loadXML(file_name, vfs.get(), error, sizeof error), mj_deleteModel);
  mj_deleteVFS(vfs.get());
  if (!model) {
    throw RuntimeError(fmt::format("the {} does not compile: {}", description, OneLine(error)));
  }
  return model;
}

bool Diverged(const mjData& data) {
  bool diverged = false;
  for (int warning : kDivergenceWarnings) diverged |= data.warning[warning].number > 0;
  return diverged;
}

bool FiniteState(const mjModel& model, const mjData& data) {
  return std::all_of(data.qpos, data.qpos + model.nq, [](double x) { return std::isfinite(x); }) &&
         std::all_of(data.qvel, data.qvel + model.nv, [](double x) { return std::isfinite(x); });
}

void WarningCounter::Count(const mjData& data) {
  for (int i = 0; i < mjNWARNING; ++i) {
    const int number = data.warning[i].number;
    // MuJoCo restarts the counters when it resets the data itself
    if (number < seen_[i]) seen_[i] = 0;
    if (number > seen_[i]) {
      totals_[i] += number - seen_[i];
      last_info_[i] = data.warning[i].lastinfo;
      seen_[i] = number;
    }
  }
}

void WarningCounter::Restart() { seen_.fill(0); }

std::vector<std::string> WarningCounter::Lines() const {
  std::vector<std::string> lines;
  for (int i = 0; i < mjNWARNING; ++i) {
    if (totals_[i] == 0) continue;
    lines.push_back(
        fmt::format("{}: {} times (last info {})", kWarningNames[i], totals_[i], last_info_[i]));
  }
  return lines;
}

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
    throw RuntimeError(fmt::format("{} state version {} is not {}", owner_, found, version));
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
  if (offset_ != bytes_.size()) {
    throw RuntimeError(fmt::format("the {} state has trailing bytes", owner_));
  }
}

void StateReader::Require(size_t size) const {
  if (size > bytes_.size() - offset_) {
    throw RuntimeError(fmt::format("the {} state is truncated", owner_));
  }
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
  const auto sizes = in->Get<std::array<int32_t, 4>>();
  const std::array<int32_t, 4> expected = Sizes(model);
  if (sizes != expected) {
    throw RuntimeError(fmt::format("{} state has (nq, nv, na, nu) = ({}), this model has ({})",
                                   in->owner(), fmt::join(sizes, ", "), fmt::join(expected, ", ")));
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
  out->Put(Sizes(model));
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

}  // namespace stride::environments
