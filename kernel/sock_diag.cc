#include "kernel/sock_diag.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <utility>

#include "kernel/address.h"
#include "kernel/process_view.h"
#include "kernel/tcp_info.h"

namespace closewise::kernel {

// One socket as either source sees it; addresses are kept as raw bytes until someone needs text.
struct SocketRecord {
  int family = AF_INET;
  unsigned state = 0;
  std::uint16_t localPort = 0;
  std::uint16_t remotePort = 0;
  std::array<unsigned char, 16> localAddress{};
  std::array<unsigned char, 16> remoteAddress{};
  std::uint32_t receiveQueue = 0;
  std::uint32_t sendQueue = 0;
  std::uint64_t inode = 0;
  bool backlogKnown = false;  // procfs does not expose the listen() backlog
};

namespace {

constexpr std::string_view kSourceSockDiag = "sock_diag";
constexpr std::string_view kSourceProcfs = "procfs";
constexpr std::string_view kSourceOwnFds = "own_fds";

// The kernel never puts more than about 32 KiB into one dump datagram (netlink caps
// max_recvmsg_len there), so 64 KiB leaves room for one oversized message without MSG_TRUNC.
constexpr std::size_t kReceiveBufferBytes = 64 * 1024;

std::string errnoMessage(std::string_view what, int error) {
  std::string message(what);
  message += ": ";
  message += std::strerror(error);
  return message;
}

std::string addressText(int family, const std::array<unsigned char, 16>& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(family, address.data(), text, sizeof text) == nullptr) return "?";
  return text;
}

std::string endpointText(int family, const std::array<unsigned char, 16>& address,
                         std::uint16_t port) {
  return formatHostPort(addressText(family, address), port);
}

// Both sources funnel through here so they count by the same rules.
void recordSocket(const SocketRecord& socket, const std::vector<std::uint16_t>& ports,
                  std::uint32_t states, KernelView& view) {
  ++view.socketsExamined;
  // The kernel filter already matched the port and the states; checking again costs a few
  // compares and keeps procfs, which cannot filter, on exactly the same rule.
  if (!std::binary_search(ports.begin(), ports.end(), socket.localPort)) return;
  if (socket.state == 0 || socket.state >= kTcpStateSlots) return;
  if ((states & (1u << socket.state)) == 0) return;
  ++view.states[socket.state];

  const auto state = static_cast<TcpState>(socket.state);
  if (state == TcpState::Listen) {
    // For a listener inet_diag reports the accept queue length in rqueue and the backlog passed
    // to listen() (capped by somaxconn) in wqueue; see inet_diag_get_rqueue / tcp_diag_get_info.
    view.listenQueues.push_back(
        ListenQueue{endpointText(socket.family, socket.localAddress, socket.localPort),
                    socket.receiveQueue, socket.backlogKnown ? socket.sendQueue : 0});
  } else if (state == TcpState::CloseWait && view.closeWait.size() < kCloseWaitDetailLimit) {
    view.closeWait.push_back(CloseWaitSocket{
        endpointText(socket.family, socket.localAddress, socket.localPort),
        endpointText(socket.family, socket.remoteAddress, socket.remotePort), socket.inode});
  }
}

// INET_DIAG_REQ_BYTECODE for "local port is one of `ports`", compiled the way ss compiles
// `sport = :A or sport = :B`. Each op is a conditional forward jump: `yes` bytes ahead when the
// condition holds, `no` bytes ahead when it does not. The program accepts a socket when a jump
// lands exactly on its end and rejects it when a jump lands 4 bytes past the end.
//
//   S_EQ  yes=8 no=12 | port A | JMP yes=4 no=rest+4 | S_EQ yes=8 no=12 | port B
//
// A match on A falls through to the JMP, which always takes `no` and skips to the end (accept).
// A miss on A skips the JMP and tries B. The last comparison's `no` points past the end (reject).
// The kernel audits the program by walking the `yes` offsets, so every op must lie on that path.
std::vector<unsigned char> compilePortFilter(const std::vector<std::uint16_t>& ports) {
  constexpr auto kOpSize = static_cast<std::uint16_t>(sizeof(inet_diag_bc_op));
  std::vector<inet_diag_bc_op> ops;
  for (std::size_t i = 0; i < ports.size(); ++i) {
    ops.push_back(inet_diag_bc_op{INET_DIAG_BC_S_EQ, 2 * kOpSize, 3 * kOpSize});
    // A port comparison reads its operand from the `no` field of the following op, in host
    // byte order (the kernel compares it with inet_num).
    ops.push_back(inet_diag_bc_op{0, 0, ports[i]});
    const std::size_t remaining = ports.size() - i - 1;
    if (remaining > 0) {
      const auto restBytes = static_cast<std::uint16_t>(remaining * 3 * kOpSize - kOpSize);
      ops.push_back(inet_diag_bc_op{INET_DIAG_BC_JMP, kOpSize,
                                    static_cast<std::uint16_t>(restBytes + kOpSize)});
    }
  }
  std::vector<unsigned char> bytes(ops.size() * sizeof(inet_diag_bc_op));
  if (!bytes.empty()) std::memcpy(bytes.data(), ops.data(), bytes.size());
  return bytes;
}

std::uint64_t microsSince(std::chrono::steady_clock::time_point start) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::steady_clock::now() - start)
                                        .count());
}

