// lac-serve's /metrics (Prometheus text format, through prometheus-cpp's
// registry and text serializer). Every method may be called from any thread.
#pragma once

#include <memory>
#include <string>

#include "runtime/serve/request.h"

namespace lac::server {

class Metrics {
 public:
  Metrics();
  ~Metrics();

  // A response sent with this HTTP status (requests by status).
  void answered(int status);
  // A request cancelled because its client went away.
  void cancelled();
  // A finished request's numbers: tokens, prefix-cache hits, time to first
  // token and mean inter-token latency.
  void finished(const serve::RequestStats& stats);
  // The whole registry, with the scheduler's current gauges.
  std::string text(size_t running, size_t waiting);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lac::server
