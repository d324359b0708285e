// The kernel's view of the server's own TCP sockets, read the way `ss` reads it.
//
// The server's registry knows what *it* thinks each connection is doing; the kernel knows what the
// socket is actually doing. The two disagree exactly when something is wrong: a CLOSE_WAIT the
// server never noticed (it stopped reading, so it never saw the peer's FIN), TIME_WAIT piling up
// because we close first on every keep-alive timeout, an accept queue that is full because the
// loop is stalled. This reader asks the kernel over NETLINK_SOCK_DIAG and, when netlink is not
// allowed (some sandboxes refuse it), parses /proc/net/tcp and /proc/net/tcp6 instead.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/unique_fd.h"

namespace closewise::kernel {

// The numbering is the kernel's (include/net/tcp_states.h), so a state byte from inet_diag_msg or
// the `st` column of /proc/net/tcp converts with a cast.
enum class TcpState : std::uint8_t {
  Established = 1,
  SynSent,
  SynRecv,
  FinWait1,
  FinWait2,
  TimeWait,
  Close,
  CloseWait,
  LastAck,
  Listen,
  Closing,
  NewSynRecv
};

// Slot 0 is unused; a state's slot is its kernel number.
inline constexpr std::size_t kTcpStateSlots = 13;

// A set of states as the kernel's idiag_states takes it: bit n for state n.
constexpr std::uint32_t tcpStateBit(TcpState state) noexcept {
  return 1u << static_cast<unsigned>(state);
}
inline constexpr std::uint32_t kAllTcpStates = (1u << kTcpStateSlots) - 1;

// The names `ss` prints, upper case with underscores; "UNKNOWN" for a number outside the enum.
std::string_view tcpStateName(TcpState state) noexcept;

// The states a count is reported for, by /stats, /metrics and `closewise states` alike, in the
// order of the RFC 9293 diagram (section 3.3.2), then LISTEN and SYN_SENT. Two kernel states are
// left out because a dump never shows them: inet_diag and /proc/net/tcp walk the listening and
// established hashes only, and a socket in CLOSE (bound but never listening or connected) is in
// neither; a NEW_SYN_RECV request socket is reported as SYN_RECV. (Our own descriptors can show
// CLOSE for the moment between a reset and our close(); that is not a state worth a gauge.)
const std::vector<TcpState>& reportedTcpStates();

struct ListenQueue {
  std::string address;        // "127.0.0.1:8080" or "[::1]:8080" (kernel/address.h)
  std::uint32_t pending = 0;  // connections completed by the kernel, not yet accept()ed
  std::uint32_t backlog = 0;  // the limit listen() set; 0 when the source cannot tell (procfs)
};

struct CloseWaitSocket {
  std::string local;
  std::string remote;
  std::uint64_t inode = 0;  // lets an operator find the owning fd in /proc/<pid>/fd
};

// At most this many CLOSE_WAIT sockets are detailed; the count in `states` is always complete.
inline constexpr std::size_t kCloseWaitDetailLimit = 64;

struct KernelView {
  // "sock_diag" or "procfs" (a dump of the host's table), or "own_fds" (our descriptors, see
  // KernelStateReader::queryOwn); points at a string literal.
  std::string_view source;
  // Whether the ESTABLISHED count includes the connections still waiting in our accept queues.
  // A dump sees them; a read of our own descriptors cannot, since no fd refers to them yet.
  bool includesAcceptQueues = true;
  // Counts per state of sockets whose LOCAL port is one of ours. A client socket connected to our
  // port has it as the remote port and is not counted; listeners are counted only under LISTEN.
  std::array<std::uint64_t, kTcpStateSlots> states{};
  std::vector<ListenQueue> listenQueues;   // one per listening socket on our ports
  std::vector<CloseWaitSocket> closeWait;  // the first kCloseWaitDetailLimit CLOSE_WAIT sockets
  std::uint64_t queryMicros = 0;           // wall time of the query, including any fallback
  std::uint64_t ageMicros = 0;             // how long ago the query ran, when a view is reused
  // Sockets the source handed us before our own port check. For sock_diag it equals the counted
  // total, because the kernel filters; for procfs it is every TCP socket on the host; for
  // own_fds every IP socket the process holds.
  std::uint64_t socketsExamined = 0;
  // own_fds only: the descriptors /proc/self/fd listed, which is the process's open fd count.
  std::uint64_t descriptors = 0;
  std::string error;           // non-empty only if every source failed
  std::string fallbackReason;  // why sock_diag was not used when source is "procfs" by fallback

