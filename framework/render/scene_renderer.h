// Draws a MuJoCo simulation from one camera with MuJoCo's own renderer, in the
// OpenGL context current on the calling thread: into its offscreen buffer for
// videos, or into a window's framebuffer for the viewer.
#ifndef STRIDE_RENDER_SCENE_RENDERER_H_
#define STRIDE_RENDER_SCENE_RENDERER_H_

#include <mujoco/mujoco.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace stride::render {

// the index of the model's camera called name; throws ConfigError listing the
// model's cameras when there is none of that name
int FindCamera(const mjModel& model, const std::string& name);

class SceneRenderer {
 public:
  // camera: one of the model's cameras; empty: the model's first camera, or a
  // camera tracking the first body for a model without cameras. width x height
  // is the offscreen image size.
  SceneRenderer(const mjModel& model, const std::string& camera, int width, int height);
  ~SceneRenderer();
  SceneRenderer(const SceneRenderer&) = delete;
  SceneRenderer& operator=(const SceneRenderer&) = delete;

  int width() const { return width_; }
  int height() const { return height_; }
  // the camera drawn from: its name, or "tracking" for the default view
  const std::string& camera_name() const { return camera_name_; }

  // draws data's state (of a model with the same sizes) offscreen and returns
  // width x height RGB pixels, rows from top to bottom
  const std::vector<uint8_t>& Render(const mjData& data);
  // draws data's state into the current window framebuffer of the given size,
  // with overlay text: labels and values in two columns at the top left, help
  // at the bottom left
  void RenderToWindow(const mjData& data, int width, int height, const std::string& labels,
                      const std::string& values, const std::string& help);

 private:
  // copies the state and computes the positions that drawing reads
  void UpdateScene(const mjData& data);

  int width_, height_;
  std::string camera_name_;
  std::unique_ptr<mjModel, void (*)(mjModel*)> model_;
  std::unique_ptr<mjData, void (*)(mjData*)> data_;
  mjvCamera camera_;
  mjvOption option_;
  mjvScene scene_;
  mjrContext context_;
  std::vector<uint8_t> pixels_;
  std::vector<uint8_t> flipped_;
};

}  // namespace stride::render

#endif  // STRIDE_RENDER_SCENE_RENDERER_H_
