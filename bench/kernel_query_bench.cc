// How long does asking the kernel about our sockets take when there are many of them?
//
// Builds, on loopback, a service with as many ESTABLISHED connections as the fd limit allows (up
// to 10,000) and 20,000 TIME_WAIT sockets, plus an unrelated service with its own connections and
// TIME_WAITs, then times 100 queries each of KernelStateReader over sock_diag, of the procfs
// fallback, and of `ss -tan state all '( sport = :P )' | wc -l`. Prints the median, p90 and min
// wall time and the mean CPU time per query, and the cost of a query for a port with no sockets
// (the kernel still walks its whole socket table; the filter saves copying, not walking).
//
// And what the alert tick asks (ESTABLISHED, CLOSE_WAIT and LISTEN), both ways: as a dump, and
// through this process's own descriptors (KernelStateReader::queryOwn). This process holds both
// ends of every connection, so the own read lists twice the descriptors a server would; the
// client ends cost it one getsockname each.
//
// Not a test: it takes about two minutes and tens of thousands of sockets, because a TIME_WAIT
// lives 60 s and the slow methods cannot all run 100 times within one TIME_WAIT population.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "kernel/sock_diag.h"
#include "kernel/unique_fd.h"

namespace {

using closewise::kernel::KernelStateReader;
using closewise::kernel::KernelView;
using closewise::kernel::TcpState;
using closewise::kernel::tcpStateBit;
using closewise::kernel::UniqueFd;

constexpr std::uint32_t kAlertStates = tcpStateBit(TcpState::Established) |
                                       tcpStateBit(TcpState::CloseWait) |
                                       tcpStateBit(TcpState::Listen);
using Clock = std::chrono::steady_clock;

constexpr int kQueries = 100;
constexpr int kMaxEstablished = 10'000;
constexpr int kTimeWait = 20'000;
constexpr int kUnrelatedEstablished = 500;
constexpr int kUnrelatedTimeWait = 5'000;
constexpr int kFdReserve = 64;

[[noreturn]] void die(const char* what) {
  std::perror(what);
  std::exit(1);
}

sockaddr_in loopback(const char* address, std::uint16_t port) {
  sockaddr_in where{};
  where.sin_family = AF_INET;
  where.sin_port = htons(port);
  if (inet_pton(AF_INET, address, &where.sin_addr) != 1) die("inet_pton");
  return where;
}

UniqueFd listenOn(int backlog) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in where = loopback("127.0.0.1", 0);
  if (!fd.valid() || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&where), sizeof where) != 0 ||
      ::listen(fd.get(), backlog) != 0)
    die("listen");
  return fd;
}

std::uint16_t portOf(int fd) {
  sockaddr_in where{};
  socklen_t length = sizeof where;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&where), &length) != 0) die("getsockname");
  return ntohs(where.sin_port);
}

// One connection; `sourceAddress`/`sourcePort` pin the client's end when given, so TIME_WAIT
// 4-tuples never repeat (a repeated tuple would let a new SYN recycle an old TIME_WAIT).
// False when the pinned source port is taken by some other program on this host.
bool connectPair(int listener, const char* sourceAddress, std::uint16_t sourcePort,
                 UniqueFd& client, UniqueFd& server) {
  client.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!client.valid()) die("socket");
  if (sourceAddress != nullptr) {
    sockaddr_in source = loopback(sourceAddress, sourcePort);
    if (::bind(client.get(), reinterpret_cast<sockaddr*>(&source), sizeof source) != 0) {
      if (errno == EADDRINUSE) return false;
      die("bind client");
    }
  }
  sockaddr_in target = loopback("127.0.0.1", portOf(listener));
  if (::connect(client.get(), reinterpret_cast<sockaddr*>(&target), sizeof target) != 0)
    die("connect");
  server.reset(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
  if (!server.valid()) die("accept");
  return true;
}

