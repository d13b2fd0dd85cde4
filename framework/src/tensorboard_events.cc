#include "tensorboard_events.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <iterator>

#include <fmt/format.h>

#include "stride/durable_file.h"
#include "stride/error.h"

namespace stride {
namespace {

namespace fs = std::filesystem;

constexpr char kFileVersion[] = "brain.Event:2";

// protocol buffer wire types and the field numbers of Event, Summary and Summary.Value
constexpr int kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5;
constexpr int kEventWallTime = 1, kEventStep = 2, kEventFileVersion = 3, kEventSummary = 5;
constexpr int kSummaryValue = 1;
constexpr int kValueTag = 1, kValueSimpleValue = 2;

std::array<uint32_t, 256> MakeCrc32cTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
    table[i] = crc;
  }
  return table;
}

void PutVarint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

void PutKey(std::string& out, int field, int wire_type) {
  PutVarint(out, static_cast<uint64_t>(field) << 3 | static_cast<uint64_t>(wire_type));
}

void PutLittleEndian(std::string& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

void PutBytes(std::string& out, int field, const std::string& bytes) {
  PutKey(out, field, kLengthDelimited);
  PutVarint(out, bytes.size());
  out += bytes;
}

// reads the fields of one message; throws RuntimeError on malformed input
class FieldReader {
 public:
  explicit FieldReader(const std::string& bytes) : bytes_(bytes) {}

  bool Next() {
    if (at_ >= bytes_.size()) return false;
    const uint64_t key = Varint();
    field_ = static_cast<int>(key >> 3);
    wire_type_ = static_cast<int>(key & 7);
    return true;
  }
  int field() const { return field_; }
  int wire_type() const { return wire_type_; }

  uint64_t Varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const uint8_t byte = Byte();
      value |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    throw RuntimeError("event: varint longer than 10 bytes");
  }
  uint64_t LittleEndian(int bytes) {
    uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value |= static_cast<uint64_t>(Byte()) << (8 * i);
    return value;
  }
  std::string Bytes() {
    const uint64_t size = Varint();
    if (size > bytes_.size() - at_) throw RuntimeError("event: field runs past its message");
    std::string value = bytes_.substr(at_, size);
    at_ += size;
    return value;
  }
  void Skip() {
    switch (wire_type_) {
      case kVarint:
        Varint();
        break;
      case kFixed64:
        LittleEndian(8);
        break;
      case kLengthDelimited:
        Bytes();
        break;
      case kFixed32:
        LittleEndian(4);
        break;
      default:
        throw RuntimeError(fmt::format("event: unsupported wire type {}", wire_type_));
    }
  }

 private:
  uint8_t Byte() {
    if (at_ >= bytes_.size()) throw RuntimeError("event: message ends inside a field");
    return static_cast<uint8_t>(bytes_[at_++]);
  }

  const std::string& bytes_;
  size_t at_ = 0;
  int field_ = 0;
  int wire_type_ = 0;
};

std::pair<std::string, float> DecodeValue(const std::string& bytes) {
  std::pair<std::string, float> value{"", 0.0f};
  FieldReader reader(bytes);
  while (reader.Next()) {
    if (reader.field() == kValueTag && reader.wire_type() == kLengthDelimited) {
      value.first = reader.Bytes();
    } else if (reader.field() == kValueSimpleValue && reader.wire_type() == kFixed32) {
      const uint32_t bits = static_cast<uint32_t>(reader.LittleEndian(4));
      std::memcpy(&value.second, &bits, sizeof(bits));
    } else {
      reader.Skip();
    }
  }
  return value;
}

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

double UnixSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

