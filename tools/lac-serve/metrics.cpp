#include "tools/lac-serve/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <mutex>

namespace lac::server {

struct Metrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Counter& counter(const char* name, const char* help) {
    return prometheus::BuildCounter().Name(name).Help(help).Register(*registry).Add({});
  }
  prometheus::Gauge& gauge(const char* name, const char* help) {
    return prometheus::BuildGauge().Name(name).Help(help).Register(*registry).Add({});
  }

  prometheus::Family<prometheus::Counter>& requests =
      prometheus::BuildCounter().Name("lac_requests_total").Help("HTTP requests answered, by status").Register(*registry);
  prometheus::Counter& cancelled =
      counter("lac_requests_cancelled_total", "requests cancelled because their client disconnected");
  prometheus::Counter& prompt_tokens = counter("lac_prompt_tokens_total", "prompt tokens of finished requests");
  prometheus::Counter& generated_tokens = counter("lac_generated_tokens_total", "tokens generated");
  prometheus::Counter& cached_tokens =
      counter("lac_prefix_cache_hit_tokens_total", "prompt tokens reused from the KV cache, not prefilled");
  prometheus::Gauge& running = gauge("lac_sequences_running", "sequences in the running batch");
  prometheus::Gauge& waiting = gauge("lac_requests_waiting", "requests waiting for a sequence slot");
  prometheus::Histogram& ttft =
      prometheus::BuildHistogram()
          .Name("lac_time_to_first_token_seconds")
          .Help("from a request's arrival to its first token")
          .Register(*registry)
          .Add({}, prometheus::Histogram::BucketBoundaries{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30});
  prometheus::Histogram& itl =
      prometheus::BuildHistogram()
          .Name("lac_inter_token_latency_seconds")
          .Help("a request's mean time between its tokens")
          .Register(*registry)
          .Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                           1});
  std::mutex mu;  // text(): gauges set and collected together
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

void Metrics::answered(int status) { impl_->requests.Add({{"status", std::to_string(status)}}).Increment(); }

void Metrics::cancelled() { impl_->cancelled.Increment(); }

void Metrics::finished(const serve::RequestStats& s) {
  impl_->prompt_tokens.Increment(s.prompt_tokens);
  impl_->generated_tokens.Increment(s.generated_tokens);
  impl_->cached_tokens.Increment(s.cached_tokens);
  if (s.generated_tokens > 0) impl_->ttft.Observe(s.first_token_seconds);
  if (s.generated_tokens > 1)
    impl_->itl.Observe((s.total_seconds - s.first_token_seconds) / double(s.generated_tokens - 1));
}

std::string Metrics::text(size_t running, size_t waiting) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->running.Set(double(running));
  impl_->waiting.Set(double(waiting));
  return prometheus::TextSerializer().Serialize(impl_->registry->Collect());
}

}  // namespace lac::server
