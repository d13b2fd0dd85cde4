// The biped: a planar Walker2d-like walker simulated in MuJoCo.
//
// Observations come in two layouts: "seed14" (trunk pitch, six joint angles,
// then the seven matching velocities) and "walker17" (Gymnasium Walker2d-v4:
// trunk height, pitch, six joint angles, then nine velocities clipped to
// +-10). README.md lists the parameters, the signals Step() writes and the
// episode metrics.
#ifndef STRIDE_ENVIRONMENTS_BIPED_BIPED_ENV_H_
#define STRIDE_ENVIRONMENTS_BIPED_BIPED_ENV_H_

#include <array>
#include <vector>

#include "stride/params.h"
#include "stride/plugin.h"

namespace stride::biped {

// the text of biped.xml, compiled into the library
extern const char kBuiltinModelXml[];

// the actuated joints, in the order of actions and joint signals
inline constexpr int kNumJoints = 6;
inline constexpr std::array<const char*, kNumJoints> kJointNames = {
    "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle"};

// the declared parameters, and the plugin entry "biped" built on them
std::vector<ParamSpec> BipedParamSpecs();
PluginEntry BipedEntry();

}  // namespace stride::biped

#endif  // STRIDE_ENVIRONMENTS_BIPED_BIPED_ENV_H_
