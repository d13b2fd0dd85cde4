#include "stride/mujoco_env.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <utility>

#include "stride/error.h"

namespace stride {
namespace {

static_assert(mjNWARNING == 8, "name every MuJoCo warning");
constexpr std::array<const char*, mjNWARNING> kWarningNames = {
    "mjWARN_INERTIA", "mjWARN_CONTACTFULL", "mjWARN_CNSTRFULL", "mjWARN_VGEOMFULL",
    "mjWARN_BADQPOS", "mjWARN_BADQVEL",     "mjWARN_BADQACC",   "mjWARN_BADCTRL"};

// the version of the state SaveState() writes
constexpr uint32_t kStateVersion = 3;

// MuJoCo's multi-line error message on one line
std::string OneLine(const char* message) {
  std::string line = message;
  std::replace(line.begin(), line.end(), '\n', ' ');
  line.erase(line.find_last_not_of(' ') + 1);
  return line;
}

// MuJoCo raised a bad qpos, qvel or qacc warning (and reset the data itself)
bool Diverged(const mjData& data) {
  return data.warning[mjWARN_BADQPOS].number > 0 || data.warning[mjWARN_BADQVEL].number > 0 ||
         data.warning[mjWARN_BADQACC].number > 0;
}

bool FiniteState(const mjModel& model, const mjData& data) {
  const auto finite = [](double x) { return std::isfinite(x); };
  return std::all_of(data.qpos, data.qpos + model.nq, finite) &&
         std::all_of(data.qvel, data.qvel + model.nv, finite);
}

// a uniform sample in [-1, 1) from the top 53 bits, the same on every platform
double UniformSymmetric(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-52 - 1.0;
}

int BodyId(const mjModel& model, const std::string& body, const std::string& owner) {
  const int id = mj_name2id(&model, mjOBJ_BODY, body.c_str());
  if (id < 0) throw RuntimeError("the " + owner + " model has no body '" + body + "' to push");
  return id;
}

}  // namespace

MujocoModelPtr CompileMujocoText(const std::string& file_name, const char* xml,
                                 const std::string& what) {
  auto vfs = std::make_unique<mjVFS>();
  mj_defaultVFS(vfs.get());
  const int size = static_cast<int>(std::strlen(xml));
  if (mj_makeEmptyFileVFS(vfs.get(), file_name.c_str(), size) != 0) {
    throw RuntimeError("cannot create the MuJoCo virtual file for the " + what);
  }
  std::memcpy(vfs->filedata[mj_findFileVFS(vfs.get(), file_name.c_str())], xml, size);
  char error[1024] = "";
  MujocoModelPtr model(mj_loadXML(file_name.c_str(), vfs.get(), error, sizeof error),
                       mj_deleteModel);
  mj_deleteVFS(vfs.get());
  if (!model) throw RuntimeError("the " + what + " does not compile: " + OneLine(error));
  return model;
}

MujocoModelPtr CompileMujocoFile(const std::string& path, const std::string& what) {
  char error[1024] = "";
  MujocoModelPtr model(mj_loadXML(path.c_str(), nullptr, error, sizeof error), mj_deleteModel);
  if (!model) throw ConfigError("cannot load the " + what + " '" + path + "': " + OneLine(error));
  return model;
}

std::shared_ptr<const mjModel> SharedMujocoModel(const std::string& key,
                                                 const std::function<MujocoModelPtr()>& compile) {
  static auto* mutex = new std::mutex;
  static auto* models = new std::map<std::string, std::shared_ptr<const mjModel>>;
  std::lock_guard<std::mutex> lock(*mutex);
  auto it = models->find(key);
  if (it == models->end()) it = models->emplace(key, compile()).first;
  return it->second;
}

const ParamBindings<MujocoSettings>& MujocoParamTable() {
  using S = MujocoSettings;
  static const auto* table = new ParamBindings<S>{
      InRange(Bind(&S::frame_skip, "frame_skip", "physics steps per environment step"), 1,
              std::nullopt),
      InRange(Bind(&S::reset_noise, "reset_noise",
                   "half-width of the uniform noise added to every qpos and qvel at reset"),
              0.0, std::nullopt),
      InRange(Bind(&S::max_episode_steps, "max_episode_steps",
                   "steps after which an episode is truncated"),
              1, std::nullopt),
  };
  return *table;
}

MujocoSettings MujocoSettings::FromParams(const Params& params) {
  return ReadConfig(MujocoParamTable(), params);
}

MujocoEnv::MujocoEnv(std::string name, std::shared_ptr<const mjModel> model,
                     const MujocoSettings& settings, const std::string& push_body)
    : name_(std::move(name)),
      base_model_(std::move(model)),
      data_(mj_makeData(base_model_.get()), mj_deleteData),
      settings_(settings),
      dt_(base_model_->opt.timestep * settings.frame_skip),
      perturbations_(base_model_, BodyId(*base_model_, push_body, name_), dt_) {
  const mjModel& m = *base_model_;
  for (int a = 0; a < m.nu; ++a) {
    const char* actuator = mj_id2name(&m, mjOBJ_ACTUATOR, a);
    action_space_.names.push_back(actuator ? actuator : "actuator" + std::to_string(a));
    action_space_.low.push_back(m.actuator_ctrlrange[2 * a]);
    action_space_.high.push_back(m.actuator_ctrlrange[2 * a + 1]);
  }
}

MujocoEnv::~MujocoEnv() = default;

void MujocoEnv::AddObservation(std::string name, double bound) {
  observation_space_.names.push_back(std::move(name));
  observation_space_.low.push_back(-bound);
  observation_space_.high.push_back(bound);
}

void MujocoEnv::AddSignal(std::string name) { signal_names_.push_back(std::move(name)); }

std::vector<Perturbation> MujocoEnv::perturbations() const {
  return MujocoPerturbations::Declared();
}

void MujocoEnv::SetPerturbations(const std::vector<PerturbationValue>& values) {
  perturbations_.Set(values);
}

void MujocoEnv::Reset(uint64_t seed, float* observation) {
  const mjModel* m = perturbations_.BeginEpisode(seed);
  mjData* d = data_.get();
  CountWarnings();
  mj_resetData(m, d);
  warnings_seen_.fill(0);

  std::mt19937_64 rng(seed);
  for (int i = 0; i < m->nq; ++i) d->qpos[i] += settings_.reset_noise * UniformSymmetric(rng);
  for (int i = 0; i < m->nv; ++i) d->qvel[i] += settings_.reset_noise * UniformSymmetric(rng);
  mj_forward(m, d);
  CountWarnings();

  steps_ = 0;
  Observe(observation);
  perturbations_.AddNoise(observation, observation_space_.size());
}

StepResult MujocoEnv::Step(const float* action, float* observation, double* signals) {
  const mjModel* m = perturbations_.model();
  mjData* d = data_.get();
  action = perturbations_.Delay(action);

  // clipped actions drive the actuators; MuJoCo ignores a NaN control and
  // counts mjWARN_BADCTRL, so it counts as 0 here too
  control_squared_ = 0.0;
  for (int a = 0; a < m->nu; ++a) {
    const double u = std::clamp(static_cast<double>(action[a]), m->actuator_ctrlrange[2 * a],
                                m->actuator_ctrlrange[2 * a + 1]);
    d->ctrl[a] = u;
    if (!std::isnan(u)) control_squared_ += u * u;
  }

  // simulate; MuJoCo resets the data itself when the state diverges
  BeforePhysics();
  perturbations_.Push(steps_, d);
  bool diverged = false;
  for (int k = 0; k < settings_.frame_skip && !diverged; ++k) {
    mj_step(m, d);
    diverged = Diverged(*d);
  }
  diverged = diverged || !FiniteState(*m, *d);
  CountWarnings();
  ++steps_;

  StepResult result;
  if (diverged) {
    // a finite observation and signals, and a finite state to continue from
    ++numerical_failures_;
    mj_resetData(m, d);
    warnings_seen_.fill(0);
    std::fill(observation, observation + observation_space_.size(), 0.0f);
    std::fill(signals, signals + signal_names_.size(), 0.0);
    MeasureFailure(signals);
    result.numerical_failure = true;
    result.terminated = true;
    return result;
  }

  result.terminated = Terminated();
  result.truncated = !result.terminated && steps_ >= settings_.max_episode_steps;
  Observe(observation);
  perturbations_.AddNoise(observation, observation_space_.size());
  Measure(signals);
  return result;
}

void MujocoEnv::CountWarnings() {
  const mjData& d = *data_;
  for (int i = 0; i < mjNWARNING; ++i) {
    const int number = d.warning[i].number;
    // MuJoCo restarts the counters when it resets the data itself
    if (number < warnings_seen_[i]) warnings_seen_[i] = 0;
    if (number > warnings_seen_[i]) {
      warning_totals_[i] += number - warnings_seen_[i];
      warning_last_info_[i] = d.warning[i].lastinfo;
      warnings_seen_[i] = number;
    }
  }
}

std::vector<std::string> MujocoEnv::Warnings() const {
  std::vector<std::string> lines;
  for (int i = 0; i < mjNWARNING; ++i) {
    if (warning_totals_[i] == 0) continue;
    lines.push_back(std::string(kWarningNames[i]) + ": " + std::to_string(warning_totals_[i]) +
                    " times (last info " + std::to_string(warning_last_info_[i]) + ")");
  }
  if (numerical_failures_ > 0) {
    lines.push_back("numerical failure: " + std::to_string(numerical_failures_) +
                    " steps ended an episode in divergence");
  }
  return lines;
}

std::vector<uint8_t> MujocoEnv::SaveState() const {
  const mjModel& m = *base_model_;
  StateWriter out(kStateVersion);
  SimulationState::Capture(m, *data_).Write(m, &out);
  out.Put(static_cast<int64_t>(steps_));
  perturbations_.Save(&out);
  return out.Take();
}

void MujocoEnv::LoadState(const std::vector<uint8_t>& bytes) {
  const mjModel& m = *base_model_;
  // read and check everything before touching the simulation
  StateReader in(bytes, name_, kStateVersion);
  const auto simulation = SimulationState::Read(m, &in);
  const auto steps = in.Get<int64_t>();
  perturbations_.Load(&in);
  in.Finish();
  simulation.Restore(m, data_.get());
  steps_ = static_cast<int>(steps);
  CountWarnings();
}

}  // namespace stride
