// The stride_rewards plugin: every reward term in this folder, each
// registered in its own file with STRIDE_REGISTER.
//
// Penalties return negative values, so every weight in an experiment is
// positive: Walker2d's reward is alive_bonus 1 + forward_velocity 1 +
// ctrl_cost 0.001. README.md lists each term's parameters and signals.
#include "stride/plugin.h"

STRIDE_PLUGIN_OF_REGISTERED()
