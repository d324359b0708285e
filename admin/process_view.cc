#include "admin/process_view.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

namespace closewise::admin {

namespace {

// Counts the entries of /proc/self/fd, minus the one opendir() itself holds while reading.
std::uint64_t countOpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  std::uint64_t entries = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++entries;
  }
  closedir(dir);
  return entries > 0 ? entries - 1 : 0;
}

// The second field of /proc/self/statm is the resident set in pages (proc(5)).
std::uint64_t residentBytes() {
  std::FILE* file = std::fopen("/proc/self/statm", "re");
  if (file == nullptr) return 0;
  unsigned long long sizePages = 0;
  unsigned long long residentPages = 0;
  const int read = std::fscanf(file, "%llu %llu", &sizePages, &residentPages);
  std::fclose(file);
  const long pageSize = sysconf(_SC_PAGESIZE);
  if (read != 2 || pageSize <= 0) return 0;
  return residentPages * static_cast<std::uint64_t>(pageSize);
}

}  // namespace

ProcessView readProcessView(bool countFds) {
  ProcessView view;
  if (countFds) view.openFds = countOpenFds();
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    view.fdLimit = static_cast<std::uint64_t>(limit.rlim_cur);
  }
  view.rssBytes = residentBytes();
  return view;
}

}  // namespace closewise::admin
