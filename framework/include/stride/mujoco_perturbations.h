// The perturbations every MuJoCo environment gets: scales of friction, mass,
// actuator strength and joint damping, pushes on a body, observation noise
// and action delay. MujocoEnv owns one, calls it at Reset and Step, and saves
// it with its state. Part of stride::mujoco.
#ifndef STRIDE_MUJOCO_PERTURBATIONS_H_
#define STRIDE_MUJOCO_PERTURBATIONS_H_

#include <cstdint>
#include <memory>
#include <vector>

#include <mujoco/mujoco.h>

#include "stride/environment.h"
#include "stride/mujoco_state.h"

namespace stride {

class MujocoPerturbations {
 public:
  // base: the environment's unperturbed model; pushes hit push_body, one
  // environment step (env_dt seconds) long
  MujocoPerturbations(std::shared_ptr<const mjModel> base, int push_body, double env_dt);

  // friction_scale, mass_scale, actuator_scale, damping_scale, push_impulse,
  // observation_noise, action_delay
  static std::vector<Perturbation> Declared();

  // magnitudes for the episodes from the next BeginEpisode on
  void Set(const std::vector<PerturbationValue>& values);
  // at Reset: the model of the episode (the base, or a private copy with its
  // scales), and the episode's pushes and noise drawn from seed
  const mjModel* BeginEpisode(uint64_t seed);
  // the model of the current episode
  const mjModel* model() const;

  // the action to apply now: action_delay steps late (zeros before)
  const float* Delay(const float* action);
  // before the physics steps of environment step `step`: the push, if one is due
  void Push(int step, mjData* data);
  // after the observation is written: Gaussian noise of std observation_noise
  void AddNoise(float* observation, int size);

  void Save(StateWriter* out) const;
  void Load(StateReader* in);

 private:
  // rewrites the private model's scaled arrays from the base
  void ApplyScales();
  // 1 to 3 s of steps, drawn
  int StepsToNextPush();
  double Uniform();

  std::shared_ptr<const mjModel> base_;
  std::unique_ptr<mjModel, void (*)(mjModel*)> scaled_;
  int push_body_;
  double env_dt_;

  // requested for the next episodes, and holding in this one
  std::vector<double> next_, current_;

  // SplitMix64: the whole generator is one word of state
  uint64_t rng_ = 0;
  int next_push_step_ = 0;
  // the actions still to be applied, a ring of action_delay actions
  std::vector<float> delayed_;
  int delay_head_ = 0;
  std::vector<float> out_;
};

}  // namespace stride

#endif  // STRIDE_MUJOCO_PERTURBATIONS_H_