  std::uint64_t count(TcpState state) const noexcept {
    return states[static_cast<std::size_t>(state)];
  }
};

// Sockets toward remote endpoints (the peers we connect to), by state: one count array per
// endpoint asked about, in the order asked. See KernelStateReader::queryRemote.
struct RemoteView {
  std::string_view source;  // "sock_diag" or "procfs", as KernelView::source
  std::vector<std::array<std::uint64_t, kTcpStateSlots>> byRemote;
  std::uint64_t queryMicros = 0;
  std::string error;  // non-empty only if every source failed; the counts are then all zero
};

// How many local ports connect() picks from (net.ipv4.ip_local_port_range, both ends included);
// nullopt when the file cannot be read. The range is shared by IPv4 and IPv6.
std::optional<std::uint32_t> ephemeralPortCount();

// One socket as a dump reports it (defined in sock_diag.cc).
struct SocketRecord;

// Which address families to ask about. The kernel keeps IPv4 and IPv6 TCP sockets in one hash
// table and walks all of it for each family's dump, so a family that cannot hold our sockets is
// worth skipping: each walk costs time in proportion to every TCP socket on the host, ours or not,
// whatever the filter (figures in bench/README.md, "The kernel view's cost").
//
// fromListeners (what the admin view and `closewise states` use): first dump only the
// listening sockets, which the kernel keeps in a small table of their own, then walk the big
// table only for the families that have a listener on our ports (both if none has). An accepted
// socket has its listener's family (a dual-stack [::] listener's IPv4 clients are IPv6 sockets),
// so this misses nothing of a server's.
struct Families {
  bool ipv4 = true;
  bool ipv6 = true;
  bool fromListeners = false;
};

class KernelStateReader {
 public:
  // The server's listening ports; sockets of the given families on these local ports are
  // reported. A server whose listeners are all IPv4 has no IPv6 socket on its ports.
  explicit KernelStateReader(std::vector<std::uint16_t> localPorts, Families families = {});

  // One NETLINK_SOCK_DIAG dump per address family, filtered in the kernel by local port, so the
  // cost follows the number of our sockets rather than every socket on the host. Falls back to
  // procfs when netlink fails (for example EPERM under a seccomp profile).
  //
  // `states` limits the answer to those states (the others count 0): the kernel still walks its
  // whole table, but builds and sends a message only for the sockets asked about, which is most
  // of the cost when thousands of TIME_WAIT sockets are not of interest.
  KernelView query(std::uint32_t states = kAllTcpStates);

  // The same counts for the sockets this process holds, read through its own descriptors:
  // /proc/self/fd lists them, getsockopt(TCP_INFO) gives each one's state (and a listener's
  // accept queue and backlog), getsockname its port. Two system calls per socket (2-3 µs
  // here, with the listing), so the cost follows our own sockets, where a dump's follows every
  // socket on the host: with 100 connections of ours and 70,000 TIME_WAIT sockets on the host,
  // the alert tick went from 8-12 ms of CPU a second to under 1 ms (docs/admin.md, "Cost").
  //
  // It sees what holds an fd, which is what the alert rules ask about, and nothing else: not
  // the connections still in an accept queue (their listener's queue length is reported), not
  // the sockets the kernel finishes alone after close (FIN_WAIT2, LAST_ACK, TIME_WAIT), and not
  // another process's sockets on our ports (an old instance still draining after a handoff).
  // A descriptor closed or reused between the listing and the read is seen either way, like a
  // connection that changes state during a dump. Falls back to query() without procfs.
  KernelView queryOwn(std::uint32_t states = kAllTcpStates);

  // Counts the sockets whose REMOTE address and port is one of `remotes` (AF_INET or AF_INET6
  // sockaddrs; others are never matched), whatever their local port: the outbound view, where a
  // connection is known by the peer it goes to. It includes what the kernel finishes alone after
  // close (TIME_WAIT after we closed first), which no descriptor shows, and, since the kernel
  // cannot tell whose a TIME_WAIT socket was, another process's sockets toward the same endpoint.
  // The kernel filters each dump by the remote port (inet_diag compares idiag_dport on every
  // socket it walks), one dump per distinct port and family; the address is matched here.
  RemoteView queryRemote(const std::vector<sockaddr_storage>& remotes,
                         std::uint32_t states = kAllTcpStates);

  // Skip netlink and read procfs; for tests and `closewise states --source procfs`.
  void forceProcfs(bool on) noexcept { forceProcfs_ = on; }

  const std::vector<std::uint16_t>& localPorts() const noexcept { return localPorts_; }

 private:
  // Each returns an error message, empty on success, and adds what it found to `view`.
  std::string querySockDiag(KernelView& view);
  // One family's dump: the request, then the replies until the kernel says it is done.
  // What each socket a source reports is handed to.
  using Sink = std::function<void(const SocketRecord&)>;
  std::string dumpFamily(std::uint8_t family, std::uint32_t states, KernelView& view);
  std::string sendDumpRequest(std::uint8_t family, std::uint32_t states, std::uint16_t remotePort);
  bool openNetlink(std::string& error);
  std::string receiveDump(const Sink& sink);
  // The messages of one datagram in buffer_: the dump's result once its end (or an error) is
  // read, nullopt while more is to come.
  std::optional<std::string> readDumpDatagram(int length, const Sink& sink);
  std::string queryProcfs(KernelView& view);
  std::string readProcFile(const char* path, bool mayBeMissing, const Sink& sink);
  std::string remoteSockDiag(const std::vector<sockaddr_storage>& remotes, std::uint32_t states,
                             const Sink& sink);

  std::vector<std::uint16_t> localPorts_;
  Families families_;
  std::uint32_t states_ = kAllTcpStates;   // the states of the query in progress
  std::vector<unsigned char> portFilter_;  // INET_DIAG_REQ_BYTECODE payload, built once
  bool forceProcfs_ = false;
  UniqueFd netlink_;                   // kept open between queries; reopened after a failure
  std::uint32_t sequence_ = 0;         // netlink sequence number of the last request
  std::vector<unsigned char> buffer_;  // reused for netlink replies and procfs text
  std::vector<int> ownFds_;            // reused for queryOwn's listing
};

}  // namespace closewise::kernel
