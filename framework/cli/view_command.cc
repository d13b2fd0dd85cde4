// stride view RUN_DIR|POLICY: a window where the policy acts in its
// environment in real time, drawn by MuJoCo. Space pauses, S toggles slow
// motion, R or Backspace resets, the right arrow steps while paused, Esc quits.
#include <GLFW/glfw3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "args.h"
#include "commands.h"
#include "exported_policy.h"
#include "policy_episodes.h"
#include "render/scene_renderer.h"
#include "stride/error.h"
#include "stride/registry.h"
#include "stride/runner.h"

namespace stride::cli {
namespace {

constexpr double kSlowMotion = 0.25;
constexpr double kMaxFramesPerSecond = 60.0;
// a frame slower than this holds the simulation back rather than jumping ahead
constexpr double kMaxFrameSeconds = 0.25;
constexpr char kHelp[] = "Space pause   S slow motion   R reset   Right step   Esc quit";

// what the keys ask for, read by the loop
struct Controls {
  bool paused = false;
  bool slow = false;
  bool reset = false;
  int single_steps = 0;
};

std::string g_glfw_error = "unknown GLFW error";

void RememberGlfwError(int, const char* description) { g_glfw_error = description; }

void HandleKey(GLFWwindow* window, int key, int, int action, int) {
  if (action != GLFW_PRESS && action != GLFW_REPEAT) return;
  auto* controls = static_cast<Controls*>(glfwGetWindowUserPointer(window));
  switch (key) {
    case GLFW_KEY_SPACE:
      controls->paused = !controls->paused;
      break;
    case GLFW_KEY_S:
      controls->slow = !controls->slow;
      break;
    case GLFW_KEY_R:
    case GLFW_KEY_BACKSPACE:
      controls->reset = true;
      break;
    case GLFW_KEY_RIGHT:
      controls->single_steps += controls->paused ? 1 : 0;
      break;
    case GLFW_KEY_ESCAPE:
      glfwSetWindowShouldClose(window, GLFW_TRUE);
      break;
    default:
      break;
  }
}

// GLFW and one window with a current OpenGL context, or the "no display" error
class Window {
 public:
  Window(const std::string& title, const std::string& source) {
    glfwSetErrorCallback(RememberGlfwError);
    if (!glfwInit()) throw NoDisplay(source);
    window_ = glfwCreateWindow(1024, 640, title.c_str(), nullptr, nullptr);
    if (window_ == nullptr) {
      glfwTerminate();
      throw NoDisplay(source);
    }
    glfwMakeContextCurrent(window_);
    glfwSwapInterval(1);
  }
  ~Window() {
    glfwDestroyWindow(window_);
    glfwTerminate();
  }
  GLFWwindow* get() const { return window_; }

 private:
  static RuntimeError NoDisplay(const std::string& source) {
    return RuntimeError(
        fmt::format("no display: stride view needs a window ({}); render a video "
                    "instead: use `stride render {} --out walk.mp4`",
                    g_glfw_error, source));
  }

  GLFWwindow* window_ = nullptr;
};

}  // namespace

int ViewCommand(const Argv& argv, const std::string& /*command_line*/) {
  const Args args("view", argv, {"--camera=", "--seed="});
  args.ExpectAtMost(1);
  const std::string& source = args.Positional(0, "run directory or policy file");
  const std::string camera = args.Value("--camera").value_or("");
  const uint64_t seed = static_cast<uint64_t>(args.Int("--seed").value_or(kReplaySeed));

  // Ctrl+C (or SIGTERM) closes the window like Esc
  InstallStopHandlers();
  ConfigureTorch();
  PluginRegistry registry;
  const ExportedPolicy policy(source, registry);
  PolicyEpisodes run(policy, registry, seed, "view");
  if (!camera.empty()) render::FindCamera(run.model(), camera);

  Window window("stride view: " + policy.path(), source);
  Controls controls;
  glfwSetWindowUserPointer(window.get(), &controls);
  glfwSetKeyCallback(window.get(), HandleKey);
  render::SceneRenderer renderer(run.model(), camera, 640, 480);
  std::printf("viewing %s (camera '%s'); %s\n", policy.path().c_str(),
              renderer.camera_name().c_str(), kHelp);
  std::fflush(stdout);

  // simulated time follows the wall clock, scaled by the speed, one frame at a time
  double last = glfwGetTime();
  double due = 0.0;
  int64_t frames = 0;
  while (!glfwWindowShouldClose(window.get()) && !StopRequested()) {
    const double now = glfwGetTime();
    const double speed = controls.slow ? kSlowMotion : 1.0;
    if (!controls.paused) due += std::min(now - last, kMaxFrameSeconds) * speed;
    last = now;
    int steps = controls.single_steps;
    controls.single_steps = 0;
    for (; due >= run.dt(); due -= run.dt()) ++steps;
    for (int i = 0; i < steps; ++i) {
      if (!run.Step()) continue;
      std::printf("episode %zu: %s\n", run.finished().size(),
                  DescribeEpisode(run.finished().back(), run.dt(), run.episode_metrics()).c_str());
      std::fflush(stdout);
    }
    if (controls.reset) {
      controls.reset = false;
      run.Restart();
      due = 0.0;
    }

    const std::string values =
        fmt::format("{}\n{:.2f} s\n{:.1f}\n{}", run.episode(),
                    static_cast<double>(run.episode_steps()) * run.dt(), run.episode_return(),
                    controls.paused ? "paused"
                    : controls.slow ? "slow motion (1/4)"
                                    : "real time");
    int width = 0, height = 0;
    glfwGetFramebufferSize(window.get(), &width, &height);
    renderer.RenderToWindow(run.data(), width, height, "Episode\nTime\nReturn\nSpeed", values,
                            kHelp);
    glfwSwapBuffers(window.get());
    glfwPollEvents();
    ++frames;
    // a virtual display may not wait for vertical sync
    const double frame_end = last + 1.0 / kMaxFramesPerSecond;
    const double remaining = frame_end - glfwGetTime();
    if (remaining > 0) std::this_thread::sleep_for(std::chrono::duration<double>(remaining));
  }
  std::printf("drew %lld frames; %zu episodes finished\n", static_cast<long long>(frames),
              run.finished().size());
  return 0;
}

}  // namespace stride::cli
