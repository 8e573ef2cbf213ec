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
  uint32_t ctx = 0;               // context served (<= the model's max_seq_len)
  uint64_t body_limit = 1 << 20;  // bytes of a request body
  int io_timeout_s = 60;          // a client silent this long is dropped
  int max_connections = 256;
  bool json_log = false;
};

struct Metrics;

class Server {
 public:
  Server(generate::LoadedModel& model, serve::Scheduler& scheduler, ServerOptions options);
  ~Server();

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
