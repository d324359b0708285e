#include "kernel/unique_fd.h"

#include <unistd.h>

namespace closewise::kernel {

void UniqueFd::reset(int fd) noexcept {
  // close(2) releases the descriptor even when it reports an error (EINTR included), so it is
  // never retried: the number may already belong to another thread's new descriptor.
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

}  // namespace closewise::kernel