// --- procfs parsing -------------------------------------------------------------------------

int hexDigit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Parses hex digits up to `end` or a non-hex character; false if there were none.
bool parseHex(std::string_view& text, std::uint64_t& value) noexcept {
  value = 0;
  std::size_t used = 0;
  while (used < text.size() && used < 16) {
    const int digit = hexDigit(text[used]);
    if (digit < 0) break;
    value = value * 16 + static_cast<unsigned>(digit);
    ++used;
  }
  text.remove_prefix(used);
  return used > 0;
}

std::string_view nextField(std::string_view& line) noexcept {
  const auto start = line.find_first_not_of(' ');
  if (start == std::string_view::npos) {
    line = {};
    return {};
  }
  line.remove_prefix(start);
  const auto end = std::min(line.find(' '), line.size());
  const std::string_view field = line.substr(0, end);
  line.remove_prefix(end);
  return field;
}

// "0100007F:1F90" (IPv4) or 32 hex digits + ":1F90" (IPv6). The kernel prints each 32-bit word
// of the address as a native-endian integer (%08X of the raw __be32), so storing the parsed words
// back in native order restores the network-order bytes.
bool parseProcEndpoint(std::string_view field, int family, std::array<unsigned char, 16>& address,
                       std::uint16_t& port) noexcept {
  const std::size_t words = family == AF_INET ? 1 : 4;
  if (field.size() < words * 8 + 2) return false;
  for (std::size_t w = 0; w < words; ++w) {
    std::string_view digits = field.substr(w * 8, 8);
    std::uint64_t value = 0;
    if (!parseHex(digits, value) || !digits.empty()) return false;
    const auto word = static_cast<std::uint32_t>(value);
    std::memcpy(address.data() + w * 4, &word, sizeof word);
  }
  field.remove_prefix(words * 8);
  if (field.front() != ':') return false;
  field.remove_prefix(1);
  std::uint64_t value = 0;
  if (!parseHex(field, value) || value > 0xFFFF) return false;
  port = static_cast<std::uint16_t>(value);
  return true;
}

