#include "kernel/process_view.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <limits>
#include <mutex>
#include <span>
#include <string>
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
KeptProcFile stat("/proc/self/stat", 0);

// Reads a kept file whole (up to the buffer) from offset 0; the text, or empty if it could not.
std::string_view readKept(KeptProcFile& file, std::span<char> buffer) {
  ssize_t got = -1;
  const std::lock_guard<std::mutex> lock(procMutex);
  const int fd = file.get();
  if (fd < 0) return {};
  do {
    got = ::pread(fd, buffer.data(), buffer.size(), 0);
  } while (got < 0 && errno == EINTR);
  return got > 0 ? std::string_view(buffer.data(), static_cast<std::size_t>(got))
                 : std::string_view{};
}

// The boot time, from /proc/stat's btime line. It does not change, so it is read until a read
// succeeds (the first one may come at the fd limit) and kept.
double bootTimeSeconds() {
  static std::atomic<double> boot{0.0};
  if (const double known = boot.load(std::memory_order_relaxed); known > 0) return known;
  std::ifstream file("/proc/stat");
  std::string key;
  double value = 0;
  while (file >> key) {
    if (key == "btime" && file >> value) break;
    file.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  boot.store(value, std::memory_order_relaxed);
  return value;
}

// /proc/self/stat (proc(5)): fields 14 and 15 are utime and stime, field 22 starttime, in clock
// ticks. The second field, the command, is in parentheses and may hold spaces, so the fields are
// counted from the last ')'.
void readCpuAndStart(ProcessView& view) {
  std::array<char, 1024> buffer{};
  const std::string_view text = readKept(stat, buffer);
  auto at = text.rfind(')');
  if (at == std::string_view::npos) return;
  std::array<unsigned long long, 23> field{};  // by the numbers of proc(5); 1 and 2 unused
  for (std::size_t index = 3; index < field.size(); ++index) {
    at = text.find_first_not_of(' ', text.find(' ', at));
    if (at == std::string_view::npos) return;
    // Field 3 is the state, a letter: from_chars leaves it 0, and it is never used.
    std::from_chars(text.data() + at, text.data() + text.size(), field[index]);
  }
  const long ticks = sysconf(_SC_CLK_TCK);
  if (ticks <= 0) return;
  const auto seconds = [ticks](unsigned long long count) {
    return static_cast<double>(count) / static_cast<double>(ticks);
  };
  view.cpuSeconds = seconds(field[14] + field[15]);
  if (const double boot = bootTimeSeconds(); boot > 0) {
    view.startTimeSeconds = boot + seconds(field[22]);
  }
}

// The second field of /proc/self/statm is the resident set in pages (proc(5)).
std::uint64_t residentBytes() {
  std::array<char, 128> buffer{};
  const std::string_view text = readKept(statm, buffer);
  if (text.empty()) return 0;
  const char* p = text.data();
  const char* end = p + text.size();
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
  // Every kept file open before the first listing, so no listing counts one the next lacks.
  (void)statm.get();
  (void)stat.get();
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
  readCpuAndStart(view);
  return view;
}

}  // namespace closewise::kernel
