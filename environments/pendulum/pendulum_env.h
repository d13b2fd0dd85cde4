// The pendulum: a cart on a rail balancing a hinged pole, as Gymnasium's
// InvertedPendulum-v4. Small and quick to learn, so algorithm tests finish in
// seconds. README.md lists the parameters and the signals Step() writes.
#ifndef STRIDE_ENVIRONMENTS_PENDULUM_PENDULUM_ENV_H_
#define STRIDE_ENVIRONMENTS_PENDULUM_PENDULUM_ENV_H_

#include <vector>

#include "stride/params.h"
#include "stride/plugin.h"

namespace stride::pendulum {

// the text of pendulum.xml, compiled into the library
extern const char kModelXml[];

// the declared parameters, and the plugin entry "pendulum" built on them
std::vector<ParamSpec> PendulumParamSpecs();
PluginEntry PendulumEntry();

}  // namespace stride::pendulum

#endif  // STRIDE_ENVIRONMENTS_PENDULUM_PENDULUM_ENV_H_
