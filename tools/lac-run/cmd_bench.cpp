// lac-run bench: prefill and decode speed, time to first token, memory.
#include <sys/resource.h>

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "runtime/sampling/rng.h"
#include "runtime/dist/communicator.h"
#include "tools/common/ranks.h"
#include "tools/lac-run/common.h"
#include "tools/lac-run/roofline.h"

namespace lac::run {

namespace {

constexpr const char* kUsage = R"(lac-run bench — measure a model's speed

Usage:
  lac-run bench MODEL.lac [--prompt-len 128] [--gen-len 64] [--batch 1] [--threads N]
                          [--repetitions 3] [--warmup 1] [--random-weights] [--roofline] [--json]

Each repetition prefills `batch` prompts of `prompt-len` random token ids (one
pass per prompt) and decodes `gen-len` tokens for each (greedy, no stop
token). Reports prefill and decode tokens per second, the time to the first
token, the load time and the peak resident memory; speeds are the median over
the repetitions, with their min and max. Decode runs all `batch` sequences in
one step (each weight read once per step): "decode" is the aggregate tokens/s,
"decode per sequence" what each sequence sees. A plan compiled with --no-weights
runs with random weights; --random-weights does so for any plan.

--roofline also measures this machine's memory read bandwidth with the same
threads and reports decode against the memory roofline: the bytes one decode
step reads (every weight once, one embedding row, each sequence's KV cache (f16 or f32)
at the mean decode context) over that bandwidth bounds decode tokens/s.

Examples:
  lac-run bench smollm2.lac
  lac-run bench llama3-8b-shape.lac --prompt-len 512 --gen-len 128 --batch 4 --json
  lac-run bench smollm2.lac --threads 2 --roofline

Options)";

struct Sample {
  double prefill_tps, decode_tps, ttft_ms;
};

struct Spread {
  double median, min, max;
};

Spread spread(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  const double med = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  return {med, v.front(), v.back()};
}

double peakRssMiB() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_maxrss) / 1024.0;  // Linux: KiB
}

}  // namespace

