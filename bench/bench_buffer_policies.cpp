// bench/bench_buffer_policies.cpp -- how fast each buffer-allocation policy places a segment's
// held edges, and how well: every policy on the same generated segments of 64 to 256 cores
// (fixed seeds), with the quality next to the time (placed words, copied words, extra word-hops,
// failed edges, buffer utilization after).
//
//   ./bench_buffer_policies --benchmark_min_time=0.05
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include <bufferprospector/arch/cost_table.hpp>
#include <bufferprospector/prospector/policies.hpp>

namespace {

// A segment of `cores` cores (a square-ish mesh) in `stages` stripes whose GBUF use differs
// (the DCR spread of the model note section 4), with `edges` held edges: each producer stage
// holds one piece per node, read by a few nodes of a later stage.
bp::allocation_problem generated_problem(std::int64_t cores, std::int64_t edges, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto uniform = [&rng](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  std::int64_t h = 1;
  while ((h * 2) * (h * 2) <= cores) h *= 2;
  const bp::phy_dim2 mesh{h, cores / h};
  const std::int64_t gbuf = 32768;
  bp::spare_buffer map(mesh, gbuf);
  const std::int64_t stages = 6;
  const std::int64_t per_stage = (mesh.size() + stages - 1) / stages;
  std::vector<std::int64_t> stage_usage(static_cast<std::size_t>(stages));
  for (auto& u : stage_usage) u = uniform(gbuf / 8, gbuf - 1024);
  for (std::int64_t id = 0; id < mesh.size(); ++id)
    map.set_usage({id / mesh.w, id % mesh.w}, stage_usage[static_cast<std::size_t>(id / per_stage)]);

  bp::allocation_problem prob{.spare = map, .costs = bp::relocation_costs::of(bp::tangram_costs{}),
                              .access_forwarding = true};
  for (std::int64_t e = 0; e < edges; ++e) {
    const std::int64_t producer = uniform(0, stages - 2), consumer = uniform(producer + 1, stages - 1);
    bp::held_edge edge{.producer = static_cast<bp::layer_id>(e), .producer_order = e};
    const std::int64_t words = uniform(gbuf / 16, gbuf / 2);
    for (std::int64_t i = producer * per_stage; i < std::min((producer + 1) * per_stage, mesh.size()); ++i) {
      bp::hold_piece piece{{i / mesh.w, i % mesh.w}, words, {}};
      for (std::int64_t k = 0; k < 3; ++k) {
        const std::int64_t c = std::min(consumer * per_stage + uniform(0, per_stage - 1), mesh.size() - 1);
        piece.consumers.push_back({c / mesh.w, c % mesh.w});
      }
      std::sort(piece.consumers.begin(), piece.consumers.end());
      piece.consumers.erase(std::unique(piece.consumers.begin(), piece.consumers.end()), piece.consumers.end());
      edge.words += words;
      edge.pieces.push_back(std::move(piece));
    }
    prob.edges.push_back(std::move(edge));
  }
  prob.options.fallback = bp::allocation_fallback::dram;
  return prob;
}

template <class Policy>
void BM_allocate(benchmark::State& state) {
  const bp::allocation_problem prob = generated_problem(state.range(0), state.range(1), 20250625);
  const Policy policy{};
  bp::allocation_result last{{}, prob.spare, {}};
  for (auto _ : state) {
    last = policy.allocate(prob);
    benchmark::DoNotOptimize(last.totals.held_words);
  }
  state.counters["placed_words"] = static_cast<double>(last.totals.held_words);
  state.counters["copied_words"] = static_cast<double>(last.totals.copied_words);
  state.counters["extra_hops"] = static_cast<double>(last.totals.extra_word_hops);
  state.counters["dram_edges"] = static_cast<double>(last.totals.via_dram_edges + last.totals.failed_edges);
  state.counters["gbuf_util"] = last.spare.utilization_after();
}

// Arguments: cores, held edges.
void problem_sizes(benchmark::internal::Benchmark* b) { b->ArgsProduct({{64, 128, 256}, {2, 8}}); }

}  // namespace

BENCHMARK_TEMPLATE(BM_allocate, bp::nf_lrf)->Apply(problem_sizes);
BENCHMARK_TEMPLATE(BM_allocate, bp::best_fit)->Apply(problem_sizes);
BENCHMARK_TEMPLATE(BM_allocate, bp::producer_only)->Apply(problem_sizes);
BENCHMARK_TEMPLATE(BM_allocate, bp::ideal)->Apply(problem_sizes);
BENCHMARK_TEMPLATE(BM_allocate, bp::relaxed_dram)->Apply(problem_sizes);
BENCHMARK_TEMPLATE(BM_allocate, bp::no_prospecting)->Apply(problem_sizes);

BENCHMARK_MAIN();
