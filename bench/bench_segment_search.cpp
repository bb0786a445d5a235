// bench/bench_segment_search.cpp -- how long Tangram's whole-network search takes.
//
// Each benchmark is one golden run of shared/reference/golden (same network, hardware and
// options as `run NET --batch 16 ... --interlayer-partition`), searched from scratch (fresh
// per-layer cache) with bp::tangram_search. The counter `python_s` is the Python wall time of
// that run from golden/index.json (incl. ~1.5 s of interpreter start-up); `speedup` is python_s
// per CPU second of the search. (A warm per-layer cache does not isolate the segment search:
// Tangram's memo sizes, which the cache keeps by default, evict entries on the large meshes.)
//
//   build/bench/bench_segment_search --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include <bufferprospector/search/beam_search.hpp>
#include <bufferprospector/workload/zoo.hpp>

namespace {

struct golden_case {
  const char* net;
  std::int64_t nodes;   // nodes x nodes mesh
  bool medium;          // 16x16 PEs, 512 B regf, 128 KiB gbuf; else 8x8 PEs, 64 B, 32 KiB
  double python_s;      // golden/index.json wall_s
};

// `tangram` goldens: --solve-loopblocking --hybrid-partition --enable-access-forwarding
// --interlayer-partition -g e, batch 16.
constexpr golden_case cases[] = {
    {"alex_net", 4, true, 7.42},   {"googlenet", 4, true, 23.49}, {"resnet50", 4, true, 70.74},
    {"vgg_net", 4, true, 18.99},   {"zfnet", 4, true, 12.33},     {"resnet50", 2, false, 32.08},
    {"vgg_net", 16, false, 399.99},
};

struct setup {
  bp::network net;
  bp::resource res;
  bp::cost_values costs{bp::tangram_costs{}};
  bp::options opt;

  explicit setup(const golden_case& c)
      : net(bp::zoo::make(c.net)),
        res{bp::node_region({c.nodes, c.nodes}, {0, 0}, bp::region_type::proc),
            bp::dram_region_of({c.nodes, c.nodes}, bp::dram_placement::edge_2d),
            bp::dram_region_of({c.nodes, c.nodes}, bp::dram_placement::edge_2d),
            bp::dram_region_of({c.nodes, c.nodes}, bp::dram_placement::edge_2d),
            c.medium ? bp::phy_dim2{16, 16} : bp::phy_dim2{8, 8},
            c.medium ? 131072 / 2 : 32768 / 2,
            c.medium ? 512 / 2 : 64 / 2,
            bp::inf,
            bp::inf,
            false} {
    opt.sw_solve_loopblocking = true;
    opt.partition_hybrid = true;
    opt.hw_access_forwarding = true;
    opt.partition_interlayer = true;
  }
};

void BM_tangram_search(benchmark::State& state) {
  const golden_case& c = cases[state.range(0)];
  const setup s(c);
  for (auto _ : state) {
    const bp::search_result r = bp::tangram_search(s.net, 16, s.res, s.costs, s.opt);
    benchmark::DoNotOptimize(r.tops.data());
  }
  state.SetLabel(std::string(c.net) + " " + std::to_string(c.nodes) + "x" + std::to_string(c.nodes));
  state.counters["python_s"] = c.python_s;
  state.counters["speedup"] =
      benchmark::Counter(c.python_s * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_tangram_search)->DenseRange(0, std::size(cases) - 1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