// One line of /proc/net/tcp{,6}:
//   sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
bool parseProcLine(std::string_view line, int family, SocketRecord& socket) noexcept {
  socket = SocketRecord{};
  socket.family = family;
  nextField(line);  // "sl:"
  if (!parseProcEndpoint(nextField(line), family, socket.localAddress, socket.localPort))
    return false;
  if (!parseProcEndpoint(nextField(line), family, socket.remoteAddress, socket.remotePort))
    return false;
  std::string_view field = nextField(line);
  std::uint64_t value = 0;
  if (!parseHex(field, value)) return false;
  socket.state = static_cast<unsigned>(value);
  // For a listener rx_queue is the accept queue (sk_ack_backlog). procfs has no column for the
  // backlog limit, so ListenQueue::backlog stays 0 on this path.
  field = nextField(line);
  if (!parseHex(field, value) || field.empty() || field.front() != ':') return false;
  socket.sendQueue = static_cast<std::uint32_t>(value);
  field.remove_prefix(1);
  if (!parseHex(field, value)) return false;
  socket.receiveQueue = static_cast<std::uint32_t>(value);
  for (int skip = 0; skip < 4; ++skip) nextField(line);  // tr:tm, retrnsmt, uid, timeout
  const std::string_view inode = nextField(line);
  socket.inode = 0;
  for (const char c : inode) {
    if (c < '0' || c > '9') return false;
    socket.inode = socket.inode * 10 + static_cast<unsigned>(c - '0');
  }
  return true;
}

// An address from getsockname/getpeername as SocketRecord keeps it; false for a family that is
// not IP (a TCP socket is always AF_INET or AF_INET6).
bool fromSockaddr(const sockaddr_storage& storage, int& family,
                  std::array<unsigned char, 16>& address, std::uint16_t& port) noexcept {
  if (storage.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&storage);
    std::memcpy(address.data(), &v4->sin_addr, sizeof v4->sin_addr);
    port = ntohs(v4->sin_port);
  } else if (storage.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&storage);
    std::memcpy(address.data(), &v6->sin6_addr, sizeof v6->sin6_addr);
    port = ntohs(v6->sin6_port);
  } else {
    return false;
  }
  family = storage.ss_family;
  return true;
}

// The local address of one of our descriptors (false for anything that is not an IP socket:
// getsockname fails at once on a file, pipe or eventfd and gives a unix or netlink socket's own
// family), then, only for a socket on one of `ports`, its state by getsockopt(TCP_INFO), which
// fails for UDP; for a listener also its accept queue and backlog (see SocketTcpInfo). False as
// well if the fd was closed since the listing.
bool readOwnSocket(int fd, const std::vector<std::uint16_t>& ports, SocketRecord& socket,
                   bool& onOurPort) noexcept {
  onOurPort = false;
  sockaddr_storage local{};
  socklen_t localLength = sizeof local;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &localLength) != 0) return false;
  if (!fromSockaddr(local, socket.family, socket.localAddress, socket.localPort)) return false;
  if (!std::binary_search(ports.begin(), ports.end(), socket.localPort)) return true;
  const auto info = socketTcpInfo(fd);
  if (!info) return false;
  onOurPort = true;
  socket.state = static_cast<unsigned>(info->state);
  if (info->state == TcpState::Listen) {
    socket.receiveQueue = info->unacked;
    socket.sendQueue = info->sacked;
    socket.backlogKnown = true;
  }
  return true;
}

// The peer address and the inode, which only a CLOSE_WAIT socket's detail needs.
void readOwnSocketDetail(int fd, SocketRecord& socket) noexcept {
  sockaddr_storage remote{};
  socklen_t remoteLength = sizeof remote;
  int family = socket.family;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&remote), &remoteLength) == 0)
    fromSockaddr(remote, family, socket.remoteAddress, socket.remotePort);
  struct stat status {};
  if (::fstat(fd, &status) == 0) socket.inode = status.st_ino;
}

// A dump request as sendmsg takes it: the netlink header, then inet_diag_req_v2. The port filter
// bytecode, when there is one, follows as an attribute of `filterBytes` (aligned) bytes.
struct DumpRequest {
  nlmsghdr header;
  inet_diag_req_v2 request;
};
static_assert(sizeof(DumpRequest) == NLMSG_LENGTH(sizeof(inet_diag_req_v2)));

