// Encodes RGB frames into a video file through an ffmpeg child process:
// H.264 in MP4 (yuv420p, plays everywhere) or an animated GIF with a palette
// computed from the whole clip.
#ifndef STRIDE_RENDER_VIDEO_ENCODER_H_
#define STRIDE_RENDER_VIDEO_ENCODER_H_

#include <sys/types.h>

#include <cstdint>
#include <cstdio>
#include <string>

namespace stride::render {

enum class VideoFormat { kMp4, kGif };

// the format a file name asks for; throws ConfigError for other extensions
VideoFormat VideoFormatOf(const std::string& path);

class VideoEncoder {
 public:
  // starts ffmpeg writing path (through a temporary file beside it, renamed
  // when complete); throws RuntimeError when ffmpeg cannot be started
  VideoEncoder(const std::string& path, int width, int height, double frames_per_second);
  // an unfinished encoder stops ffmpeg and removes the partial file
  ~VideoEncoder();
  VideoEncoder(const VideoEncoder&) = delete;
  VideoEncoder& operator=(const VideoEncoder&) = delete;

  // one frame of width x height RGB pixels, rows from top to bottom
  void Write(const uint8_t* rgb);
  // ends the stream and waits for ffmpeg; throws RuntimeError with ffmpeg's
  // last message if it failed
  void Finish();

  int64_t frames() const { return frames_; }

 private:
  // ffmpeg's exit status, or a description of how it ended
  std::string Wait();
  std::string FfmpegMessages() const;

  std::string path_;
  std::string partial_path_;
  size_t frame_bytes_;
  pid_t pid_ = -1;
  int pipe_ = -1;
  // ffmpeg's stderr
  std::FILE* messages_ = nullptr;
  int64_t frames_ = 0;
};

}  // namespace stride::render

#endif  // STRIDE_RENDER_VIDEO_ENCODER_H_
