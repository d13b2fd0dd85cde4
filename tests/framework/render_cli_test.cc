// stride render, stride view and the TensorBoard events of a run, through the
// stride executable. tests/data/walker_policy.pt is the quickstart's policy
// (PPO, 1M steps on the biped with 0.9 friction on both feet, as its embedded
// config says), so the rendered walk can be checked to advance.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_runner.h"
#include "tensorboard_events.h"

namespace stride::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::string kWalker = std::string(STRIDE_SOURCE_DIR) + "/tests/data/walker_policy.pt";

// a tiny training run of experiment text; returns its run directory
std::string TrainTiny(const std::string& name, const std::string& environment) {
  const std::string dir = TempDir(name);
  WriteFile(dir + "/experiment.toml",
            "[experiment]\nname = \"tiny\"\ntotal_steps = 256\ncheckpoint_every_steps = 0\n" +
                environment +
                "\n[[reward]]\nplugin = \"alive_bonus\"\n"
                "\n[algorithm]\nplugin = \"ppo\"\nnum_steps = 64\nnum_minibatches = 2\n"
                "update_epochs = 1\n\n[evaluation]\nepisodes = 2\n");
  const CliResult run = RunStride("run " + dir + "/experiment.toml --out " + dir + "/runs");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  return dir + "/runs/tiny/seed_0";
}

std::string Biped() { return "\n[environment]\nplugin = \"biped\"\nnum_envs = 2\n"; }

// the frames ffmpeg decodes from a video
std::vector<std::string> DecodeFrames(const std::string& path, int width, int height) {
  const std::string raw = path + ".rgb";
  const std::string command =
      "ffmpeg -v error -y -i " + path + " -f rawvideo -pix_fmt rgb24 " + raw;
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  const std::string bytes = ReadFile(raw);
  const size_t frame_bytes = static_cast<size_t>(width) * height * 3;
  std::vector<std::string> frames;
  for (size_t at = 0; at + frame_bytes <= bytes.size(); at += frame_bytes) {
    frames.push_back(bytes.substr(at, frame_bytes));
  }
  return frames;
}

double MeanDifference(const std::string& a, const std::string& b) {
  double sum = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    sum += std::abs(static_cast<int>(static_cast<uint8_t>(a[i])) -
                    static_cast<int>(static_cast<uint8_t>(b[i])));
  }
  return sum / static_cast<double>(a.size());
}

double StandardDeviation(const std::string& rgb) {
  double sum = 0.0, sum_sq = 0.0;
  for (char c : rgb) {
    const double v = static_cast<uint8_t>(c);
    sum += v;
    sum_sq += v * v;
  }
  const double n = static_cast<double>(rgb.size());
  return std::sqrt(sum_sq / n - (sum / n) * (sum / n));
}

TEST(RenderCliTest, VideoOfTheTrainedPolicyShowsTheWalkerMovingForward) {
  const std::string out = TempDir("render_walk") + "/walk.mp4";
  const CliResult result =
      RunStride("render " + kWalker + " --out " + out + " --width 160 --height 120");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out,
              HasSubstr("wrote " + out +
                        ": 250 frames of 160x120 at 31.25 frames/s (8.0 s), camera 'track'"));
  // the episode the frames show, as the environment measured it
  std::smatch match;
  ASSERT_TRUE(std::regex_search(
      result.out, match,
      std::regex("episode 1: return [0-9.]+ in 8.00 s, time limit; distance ([0-9.]+), "
                 "forward_speed [0-9.]+, fell 0, lowest_trunk_height ([0-9.]+), ")))
      << result.out;
  EXPECT_GT(std::stod(match[1]), 10.0);
  EXPECT_GE(std::stod(match[2]), 0.8);

  const std::vector<std::string> frames = DecodeFrames(out, 160, 120);
  ASSERT_EQ(frames.size(), 250u);
  for (size_t i = 0; i < frames.size(); i += 25) {
    EXPECT_GT(StandardDeviation(frames[i]), 10.0) << "frame " << i << " is blank";
  }
  // the walker moves and the floor passes under the tracking camera: frames a step apart differ
  for (size_t i = 25; i < frames.size(); i += 25) {
    EXPECT_GT(MeanDifference(frames[i - 1], frames[i]), 0.5) << "frames " << i - 1 << " and " << i;
  }
}

TEST(RenderCliTest, GifIsCutByTheSecondsAndRunDirectoriesWork) {
  const std::string run = TrainTiny("render_gif", Biped());
  const std::string out = TempDir("render_gif_out") + "/nested/walk.gif";
  // a cut well before the barely trained walker can fall
  const CliResult result = RunStride("render " + run + " --out " + out +
                                     " --seconds 0.3 --width 64 --height 48 --camera track");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("10 frames of 64x48"));
  EXPECT_THAT(result.out, HasSubstr("episode 1: cut at"));
  EXPECT_EQ(ReadFile(out).substr(0, 6), "GIF89a");
  EXPECT_EQ(DecodeFrames(out, 64, 48).size(), 10u);
}

