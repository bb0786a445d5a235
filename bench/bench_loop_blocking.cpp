// bench/bench_loop_blocking.cpp -- how long the exhaustive loop-blocking search takes.
//
// The workload is Tangram's per-layer exhaustive search of AlexNet on the small configuration
// (2x2 nodes, 8x8 PEs, 64 B regf = 32 words, 32 KiB gbuf = 16384 words, batch 16, hybrid
// partitioning, goal e, one top): for every partitioning of a layer, every Eyeriss mapping, the
// whole exhaustive sweep (the `loop_blocking` part of `run alex_net --batch 16 --nodes 2 2
// --array 8 8 --regf 64 --gbuf 32768 --hybrid-partition`, 173 s in Python end to end).
// bench/bench_loop_blocking_ref.py times Tangram's gen_loopblocking on the same inputs.
//
//   build/bench/bench_loop_blocking --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include <bufferprospector/intra/loop_blocking.hpp>
#include <bufferprospector/intra/map_strategy.hpp>
#include <bufferprospector/intra/partition.hpp>
#include <bufferprospector/workload/layer.hpp>

namespace {

using bp::layers::conv;
using bp::layers::fc;
using bp::layers::pooling;

struct named_layer {
  const char* name;
  bp::layer l;
};

// The distinct layer shapes of Tangram's nns/alex_net.py (towers _a and _b are identical).
const std::vector<named_layer>& alexnet_layers() {
  static const std::vector<named_layer> layers{
      {"conv1", conv{.nifm = 3, .nofm = 48, .sofm = 55, .sfil = 11, .strd = 4}},
      {"pool1", pooling{.nofm = 48, .sofm = 27, .sreg = 3, .strd = 2}},
      {"conv2", conv{.nifm = 48, .nofm = 128, .sofm = 27, .sfil = 5}},
      {"pool2", pooling{.nofm = 128, .sofm = 13, .sreg = 3, .strd = 2}},
      {"conv3", conv{.nifm = 256, .nofm = 192, .sofm = 13, .sfil = 3}},
      {"conv4", conv{.nifm = 192, .nofm = 192, .sofm = 13, .sfil = 3}},
      {"conv5", conv{.nifm = 192, .nofm = 128, .sofm = 13, .sfil = 3}},
      {"pool3", pooling{.nofm = 128, .sofm = 6, .sreg = 3, .strd = 2}},
      {"fc1", fc{.nifm = 256, .nofm = 4096, .sfil = 6}},
      {"fc2", fc{.nifm = 4096, .nofm = 4096}},
      {"fc3", fc{.nifm = 4096, .nofm = 1000}},
  };
  return layers;
}

constexpr std::int64_t batch = 16;

struct small_config {
  bp::node_region proc{{2, 2}, {0, 0}, bp::region_type::proc};
  bp::node_region dram{{2, 2}, {0, 0}, {1, 1}, bp::region_type::dram, 2, 2};
  bp::resource res{proc, dram, dram, dram, {8, 8}, 32768 / 2, 64 / 2, bp::inf, bp::inf, false};
  bp::cost_values costs{bp::tangram_costs{}};
  bp::options opt = [] {
    bp::options o;
    o.partition_hybrid = true;
    return o;
  }();
  bp::scheduling_constraint constraint{};
};

/// The (partitioning, nested loop) pairs of one layer, in Tangram's order.
struct layer_workload {
  std::vector<bp::partition_scheme> parts;
  std::vector<std::vector<bp::nested_loop_desc>> nlds;
};

layer_workload workload_of(const bp::layer& l, const small_config& cfg) {
  layer_workload w;
  w.parts = bp::partitions(l, batch, cfg.proc.dim(), cfg.opt, true);
  for (const auto& part : w.parts) {
    const bp::partitioned_layer pl = part.part_layer(l, batch);
    w.nlds.push_back(bp::eyeriss_mapping(pl.l, pl.batch, pl.occupancy, cfg.res.dim_array).nested_loop_descs());
  }
  return w;
}

/// Runs the searches of a whole layer; returns the number of candidates found.
std::size_t search_layer(const layer_workload& w, const small_config& cfg, const bp::options& opt) {
  std::size_t n = 0;
  std::vector<bp::loop_blocking_scheme> out;
  for (std::size_t p = 0; p < w.parts.size(); ++p)
    for (const auto& nld : w.nlds[p]) {
      out.clear();
      bp::exhaustive_loop_blocking{}.search({nld, cfg.res, w.parts[p], cfg.constraint, cfg.costs, opt}, out);
      n += out.size();
    }
  return n;
}

void BM_exhaustive_alexnet_layer(benchmark::State& state) {
  const small_config cfg;
  const auto& nl = alexnet_layers()[static_cast<std::size_t>(state.range(0))];
  const layer_workload w = workload_of(nl.l, cfg);
  bp::options opt = cfg.opt;
  opt.hw_gbuf_sharing = state.range(1) != 0;
  opt.nprocesses = static_cast<int>(state.range(2));
  std::size_t n = 0;
  for (auto _ : state) {
    n = search_layer(w, cfg, opt);
    benchmark::DoNotOptimize(n);
  }
  state.SetLabel(std::string(nl.name) + (opt.hw_gbuf_sharing ? " +bufshr" : ""));
  std::size_t n_nld = 0;
  for (const auto& v : w.nlds) n_nld += v.size();
  state.counters["nested_loops"] = static_cast<double>(n_nld);
  state.counters["tops"] = static_cast<double>(n);
}

/// All distinct AlexNet layers, one thread: the figure to hold against Python's 173 s.
void BM_exhaustive_alexnet_all(benchmark::State& state) {
  const small_config cfg;
  std::vector<layer_workload> ws;
  for (const auto& nl : alexnet_layers()) ws.push_back(workload_of(nl.l, cfg));
  bp::options opt = cfg.opt;
  opt.nprocesses = static_cast<int>(state.range(0));
  for (auto _ : state) {
    std::size_t n = 0;
    for (const auto& w : ws) n += search_layer(w, cfg, opt);
    benchmark::DoNotOptimize(n);
  }
}

}  // namespace

BENCHMARK(BM_exhaustive_alexnet_layer)
    ->ArgNames({"layer", "bufshr", "threads"})
    ->Args({0, 0, 1})
    ->Args({2, 0, 1})
    ->Args({4, 0, 1})
    ->Args({1, 0, 1})
    ->Args({8, 0, 1})
    ->Args({2, 1, 1})
    ->Args({4, 1, 1})
    ->Args({4, 0, 2})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_exhaustive_alexnet_all)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
