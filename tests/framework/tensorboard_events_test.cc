#include "tensorboard_events.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "metrics_log.h"
#include "stride/error.h"

namespace stride {
namespace {

namespace fs = std::filesystem;

std::string FreshDir(const std::string& name) {
  const fs::path dir = fs::path(::testing::TempDir()) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

uint64_t LittleEndian(const std::string& bytes, size_t at, int size) {
  uint64_t value = 0;
  for (int i = 0; i < size; ++i) {
    value |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[at + i])) << (8 * i);
  }
  return value;
}

template <typename T>
std::string LittleEndianBytes(T value) {
  uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof(T));
  std::string bytes;
  for (size_t i = 0; i < sizeof(T); ++i)
    bytes.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
  return bytes;
}

// the TFRecord payloads of a file, checking each record's framing and both checksums
std::vector<std::string> Records(const std::string& path) {
  const std::string bytes = ReadBytes(path);
  std::vector<std::string> records;
  size_t at = 0;
  while (at < bytes.size()) {
    EXPECT_GE(bytes.size() - at, 16u) << "a record header is cut at byte " << at;
    const uint64_t length = LittleEndian(bytes, at, 8);
    const uint32_t crc = Crc32c(bytes.data() + at, 8);
    EXPECT_EQ(LittleEndian(bytes, at + 8, 4), ((crc >> 15) | (crc << 17)) + 0xA282EAD8u);
    EXPECT_LE(at + 12 + length + 4, bytes.size());
    const std::string data = bytes.substr(at + 12, length);
    const uint32_t data_crc = Crc32c(data.data(), data.size());
    EXPECT_EQ(LittleEndian(bytes, at + 12 + length, 4),
              ((data_crc >> 15) | (data_crc << 17)) + 0xA282EAD8u);
    records.push_back(data);
    at += 12 + length + 4;
  }
  return records;
}

TEST(Crc32cTest, MatchesTheStandardCheckValues) {
  EXPECT_EQ(Crc32c("123456789", 9), 0xE3069283u);
  const std::string zeros(32, '\0');
  EXPECT_EQ(Crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);
  EXPECT_EQ(Crc32c("", 0), 0u);
  const uint32_t crc = Crc32c("123456789", 9);
  EXPECT_EQ(MaskedCrc32c("123456789", 9), ((crc >> 15) | (crc << 17)) + 0xA282EAD8u);
}

TEST(TensorBoardEventsTest, EncodesEventsAsTheProtocolBufferBytes) {
  TensorBoardEvent header;
  header.wall_time = 1.5;
  header.file_version = "brain.Event:2";
  EXPECT_EQ(EncodeEvent(header), "\x09" + LittleEndianBytes(1.5) +
                                     "\x1a\x0d"
                                     "brain.Event:2");

  // Event{wall_time: 2.0, step: 300, summary{value{tag: "loss", simple_value: 0.25}}}
  TensorBoardEvent scalars;
  scalars.wall_time = 2.0;
  scalars.step = 300;
  scalars.scalars = {{"loss", 0.25f}};
  const std::string value = std::string("\x0a\x04") + "loss" + "\x15" + LittleEndianBytes(0.25f);
  const std::string summary = "\x0a" + std::string(1, static_cast<char>(value.size())) + value;
  EXPECT_EQ(EncodeEvent(scalars), "\x09" + LittleEndianBytes(2.0) + "\x10\xac\x02" + "\x2a" +
                                      std::string(1, static_cast<char>(summary.size())) + summary);
}

TEST(TensorBoardEventsTest, WrittenFileReadsBackWithFramingChecksumsAndValues) {
  const std::string dir = FreshDir("tensorboard_basic");
  {
    TensorBoardWriter writer(dir, false);
    writer.WriteScalars(100, "train/", {{"episode_return", 12.5}, {"loss", std::nan("")}});
    writer.WriteScalars(200, "eval/", {{"mean_return", 1e6}, {"falls", 0.0}});
  }
  const std::vector<std::string> files = EventFilesIn(dir);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(fs::path(files[0]).filename().string().rfind("events.out.tfevents.", 0), 0u);

  const std::vector<std::string> records = Records(files[0]);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].size(), 24u);  // wall_time and the file version
  EXPECT_EQ(records[0].substr(9),
            "\x1a\x0d"
            "brain.Event:2");

  const EventFile file = ReadEventFile(files[0]);
  EXPECT_TRUE(file.complete);
  ASSERT_EQ(file.events.size(), 3u);
  EXPECT_EQ(file.events[0].file_version, "brain.Event:2");
  EXPECT_GT(file.events[0].wall_time, 1.6e9);
  EXPECT_EQ(file.events[1].step, 100);
  // a value that is not finite is left out
  ASSERT_EQ(file.events[1].scalars.size(), 1u);
  EXPECT_EQ(file.events[1].scalars[0].first, "train/episode_return");
  EXPECT_EQ(file.events[1].scalars[0].second, 12.5f);
  EXPECT_EQ(file.events[2].step, 200);
  ASSERT_EQ(file.events[2].scalars.size(), 2u);
  EXPECT_EQ(file.events[2].scalars[0], std::make_pair(std::string("eval/mean_return"), 1e6f));
  EXPECT_EQ(file.events[2].scalars[1], std::make_pair(std::string("eval/falls"), 0.0f));
  EXPECT_GE(file.events[2].wall_time, file.events[0].wall_time);
}

