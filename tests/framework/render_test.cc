// MuJoCo's renderer in the headless OpenGL context, and the ffmpeg encoder.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "render/headless_gl.h"
#include "render/scene_renderer.h"
#include "render/video_encoder.h"
#include "stride/error.h"

namespace stride::render {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr int kWidth = 160, kHeight = 120;

struct Simulation {
  std::unique_ptr<mjModel, void (*)(mjModel*)> model{nullptr, mj_deleteModel};
  std::unique_ptr<mjData, void (*)(mjData*)> data{nullptr, mj_deleteData};
};

Simulation LoadModel(const std::string& xml_path) {
  char error[1000] = "";
  Simulation simulation;
  simulation.model.reset(mj_loadXML(xml_path.c_str(), nullptr, error, sizeof(error)));
  EXPECT_NE(simulation.model, nullptr) << error;
  simulation.data.reset(mj_makeData(simulation.model.get()));
  mj_forward(simulation.model.get(), simulation.data.get());
  return simulation;
}

Simulation Biped() {
  return LoadModel(std::string(STRIDE_SOURCE_DIR) + "/environments/biped/biped.xml");
}

std::string FreshDir(const std::string& name) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("render_test_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

// the frames ffmpeg decodes from a video, as RGB bytes
std::vector<std::string> DecodeFrames(const std::string& path, int width, int height) {
  const std::string raw = path + ".rgb";
  const std::string command =
      "ffmpeg -v error -y -i " + path + " -f rawvideo -pix_fmt rgb24 " + raw;
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  std::ifstream in(raw, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t frame_bytes = static_cast<size_t>(width) * height * 3;
  EXPECT_EQ(bytes.size() % frame_bytes, 0u);
  std::vector<std::string> frames;
  for (size_t at = 0; at + frame_bytes <= bytes.size(); at += frame_bytes) {
    frames.push_back(bytes.substr(at, frame_bytes));
  }
  return frames;
}

size_t DistinctColors(const std::vector<uint8_t>& rgb) {
  std::set<uint32_t> colors;
  for (size_t i = 0; i + 2 < rgb.size(); i += 3) {
    colors.insert(static_cast<uint32_t>(rgb[i]) << 16 | static_cast<uint32_t>(rgb[i + 1]) << 8 |
                  rgb[i + 2]);
  }
  return colors.size();
}

// the mean absolute difference of two images, per channel value
double MeanDifference(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  double sum = 0.0;
  for (size_t i = 0; i < a.size(); ++i)
    sum += std::abs(static_cast<int>(a[i]) - static_cast<int>(b[i]));
  return sum / static_cast<double>(a.size());
}

TEST(RenderTest, TrackingCameraDrawsTheWalkerOverTheFloor) {
  const HeadlessGlContext gl;
  EXPECT_FALSE(gl.renderer().empty());
  Simulation biped = Biped();
  SceneRenderer renderer(*biped.model, "track", kWidth, kHeight);
  EXPECT_EQ(renderer.camera_name(), "track");
  const std::vector<uint8_t> standing = renderer.Render(*biped.data);
  ASSERT_EQ(standing.size(), static_cast<size_t>(kWidth * kHeight * 3));
  EXPECT_GT(DistinctColors(standing), 200u);

  // the same state draws the same image (llvmpipe's first frame differs in a pixel or two)
  EXPECT_LT(MeanDifference(renderer.Render(*biped.data), standing), 0.01);

  // half a metre forward with a bent knee: the camera follows, the floor and the leg move
  const int rootx = mj_name2id(biped.model.get(), mjOBJ_JOINT, "rootx");
  const int knee = mj_name2id(biped.model.get(), mjOBJ_JOINT, "right_knee");
  biped.data->qpos[biped.model->jnt_qposadr[rootx]] += 0.5;
  biped.data->qpos[biped.model->jnt_qposadr[knee]] = -1.0;
  mj_forward(biped.model.get(), biped.data.get());
  const std::vector<uint8_t> moved = renderer.Render(*biped.data);
  EXPECT_GT(MeanDifference(standing, moved), 1.0);

  // the sky is at the top: rows run from the top down
  const auto brightness = [&](const std::vector<uint8_t>& rgb, int row) {
    double sum = 0.0;
    for (int x = 0; x < kWidth * 3; ++x) sum += rgb[static_cast<size_t>(row) * kWidth * 3 + x];
    return sum;
  };
  EXPECT_NE(brightness(standing, 0), brightness(standing, kHeight - 1));
}

TEST(RenderTest, UnknownCameraListsTheModelsCameras) {
  Simulation biped = Biped();
  try {
    FindCamera(*biped.model, "trak");
    FAIL() << "an unknown camera was accepted";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("unknown camera 'trak': the model's cameras are track"));
  }
  EXPECT_EQ(FindCamera(*biped.model, "track"), 0);
}

TEST(RenderTest, ModelWithoutCamerasGetsATrackingView) {
  const std::string dir = FreshDir("no_camera");
  std::ofstream(dir + "/box.xml") << R"(<mujoco><worldbody>
      <light pos="0 0 3"/><geom type="plane" size="5 5 0.1" rgba=".3 .3 .3 1"/>
      <body pos="0 0 1"><freejoint/><geom type="box" size=".2 .2 .2" rgba="1 0 0 1"/></body>
      </worldbody></mujoco>)";
  Simulation box = LoadModel(dir + "/box.xml");
  const HeadlessGlContext gl;
  SceneRenderer renderer(*box.model, "", kWidth, kHeight);
  EXPECT_EQ(renderer.camera_name(), "tracking");
  EXPECT_GT(DistinctColors(renderer.Render(*box.data)), 20u);
  try {
    FindCamera(*box.model, "track");
    FAIL() << "an unknown camera was accepted";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("the model has no cameras"));
  }
}

