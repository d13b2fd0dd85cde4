#include "video_encoder.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <vector>

#include <fmt/format.h>

#include "stride/error.h"

extern char** environ;

namespace stride::render {
namespace {

namespace fs = std::filesystem;

// one palette of 128 colours for the whole clip (a simulation has few; 256 only
// makes the file larger); only the changed rectangle of each frame is re-dithered
constexpr char kGifFilter[] =
    "split[a][b];[a]palettegen=max_colors=128:stats_mode=diff[p];"
    "[b][p]paletteuse=dither=bayer:bayer_scale=5:diff_mode=rectangle";

std::vector<std::string> FfmpegArguments(VideoFormat format, int width, int height,
                                         double frames_per_second, const std::string& output) {
  std::vector<std::string> args = {"ffmpeg",      "-hide_banner",
                                   "-nostats",    "-loglevel",
                                   "error",       "-y",
                                   "-f",          "rawvideo",
                                   "-pix_fmt",    "rgb24",
                                   "-video_size", fmt::format("{}x{}", width, height),
                                   "-framerate",  fmt::format("{:.6f}", frames_per_second),
                                   "-i",          "pipe:0"};
  if (format == VideoFormat::kMp4) {
    args.insert(args.end(), {"-c:v", "libx264", "-preset", "medium", "-crf", "23", "-pix_fmt",
                             "yuv420p", "-movflags", "+faststart", "-f", "mp4"});
  } else {
    args.insert(args.end(), {"-filter_complex", kGifFilter, "-f", "gif"});
  }
  args.push_back(output);
  return args;
}

}  // namespace

VideoFormat VideoFormatOf(const std::string& path) {
  const std::string extension = fs::path(path).extension().string();
  if (extension == ".mp4") return VideoFormat::kMp4;
  if (extension == ".gif") return VideoFormat::kGif;
  throw ConfigError(fmt::format("'{}': the video file must end in .mp4 or .gif", path));
}

VideoEncoder::VideoEncoder(const std::string& path, int width, int height, double frames_per_second)
    : path_(path),
      partial_path_(path + ".partial"),
      frame_bytes_(static_cast<size_t>(width) * height * 3) {
  const std::vector<std::string> args =
      FfmpegArguments(VideoFormatOf(path), width, height, frames_per_second, partial_path_);
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    throw RuntimeError(fmt::format("cannot create a pipe to ffmpeg: {}", std::strerror(errno)));
  }
  messages_ = std::tmpfile();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  if (messages_) posix_spawn_file_actions_adddup2(&actions, fileno(messages_), STDERR_FILENO);
  const int spawned = posix_spawnp(&pid_, "ffmpeg", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[0]);
  if (spawned != 0) {
    close(fds[1]);
    pid_ = -1;
    if (spawned == ENOENT) {
      throw RuntimeError(
          "ffmpeg was not found on PATH: videos are encoded with it "
          "(Debian: apt-get install ffmpeg)");
    }
    throw RuntimeError(fmt::format("cannot start ffmpeg: {}", std::strerror(spawned)));
  }
  pipe_ = fds[1];
  // a failing ffmpeg closes the pipe: report its message instead of dying of SIGPIPE
  std::signal(SIGPIPE, SIG_IGN);
}

VideoEncoder::~VideoEncoder() {
  if (pid_ > 0) {
    close(pipe_);
    kill(pid_, SIGTERM);
    Wait();
    std::error_code ec;
    fs::remove(partial_path_, ec);
  }
  if (messages_) std::fclose(messages_);
}

void VideoEncoder::Write(const uint8_t* rgb) {
  size_t written = 0;
  while (written < frame_bytes_) {
    const ssize_t n = write(pipe_, rgb + written, frame_bytes_ - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close(pipe_);
      const std::string status = Wait();
      std::error_code ec;
      fs::remove(partial_path_, ec);
      throw RuntimeError(fmt::format("ffmpeg stopped while writing '{}' ({}): {}", path_, status,
                                     FfmpegMessages()));
    }
    written += static_cast<size_t>(n);
  }
  ++frames_;
}

void VideoEncoder::Finish() {
  close(pipe_);
  const std::string status = Wait();
  std::error_code ec;
  if (!status.empty()) {
    fs::remove(partial_path_, ec);
    throw RuntimeError(
        fmt::format("ffmpeg failed writing '{}' ({}): {}", path_, status, FfmpegMessages()));
  }
  fs::rename(partial_path_, path_, ec);
  if (ec) throw RuntimeError(fmt::format("cannot write '{}': {}", path_, ec.message()));
}

std::string VideoEncoder::Wait() {
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
  if (WIFEXITED(status)) return fmt::format("exit status {}", WEXITSTATUS(status));
  return fmt::format("killed by signal {}", WTERMSIG(status));
}

std::string VideoEncoder::FfmpegMessages() const {
  if (!messages_) return "no message";
  std::fflush(messages_);
  std::rewind(messages_);
  std::string text, line;
  for (int c; (c = std::fgetc(messages_)) != EOF;) {
    if (c != '\n') {
      line.push_back(static_cast<char>(c));
    } else if (!line.empty()) {
      text = line;
      line.clear();
    }
  }
  if (!line.empty()) text = line;
  return text.empty() ? "no message" : text;
}

}  // namespace stride::render
