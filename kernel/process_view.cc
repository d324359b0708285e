#include "kernel/process_view.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstring>
#include <mutex>
#include <string_view>

namespace closewise::kernel {

namespace {

// One /proc/self file kept open. A procfs file is generated afresh by a read from offset 0, and
// a procfs directory is listed afresh after a seek back to 0, so the one descriptor serves every
// reading. Opened on first use and retried until it opens (the first use may itself come at the
// limit).
class KeptProcFile {
 public:
  explicit KeptProcFile(const char* path, int flags) noexcept : path_(path), flags_(flags) {}
  ~KeptProcFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  KeptProcFile(const KeptProcFile&) = delete;
  KeptProcFile& operator=(const KeptProcFile&) = delete;

  int get() noexcept {
    // "self" was resolved when the file was opened: a forked child would read its parent's.
    const pid_t pid = ::getpid();
    if (fd_ >= 0 && pid != pid_) {
      ::close(fd_);
      fd_ = -1;
    }
    if (fd_ < 0) {
      fd_ = ::open(path_, flags_ | O_RDONLY | O_CLOEXEC);
      pid_ = pid;
    }
    return fd_;
  }

 private:
  const char* path_;
  int flags_;
  int fd_ = -1;
  pid_t pid_ = 0;
};

std::mutex procMutex;
KeptProcFile fdDirectory("/proc/self/fd", O_DIRECTORY);
KeptProcFile statm("/proc/self/statm", 0);

// The second field of /proc/self/statm is the resident set in pages (proc(5)).
std::uint64_t residentBytes() {
  std::array<char, 128> text{};
  ssize_t got = -1;
  {
    const std::lock_guard<std::mutex> lock(procMutex);
    const int fd = statm.get();
    if (fd < 0) return 0;
    do {
      got = ::pread(fd, text.data(), text.size() - 1, 0);
    } while (got < 0 && errno == EINTR);
  }
  if (got <= 0) return 0;
  const char* p = text.data();
  const char* end = p + got;
  unsigned long long sizePages = 0;
  unsigned long long residentPages = 0;
  auto parsed = std::from_chars(p, end, sizePages);
  if (parsed.ec != std::errc() || parsed.ptr == end || *parsed.ptr != ' ') return 0;
  parsed = std::from_chars(parsed.ptr + 1, end, residentPages);
  const long pageSize = sysconf(_SC_PAGESIZE);
  if (parsed.ec != std::errc() || pageSize <= 0) return 0;
  return residentPages * static_cast<std::uint64_t>(pageSize);
}

}  // namespace

bool listOwnDescriptors(std::vector<int>& fds) {
  fds.clear();
  const std::lock_guard<std::mutex> lock(procMutex);
  // Both kept files open before the first listing, so no listing counts one the next lacks.
  (void)statm.get();
  const int directory = fdDirectory.get();
  if (directory < 0 || ::lseek(directory, 0, SEEK_SET) != 0) return false;
  alignas(dirent64) std::array<char, 16 * 1024> buffer;
  for (;;) {
    const ssize_t got = ::getdents64(directory, buffer.data(), buffer.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      fds.clear();
      return false;
    }
    if (got == 0) return true;
    for (ssize_t offset = 0; offset < got;) {
      dirent64 entry;
      std::memcpy(&entry, buffer.data() + offset, offsetof(dirent64, d_name));
      const char* name = buffer.data() + offset + offsetof(dirent64, d_name);
      offset += entry.d_reclen;
      const std::string_view text(name, ::strnlen(name, sizeof entry.d_name));
      int fd = -1;
      const auto parsed = std::from_chars(text.data(), text.data() + text.size(), fd);
      if (parsed.ec == std::errc() && parsed.ptr == text.data() + text.size()) fds.push_back(fd);
    }
  }
}

ProcessView readProcessView(bool countFds) {
  ProcessView view;
  if (countFds) {
    std::vector<int> fds;
    if (listOwnDescriptors(fds)) view.openFds = fds.size();
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    view.fdLimit = static_cast<std::uint64_t>(limit.rlim_cur);
  }
  view.rssBytes = residentBytes();
  return view;
}

}  // namespace closewise::kernel
