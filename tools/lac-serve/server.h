// lac-serve's HTTP side: a Boost.Beast server (one thread per connection,
// blocking I/O with socket timeouts) in front of one scheduler
// (runtime/serve/scheduler.h) whose steps run on the engine thread. Routes:
//   POST /v1/chat/completions, /v1/completions   (openai.h; streaming as SSE)
//   GET  /v1/models, /health, /metrics
//   POST /tokenize, /detokenize
// docs/SERVER.md has the fields, errors and metrics.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "runtime/core/result.h"
#include "runtime/generate/loaded_model.h"
#include "runtime/serve/scheduler.h"

namespace lac::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;           // 0: any free port (port() says which)
  std::string api_key;            // empty: no authentication
  uint64_t body_limit = 1 << 20;  // bytes of a request body
  int io_timeout_s = 60;          // a client stalled this long (reading or writing) is dropped
  int max_connections = 256;
  bool json_log = false;
};

struct Metrics;

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();

  // The model is loaded: serve it through `scheduler` with `ctx` tokens per
  // sequence. Until then every route answers 503 (/health: {"status":
  // "loading"}). Both must outlive the server.
  void attach(generate::LoadedModel& model, serve::Scheduler& scheduler, uint32_t ctx);

  // Binds and listens (IoError naming the address when it cannot).
  VoidResult listen();
  uint16_t port() const { return port_; }
  // Serves until stop(): accepts connections, runs the engine thread.
  void run();
  // Stops accepting; running requests finish; run() returns. Any thread
  // (a signal handler's thread included).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace lac::server
