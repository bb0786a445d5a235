// bench/bench_network_search.cpp -- how much faster than Tangram is a whole-network search?
//
// Each benchmark is one whole-network golden of tests/data/golden (Tangram's run of
// nn_dataflow_search.py; the inputs are read back from the golden's own "resource", "cost" and
// "options", as tests/report/test_search_json.cpp does), searched from scratch (fresh
// per-layer cache) with bp::tangram_search on `threads` threads, then printed as bp-search
// prints it (report::search_json + json::dump, as the Python's wall time includes its output).
// Counters:
//   python_s     the golden's wall_s: Tangram with -p 2 on a 2-core VM, incl. ~1.5 s of
//                interpreter start-up (tests/data/golden/index.json)
//   cpu_s        process CPU seconds per search (all threads), immune to other load
//   speedup_cpu  python_s / cpu_s
//   speedup      python_s / wall seconds per search (meaningful on an idle machine)
// By default a representative set runs (the slowest Python runs of each kind: exhaustive
// per-layer and with gbuf sharing, full Tangram on 4x4 and 16x16 meshes); with --all, every
// whole-network golden (94; the 2 null goldens are skipped). Each on 1 and 2 threads.
//
//   build/bench/bench_network_search [--all] [--benchmark_filter=vgg] [--benchmark_min_time=0.5]
#include <benchmark/benchmark.h>

#include <chrono>   // std::chrono::steady_clock
#include <ctime>    // clock_gettime, CLOCK_PROCESS_CPUTIME_ID
#include <memory>   // std::make_shared
#include <string>   // std::string
#include <utility>  // std::move
#include <vector>   // std::vector

#include <bufferprospector/report/json.hpp>          // bp::json::parse, dump
#include <bufferprospector/report/search_json.hpp>   // bp::report::search_json
#include <bufferprospector/report/tangram_json.hpp>  // bp::report::resource_from_json, ...
#include <bufferprospector/search/beam_search.hpp>   // bp::tangram_search
#include <bufferprospector/workload/zoo.hpp>         // bp::zoo::make

#include "test_data.hpp"  // bp_test::read_data (tests/data)

namespace {

namespace json = bp::json;
namespace r = bp::report;

/// The representative goldens (by Python wall time, the slowest of each kind).
const char* const representative[] = {
    "alex_net__n2x2_a8x8_r64_g32k__exh-perlayer_b16_ge.json",         // exhaustive per-layer, 173 s
    "alex_net__n2x2_a8x8_r64_g32k__exh-tangram-bufshr_b16_ge.json",   // exhaustive + gbuf sharing, 231 s
    "mlp_m__n2x2_a8x8_r64_g32k__exh-perlayer_b16_ge.json",            // exhaustive per-layer, 18 s
    "mlp_m__n2x2_a8x8_r64_g32k__exh-tangram-bufshr_b16_ge.json",      // 38 s
    "resnet50__n4x4_a16x16_r512_g128k__tangram_b16_ge.json",          // full Tangram, 71 s
    "resnet152__n4x4_a16x16_r512_g128k__tangram_b16_ge.json",         // 303 s
    "googlenet__n4x4_a16x16_r512_g128k__tangram_b1_ge.json",          // slowest C++ ratio before tuning
    "zfnet__n16x16_a8x8_r64_g32k__tangram_b16_ge.json",               // 144 s
    "googlenet__n16x16_a8x8_r64_g32k__tangram_b16_ge.json",           // 231 s
    "vgg_net__n16x16_a8x8_r64_g32k__tangram_b16_ge.json",             // 400 s
};

struct golden_case {
  std::string file;
  double python_s = 0;
  std::string net_name;
  std::int64_t batch = 0;
  bp::network net;
  bp::resource res;
  r::tangram_cost cost;
  bp::options opt;
};

/// The case of one golden, or nothing when Tangram found no schedule (result null).
std::unique_ptr<golden_case> load(const std::string& file, double python_s) {
  const json::value doc = json::parse(bp_test::read_data("golden/" + file));
  const json::value& g = doc["result"];
  if (g.is_null()) return nullptr;
  const std::string net_name = g["net"].as_string();
  return std::unique_ptr<golden_case>(new golden_case{file, python_s, net_name, g["batch"].as_int(),
                                                      bp::zoo::make(net_name), r::resource_from_json(g["resource"]),
                                                      r::tangram_cost_from_json(g["cost"]),
                                                      r::options_from_json(g["options"])});
}

double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

void run(benchmark::State& state, const golden_case& c, int threads) {
  bp::options opt = c.opt;
  opt.nprocesses = threads;
  std::size_t bytes = 0;
  const double cpu0 = process_cpu_seconds();
  const auto wall0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    auto cache = std::make_shared<bp::layer_schedule_cache>();
    const bp::search_result result = bp::tangram_search(c.net, c.batch, c.res, c.cost.values(), opt, cache);
    const r::search_run run{.net_name = c.net_name, .batch = c.batch, .res = c.res, .cost = c.cost, .opt = opt,
                            .cache = cache->node_stats(), .elapsed_seconds = 0};
    bytes = json::dump(r::search_json(run, result.tops.front())).size();
    benchmark::DoNotOptimize(bytes);
  }
  const auto n = static_cast<double>(state.iterations());
  const double cpu_s = (process_cpu_seconds() - cpu0) / n;
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count() / n;
  state.counters["python_s"] = c.python_s;
  state.counters["cpu_s"] = cpu_s;
  state.counters["speedup_cpu"] = c.python_s / cpu_s;
  state.counters["speedup"] = c.python_s / wall_s;
  state.counters["json_bytes"] = static_cast<double>(bytes);
}

}  // namespace

int main(int argc, char** argv) {
  bool all = false;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::string(argv[i]) == "--all")
      all = true;
    else
      args.push_back(argv[i]);
  }
  int n_args = static_cast<int>(args.size());

  static std::vector<std::unique_ptr<golden_case>> cases;  // outlive the benchmarks
  const json::value index = json::parse(bp_test::read_data("golden/index.json"));
  for (const auto& entry : index["runs"].elements()) {
    const std::string file = entry["file"].as_string();
    if (file.rfind("layers/", 0) == 0) continue;
    bool wanted = all;
    for (const char* f : representative) wanted = wanted || file == f;
    if (!wanted) continue;
    if (auto c = load(file, entry["wall_s"].as_double())) cases.push_back(std::move(c));
  }
  for (const auto& c : cases)
    for (int threads : {1, 2}) {
      const std::string name = "network/" + c->file.substr(0, c->file.size() - 5) + "/p:" + std::to_string(threads);
      const golden_case* cp = c.get();
      benchmark::RegisterBenchmark(name.c_str(), [cp, threads](benchmark::State& s) { run(s, *cp, threads); })
          ->Unit(benchmark::kMillisecond)
          ->MeasureProcessCPUTime()
          ->UseRealTime();
    }

  benchmark::Initialize(&n_args, args.data());
  if (benchmark::ReportUnrecognizedArguments(n_args, args.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