TEST(RenderCliTest, BadInputsAreUsageErrors) {
  const std::string dir = TempDir("render_errors");
  const auto expect_usage_error = [&](const std::string& arguments, const std::string& message) {
    const CliResult result = RunStride(arguments);
    EXPECT_EQ(result.exit_code, 2) << arguments << "\n" << result.err;
    EXPECT_THAT(result.err, HasSubstr(message)) << arguments;
  };
  expect_usage_error("render " + kWalker, "stride render: missing --out FILE (.mp4 or .gif)");
  expect_usage_error("render --out " + dir + "/a.mp4", "missing run directory or policy file");
  expect_usage_error("render " + kWalker + " --out " + dir + "/a.avi", "must end in .mp4 or .gif");
  expect_usage_error("render " + kWalker + " --out " + dir + "/a.mp4 --episodes 0",
                     "--episodes must be at least 1");
  expect_usage_error("render " + kWalker + " --out " + dir + "/a.mp4 --seconds -1",
                     "--seconds must be positive");
  expect_usage_error("render " + kWalker + " --out " + dir + "/a.mp4 --seconds soon",
                     "option '--seconds' needs a number, got 'soon'");
  expect_usage_error("render " + kWalker + " --out " + dir + "/a.mp4 --width 101",
                     "--width must be an even number of pixels from 16 to 4096, got 101");
  expect_usage_error("render " + kWalker + " --out " + dir + "/a.mp4 --camera side",
                     "unknown camera 'side': the model's cameras are track");
  expect_usage_error("render " + dir + " --out " + dir + "/a.mp4", "is not a run directory");
  expect_usage_error("render " + dir + "/nothing.pt --out " + dir + "/a.mp4", "no policy at");
  expect_usage_error("view " + kWalker + " --camera side", "unknown camera 'side'");
  EXPECT_FALSE(fs::exists(dir + "/a.mp4"));
}

TEST(RenderCliTest, EnvironmentWithoutASimulationCannotBeDrawn) {
  const std::string run =
      TrainTiny("render_line", "plugin_dirs = [\"" STRIDE_TEST_PLUGIN_DIR
                               "/line_env\"]\n"
                               "\n[environment]\nplugin = \"line\"\nnum_envs = 2\n");
  const CliResult render = RunStride("render " + run + " --out " + TempDir("line_out") + "/x.mp4");
  EXPECT_EQ(render.exit_code, 2) << render.err;
  EXPECT_THAT(render.err,
              HasSubstr("stride render: environment 'line' is not a MuJoCo simulation"));
  const CliResult view = RunStride("view " + run);
  EXPECT_EQ(view.exit_code, 2) << view.err;
  EXPECT_THAT(view.err, HasSubstr("stride view: environment 'line' is not a MuJoCo simulation"));
}

TEST(RenderCliTest, MissingFfmpegIsARuntimeError) {
  const CliResult result = RunStride(
      "render " + kWalker + " --out " + TempDir("no_ffmpeg") + "/walk.mp4", "PATH=/nonexistent");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("ffmpeg was not found on PATH"));
}

TEST(ViewCliTest, WithoutADisplayItSaysHowToRenderInstead) {
  const CliResult result = RunStride("view " + kWalker, "-u DISPLAY -u WAYLAND_DISPLAY");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("error: no display: stride view needs a window"));
  EXPECT_THAT(result.err, HasSubstr("use `stride render " + kWalker + " --out walk.mp4`"));
}

TEST(ViewCliTest, DrawsInAWindowOfAVirtualDisplayUntilStopped) {
  const CliResult result =
      RunStride("view " + kWalker,
                "xvfb-run --auto-servernum --server-args='-screen 0 1280x1024x24' "
                "timeout --preserve-status --signal INT 20");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("viewing " + kWalker + " (camera 'track')"));
  std::smatch match;
  ASSERT_TRUE(std::regex_search(result.out, match, std::regex("drew ([0-9]+) frames")))
      << result.out;
  // a loaded machine may spend most of the 20 s starting
  EXPECT_GE(std::stoi(match[1]), 2);
}

// metrics.csv, as tag -> step -> value
std::map<std::string, std::map<int64_t, double>> CsvColumns(const std::string& path,
                                                            const std::string& prefix) {
  std::stringstream in(ReadFile(path));
  std::vector<std::string> header;
  std::map<std::string, std::map<int64_t, double>> columns;
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells;
    std::stringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    if (header.empty()) {
      header = cells;
      continue;
    }
    for (size_t i = 1; i < cells.size(); ++i) {
      if (!cells[i].empty())
        columns[prefix + header[i]][std::stoll(cells[0])] = std::stod(cells[i]);
    }
  }
  return columns;
}

TEST(TensorBoardCliTest, RunWritesTheCsvMetricsAsEvents) {
  const std::string run = TrainTiny("tensorboard_run", Biped());
  const std::vector<std::string> files = EventFilesIn(run);
  ASSERT_EQ(files.size(), 1u);
  const EventFile file = ReadEventFile(files[0]);
  ASSERT_TRUE(file.complete);
  std::map<std::string, std::map<int64_t, double>> events;
  for (const TensorBoardEvent& event : file.events) {
    for (const auto& [tag, value] : event.scalars) events[tag][event.step] = value;
  }
  std::map<std::string, std::map<int64_t, double>> csv = CsvColumns(run + "/metrics.csv", "train/");
  for (const auto& [tag, rows] : CsvColumns(run + "/eval.csv", "eval/")) csv[tag] = rows;
  EXPECT_TRUE(csv.count("train/policy_loss"));
  EXPECT_TRUE(csv.count("eval/mean_return"));
  // the biped's episode metrics, the mean of each per evaluation
  EXPECT_TRUE(csv.count("eval/distance"));
  EXPECT_TRUE(csv.count("eval/lowest_trunk_height"));
  EXPECT_TRUE(csv.count("eval/ground_contact_fraction"));
  ASSERT_EQ(events.size(), csv.size());
  for (const auto& [tag, rows] : csv) {
    ASSERT_EQ(events[tag].size(), rows.size()) << tag;
    for (const auto& [step, value] : rows) {
      EXPECT_FLOAT_EQ(events[tag][step], static_cast<float>(value)) << tag << " at " << step;
    }
  }
}

}  // namespace
}  // namespace stride::testing