// Server closes first, so the server's end (local port = the listener's) ends in TIME_WAIT.
void makeTimeWaits(int listener, const char* sourceAddress, int count) {
  char scratch[16];
  std::uint16_t sourcePort = 1024;
  for (int made = 0; made < count;) {
    UniqueFd client;
    UniqueFd server;
    if (!connectPair(listener, sourceAddress, ++sourcePort, client, server)) continue;
    ++made;
    server.reset();
    while (::read(client.get(), scratch, sizeof scratch) > 0) {
    }
  }
}

struct Stats {
  double medianMicros;
  double p90Micros;
  double minMicros;
};

// Wall time per call and the CPU it cost. Wall time depends on how busy the machine is; CPU time
// much less so, which matters on a shared build host.
struct Samples {
  std::vector<double> micros;
  double userMicros = 0;
  double systemMicros = 0;

  Stats stats() {
    std::sort(micros.begin(), micros.end());
    return Stats{micros[micros.size() / 2], micros[micros.size() * 9 / 10], micros.front()};
  }
};

double cpuMicros(const timeval& time) {
  return time.tv_sec * 1e6 + time.tv_usec;
}

// `who` is RUSAGE_CHILDREN for ss, whose work happens in the processes system() starts.
template <typename Body>
void sample(Samples& samples, int who, Body body) {
  rusage before{};
  rusage after{};
  ::getrusage(who, &before);
  const auto start = Clock::now();
  body();
  samples.micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  ::getrusage(who, &after);
  samples.userMicros += cpuMicros(after.ru_utime) - cpuMicros(before.ru_utime);
  samples.systemMicros += cpuMicros(after.ru_stime) - cpuMicros(before.ru_stime);
}

void printView(const char* label, const KernelView& view) {
  std::printf("  %-9s ESTABLISHED %llu  TIME_WAIT %llu  LISTEN %llu  examined %llu%s%s\n", label,
              static_cast<unsigned long long>(view.count(TcpState::Established)),
              static_cast<unsigned long long>(view.count(TcpState::TimeWait)),
              static_cast<unsigned long long>(view.count(TcpState::Listen)),
              static_cast<unsigned long long>(view.socketsExamined),
              view.error.empty() ? "" : "  error: ", view.error.c_str());
}

void printStats(const char* label, Samples& samples) {
  const Stats stats = samples.stats();
  const auto count = static_cast<double>(samples.micros.size());
  std::printf(
      "  %-36s median %8.0f us  p90 %8.0f us  min %8.0f us  (cpu: user %6.0f, sys %6.0f us)\n",
      label, stats.medianMicros, stats.p90Micros, stats.minMicros, samples.userMicros / count,
      samples.systemMicros / count);
}

}  // namespace

