// stride render RUN_DIR|POLICY --out FILE.mp4|FILE.gif: a video of the policy
// acting in its environment, drawn by MuJoCo in a headless OpenGL context and
// encoded by ffmpeg.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "args.h"
#include "commands.h"
#include "exported_policy.h"
#include "policy_episodes.h"
#include "render/headless_gl.h"
#include "render/scene_renderer.h"
#include "render/video_encoder.h"
#include "stride/error.h"
#include "stride/registry.h"

namespace stride::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// frames per second the video aims at; it plays in real time at 1 / (k * dt)
constexpr double kTargetFramesPerSecond = 30.0;

// environment steps between frames
int StepsPerFrame(double dt) {
  return std::max(1, static_cast<int>(std::lround(1.0 / (kTargetFramesPerSecond * dt))));
}

int PixelOption(const Args& args, const std::string& name, int fallback) {
  const int64_t value = args.Int(name).value_or(fallback);
  if (value < 16 || value > 4096 || value % 2 != 0) {
    throw ConfigError(
        fmt::format("stride render: {} must be an even number of pixels from 16 to "
                    "4096, got {}",
                    name, value));
  }
  return static_cast<int>(value);
}

double Seconds(Clock::duration duration) { return std::chrono::duration<double>(duration).count(); }

}  // namespace

int RenderCommand(const Argv& argv, const std::string& /*command_line*/) {
  const Args args(
      "render", argv,
      {"--out=", "--episodes=", "--seconds=", "--camera=", "--width=", "--height=", "--seed="});
  args.ExpectAtMost(1);
  const std::string& source = args.Positional(0, "run directory or policy file");
  const std::optional<std::string> out = args.Value("--out");
  if (!out) throw ConfigError("stride render: missing --out FILE (.mp4 or .gif)");
  render::VideoFormatOf(*out);
  const int64_t episodes = args.Int("--episodes").value_or(1);
  if (episodes < 1) throw ConfigError("stride render: --episodes must be at least 1");
  const double seconds = args.Double("--seconds").value_or(std::numeric_limits<double>::infinity());
  if (!(seconds > 0)) throw ConfigError("stride render: --seconds must be positive");
  const int width = PixelOption(args, "--width", 640);
  const int height = PixelOption(args, "--height", 480);
  const std::string camera = args.Value("--camera").value_or("");
  const uint64_t seed = static_cast<uint64_t>(args.Int("--seed").value_or(kReplaySeed));

  ConfigureTorch();
  PluginRegistry registry;
  const ExportedPolicy policy(source, registry);
  PolicyEpisodes run(policy, registry, seed, "render");
  if (!camera.empty()) render::FindCamera(run.model(), camera);
  const fs::path out_path = *out;
  std::error_code ec;
  if (out_path.has_parent_path()) fs::create_directories(out_path.parent_path(), ec);
  if (ec) {
    throw ConfigError(
        fmt::format("cannot create '{}': {}", out_path.parent_path().string(), ec.message()));
  }

  const render::HeadlessGlContext gl;
  render::SceneRenderer renderer(run.model(), camera, width, height);
  const int steps_per_frame = StepsPerFrame(run.dt());
  const double frames_per_second = 1.0 / (steps_per_frame * run.dt());
  const double max_frames = std::ceil(seconds * frames_per_second - 1e-9);
  render::VideoEncoder video(*out, width, height, frames_per_second);

  // the first frame shows the start; then one every steps_per_frame steps and
  // one at the start of each further episode
  Clock::duration drawing{}, stepping{}, encoding{};
  const auto draw = [&] {
    const Clock::time_point start = Clock::now();
    const std::vector<uint8_t>& frame = renderer.Render(run.data());
    const Clock::time_point drawn = Clock::now();
    video.Write(frame.data());
    drawing += drawn - start;
    encoding += Clock::now() - drawn;
  };
  const Clock::time_point start = Clock::now();
  draw();
  int steps = 0;
  while (static_cast<int64_t>(run.finished().size()) < episodes && video.frames() < max_frames) {
    const Clock::time_point step_start = Clock::now();
    const bool ended = run.Step();
    stepping += Clock::now() - step_start;
    ++steps;
    if (ended && static_cast<int64_t>(run.finished().size()) == episodes) break;
    if (ended || steps == steps_per_frame) {
      steps = 0;
      draw();
    }
  }
  const Clock::time_point finish = Clock::now();
  video.Finish();
  const Clock::duration finishing = Clock::now() - finish;
  const double total = Seconds(Clock::now() - start);

  std::printf("wrote %s: %lld frames of %dx%d at %.2f frames/s (%.1f s), camera '%s'\n",
              out->c_str(), static_cast<long long>(video.frames()), width, height,
              frames_per_second, static_cast<double>(video.frames()) / frames_per_second,
              renderer.camera_name().c_str());
  for (size_t i = 0; i < run.finished().size(); ++i) {
    std::printf("  episode %zu: %s\n", i + 1,
                DescribeEpisode(run.finished()[i], run.dt(), run.episode_metrics()).c_str());
  }
  if (static_cast<int64_t>(run.finished().size()) < episodes) {
    std::printf("  episode %d: cut at %.2f s by --seconds, return so far %.1f\n", run.episode(),
                static_cast<double>(run.episode_steps()) * run.dt(), run.episode_return());
  }
  std::printf(
      "  took %.1f s: drawing %.1f s (%.1f frames/s, %s), stepping and policy %.2f s, "
      "waiting for ffmpeg %.1f s\n",
      total, Seconds(drawing), static_cast<double>(video.frames()) / Seconds(drawing),
      gl.renderer().c_str(), Seconds(stepping), Seconds(encoding) + Seconds(finishing));
  return 0;
}

}  // namespace stride::cli
