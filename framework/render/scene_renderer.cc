#include "scene_renderer.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "stride/error.h"

namespace stride::render {
namespace {

constexpr int kMaxGeoms = 2000;

std::vector<std::string> CameraNames(const mjModel& model) {
  std::vector<std::string> names;
  for (int i = 0; i < model.ncam; ++i) {
    const char* name = mj_id2name(&model, mjOBJ_CAMERA, i);
    names.push_back(name ? name : fmt::format("#{}", i));
  }
  return names;
}

}  // namespace

int FindCamera(const mjModel& model, const std::string& name) {
  const int id = mj_name2id(&model, mjOBJ_CAMERA, name.c_str());
  if (id >= 0) return id;
  if (model.ncam == 0) {
    throw ConfigError(
        fmt::format("unknown camera '{}': the model has no cameras (leave out "
                    "--camera for a view that tracks the model)",
                    name));
  }
  throw ConfigError(fmt::format("unknown camera '{}': the model's cameras are {}", name,
                                fmt::join(CameraNames(model), ", ")));
}

SceneRenderer::SceneRenderer(const mjModel& model, const std::string& camera, int width, int height)
    : width_(width),
      height_(height),
      model_(mj_copyModel(nullptr, &model), mj_deleteModel),
      data_(nullptr, mj_deleteData) {
  mjv_defaultCamera(&camera_);
  if (!camera.empty() || model.ncam > 0) {
    camera_.type = mjCAMERA_FIXED;
    camera_.fixedcamid = camera.empty() ? 0 : FindCamera(model, camera);
    camera_name_ = CameraNames(model)[camera_.fixedcamid];
  } else {
    // MuJoCo's free camera, following the first body's subtree
    mjv_defaultFreeCamera(model_.get(), &camera_);
    camera_.type = mjCAMERA_TRACKING;
    camera_.trackbodyid = std::min(1, model.nbody - 1);
    camera_name_ = "tracking";
  }
  // the offscreen buffer is sized by the model's visual settings
  model_->vis.global.offwidth = width;
  model_->vis.global.offheight = height;
  data_.reset(mj_makeData(model_.get()));
  mjv_defaultOption(&option_);
  mjv_defaultScene(&scene_);
  mjv_makeScene(model_.get(), &scene_, kMaxGeoms);
  mjr_defaultContext(&context_);
  mjr_makeContext(model_.get(), &context_, mjFONTSCALE_150);
  if (context_.offWidth < width || context_.offHeight < height) {
    const int max_width = context_.offWidth, max_height = context_.offHeight;
    mjr_freeContext(&context_);
    mjv_freeScene(&scene_);
    throw ConfigError(
        fmt::format("{}x{} pixels is larger than OpenGL's offscreen buffer can be "
                    "here ({}x{})",
                    width, height, max_width, max_height));
  }
  pixels_.resize(static_cast<size_t>(width) * height * 3);
  flipped_.resize(pixels_.size());
}

SceneRenderer::~SceneRenderer() {
  mjr_freeContext(&context_);
  mjv_freeScene(&scene_);
}

void SceneRenderer::UpdateScene(const mjData& data) {
  mj_copyData(data_.get(), model_.get(), &data);
  mj_forward(model_.get(), data_.get());
  mjv_updateScene(model_.get(), data_.get(), &option_, nullptr, &camera_, mjCAT_ALL, &scene_);
}

const std::vector<uint8_t>& SceneRenderer::Render(const mjData& data) {
  UpdateScene(data);
  const mjrRect viewport = {0, 0, width_, height_};
  mjr_setBuffer(mjFB_OFFSCREEN, &context_);
  mjr_render(viewport, &scene_, &context_);
  mjr_readPixels(pixels_.data(), nullptr, viewport, &context_);
  // OpenGL's rows run from the bottom up
  const size_t row = static_cast<size_t>(width_) * 3;
  for (int y = 0; y < height_; ++y) {
    std::memcpy(flipped_.data() + row * y, pixels_.data() + row * (height_ - 1 - y), row);
  }
  return flipped_;
}

void SceneRenderer::RenderToWindow(const mjData& data, int width, int height,
                                   const std::string& labels, const std::string& values,
                                   const std::string& help) {
  UpdateScene(data);
  const mjrRect viewport = {0, 0, width, height};
  mjr_setBuffer(mjFB_WINDOW, &context_);
  mjr_render(viewport, &scene_, &context_);
  mjr_overlay(mjFONT_NORMAL, mjGRID_TOPLEFT, viewport, labels.c_str(), values.c_str(), &context_);
  mjr_overlay(mjFONT_NORMAL, mjGRID_BOTTOMLEFT, viewport, help.c_str(), nullptr, &context_);
}

}  // namespace stride::render