// `onlyPort` non-zero: the request's own source-port field filters, and no bytecode follows.
// `remotePort` non-zero: only sockets toward that port, by the request's destination-port field.
DumpRequest dumpRequest(std::uint8_t family, std::uint32_t states, std::uint32_t sequence,
                        std::uint16_t onlyPort, std::uint16_t remotePort,
                        std::size_t filterBytes) noexcept {
  DumpRequest message{};
  if (onlyPort != 0) message.request.id.idiag_sport = htons(onlyPort);
  if (remotePort != 0) message.request.id.idiag_dport = htons(remotePort);
  message.header.nlmsg_len = static_cast<std::uint32_t>(sizeof message + filterBytes);
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.header.nlmsg_seq = sequence;
  message.request.sdiag_family = family;
  message.request.sdiag_protocol = IPPROTO_TCP;
  // No extensions: the fixed inet_diag_msg already carries state, ports, addresses, queues and
  // inode, and asking for INET_DIAG_INFO would make the kernel fill a tcp_info per socket.
  message.request.idiag_ext = 0;
  message.request.idiag_states = states;
  return message;
}

// NLMSG_DONE ends a dump; one that failed part-way reports the error as an int after the header.
std::string dumpDoneResult(nlmsghdr* header) {
  int status = 0;
  if (header->nlmsg_len >= NLMSG_LENGTH(sizeof status))
    std::memcpy(&status, NLMSG_DATA(header), sizeof status);
  return status < 0 ? errnoMessage("sock_diag dump", -status) : std::string{};
}

// NLMSG_ERROR: the kernel refused the request itself (for example a filter it could not audit).
std::string requestErrorResult(nlmsghdr* header) {
  if (header->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) return "sock_diag: short error message";
  nlmsgerr error{};
  std::memcpy(&error, NLMSG_DATA(header), sizeof error);
  return errnoMessage("sock_diag request", -error.error);
}

// One socket of a SOCK_DIAG_BY_FAMILY message the caller has checked is long enough.
SocketRecord fromDiagMessage(nlmsghdr* header) noexcept {
  inet_diag_msg diag{};
  std::memcpy(&diag, NLMSG_DATA(header), sizeof diag);
  SocketRecord socket;
  socket.family = diag.idiag_family;
  socket.state = diag.idiag_state;
  socket.localPort = ntohs(diag.id.idiag_sport);
  socket.remotePort = ntohs(diag.id.idiag_dport);
  std::memcpy(socket.localAddress.data(), diag.id.idiag_src, 16);
  std::memcpy(socket.remoteAddress.data(), diag.id.idiag_dst, 16);
  socket.receiveQueue = diag.idiag_rqueue;
  socket.sendQueue = diag.idiag_wqueue;
  socket.inode = diag.idiag_inode;
  socket.backlogKnown = true;
  return socket;
}

// The index in `remotes` of the endpoint a socket goes to, or remotes.size() for none.
std::size_t remoteIndex(const SocketRecord& socket,
                        const std::vector<sockaddr_storage>& remotes) noexcept {
  for (std::size_t i = 0; i < remotes.size(); ++i) {
    int family = 0;
    std::array<unsigned char, 16> address{};
    std::uint16_t port = 0;
    if (!fromSockaddr(remotes[i], family, address, port)) continue;
    const std::size_t bytes = family == AF_INET ? 4 : 16;
    if (family == socket.family && port == socket.remotePort &&
        std::memcmp(address.data(), socket.remoteAddress.data(), bytes) == 0) {
      return i;
    }
  }
  return remotes.size();
}

}  // namespace

const std::vector<TcpState>& reportedTcpStates() {
  static const std::vector<TcpState> states = {
      TcpState::Established, TcpState::SynRecv,   TcpState::FinWait1, TcpState::FinWait2,
      TcpState::TimeWait,    TcpState::CloseWait, TcpState::LastAck,  TcpState::Closing,
      TcpState::Listen,      TcpState::SynSent,
  };
  return states;
}