uint32_t Crc32c(const void* data, size_t size) {
  static const std::array<uint32_t, 256> table = MakeCrc32cTable();
  const auto* bytes = static_cast<const uint8_t*>(data);
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) crc = table[(crc ^ bytes[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

uint32_t MaskedCrc32c(const void* data, size_t size) {
  const uint32_t crc = Crc32c(data, size);
  return ((crc >> 15) | (crc << 17)) + 0xA282EAD8u;
}

std::string EncodeEvent(const TensorBoardEvent& event) {
  std::string out;
  uint64_t wall_time_bits = 0;
  std::memcpy(&wall_time_bits, &event.wall_time, sizeof(wall_time_bits));
  PutKey(out, kEventWallTime, kFixed64);
  PutLittleEndian(out, wall_time_bits, 8);
  if (event.step != 0) {
    PutKey(out, kEventStep, kVarint);
    PutVarint(out, static_cast<uint64_t>(event.step));
  }
  if (!event.file_version.empty()) PutBytes(out, kEventFileVersion, event.file_version);
  if (!event.scalars.empty()) {
    std::string summary;
    for (const auto& [tag, value] : event.scalars) {
      std::string encoded;
      PutBytes(encoded, kValueTag, tag);
      uint32_t value_bits = 0;
      std::memcpy(&value_bits, &value, sizeof(value_bits));
      PutKey(encoded, kValueSimpleValue, kFixed32);
      PutLittleEndian(encoded, value_bits, 4);
      PutBytes(summary, kSummaryValue, encoded);
    }
    PutBytes(out, kEventSummary, summary);
  }
  return out;
}

TensorBoardEvent DecodeEvent(const std::string& bytes) {
  TensorBoardEvent event;
  FieldReader reader(bytes);
  while (reader.Next()) {
    if (reader.field() == kEventWallTime && reader.wire_type() == kFixed64) {
      const uint64_t bits = reader.LittleEndian(8);
      std::memcpy(&event.wall_time, &bits, sizeof(bits));
    } else if (reader.field() == kEventStep && reader.wire_type() == kVarint) {
      event.step = static_cast<int64_t>(reader.Varint());
    } else if (reader.field() == kEventFileVersion && reader.wire_type() == kLengthDelimited) {
      event.file_version = reader.Bytes();
    } else if (reader.field() == kEventSummary && reader.wire_type() == kLengthDelimited) {
      const std::string summary = reader.Bytes();
      FieldReader values(summary);
      while (values.Next()) {
        if (values.field() == kSummaryValue && values.wire_type() == kLengthDelimited) {
          event.scalars.push_back(DecodeValue(values.Bytes()));
        } else {
          values.Skip();
        }
      }
    } else {
      reader.Skip();
    }
  }
  return event;
}

EventFile ReadEventFile(const std::string& path) {
  const std::string bytes = ReadFile(path);
  const auto little_endian = [&](size_t at, int size) {
    uint64_t value = 0;
    for (int i = 0; i < size; ++i) {
      value |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[at + i])) << (8 * i);
    }
    return value;
  };
  EventFile file;
  size_t at = 0;
  while (at < bytes.size()) {
    // uint64 length, uint32 masked crc of the length, data, uint32 masked crc of the data
    if (bytes.size() - at < 12) {
      file.complete = false;
      break;
    }
    const uint64_t length = little_endian(at, 8);
    if (static_cast<uint32_t>(little_endian(at + 8, 4)) != MaskedCrc32c(bytes.data() + at, 8)) {
      throw RuntimeError(
          fmt::format("{}: the record at byte {} fails its length checksum", path, at));
    }
    if (bytes.size() - at - 12 < length + 4) {
      file.complete = false;
      break;
    }
    const std::string data = bytes.substr(at + 12, length);
    if (static_cast<uint32_t>(little_endian(at + 12 + length, 4)) !=
        MaskedCrc32c(data.data(), data.size())) {
      throw RuntimeError(
          fmt::format("{}: the record at byte {} fails its data checksum", path, at));
    }
    try {
      file.events.push_back(DecodeEvent(data));
    } catch (const RuntimeError& e) {
      throw RuntimeError(fmt::format("{}: the record at byte {}: {}", path, at, e.what()));
    }
    at += 12 + length + 4;
  }
  return file;
}

std::vector<std::string> EventFilesIn(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.find("tfevents") != std::string::npos) {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

TensorBoardWriter::TensorBoardWriter(std::string dir, bool resume)
    : dir_(std::move(dir)), resume_(resume) {}

void TensorBoardWriter::Begin(int64_t first_step) {
  if (out_.is_open()) return;
  // the events a resumed run keeps: those before its first step, oldest file first
  std::vector<TensorBoardEvent> kept;
  const std::vector<std::string> previous =
      resume_ ? EventFilesIn(dir_) : std::vector<std::string>{};
  for (const std::string& file : previous) {
    for (TensorBoardEvent& event : ReadEventFile(file).events) {
      if (event.file_version.empty() && event.step < first_step) kept.push_back(std::move(event));
    }
  }
  const double now = UnixSeconds();
  path_ = (fs::path(dir_) /
           fmt::format("events.out.tfevents.{}.{}", static_cast<int64_t>(now), HostName()))
              .string();
  // TensorBoard reads any file named *tfevents*, so the rewrite gets another name until complete
  const std::string temporary = (fs::path(dir_) / ".events.writing").string();
  out_.open(temporary, std::ios::binary | std::ios::trunc);
  if (!out_) throw RuntimeError(fmt::format("cannot write '{}'", temporary));
  TensorBoardEvent header;
  header.wall_time = now;
  header.file_version = kFileVersion;
  WriteRecord(EncodeEvent(header));
  for (const TensorBoardEvent& event : kept) WriteRecord(EncodeEvent(event));
  std::error_code ec;
  fs::rename(temporary, path_, ec);
  if (ec) throw RuntimeError(fmt::format("cannot write '{}': {}", path_, ec.message()));
  for (const std::string& file : previous) {
    if (file != path_) fs::remove(file, ec);
  }
}

void TensorBoardWriter::WriteScalars(int64_t step, const std::string& prefix,
                                     const std::vector<std::pair<std::string, double>>& values) {
  if (!out_.is_open()) Begin(step);
  TensorBoardEvent event;
  event.wall_time = UnixSeconds();
  event.step = step;
  for (const auto& [name, value] : values) {
    if (std::isfinite(value)) event.scalars.emplace_back(prefix + name, static_cast<float>(value));
  }
  WriteRecord(EncodeEvent(event));
}

void TensorBoardWriter::WriteRecord(const std::string& data) {
  std::string record;
  PutLittleEndian(record, data.size(), 8);
  PutLittleEndian(record, MaskedCrc32c(record.data(), 8), 4);
  record += data;
  PutLittleEndian(record, MaskedCrc32c(data.data(), data.size()), 4);
  out_.write(record.data(), static_cast<std::streamsize>(record.size()));
  out_.flush();
  if (!out_) throw RuntimeError(WriteFailure(path_, errno, record.size()));
}

}  // namespace stride
