// bench/bench_layer_scheduling.cpp -- how much faster than Tangram is one layer's search?
//
// Each benchmark is one single-layer golden of tests/data/golden/layers (Tangram's `layer`
// tool: Scheduling.schedule_search of one layer over every candidate ifmap layout, best
// first), redone as tests/scheduler does it (tests/scheduler/layer_tool.hpp: the layer, batch,
// resource, cost, options and ifmap layouts are read back from the golden's JSON) with a fresh
// schedule cache per search, on `threads` threads. The goldens cover the analytical solver
// (perlayer, accfwd) and the exhaustive sweep (exh-*), CONV, FC, pooling, LR and eltwise
// layers, small/medium/16x16 meshes. Counters:
//   python_s     the golden's wall_s: the Python tool end to end, incl. ~1.5 s of interpreter
//                start-up and its --check-network re-run of the layer as a network
//   cpu_s        process CPU seconds per search (all threads)
//   speedup_cpu  python_s / cpu_s
//   speedup      python_s / wall seconds per search (meaningful on an idle machine)
//
//   build/bench/bench_layer_scheduling [--benchmark_filter=exh] [--benchmark_min_time=0.5]
#include <benchmark/benchmark.h>

#include <chrono>  // std::chrono::steady_clock
#include <ctime>   // clock_gettime, CLOCK_PROCESS_CPUTIME_ID
#include <memory>  // std::make_shared
#include <string>  // std::string
#include <vector>  // std::vector

#include <bufferprospector/report/json.hpp>  // bp::json::parse

#include "scheduler/layer_tool.hpp"  // bp_test::case_from_result, run_layer_tool
#include "test_data.hpp"             // bp_test::read_data (tests/data)

namespace {

namespace json = bp::json;

double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

void run(benchmark::State& state, const bp_test::layer_case& c, double python_s, int threads) {
  bp_test::layer_case mine = c;
  mine.opt.nprocesses = threads;
  double cost = 0;
  const double cpu0 = process_cpu_seconds();
  const auto wall0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    const auto tops = bp_test::run_layer_tool(mine, std::make_shared<bp::layer_schedule_cache>());
    cost = tops.empty() ? 0 : tops.front().sched.total_cost();
    benchmark::DoNotOptimize(cost);
  }
  const auto n = static_cast<double>(state.iterations());
  const double cpu_s = (process_cpu_seconds() - cpu0) / n;
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count() / n;
  state.counters["python_s"] = python_s;
  state.counters["cpu_s"] = cpu_s;
  state.counters["speedup_cpu"] = python_s / cpu_s;
  state.counters["speedup"] = python_s / wall_s;
  state.counters["ifmap_layouts"] = static_cast<double>(c.choices.size());
}

}  // namespace

int main(int argc, char** argv) {
  static std::vector<bp_test::layer_case> cases;  // outlive the benchmarks
  std::vector<std::pair<std::string, double>> names;
  const json::value index = json::parse(bp_test::read_data("golden/index.json"));
  for (const auto& entry : index["runs"].elements()) {
    const std::string file = entry["file"].as_string();
    if (file.rfind("layers/", 0) != 0) continue;
    const json::value doc = json::parse(bp_test::read_data("golden/" + file));
    cases.push_back(bp_test::case_from_result(doc["result"]));
    names.emplace_back(file.substr(7, file.size() - 12), entry["wall_s"].as_double());
  }
  for (std::size_t i = 0; i < cases.size(); ++i)
    for (int threads : {1, 2}) {
      const std::string name = "layer/" + names[i].first + "/p:" + std::to_string(threads);
      const bp_test::layer_case* c = &cases[i];
      const double python_s = names[i].second;
      benchmark::RegisterBenchmark(name.c_str(),
                                   [c, python_s, threads](benchmark::State& s) { run(s, *c, python_s, threads); })
          ->Unit(benchmark::kMillisecond)
          ->MeasureProcessCPUTime()
          ->UseRealTime();
    }

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
