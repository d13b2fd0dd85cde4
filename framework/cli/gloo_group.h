// Data-parallel process groups over LibTorch's c10d with the Gloo backend.
#ifndef STRIDE_CLI_GLOO_GROUP_H_
#define STRIDE_CLI_GLOO_GROUP_H_

#include <chrono>
#include <memory>
#include <string>

#include "stride/process_group.h"

namespace stride::cli {

// this process's place in a data-parallel launch
struct Launch {
  int rank = 0;
  int world_size = 1;
  // "env", "slurm", "openmpi" or "pmi"
  std::string launcher;
};

// the rank and world size the launcher set: RANK and WORLD_SIZE, else
// SLURM_PROCID and SLURM_NTASKS, else OMPI_COMM_WORLD_RANK and
// OMPI_COMM_WORLD_SIZE, else PMI_RANK and PMI_SIZE; ConfigError if none is
// set or the values make no sense
Launch DetectLaunch();

// joins the other ranks: through a TCP store at MASTER_ADDR:MASTER_PORT
// (defaults: the first node of the Slurm step, else 127.0.0.1; a port derived
// from SLURM_JOB_ID in 20000-29999, else 29500: both below the kernel's
// ephemeral range), or a file store at STRIDE_RENDEZVOUS_FILE on a filesystem
// every rank sees. Rank 0 waits up to 10 s for a busy port to free, then
// names it and MASTER_PORT. Gloo binds to GLOO_SOCKET_IFNAME when set.
// Collectives, and the rendezvous, fail after timeout.
std::unique_ptr<ProcessGroup> ConnectGlooGroup(const Launch& launch, std::chrono::seconds timeout);

}  // namespace stride::cli

#endif  // STRIDE_CLI_GLOO_GROUP_H_
