// Files written whole or not at all, read with their errors, and archives
// sealed with a checksum so that a damaged checkpoint or policy is refused.
#ifndef STRIDE_DURABLE_FILE_H_
#define STRIDE_DURABLE_FILE_H_

#include <string>
#include <string_view>

namespace stride {

// writes bytes to a temporary file beside path, syncs it and renames it over
// path: a crash or a full disk leaves the previous file (or none), never a
// part of one. A failure throws RuntimeError naming the file and, when the
// disk is full, the bytes needed and free.
void WriteFileAtomically(const std::string& path, std::string_view bytes);

// the whole of a file; RuntimeError naming it if it cannot be read
std::string ReadFile(const std::string& path);

// "cannot write 'path': No space left on device (12.0 KiB needed, 4.0 KiB
// free)" for the errno of a failed write of needed bytes
std::string WriteFailure(const std::string& path, int error_number, size_t needed);

// a zip archive (LibTorch's checkpoints and TorchScript files) with a CRC-32 of
// its contents in the archive comment, which zip readers ignore
std::string SealArchive(std::string archive);

// throws RuntimeError naming path when an archive is truncated, or sealed and
// changed since; an archive without a comment (written elsewhere) passes
// unchecked
void CheckArchive(const std::string& path, std::string_view archive);

}  // namespace stride

#endif  // STRIDE_DURABLE_FILE_H_