// frames whose left part is a bar moving right across a gray background
std::vector<uint8_t> BarFrame(int frame) {
  std::vector<uint8_t> rgb(static_cast<size_t>(kWidth) * kHeight * 3, 128);
  for (int y = 0; y < kHeight; ++y) {
    for (int x = frame * 8; x < frame * 8 + 16 && x < kWidth; ++x) {
      uint8_t* pixel = &rgb[(static_cast<size_t>(y) * kWidth + x) * 3];
      pixel[0] = 250;
      pixel[1] = 20;
      pixel[2] = 20;
    }
  }
  return rgb;
}

TEST(VideoEncoderTest, WritesMp4AndGifThatDecodeToTheFrames) {
  const std::string dir = FreshDir("encode");
  for (const std::string name : {"clip.mp4", "clip.gif"}) {
    const std::string path = dir + "/" + name;
    {
      VideoEncoder video(path, kWidth, kHeight, 31.25);
      for (int frame = 0; frame < 12; ++frame) video.Write(BarFrame(frame).data());
      video.Finish();
      EXPECT_EQ(video.frames(), 12);
    }
    EXPECT_FALSE(fs::exists(path + ".partial"));
    const std::vector<std::string> frames = DecodeFrames(path, kWidth, kHeight);
    ASSERT_EQ(frames.size(), 12u) << name;
    for (int frame : {0, 11}) {
      const std::vector<uint8_t> expected = BarFrame(frame);
      const std::vector<uint8_t> decoded(frames[frame].begin(), frames[frame].end());
      EXPECT_LT(MeanDifference(expected, decoded), 6.0) << name << " frame " << frame;
    }
  }
  char signature[6] = {};
  std::ifstream(dir + "/clip.gif", std::ios::binary).read(signature, sizeof(signature));
  EXPECT_EQ(std::string(signature, sizeof(signature)), "GIF89a");
}

TEST(VideoEncoderTest, OnlyMp4AndGifAreAccepted) {
  EXPECT_EQ(VideoFormatOf("a/walk.mp4"), VideoFormat::kMp4);
  EXPECT_EQ(VideoFormatOf("walk.gif"), VideoFormat::kGif);
  try {
    VideoFormatOf("walk.avi");
    FAIL() << "an .avi was accepted";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("'walk.avi': the video file must end in .mp4 or .gif"));
  }
}

TEST(VideoEncoderTest, FailingFfmpegIsReportedAndLeavesNoFile) {
  const std::string path = FreshDir("failing") + "/missing_dir/clip.mp4";
  try {
    VideoEncoder video(path, kWidth, kHeight, 30.0);
    for (int frame = 0; frame < 100; ++frame) video.Write(BarFrame(frame % 12).data());
    video.Finish();
    FAIL() << "ffmpeg wrote into a missing directory";
  } catch (const RuntimeError& e) {
    EXPECT_THAT(e.what(), HasSubstr("ffmpeg"));
    EXPECT_THAT(e.what(), HasSubstr(path));
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + ".partial"));
}

TEST(VideoEncoderTest, MissingFfmpegSaysHowToInstallIt) {
  const std::string path_variable = std::getenv("PATH");
  setenv("PATH", "/nonexistent", 1);
  try {
    VideoEncoder video(FreshDir("no_ffmpeg") + "/clip.mp4", kWidth, kHeight, 30.0);
    FAIL() << "an encoder started without ffmpeg";
  } catch (const RuntimeError& e) {
    EXPECT_THAT(e.what(), HasSubstr("ffmpeg was not found on PATH"));
    EXPECT_THAT(e.what(), HasSubstr("apt-get install ffmpeg"));
  }
  setenv("PATH", path_variable.c_str(), 1);
}

}  // namespace
}  // namespace stride::render
