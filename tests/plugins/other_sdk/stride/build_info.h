// The build_info.h of another stride SDK version, for a plugin built against it.
#ifndef STRIDE_BUILD_INFO_H_
#define STRIDE_BUILD_INFO_H_

#define STRIDE_VERSION "0.0.1"
#define STRIDE_TORCH_VERSION "1.0.0"
#define STRIDE_MUJOCO_VERSION "2.0.0"

#endif  // STRIDE_BUILD_INFO_H_
