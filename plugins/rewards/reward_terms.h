// The reward terms of the stride_rewards plugin, one entry per term.
//
// Penalties return negative values, so every weight in an experiment is
// positive: Walker2d's reward is alive_bonus 1 + forward_velocity 1 +
// ctrl_cost 0.001. README.md lists each term's parameters and signals.
#ifndef STRIDE_PLUGINS_REWARDS_REWARD_TERMS_H_
#define STRIDE_PLUGINS_REWARDS_REWARD_TERMS_H_

#include "stride/plugin.h"

namespace stride::rewards {

// a constant value every step
PluginEntry AliveBonusEntry();
// forward_velocity, optionally capped
PluginEntry ForwardVelocityEntry();
// -control_squared
PluginEntry CtrlCostEntry();
// -trunk_pitch^2
PluginEntry TrunkUprightEntry();
// -sum over joints of |actuator_force * joint_velocity|
PluginEntry EnergyEntry();

}  // namespace stride::rewards

#endif  // STRIDE_PLUGINS_REWARDS_REWARD_TERMS_H_