std::string_view tcpStateName(TcpState state) noexcept {
  switch (state) {
    case TcpState::Established:
      return "ESTABLISHED";
    case TcpState::SynSent:
      return "SYN_SENT";
    case TcpState::SynRecv:
      return "SYN_RECV";
    case TcpState::FinWait1:
      return "FIN_WAIT1";
    case TcpState::FinWait2:
      return "FIN_WAIT2";
    case TcpState::TimeWait:
      return "TIME_WAIT";
    case TcpState::Close:
      return "CLOSE";
    case TcpState::CloseWait:
      return "CLOSE_WAIT";
    case TcpState::LastAck:
      return "LAST_ACK";
    case TcpState::Listen:
      return "LISTEN";
    case TcpState::Closing:
      return "CLOSING";
    case TcpState::NewSynRecv:
      return "NEW_SYN_RECV";
  }
  return "UNKNOWN";
}

std::optional<std::uint32_t> ephemeralPortCount() {
  const UniqueFd file(::open("/proc/sys/net/ipv4/ip_local_port_range", O_RDONLY | O_CLOEXEC));
  if (!file.valid()) return std::nullopt;
  char text[64] = {};
  const ssize_t got = ::read(file.get(), text, sizeof text - 1);
  if (got <= 0) return std::nullopt;
  unsigned long low = 0;
  unsigned long high = 0;
  if (std::sscanf(text, "%lu %lu", &low, &high) != 2 || high < low || high > 0xFFFF) {
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(high - low + 1);
}

KernelStateReader::KernelStateReader(std::vector<std::uint16_t> localPorts, Families families)
    : localPorts_(std::move(localPorts)), families_(families) {
  std::sort(localPorts_.begin(), localPorts_.end());
  localPorts_.erase(std::unique(localPorts_.begin(), localPorts_.end()), localPorts_.end());
  // Port 0 is never a listening port; matching it would only admit unbound sockets.
  std::erase(localPorts_, std::uint16_t{0});
  portFilter_ = compilePortFilter(localPorts_);
  buffer_.resize(kReceiveBufferBytes);
}

KernelView KernelStateReader::query(std::uint32_t states) {
  const auto start = std::chrono::steady_clock::now();
  states_ = states & kAllTcpStates;
  KernelView view;
  view.source = forceProcfs_ ? kSourceProcfs : kSourceSockDiag;
  // With no ports there is nothing to filter on, and an empty filter would match every socket.
  if (localPorts_.empty()) {
    view.queryMicros = microsSince(start);
    return view;
  }

  std::string netlinkError;
  if (!forceProcfs_) {
    netlinkError = querySockDiag(view);
    if (netlinkError.empty()) {
      view.queryMicros = microsSince(start);
      return view;
    }
    // A half-read dump leaves the socket out of step with our sequence numbers; start afresh.
    netlink_.reset();
    view = KernelView{};
    view.fallbackReason = netlinkError;
  }

  view.source = kSourceProcfs;
  const std::string procfsError = queryProcfs(view);
  if (!procfsError.empty()) {
    const std::string fallbackReason = std::move(view.fallbackReason);
    view = KernelView{};
    view.source = kSourceProcfs;
    view.error = netlinkError.empty() ? procfsError : netlinkError + "; " + procfsError;
    view.fallbackReason = fallbackReason;
  }
  view.queryMicros = microsSince(start);
  return view;
}

RemoteView KernelStateReader::queryRemote(const std::vector<sockaddr_storage>& remotes,
                                          std::uint32_t states) {
  const auto start = std::chrono::steady_clock::now();
  states &= kAllTcpStates;
  RemoteView view;
  view.byRemote.resize(remotes.size());
  const Sink sink = [&remotes, &view, states](const SocketRecord& socket) {
    if (socket.state == 0 || socket.state >= kTcpStateSlots) return;
    if ((states & (1u << socket.state)) == 0) return;
    const std::size_t i = remoteIndex(socket, remotes);
    if (i < remotes.size()) ++view.byRemote[i][socket.state];
  };
  std::string netlinkError;
  if (!forceProcfs_) {
    view.source = kSourceSockDiag;
    netlinkError = remoteSockDiag(remotes, states, sink);
    if (netlinkError.empty()) {
      view.queryMicros = microsSince(start);
      return view;
    }
    netlink_.reset();
    view.byRemote.assign(remotes.size(), {});
  }
  view.source = kSourceProcfs;
  std::string error = readProcFile("/proc/net/tcp", false, sink);
  if (error.empty()) error = readProcFile("/proc/net/tcp6", true, sink);
  if (!error.empty()) {
    view.byRemote.assign(remotes.size(), {});
    view.error = netlinkError.empty() ? error : netlinkError + "; " + error;
  }
  view.queryMicros = microsSince(start);
  return view;
}

std::string KernelStateReader::remoteSockDiag(const std::vector<sockaddr_storage>& remotes,
                                              std::uint32_t states, const Sink& sink) {
  if (std::string error; !openNetlink(error)) return error;
  // One dump per distinct (family, port): endpoints that share both share the dump.
  std::vector<std::pair<std::uint8_t, std::uint16_t>> dumps;
  for (const auto& remote : remotes) {
    int family = 0;
    std::array<unsigned char, 16> address{};
    std::uint16_t port = 0;
    if (!fromSockaddr(remote, family, address, port) || port == 0) continue;
    const std::pair<std::uint8_t, std::uint16_t> dump{static_cast<std::uint8_t>(family), port};
    if (std::find(dumps.begin(), dumps.end(), dump) == dumps.end()) dumps.push_back(dump);
  }
  for (const auto& [family, port] : dumps) {
    std::string error = sendDumpRequest(family, states, port);
    if (error.empty()) error = receiveDump(sink);
    if (!error.empty()) return error;
  }
  return {};
}

KernelView KernelStateReader::queryOwn(std::uint32_t states) {
  const auto start = std::chrono::steady_clock::now();
  if (localPorts_.empty()) return query(states);
  // The listing keeps its descriptor open, so it still works when no descriptor is left.
  if (!listOwnDescriptors(ownFds_)) return query(states);  // no procfs: a dump sees them too

  states_ = states & kAllTcpStates;
  KernelView view;
  view.source = kSourceOwnFds;
  view.includesAcceptQueues = false;
  // A listener can be open under two descriptors (an inherited one and the dup a worker
  // adopted); it is one socket and one accept queue. Only listeners are checked, by inode: a
  // connected socket is never duplicated here, and an fstat per connection would cost a third
  // system call each.
  std::vector<ino_t> listeners;
  view.descriptors = ownFds_.size();
  for (const int fd : ownFds_) {
    SocketRecord socket;
    bool onOurPort = false;
    if (!readOwnSocket(fd, localPorts_, socket, onOurPort)) continue;
    if (!onOurPort) {
      ++view.socketsExamined;  // an IP socket of ours on another port, e.g. a fork's client
      continue;
    }
    const auto state = static_cast<TcpState>(socket.state);
    if (state == TcpState::Listen) {
      struct stat status {};
      if (::fstat(fd, &status) == 0) {
        if (std::find(listeners.begin(), listeners.end(), status.st_ino) != listeners.end())
          continue;
        listeners.push_back(status.st_ino);
      }
    } else if (state == TcpState::CloseWait && view.closeWait.size() < kCloseWaitDetailLimit) {
      readOwnSocketDetail(fd, socket);
    }
    recordSocket(socket, localPorts_, states_, view);
  }
  view.queryMicros = microsSince(start);
  return view;
}

bool KernelStateReader::openNetlink(std::string& error) {
  if (netlink_.valid()) return true;
  netlink_.reset(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (!netlink_.valid()) error = errnoMessage("sock_diag socket", errno);
  return netlink_.valid();
}

std::string KernelStateReader::querySockDiag(KernelView& view) {
  if (std::string error; !openNetlink(error)) return error;
  Families families = families_;
  std::uint32_t states = states_;
  if (families_.fromListeners) {
    // The listeners are dumped whether or not LISTEN was asked for: they say which families
    // to walk. Their queues are reported only if it was.
    constexpr std::uint32_t kListen = tcpStateBit(TcpState::Listen);
    const std::uint32_t asked = states_;
    states_ |= kListen;
    for (const std::uint8_t family : {std::uint8_t{AF_INET}, std::uint8_t{AF_INET6}}) {
      std::string error = dumpFamily(family, kListen, view);
      if (!error.empty()) return error;
    }
    states_ = asked;
    families.ipv4 = families.ipv6 = view.listenQueues.empty();
    for (const auto& queue : view.listenQueues) {
      (queue.address.starts_with('[') ? families.ipv6 : families.ipv4) = true;
    }
    if ((asked & kListen) == 0) {
      view.states[static_cast<std::size_t>(TcpState::Listen)] = 0;
      view.listenQueues.clear();
    }
    states &= ~kListen;
  }
  for (const std::uint8_t family : {std::uint8_t{AF_INET}, std::uint8_t{AF_INET6}}) {
    if (!(family == AF_INET ? families.ipv4 : families.ipv6)) continue;
    if (states == 0) break;  // nothing left to ask: the big table need not be walked at all
    std::string error = dumpFamily(family, states, view);
    if (!error.empty()) return error;
  }
  return {};
}

std::string KernelStateReader::dumpFamily(std::uint8_t family, std::uint32_t states,
                                          KernelView& view) {
  std::string error = sendDumpRequest(family, states, 0);
  const Sink sink = [this, &view](const SocketRecord& socket) {
    recordSocket(socket, localPorts_, states_, view);
  };
  return error.empty() ? receiveDump(sink) : error;
}

std::string KernelStateReader::sendDumpRequest(std::uint8_t family, std::uint32_t states,
                                               std::uint16_t remotePort) {
  // With one port the request's own source-port field does the filtering: the kernel compares it
  // before it would run a bytecode program, which saves a little on every socket it walks past
  // (bench/README.md, "The kernel view's cost"). A remote query filters by destination port the
  // same way and has no local ports to match.
  const bool onePort = localPorts_.size() == 1 && remotePort == 0;
  const bool bytecode = !onePort && remotePort == 0;
  nlattr filter{};
  filter.nla_type = INET_DIAG_REQ_BYTECODE;
  filter.nla_len = static_cast<std::uint16_t>(NLA_HDRLEN + portFilter_.size());
  DumpRequest message = dumpRequest(family, states, ++sequence_, onePort ? localPorts_.front() : 0,
                                    remotePort, bytecode ? NLA_ALIGN(filter.nla_len) : 0);

  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  iovec parts[] = {
      {&message, sizeof message},
      {&filter, NLA_HDRLEN},
      {portFilter_.data(), portFilter_.size()},
  };
  msghdr request{};
  request.msg_name = &kernel;
  request.msg_namelen = sizeof kernel;
  request.msg_iov = parts;
  request.msg_iovlen = bytecode ? std::size(parts) : 1;
  while (::sendmsg(netlink_.get(), &request, 0) < 0) {
    if (errno != EINTR) return errnoMessage("sock_diag send", errno);
  }
  return {};
}

std::string KernelStateReader::receiveDump(const Sink& sink) {
  for (;;) {
    iovec into{buffer_.data(), buffer_.size()};
    msghdr reply{};
    sockaddr_nl from{};
    reply.msg_name = &from;
    reply.msg_namelen = sizeof from;
    reply.msg_iov = &into;
    reply.msg_iovlen = 1;
    const ssize_t received = ::recvmsg(netlink_.get(), &reply, 0);
    if (received < 0) {
      if (errno == EINTR) continue;
      return errnoMessage("sock_diag receive", errno);
    }
    if (received == 0) return "sock_diag receive: unexpected end of stream";
    if ((reply.msg_flags & MSG_TRUNC) != 0) {
      // The rest of the datagram is gone, so this dump is incomplete; a larger buffer lets the
      // next query succeed.
      buffer_.resize(buffer_.size() * 2);
      return "sock_diag receive: reply truncated";
    }
    if (from.nl_pid != 0) continue;  // only the kernel answers dumps
    if (auto result = readDumpDatagram(static_cast<int>(received), sink)) return *result;
  }
}

std::optional<std::string> KernelStateReader::readDumpDatagram(int length, const Sink& sink) {
  for (auto* header = reinterpret_cast<nlmsghdr*>(buffer_.data()); NLMSG_OK(header, length);
       header = NLMSG_NEXT(header, length)) {
    if (header->nlmsg_seq != sequence_) continue;  // a reply to an abandoned request
    if (header->nlmsg_type == NLMSG_DONE) return dumpDoneResult(header);
    if (header->nlmsg_type == NLMSG_ERROR) return requestErrorResult(header);
    if (header->nlmsg_type != SOCK_DIAG_BY_FAMILY) continue;
    if (header->nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg))) continue;
    sink(fromDiagMessage(header));
  }
  if (length != 0) return "sock_diag receive: malformed reply";
  return std::nullopt;
}

