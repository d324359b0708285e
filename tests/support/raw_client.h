// A raw TCP client on the test's loop. It sends exactly the bytes it is given, can half-close
// (shutdownWrite: FIN) or reset (SO_LINGER 0), and records what came back: bytes, EOF, RST.
#pragma once

#include <uv.h>

#include <cstdint>
#include <string>

namespace closewise::testing {

class RawClient {
 public:
  explicit RawClient(uv_loop_t* loop);
  ~RawClient();  // the handle must be closed; the fixture's teardown checks the loop
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  void connect(std::uint16_t port, const char* host = "127.0.0.1");
  void send(std::string bytes);
  void shutdownWrite();  // our FIN; we keep reading
  void reset();          // RST: SO_LINGER {1, 0} then close
  void close();          // plain close (FIN, or RST if unread input remains)
  void pauseReading();   // a client that stops reading (for write-timeout tests)
  void resumeReading();

  bool connected() const noexcept { return connected_; }
  bool connectFailed() const noexcept { return connectStatus_ < 0; }
  int connectStatus() const noexcept { return connectStatus_; }
  const std::string& received() const noexcept { return received_; }
  std::size_t receivedBytes() const noexcept { return receivedBytes_; }
  void keepOnlyCount(bool on) noexcept { countOnly_ = on; }  // large bodies: count, don't store
  bool eof() const noexcept { return eof_; }
  bool resetByPeer() const noexcept { return resetByPeer_; }
  int readError() const noexcept { return readError_; }
  bool closed() const noexcept { return closed_; }
  bool writeFailed() const noexcept { return writeError_ != 0; }
  std::uint16_t localPort() const;
  // TCP segments this socket has received (the kernel's tcpi_segs_in), to see how the server's
  // bytes were cut; 0 if the kernel does not say.
  std::uint32_t segmentsReceived() const;
  // Number of complete "HTTP/1.1 NNN" status lines received so far.
  std::size_t responseCount() const;

 private:
  static void onConnect(uv_connect_t* req, int status);
  static void onAlloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf);
  static void onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void onWrite(uv_write_t* req, int status);
  static void onShutdown(uv_shutdown_t* req, int status);
  static void onClose(uv_handle_t* handle);

  uv_tcp_t tcp_{};
  uv_connect_t connectReq_{};
  uv_shutdown_t shutdownReq_{};
  char buffer_[64 * 1024];
  std::string received_;
  std::size_t receivedBytes_ = 0;
  int connectStatus_ = 1;  // 1 = pending
  int readError_ = 0;
  int writeError_ = 0;
  bool connected_ = false;
  bool eof_ = false;
  bool resetByPeer_ = false;
  bool closing_ = false;
  bool closed_ = false;
  bool countOnly_ = false;
  bool reading_ = false;
};

}  // namespace closewise::testing
