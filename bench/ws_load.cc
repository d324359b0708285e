// The WebSocket load generator of bench/run_bench.py: many connections to /ws/echo, each sending
// small text messages (--in-flight of them at a time) and one more for each echo that comes
// back, or holding idle WebSockets.
//
//   ws_load echo --port P --connections 100 --warmup 1 --duration 10 --message-bytes 32
//                --in-flight 1
//   ws_load idle --port P --connections 10000
//
// It reports on stdout, one JSON object a line, as bench/idle_clients.py does:
//   {"event":"ready","open":N,"failed":F}      every connection has its 101 (or failed)
//   {"event":"measuring"}                      echo: the warm-up is over, counting starts
//   {"event":"done","messages":M,"seconds":S,"errors":E,"cpu_seconds":C}
//                                              echo: the count, and the client's own CPU time
//                                              meanwhile; idle: on SIGTERM
//
// It must be faster than the servers it loads, or it measures itself: so C++ on one libuv loop,
// and each connection's message frame is built and masked once and sent again as it is, so a
// message costs the client one write and one decode. The frames are decoded with closewise's
// own WsFrameDecoder in the client role (masked frames are refused, RFC 6455 5.1), the same code
// the server is tested with. A fixed masking key per connection breaks RFC 6455 5.3's
// "unpredictable" only towards a server that cannot tell, and that only proxies on the path could
// abuse.
#include <sys/resource.h>
#include <uv.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/websocket_frame.h"

namespace {

using closewise::protocol::appendWsFrame;
using closewise::protocol::WsDecodeResult;
using closewise::protocol::WsEvent;
using closewise::protocol::WsFrameDecoder;
using closewise::protocol::WsMaskKey;
using closewise::protocol::WsOpcode;
using closewise::protocol::WsRole;

constexpr std::size_t kConnectingAtOnce = 256;  // within the listen backlog: no SYN dropped
constexpr std::size_t kMaxMessageBytes = 1 << 20;

struct Options {
  bool echo = true;
  int port = 0;
  std::size_t connections = 100;
  double warmupS = 1;
  double durationS = 10;
  std::size_t messageBytes = 32;
  std::size_t inFlight = 1;  // messages each connection keeps on their way
};

class Load;

struct Conn {
  uv_tcp_t tcp{};
  uv_connect_t connect{};
  Load* load = nullptr;
  std::string head;      // the handshake's answer, until its blank line
  bool settled = false;  // upgraded or failed, and counted as such once
  bool upgraded = false;
  WsFrameDecoder decoder{WsRole::Client, kMaxMessageBytes};
  std::string frame;  // the message, framed and masked once
};

// A write that did not go out at once: its own request and bytes, freed in its callback.
struct PendingWrite {
  uv_write_t req{};
  std::string bytes;
};

class Load {
 public:
  explicit Load(Options options) : options_(options) {}

  int run() {
    uv_loop_init(&loop_);
    conns_.reserve(options_.connections);
    for (std::size_t i = 0; i < options_.connections; ++i) {
      conns_.push_back(std::make_unique<Conn>());
    }
    while (started_ < conns_.size() && started_ < kConnectingAtOnce) startNext();
    uv_signal_init(&loop_, &sigterm_);
    sigterm_.data = this;
    uv_signal_start(
        &sigterm_, [](uv_signal_t* s, int) { static_cast<Load*>(s->data)->finish(); }, SIGTERM);
    uv_timer_init(&loop_, &timer_);
    timer_.data = this;
    uv_run(&loop_, UV_RUN_DEFAULT);
    return 0;
  }

  void onConnected(Conn& conn, int status) {
    if (status < 0) return failed(conn);
    uv_read_start(reinterpret_cast<uv_stream_t*>(&conn.tcp), onAlloc, onRead);
    std::string request =
        "GET /ws/echo HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(options_.port) +
        "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n";
    send(conn, request);
  }