TEST(TensorBoardEventsTest, CorruptedAndTruncatedFilesAreDetected) {
  const std::string dir = FreshDir("tensorboard_corrupt");
  {
    TensorBoardWriter writer(dir, false);
    writer.WriteScalars(1, "", {{"x", 1.0}});
  }
  const std::string path = EventFilesIn(dir).at(0);
  const std::string bytes = ReadBytes(path);
  // one flipped bit in the last record's value
  std::string corrupted = bytes;
  corrupted[corrupted.size() - 6] ^= 0x01;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << corrupted;
  try {
    ReadEventFile(path);
    FAIL() << "a corrupted record was read";
  } catch (const RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find("at byte 40 fails its data checksum"), std::string::npos)
        << e.what();
  }
  // a writer killed inside its last record
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() - 3);
  const EventFile truncated = ReadEventFile(path);
  EXPECT_FALSE(truncated.complete);
  EXPECT_EQ(truncated.events.size(), 1u);
}

TEST(TensorBoardEventsTest, ResumeKeepsOnlyTheEventsBeforeItsFirstStep) {
  const std::string dir = FreshDir("tensorboard_resume");
  {
    TensorBoardWriter writer(dir, false);
    for (int step : {100, 200, 300}) writer.WriteScalars(step, "", {{"loss", step / 100.0}});
  }
  // the checkpoint was at 200; the resumed run logs 300 again
  {
    TensorBoardWriter resumed(dir, true);
    resumed.Begin(300);
    resumed.Begin(400);
    resumed.WriteScalars(300, "", {{"loss", 30.0}});
  }
  const std::vector<std::string> files = EventFilesIn(dir);
  ASSERT_EQ(files.size(), 1u);
  Records(files[0]);
  const EventFile file = ReadEventFile(files[0]);
  ASSERT_EQ(file.events.size(), 4u);
  EXPECT_EQ(file.events[0].file_version, "brain.Event:2");
  std::vector<std::pair<int64_t, float>> losses;
  for (size_t i = 1; i < file.events.size(); ++i) {
    losses.emplace_back(file.events[i].step, file.events[i].scalars.at(0).second);
  }
  EXPECT_EQ(losses,
            (std::vector<std::pair<int64_t, float>>{{100, 1.0f}, {200, 2.0f}, {300, 30.0f}}));
  EXPECT_FALSE(fs::exists(fs::path(dir) / ".events.writing"));
}

TEST(TensorBoardEventsTest, MetricsLogMirrorsItsRowsWithTheTagPrefix) {
  const std::string dir = FreshDir("tensorboard_metrics_log");
  {
    TensorBoardWriter events(dir, false);
    MetricsLog metrics(dir + "/metrics", false, &events, "train/");
    MetricsLog evaluations(dir + "/eval", false, &events, "eval/");
    metrics.Write(100, {{"episode_return", 4.0}, {"return/alive_bonus", 3.0}});
    evaluations.Write(100, {{"mean_return", 5.0}});
  }
  const EventFile file = ReadEventFile(EventFilesIn(dir).at(0));
  ASSERT_EQ(file.events.size(), 3u);
  EXPECT_EQ(file.events[1].scalars,
            (std::vector<std::pair<std::string, float>>{{"train/episode_return", 4.0f},
                                                        {"train/return/alive_bonus", 3.0f}}));
  EXPECT_EQ(file.events[2].scalars,
            (std::vector<std::pair<std::string, float>>{{"eval/mean_return", 5.0f}}));
}

}  // namespace
}  // namespace stride