std::string KernelStateReader::queryProcfs(KernelView& view) {
  const Sink sink = [this, &view](const SocketRecord& socket) {
    recordSocket(socket, localPorts_, states_, view);
  };
  // A host without IPv6 has no tcp6, which is not an error.
  if (families_.ipv4) {
    std::string error = readProcFile("/proc/net/tcp", false, sink);
    if (!error.empty()) return error;
  }
  return families_.ipv6 ? readProcFile("/proc/net/tcp6", true, sink) : std::string();
}

std::string KernelStateReader::readProcFile(const char* path, bool mayBeMissing, const Sink& sink) {
  const UniqueFd file(::open(path, O_RDONLY | O_CLOEXEC));
  if (!file.valid()) {
    const int error = errno;
    return mayBeMissing && error == ENOENT ? std::string{} : errnoMessage(path, error);
  }
  const int family = std::string_view(path).ends_with('6') ? AF_INET6 : AF_INET;

  // The file is read in chunks and parsed line by line, carrying a partial last line over, so a
  // host with a million sockets does not make us hold the whole file.
  std::size_t carried = 0;
  bool header = true;
  for (;;) {
    if (carried == buffer_.size()) buffer_.resize(buffer_.size() * 2);
    const ssize_t got = ::read(file.get(), buffer_.data() + carried, buffer_.size() - carried);
    if (got < 0) {
      if (errno == EINTR) continue;
      return errnoMessage(path, errno);
    }
    const std::size_t filled = carried + static_cast<std::size_t>(got);
    std::string_view text(reinterpret_cast<const char*>(buffer_.data()), filled);
    const bool atEnd = got == 0;
    for (;;) {
      const auto newline = text.find('\n');
      if (newline == std::string_view::npos && !atEnd) break;
      const std::string_view line = text.substr(0, newline);
      text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
      if (header) {
        header = false;  // "  sl  local_address rem_address   st ..."
      } else if (!line.empty()) {
        SocketRecord socket;
        if (parseProcLine(line, family, socket)) sink(socket);
      }
      if (text.empty()) break;
    }
    if (atEnd) return {};
    carried = text.size();
    std::memmove(buffer_.data(), text.data(), carried);
  }
}

}  // namespace closewise::kernel
