// TensorBoard event files, written without TensorFlow: TFRecord framing
// (length, masked CRC-32C of the length, data, masked CRC-32C of the data)
// around hand-encoded Event protocol buffers that hold scalar summaries.
#ifndef STRIDE_TENSORBOARD_EVENTS_H_
#define STRIDE_TENSORBOARD_EVENTS_H_

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace stride {

// CRC-32C (Castagnoli), and the rotated and offset form TFRecord stores
uint32_t Crc32c(const void* data, size_t size);
uint32_t MaskedCrc32c(const void* data, size_t size);

// one Event message: either the file's version header or scalars at a step
struct TensorBoardEvent {
  double wall_time = 0.0;
  int64_t step = 0;
  // "brain.Event:2" in a file's first event, empty otherwise
  std::string file_version;
  std::vector<std::pair<std::string, float>> scalars;
};

// the protocol buffer encoding of an Event, and back
std::string EncodeEvent(const TensorBoardEvent& event);
TensorBoardEvent DecodeEvent(const std::string& bytes);

struct EventFile {
  std::vector<TensorBoardEvent> events;
  // false when the file ends inside a record (a writer that was killed)
  bool complete = true;
};

// every record of an event file; throws RuntimeError naming the file and the
// offset of a record whose length or data does not match its checksum
EventFile ReadEventFile(const std::string& path);

// the event files of dir (names containing "tfevents"), sorted by name
std::vector<std::string> EventFilesIn(const std::string& dir);

// writes dir/events.out.tfevents.<unix seconds>.<host>, which TensorBoard
// reads as one run. A resumed run rewrites the directory's event files into a
// new one holding only the events before the first step logged after resuming,
// so the steps the interrupted part logged after its checkpoint appear once.
class TensorBoardWriter {
 public:
  TensorBoardWriter(std::string dir, bool resume);

  // opens the file for events from first_step on; later calls do nothing.
  // WriteScalars() calls it if nobody did.
  void Begin(int64_t first_step);
  // one event at step with a scalar named prefix + name for each finite value
  void WriteScalars(int64_t step, const std::string& prefix,
                    const std::vector<std::pair<std::string, double>>& values);

 private:
  void WriteRecord(const std::string& data);

  std::string dir_;
  bool resume_;
  std::string path_;
  std::ofstream out_;
};

}  // namespace stride

#endif  // STRIDE_TENSORBOARD_EVENTS_H_
