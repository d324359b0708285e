// One outbound connection of a pool: its socket, its OutboundState and the response parser. It
// reads in every phase, idle ones included, so an upstream's FIN or RST is seen the moment it
// arrives and the connection leaves the pool at once (no CLOSE_WAIT). Its handle is a member,
// never moved; the pool frees it in the close callback.
#pragma once

#include <sys/socket.h>
#include <uv.h>

#include <cstdint>
#include <string>

#include "lifecycle/outbound_state.h"
#include "protocol/response_parser.h"
#include "upstream/client.h"

namespace closewise::upstream {

class Pool;
struct Exchange;

class Connection {
 public:
  Connection(Pool& pool, std::uint64_t id, const sockaddr_storage& remote);
  ~Connection();  // asserts the state is Closed
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Starts the handshake for `exchange`. A libuv error means it failed at once (EADDRNOTAVAIL
  // comes this way): the caller closes the connection.
  int connect(Exchange& exchange);
  // A pooled connection takes a new request: Idle -> Sending.
  void reuse(Exchange& exchange);
  // The one way a connection closes: records the reason (the first wins), detaches its exchange
  // (no callback of it runs after this), and closes the handle. Idempotent.
  void close(lifecycle::CloseReason reason);
  void pause();
  void resume();
  // A streamed body: writes what the caller queued, unless a write is in flight (its callback
  // comes back here). Ends the request once the body's end has gone out.
  void sendBody();

  std::uint64_t id() const noexcept { return id_; }
  const lifecycle::OutboundState& state() const noexcept { return state_; }
  const sockaddr_storage& remote() const noexcept { return remote_; }
  const sockaddr_storage& local() const noexcept { return local_; }
  // The socket's descriptor, or -1 before it is open or once its handle is closing.
  int fd() const noexcept;
  bool closing() const noexcept { return closing_; }
  Exchange* exchange() const noexcept { return exchange_; }

  // The deadline of the state passed: fail or close with the reason it carries.
  void onDeadline();

 private:
  static void onConnectThunk(uv_connect_t* req, int status) noexcept;
  static void onAllocThunk(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf) noexcept;
  static void onReadThunk(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) noexcept;
  static void onWriteThunk(uv_write_t* req, int status) noexcept;
  static void onCloseThunk(uv_handle_t* handle) noexcept;
  void onConnect(int status);
  void onRead(ssize_t nread, const uv_buf_t* buf);
  void onWrite(int status);

  void send();
  // uv_write of `bufs`; on failure the exchange fails and false is returned.
  bool startWrite(const uv_buf_t* bufs, unsigned count);
  // Moves the caller's queued body into `out`, framed (chunked unless the length is known), and
  // the body's end once the caller ended it. True if body bytes went in.
  bool takeBody(std::string& out);
  void bodyFinished();
  void feed(const char* data, std::size_t len);
  // The response ended: the one decision, pool it or close it, and why.
  void finishExchange(bool bytesAfterResponse);
  // The exchange failed on this connection; raceCandidate when it may be the keep-alive race
  // (EOF, ECONNRESET, EPIPE before any response byte).
  void fail(ErrorKind kind, lifecycle::CloseReason reason, std::string detail, bool raceCandidate);
  Exchange* detach() noexcept;
  lifecycle::TimePoint now() const noexcept;

  Pool& pool_;
  std::uint64_t id_;
  uv_tcp_t tcp_{};
  uv_connect_t connectReq_{};
  uv_write_t writeReq_{};
  lifecycle::OutboundState state_;
  protocol::ResponseParser parser_;
  Exchange* exchange_ = nullptr;
  sockaddr_storage remote_{};
  sockaddr_storage local_{};
  std::string out_;      // the bytes of the write in flight (a head, a piece of a streamed body)
  std::string pending_;  // bytes read but not yet fed, kept while the consumer is paused
  bool paused_ = false;
  bool unfed_ = false;  // feeding stopped at a pause; resume() must feed pending_, even if empty
  bool writing_ = false;
  bool closing_ = false;
  bool bodyOpen_ = false;    // a streamed body is being sent and its end has not gone out yet
  bool finalWrite_ = false;  // the end of the streamed body is in out_ (or was sent)
  char buffer_[64 * 1024];
};

}  // namespace closewise::upstream
