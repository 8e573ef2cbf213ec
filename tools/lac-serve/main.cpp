// lac-serve: an OpenAI-compatible HTTP server for a compiled .lac model
// (docs/SERVER.md). Runtime only: no MLIR, no LLVM.
#include <pthread.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <thread>

#include <boost/program_options.hpp>

#include "runtime/engine/load_model.h"
#include "runtime/generate/loaded_model.h"
#include "runtime/serve/scheduler.h"
#include "tools/common/cli_args.h"
#include "tools/common/ranks.h"
#include "tools/common/cli_number.h"
#include "tools/lac-serve/server.h"

namespace po = boost::program_options;
using namespace lac;

namespace {

constexpr const char* kUsage = R"(lac-serve — serve a compiled model over the OpenAI HTTP API

Usage:
  lac-serve MODEL.lac [--host 127.0.0.1] [--port 8080] [--threads N] [--parallel P]
                      [--queue Q] [--chunk C] [--ctx N] [--api-key KEY] [--timeout S]
                      [--log-format text|json]

Endpoints: POST /v1/chat/completions and /v1/completions (stream: true gives
server-sent events), GET /v1/models, /health, /metrics, POST /tokenize and
/detokenize. Requests run together (continuous batching): up to --parallel
sequences decode in one pass over the weights, the rest wait in a queue of
--queue (past it: 503 with Retry-After). A prompt is prefilled in chunks of
--chunk tokens between decode steps, so a long prompt never stalls the
running streams for more than one chunk.

Examples:
  lac-serve smollm2.lac --port 8080
  curl http://127.0.0.1:8080/v1/chat/completions -H 'Content-Type: application/json' \
       -d '{"messages": [{"role": "user", "content": "Hello!"}]}'

Options)";

server::Server* g_server = nullptr;

}  // namespace

int main(int argc, char** argv) {
  // SIGTERM and SIGINT go to one thread (sigwait below): block them before
  // any thread exists (the engine's pool starts at load) so all inherit it.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  if (int code = tools::joinRanks("lac-serve"); code >= 0) return code;
  po::options_description visible(kUsage);
  visible.add_options()
      ("help,h", "show this help")
      ("host", po::value<std::string>()->default_value("127.0.0.1"), "address to listen on (0.0.0.0: all)")
      ("port", cli::number<uint32_t>(0, 65535)->default_value(8080), "TCP port (0: any free port)")
      ("threads", cli::number<int>(0, 4096)->default_value(0), "CPU threads; 0 = all cores")
      ("parallel", cli::number<uint32_t>(0, 4096)->default_value(0),
       "sequences running at once; 0 = the artifact's max batch")
      ("queue", cli::number<uint32_t>(1, 1u << 20)->default_value(256), "requests waiting for a sequence slot")
      ("chunk", cli::number<uint32_t>(1, 1u << 20)->default_value(256), "prompt tokens per prefill chunk")
      ("ctx", cli::number<uint32_t>(0, 1u << 30)->default_value(0),
       "context per sequence (prompt + answer); 0 = the artifact's max sequence length")
      ("api-key", po::value<std::string>(), "require 'Authorization: Bearer KEY' (default: $LAC_API_KEY)")
      ("timeout", cli::number<int>(1, 3600)->default_value(60),
       "seconds a client may stall (sending its request, or reading a stream) before it is dropped")
      ("log-format", po::value<std::string>()->default_value("text"), "text or json (one object per line)");
  po::variables_map vm;
  if (std::string error; !cli::parseWithModel(argc, argv, visible, vm, &error)) {
    std::cerr << "lac-serve: error: " << error << " (see lac-serve --help)\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << visible << "\n";
    return 0;
  }
  if (!vm.count("model")) {
    std::cerr << "lac-serve: error: no model given (lac-serve MODEL.lac; see --help)\n";
    return 2;
  }
  const std::string log_format = vm["log-format"].as<std::string>();
  if (log_format != "text" && log_format != "json") {
    std::cerr << "lac-serve: error: --log-format " << log_format << ": expected text or json\n";
    return 2;
  }

  // Listen first (/health answers 503 while the model loads), then load.
  engine::EngineOptions eo;
  eo.threads = cli::get<int>(vm, "threads");
  eo.max_batch = cli::get<uint32_t>(vm, "parallel");
  eo.max_seq_len = cli::get<uint32_t>(vm, "ctx");
  eo.comm = tools::worldComm();
  auto art = artifact::Artifact::open(vm["model"].as<std::string>(), eo.open);
  if (!art.ok()) {
    std::cerr << "lac-serve: error: " << art.message() << "\n";
    return exitCodeFor(art.error());
  }
  // Under mpirun, the ranks after 0 only load their slice and follow rank
  // 0's engine calls (tools/common/ranks.h): driveRanks never returns there.
  if (!tools::leadsRanks()) (void)tools::driveRanks(engine::loadModel(*art, eo));
  server::ServerOptions opts;
  opts.host = vm["host"].as<std::string>();
  opts.port = uint16_t(cli::get<uint32_t>(vm, "port"));
  opts.json_log = log_format == "json";
  opts.io_timeout_s = cli::get<int>(vm, "timeout");
  if (vm.count("api-key")) opts.api_key = vm["api-key"].as<std::string>();
  else if (const char* k = std::getenv("LAC_API_KEY")) opts.api_key = k;
  server::Server srv(opts);
  if (VoidResult r = srv.listen(); !r.ok()) {
    std::cerr << "lac-serve: error: " << r.message() << "\n";
    return exitCodeFor(r.error());
  }
  std::cout << "lac-serve: listening on http://" << opts.host << ":" << srv.port() << " (loading "
            << art->name() << ")" << std::endl;

  // SIGTERM / SIGINT: stop accepting, let what runs finish, exit 0. The
  // waiting thread is joined before `srv` is destroyed (SignalThread's
  // destructor wakes it if no signal came).
  g_server = &srv;
  struct SignalThread {
    std::atomic<bool> got{false};
    std::thread t;
    explicit SignalThread(sigset_t set)
        : t([this, set] {
            int sig = 0;
            sigwait(&set, &sig);
            if (got.exchange(true)) return;  // the destructor's wake-up
            std::cerr << "lac-serve: " << (sig == SIGTERM ? "SIGTERM" : "SIGINT") << ": finishing\n";
            g_server->stop();
          }) {}
    ~SignalThread() {
      if (!got.exchange(true)) pthread_kill(t.native_handle(), SIGTERM);
      t.join();
    }
  } signals(set);
  std::thread runner([&] { srv.run(); });

  auto fail = [&](const Status& st) {
    std::cerr << "lac-serve: error: " << st.message << "\n";
    srv.stop();
    runner.join();
    return exitCodeFor(st.kind);
  };
  auto engine = tools::driveRanks(engine::loadModel(*art, eo));
  if (!engine.ok()) return fail(engine.status());
  auto model = generate::bundleModel(*art, std::move(*engine));
  if (!model.ok()) return fail(model.status());
  serve::SchedulerOptions so;
  so.max_queue = cli::get<uint32_t>(vm, "queue");
  so.prefill_chunk = cli::get<uint32_t>(vm, "chunk");
  serve::Scheduler scheduler(*model->model, &model->tokenizer, so);
  const engine::ModelLimits& lim = model->model->limits();
  srv.attach(*model, scheduler, lim.max_seq_len);
  std::cout << "lac-serve: " << model->name << " ready: " << lim.max_batch << " parallel sequences of "
            << lim.max_seq_len << " tokens on http://" << opts.host << ":" << srv.port() << std::endl;
  runner.join();
  return 0;
}