  void onBytes(Conn& conn, const char* data, std::size_t len) {
    if (!conn.upgraded) {
      conn.head.append(data, len);
      auto end = conn.head.find("\r\n\r\n");
      if (end == std::string::npos) return;
      if (conn.head.rfind("HTTP/1.1 101", 0) != 0) return failed(conn);
      conn.upgraded = conn.settled = true;
      std::string rest = conn.head.substr(end + 4);
      upgraded();
      if (!rest.empty()) decode(conn, rest.data(), rest.size());
      return;
    }
    decode(conn, data, len);
  }

  void onEnded(Conn& conn) {
    if (conn.upgraded) {
      conn.upgraded = false;
      ++errors_;
    } else {
      failed(conn);
    }
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&conn.tcp));
  }

 private:
  static void onAlloc(uv_handle_t*, std::size_t, uv_buf_t* buf) {
    // One buffer for every connection: the loop reads one stream at a time and decode() is
    // done with the bytes before the next read.
    static char buffer[64 * 1024];
    *buf = uv_buf_init(buffer, sizeof buffer);
  }

  static void onRead(uv_stream_t* stream, ssize_t n, const uv_buf_t* buf) {
    auto& conn = *static_cast<Conn*>(stream->data);
    if (n > 0) conn.load->onBytes(conn, buf->base, static_cast<std::size_t>(n));
    if (n < 0) conn.load->onEnded(conn);
  }

  void startNext() {
    Conn& conn = *conns_[started_++];
    conn.load = this;
    conn.tcp.data = &conn;
    conn.connect.data = &conn;
    uv_tcp_init(&loop_, &conn.tcp);
    sockaddr_in addr{};
    uv_ip4_addr("127.0.0.1", options_.port, &addr);
    int rc = uv_tcp_connect(&conn.connect, &conn.tcp, reinterpret_cast<const sockaddr*>(&addr),
                            [](uv_connect_t* req, int status) {
                              auto& c = *static_cast<Conn*>(req->data);
                              c.load->onConnected(c, status);
                            });
    if (rc < 0) failed(conn);
  }

  void failed(Conn& conn) {
    if (conn.settled) return;
    conn.settled = true;
    ++failed_;
    upgraded();
  }

  // One more connection is settled (upgraded or failed): start the next; once all are, begin.
  void upgraded() {
    ++settled_;
    if (started_ < conns_.size()) startNext();
    if (settled_ < conns_.size()) return;
    std::printf("{\"event\":\"ready\",\"open\":%zu,\"failed\":%zu}\n", settled_ - failed_, failed_);
    std::fflush(stdout);
    if (!options_.echo) return;
    const std::string payload(options_.messageBytes, 'x');
    for (auto& c : conns_) {
      if (!c->upgraded) continue;
      const WsMaskKey key{0x37, 0xfa, 0x21, 0x3d};
      appendWsFrame(c->frame, WsOpcode::Text, true, payload, &key);
      for (std::size_t i = 0; i < options_.inFlight; ++i) send(*c, c->frame);
    }
    after(options_.warmupS, [](uv_timer_t* t) { static_cast<Load*>(t->data)->measure(); });
  }

  void measure() {
    messages_ = 0;
    errors_ = 0;
    measuring_ = true;
    since_ = std::chrono::steady_clock::now();
    cpuSince_ = cpuSeconds();
    std::printf("{\"event\":\"measuring\"}\n");
    std::fflush(stdout);
    after(options_.durationS, [](uv_timer_t* t) { static_cast<Load*>(t->data)->finish(); });
  }

  void finish() {
    double seconds =
        measuring_
            ? std::chrono::duration<double>(std::chrono::steady_clock::now() - since_).count()
            : 0.0;
    double cpu = measuring_ ? cpuSeconds() - cpuSince_ : 0.0;
    std::printf(
        "{\"event\":\"done\",\"messages\":%llu,\"seconds\":%.3f,\"errors\":%llu,"
        "\"cpu_seconds\":%.3f}\n",
        static_cast<unsigned long long>(messages_), seconds,
        static_cast<unsigned long long>(errors_), cpu);
    std::fflush(stdout);
    // The kernel closes every socket on exit; nothing here outlives the process.
    std::_Exit(0);
  }

  // User and system time of this process: whether the client, not the server, is the limit.
  static double cpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](timeval t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
  }

  void after(double seconds, uv_timer_cb cb) {
    uv_timer_start(&timer_, cb, static_cast<std::uint64_t>(seconds * 1000), 0);
  }

  void decode(Conn& conn, const char* data, std::size_t len) {
    while (true) {
      WsDecodeResult r = conn.decoder.feed(data, len);
      data += r.consumed;
      len -= r.consumed;
      switch (r.event) {
        case WsEvent::NeedMore:
          return;
        case WsEvent::Text:
        case WsEvent::Binary:
          ++messages_;
          send(conn, conn.frame);
          break;
        case WsEvent::Ping: {
          std::string pong;
          const WsMaskKey key{1, 2, 3, 4};
          appendWsFrame(pong, WsOpcode::Pong, true, conn.decoder.payload(), &key);
          send(conn, pong);
          break;
        }
        case WsEvent::Pong:
          break;
        case WsEvent::Close:
        case WsEvent::Error:
          return onEnded(conn);
      }
    }
  }

  void send(Conn& conn, std::string_view bytes) {
    auto* stream = reinterpret_cast<uv_stream_t*>(&conn.tcp);
    uv_buf_t buf = uv_buf_init(const_cast<char*>(bytes.data()), bytes.size());
    int n = uv_try_write(stream, &buf, 1);
    if (n == static_cast<int>(bytes.size())) return;
    if (n < 0 && n != UV_EAGAIN) return onEnded(conn);
    auto* pending = new PendingWrite;
    pending->bytes.assign(bytes.substr(n < 0 ? 0 : static_cast<std::size_t>(n)));
    pending->req.data = pending;
    uv_buf_t rest = uv_buf_init(pending->bytes.data(), pending->bytes.size());
    if (uv_write(&pending->req, stream, &rest, 1,
                 [](uv_write_t* req, int) { delete static_cast<PendingWrite*>(req->data); }) < 0) {
      delete pending;
      onEnded(conn);
    }
  }

  Options options_;
  uv_loop_t loop_{};
  uv_signal_t sigterm_{};
  uv_timer_t timer_{};
  std::vector<std::unique_ptr<Conn>> conns_;
  std::size_t started_ = 0;
  std::size_t settled_ = 0;
  std::size_t failed_ = 0;
  std::uint64_t messages_ = 0;
  std::uint64_t errors_ = 0;
  bool measuring_ = false;
  std::chrono::steady_clock::time_point since_;
  double cpuSince_ = 0;
};

bool parse(int argc, char** argv, Options& o) {
  if (argc < 2) return false;
  std::string_view mode = argv[1];
  if (mode != "echo" && mode != "idle") return false;
  o.echo = mode == "echo";
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string_view name = argv[i];
    const char* value = argv[i + 1];
    if (name == "--port")
      o.port = std::atoi(value);
    else if (name == "--connections")
      o.connections = std::strtoul(value, nullptr, 10);
    else if (name == "--warmup")
      o.warmupS = std::atof(value);
    else if (name == "--duration")
      o.durationS = std::atof(value);
    else if (name == "--message-bytes")
      o.messageBytes = std::strtoul(value, nullptr, 10);
    else if (name == "--in-flight")
      o.inFlight = std::strtoul(value, nullptr, 10);
    else
      return false;
  }
  return o.port > 0 && o.connections > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse(argc, argv, options)) {
    std::fprintf(stderr,
                 "usage: ws_load echo|idle --port P [--connections N] [--warmup S] "
                 "[--duration S] [--message-bytes B] [--in-flight K]\n");
    return 2;
  }
  // Ten thousand sockets need more descriptors than a shell's usual soft limit.
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  return Load(options).run();
}