int cmdBench(int argc, char** argv) {
  po::options_description visible(kUsage);
  visible.add_options()
      ("help,h", "show this help")
      ("prompt-len", cli::number<uint32_t>(1, 1u << 20)->default_value(128), "prompt tokens per sequence")
      ("gen-len", cli::number<uint32_t>(1, 1u << 20)->default_value(64), "generated tokens per sequence")
      ("batch", cli::number<uint32_t>(1, 4096)->default_value(1), "sequences run together")
      ("threads", cli::number<int>(0, 4096)->default_value(0), "CPU threads; 0 = all cores")
      ("repetitions,r", cli::number<uint32_t>(1, 1000000)->default_value(3), "measured runs")
      ("reps", cli::number<uint32_t>(1, 1000000), "the same as --repetitions")
      ("warmup", cli::number<uint32_t>(0, 1000000)->default_value(1), "unmeasured runs first")
      ("random-weights", "run on random weights (of the plan's formats) even where the artifact has weights")
      ("roofline", "measure the memory read bandwidth and report decode as a fraction of its roofline")
      ("int8-prefill", "CPU: prefill with plain int8 activations (faster, less exact; "
                       "runtime/engine/act_precision.h)")
      ("json", "print the results as JSON");
  po::variables_map vm;
  int code = 0;
  if (!parseModelArgs(argc, argv, kUsage, visible, vm, &code)) return code;
  const uint32_t plen = cli::get<uint32_t>(vm, "prompt-len"), glen = cli::get<uint32_t>(vm, "gen-len");
  const uint32_t batch = cli::get<uint32_t>(vm, "batch");
  const uint32_t reps = vm.count("reps") ? cli::get<uint32_t>(vm, "reps") : cli::get<uint32_t>(vm, "repetitions");

  LoadOptions lo;
  lo.threads = cli::get<int>(vm, "threads");
  lo.random_weights = vm.count("random-weights") > 0;
  lo.int8_prefill = vm.count("int8-prefill") > 0;
  auto loaded = loadModel(vm["model"].as<std::string>(), lo);
  if (!loaded.ok()) return fail(loaded.status());
  engine::Model& model = *(*loaded)->model.model;
  const engine::ModelLimits& lim = model.limits();
  if (uint64_t(plen) + glen > lim.max_seq_len)
    return fail(Error::InvalidArgument, "--prompt-len " + std::to_string(plen) + " + --gen-len " +
                                            std::to_string(glen) + " is more than the model's max sequence length " +
                                            std::to_string(lim.max_seq_len));

  // Random prompts, the same every run.
  std::vector<std::vector<int32_t>> prompts(batch, std::vector<int32_t>(plen));
  auto rng = sampling::Rng::forSequence(1234, 0);
  for (auto& p : prompts)
    for (int32_t& t : p) t = int32_t(rng.nextU64() % lim.vocab_size);
  generate::GenerateOptions o;
  o.temperature = 0;
  o.max_gen_len = glen;

  std::vector<Sample> samples;
  const uint32_t warmup = cli::get<uint32_t>(vm, "warmup");
  // Tensor parallel: rank 0's time in collectives over the measured runs.
  const dist::Communicator* comm = tools::worldComm();
  dist::CollectiveStats before, after;
  double run_seconds = 0;
  for (uint32_t r = 0; r < warmup + reps; ++r) {
    if (r == warmup && comm) before = comm->stats();
    auto res = generate::generate(model, prompts, o);
    if (!res.ok()) return fail(res.status());
    const auto& s = res->stats;
    if (r < warmup) continue;
    run_seconds += s.prefill_seconds + s.decode_seconds;
    samples.push_back({double(s.prompt_tokens) / s.prefill_seconds,
                       s.decode_seconds > 0 ? double(s.decoded_tokens) / s.decode_seconds : 0.0,
                       s.first_token_seconds * 1e3});
  }
  std::vector<double> pf, dc, tt;
  for (const Sample& s : samples) {
    pf.push_back(s.prefill_tps);
    dc.push_back(s.decode_tps);
    tt.push_back(s.ttft_ms);
  }
  const Spread P = spread(pf), D = spread(dc), T = spread(tt);
  if (comm) after = comm->stats();
  // Per decode step: one all-reduce after wo and one after w2 per layer,
  // one all-gather of split logits: the plan's collective steps.
  const uint32_t coll_per_step = collectivesPerDecodeStep((*loaded)->artifact.plan());
  const double coll_calls = double(after.calls - before.calls), coll_s = after.seconds - before.seconds;
  const double coll_ms_per_step = coll_calls > 0 ? 1e3 * coll_s / coll_calls * double(coll_per_step) : 0.0;
  const double load_s = (*loaded)->load_seconds, rss = peakRssMiB();
  const int threads = lo.threads > 0 ? lo.threads : std::max(1, int(std::thread::hardware_concurrency()));
  const artifact::Artifact& art = (*loaded)->artifact;
  const bool random = art.randomWeights() || lo.random_weights;

  // The roofline: bytes per decode step at the mean decode context.
  const DecodeTraffic traffic = decodeTraffic(art.plan());
  const double context = double(plen) + 0.5 * double(glen);
  const double step_bytes = decodeStepBytes(traffic, batch, context);
  const bool roofline = vm.count("roofline") > 0;
  const double gbps = roofline ? measureReadBandwidth(threads) : 0.0;
  const double bound_tps = roofline ? double(batch) * gbps * 1e9 / step_bytes : 0.0;
  const double fraction = roofline ? D.median / bound_tps : 0.0;

  if (vm.count("json")) {
    auto js = [](const Spread& s) { return nlohmann::ordered_json{{"median", s.median}, {"min", s.min}, {"max", s.max}}; };
    nlohmann::ordered_json j;
    j["model"] = vm["model"].as<std::string>();
    j["prompt_len"] = plen;
    j["gen_len"] = glen;
    j["batch"] = batch;
    j["threads"] = threads;
    j["repetitions"] = reps;
    j["random_weights"] = random;
    j["prefill_tokens_per_second"] = js(P);
    j["decode_tokens_per_second"] = js(D);
    j["decode_tokens_per_second_per_sequence"] = js(Spread{D.median / batch, D.min / batch, D.max / batch});
    j["time_to_first_token_ms"] = js(T);
    j["load_seconds"] = load_s;
    j["peak_rss_mib"] = rss;
    j["decode_bytes_per_step"] = step_bytes;
    j["weight_bytes_per_step"] = traffic.weight_bytes;
    j["kv_bytes_per_position"] = traffic.kv_bytes_per_position;
    if (comm)
      j["tensor_parallel"] = {{"ranks", comm->size()},
                              {"backend", comm->backend()},
                              {"collectives_per_decode_step", coll_per_step},
                              {"collective_ms_per_decode_step", coll_ms_per_step},
                              {"collective_share_of_run", run_seconds > 0 ? coll_s / run_seconds : 0.0}};
    if (roofline)
      j["roofline"] = {{"read_gb_per_s", gbps},
                       {"decode_tokens_per_second_bound", bound_tps},
                       {"decode_fraction", fraction}};
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  auto line = [](const char* name, const Spread& s, const char* unit) {
    std::cout << std::left << std::setw(22) << name << std::right << std::fixed << std::setprecision(2)
              << std::setw(10) << s.median << " " << unit << "  (min " << s.min << ", max " << s.max << ")\n";
  };
  std::cout << "bench: prompt " << plen << " tokens, generate " << glen << ", batch " << batch << ", " << threads
            << " threads, " << reps << " repetitions" << (random ? ", random weights" : "") << "\n";
  line("prefill", P, "tok/s");
  line("decode", D, "tok/s");
  if (batch > 1) line("decode per sequence", Spread{D.median / batch, D.min / batch, D.max / batch}, "tok/s");
  line("time to first token", T, "ms");
  std::cout << std::left << std::setw(22) << "load" << std::right << std::setw(10) << std::setprecision(3) << load_s
            << " s\n"
            << std::left << std::setw(22) << "peak RSS" << std::right << std::setw(10) << std::setprecision(1) << rss
            << " MiB\n"
            << std::left << std::setw(22) << "decode reads" << std::right << std::setw(10)
            << step_bytes / (1 << 20) << " MiB per step\n";
  if (comm)
    std::cout << std::left << std::setw(22) << "tensor parallel" << std::right << std::setw(10) << comm->size()
              << " ranks (" << comm->backend() << "), " << coll_per_step << " collectives per step: "
              << std::setprecision(3) << coll_ms_per_step << " ms per decode step waiting in them, "
              << std::setprecision(1) << (run_seconds > 0 ? 100.0 * coll_s / run_seconds : 0.0)
              << "% of the run (rank 0)\n";
  if (roofline)
    std::cout << std::left << std::setw(22) << "read bandwidth" << std::right << std::setw(10) << gbps << " GB/s ("
              << threads << " threads)\n"
              << std::left << std::setw(22) << "decode roofline" << std::right << std::setw(10) << bound_tps
              << " tok/s; measured " << std::setprecision(0) << 100.0 * fraction << "% of it\n";
  return 0;
}

}  // namespace lac::run