int main() {
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) != 0) die("getrlimit");
  files.rlim_cur = files.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &files) != 0) die("setrlimit");
  // Each established connection costs two fds here, client and server end, in one process.
  const auto fdBudget = static_cast<long>(std::min<rlim_t>(files.rlim_cur, 1'000'000));
  const int established = static_cast<int>(
      std::min<long>(kMaxEstablished, (fdBudget - kFdReserve - 2 * kUnrelatedEstablished) / 2));
  std::printf(
      "fd limit %ld: %d established + %d TIME_WAIT on our port; unrelated port: %d "
      "established + %d TIME_WAIT\n",
      fdBudget, established, kTimeWait, kUnrelatedEstablished, kUnrelatedTimeWait);

  const auto setupStart = Clock::now();
  UniqueFd ours = listenOn(4096);
  UniqueFd unrelated = listenOn(4096);
  const std::uint16_t port = portOf(ours.get());

  std::vector<UniqueFd> fds;
  fds.reserve(2 * static_cast<std::size_t>(established + kUnrelatedEstablished));
  for (int i = 0; i < established + kUnrelatedEstablished; ++i) {
    UniqueFd client;
    UniqueFd server;
    connectPair(i < established ? ours.get() : unrelated.get(), nullptr, 0, client, server);
    fds.push_back(std::move(client));
    fds.push_back(std::move(server));
  }
  std::printf("setup of established connections took %.1f s\n",
              std::chrono::duration<double>(Clock::now() - setupStart).count());

  KernelStateReader netlink({port});
  KernelStateReader procfs({port});
  procfs.forceProcfs(true);
  // A port with nothing but a listener: what the kernel's walk over every other socket costs
  // when the filter rejects them all.
  UniqueFd idle = listenOn(16);
  KernelStateReader idleReader({portOf(idle.get())});
  const std::string ssCommand =
      "ss -tan state all '( sport = :" + std::to_string(port) + " )' | wc -l";
  const std::string ssQuiet = ssCommand + " >/dev/null";
  Samples netlinkSamples;
  Samples procfsSamples;
  Samples ssSamples;
  Samples idleSamples;
  Samples alertDumpSamples;
  Samples alertOwnSamples;

  // 100 rounds of every method do not fit in the 60 s a TIME_WAIT lives on a busy machine, so
  // the methods are split over two phases, each with a fresh TIME_WAIT population; the second
  // phase waits for the first population to expire. Within a phase the methods take turns, so
  // they see the same sockets.
  for (int phase = 0; phase < 2; ++phase) {
    if (phase > 0) {
      std::printf("waiting for the previous TIME_WAIT sockets to expire...\n");
      while (netlink.query().count(TcpState::TimeWait) != 0) ::sleep(1);
    }
    // A fresh source address per phase and service, with fixed source ports below the
    // ephemeral range, keeps every TIME_WAIT 4-tuple unique.
    const std::string ourSource = "127.0.0." + std::to_string(2 + 2 * phase);
    const std::string otherSource = "127.0.0." + std::to_string(3 + 2 * phase);
    makeTimeWaits(ours.get(), ourSource.c_str(), kTimeWait);
    makeTimeWaits(unrelated.get(), otherSource.c_str(), kUnrelatedTimeWait);

    std::printf("phase %d, what each source sees for port %u:\n", phase + 1,
                static_cast<unsigned>(port));
    printView("sock_diag", netlink.query());
    printView("procfs", procfs.query());
    printView("own fds", netlink.queryOwn(kAlertStates));
    if (FILE* pipe = ::popen(ssCommand.c_str(), "r")) {
      long lines = 0;
      if (std::fscanf(pipe, "%ld", &lines) != 1) lines = -1;
      ::pclose(pipe);
      std::printf("  ss        %ld lines (one is the header)\n", lines);
    }

    const auto phaseStart = Clock::now();
    for (int i = 0; i < kQueries; ++i) {
      if (phase == 0) {
        sample(netlinkSamples, RUSAGE_SELF, [&] { (void)netlink.query(); });
        sample(idleSamples, RUSAGE_SELF, [&] { (void)idleReader.query(); });
        sample(ssSamples, RUSAGE_CHILDREN, [&] { (void)std::system(ssQuiet.c_str()); });
        sample(alertDumpSamples, RUSAGE_SELF, [&] { (void)netlink.query(kAlertStates); });
        sample(alertOwnSamples, RUSAGE_SELF, [&] { (void)netlink.queryOwn(kAlertStates); });
      } else {
        sample(procfsSamples, RUSAGE_SELF, [&] { (void)procfs.query(); });
      }
    }
    std::printf("  phase took %.1f s; at its end:\n",
                std::chrono::duration<double>(Clock::now() - phaseStart).count());
    printView("sock_diag", netlink.query());
  }

  std::printf("%d queries each (load average at the end: ", kQueries);
  if (FILE* load = std::fopen("/proc/loadavg", "r")) {
    double one = 0;
    if (std::fscanf(load, "%lf", &one) == 1) std::printf("%.1f", one);
    std::fclose(load);
  }
  std::printf("):\n");
  printStats("KernelStateReader (sock_diag)", netlinkSamples);
  printStats("KernelStateReader (procfs)", procfsSamples);
  printStats("ss ... | wc -l (sh, fork, exec, wc)", ssSamples);
  printStats("sock_diag, port with only a listener", idleSamples);
  printStats("alert states, sock_diag dump", alertDumpSamples);
  printStats("alert states, own descriptors", alertOwnSamples);
  return 0;
}
