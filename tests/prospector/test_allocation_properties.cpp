// Property tests of the buffer-allocation policies over random problems (fixed seeds): random
// meshes (1..256 cores), GBUF sizes, usage, reserves, held edges (pieces, consumers, lifetimes,
// E1/E3), options (quantum, fallback, order, interval packing) and costs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>
#include <random>
#include <tuple>
#include <vector>

#include <bufferprospector/prospector/policies.hpp>

using namespace bp;

namespace {

using rng_t = std::mt19937_64;

std::int64_t uniform(rng_t& rng, std::int64_t lo, std::int64_t hi) {
  return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
}
bool coin(rng_t& rng, double p) { return std::bernoulli_distribution(p)(rng); }

phy_dim2 random_node(rng_t& rng, phy_dim2 mesh) { return {uniform(rng, 0, mesh.h - 1), uniform(rng, 0, mesh.w - 1)}; }

allocation_problem random_problem(std::uint64_t seed) {
  rng_t rng(seed);
  const phy_dim2 mesh{uniform(rng, 1, 16), uniform(rng, 1, 16)};
  const std::int64_t gbuf = uniform(rng, 50, 2000);
  const double reserves[] = {0, 0, 0.1, 0.3};
  spare_buffer map(mesh, gbuf, reserves[uniform(rng, 0, 3)]);
  for (std::int64_t h = 0; h < mesh.h; ++h)
    for (std::int64_t w = 0; w < mesh.w; ++w) map.set_usage({h, w}, coin(rng, 0.2) ? gbuf : uniform(rng, 0, gbuf));

  allocation_problem prob{.spare = map};
  const std::int64_t quanta[] = {1, 1, 4, 16};
  prob.options.quantum_words = quanta[uniform(rng, 0, 3)];
  prob.options.fallback = coin(rng, 0.5) ? allocation_fallback::reject : allocation_fallback::dram;
  prob.options.order = coin(rng, 0.5) ? edge_order::largest_requirement_first : edge_order::density_first;
  prob.options.interval_packing = coin(rng, 0.4);
  prob.access_forwarding = coin(rng, 0.5);
  if (coin(rng, 0.3)) prob.costs = {static_cast<double>(uniform(rng, 0, 10)), static_cast<double>(uniform(rng, 0, 20))};

  const std::int64_t nedges = uniform(rng, 0, 8);
  for (std::int64_t i = 0; i < nedges; ++i) {
    held_edge e;
    e.producer = static_cast<layer_id>(i);
    e.producer_order = i;
    e.kind = coin(rng, 0.2) ? hold_kind::inter_segment : hold_kind::intra_segment;
    const std::int64_t begin = uniform(rng, 0, 100);
    e.lifetime = {begin, begin + uniform(rng, 1, 100)};
    e.saved_energy = static_cast<double>(uniform(rng, 0, 100000));
    std::vector<phy_dim2> producers;
    const std::int64_t npieces = uniform(rng, 1, std::min<std::int64_t>(8, mesh.size()));
    while (static_cast<std::int64_t>(producers.size()) < npieces) {
      const phy_dim2 n = random_node(rng, mesh);
      if (std::find(producers.begin(), producers.end(), n) == producers.end()) producers.push_back(n);
    }
    for (const phy_dim2& n : producers) {
      hold_piece p{n, uniform(rng, 0, gbuf * 3 / 5), {}};
      const std::int64_t k = uniform(rng, 0, 5);
      for (std::int64_t j = 0; j < k; ++j) p.consumers.push_back(random_node(rng, mesh));
      std::sort(p.consumers.begin(), p.consumers.end());
      p.consumers.erase(std::unique(p.consumers.begin(), p.consumers.end()), p.consumers.end());
      e.words += p.words;
      e.pieces.push_back(p);
    }
    prob.edges.push_back(e);
  }
  // Input order differs from producer order.
  std::shuffle(prob.edges.begin(), prob.edges.end(), rng);
  return prob;
}

// The highest sum of `holds` ((lifetime, words)) alive at one instant.
std::int64_t skyline_peak(const std::vector<std::pair<hold_lifetime, std::int64_t>>& holds) {
  std::int64_t peak = 0;
  for (const auto& [at, unused] : holds) {
    std::int64_t s = 0;
    for (const auto& [life, words] : holds)
      if (life.begin_xb <= at.begin_xb && at.begin_xb < life.end_xb) s += words;
    peak = std::max(peak, s);
  }
  return peak;
}

template <class Policy>
void check_invariants(const allocation_problem& prob, const allocation_result& r) {
  INFO("policy " << Policy::name);
  REQUIRE(r.edges.size() == prob.edges.size());
  allocation_totals expect{};
  std::map<std::int32_t, std::vector<std::pair<hold_lifetime, std::int64_t>>> per_host;
  for (std::size_t e = 0; e < prob.edges.size(); ++e) {
    const held_edge& edge = prob.edges[e];
    const edge_allocation& a = r.edges[e];
    REQUIRE(a.pieces.size() == edge.pieces.size());
    switch (a.outcome) {
      case edge_outcome::placed:
        ++expect.placed_edges;
        expect.held_words += edge.words;
        break;
      case edge_outcome::via_dram:
        ++expect.via_dram_edges;
        expect.via_dram_words += edge.words;
        break;
      case edge_outcome::failed:
        ++expect.failed_edges;
        expect.failed_words += edge.words;
        // Only an intra-segment edge under fallback reject may fail.
        CHECK(edge.kind == hold_kind::intra_segment);
        CHECK(prob.options.fallback == allocation_fallback::reject);
        break;
    }
    for (std::size_t p = 0; p < edge.pieces.size(); ++p) {
      if (a.outcome != edge_outcome::placed) {
        CHECK(a.pieces[p].empty());  // an edge not on chip leaves nothing behind
        continue;
      }
      // Every piece fully placed, each host once, inside the mesh.
      std::int64_t sum = 0;
      std::vector<phy_dim2> hosts;
      for (const host_words& h : a.pieces[p]) {
        CHECK(r.spare.contains(h.host));
        CHECK(h.words > 0);
        sum += h.words;
        hosts.push_back(h.host);
        const hold_lifetime life = prob.options.interval_packing ? edge.lifetime : hold_lifetime{};
        per_host[r.spare.id_of(h.host)].push_back({life, h.words});
        if (prob.options.quantum_words > 1 && h.words % prob.options.quantum_words != 0)
          CHECK(&h == &a.pieces[p].back());  // only the rest of a piece is not a whole quantum
      }
      CHECK(sum == edge.pieces[p].words);
      std::sort(hosts.begin(), hosts.end());
      CHECK(std::adjacent_find(hosts.begin(), hosts.end()) == hosts.end());
    }
  }
  // Totals add up; placed words == requirements of placed edges; nothing dropped.
  CHECK(r.totals.held_words == expect.held_words);
  CHECK(r.totals.via_dram_words == expect.via_dram_words);
  CHECK(r.totals.failed_words == expect.failed_words);
  CHECK(r.totals.placed_edges == expect.placed_edges);
  CHECK(r.totals.via_dram_edges == expect.via_dram_edges);
  CHECK(r.totals.failed_edges == expect.failed_edges);
  std::int64_t all = 0;
  for (const held_edge& e : prob.edges) all += e.words;
  CHECK(r.totals.held_words + r.totals.via_dram_words + r.totals.failed_words == all);
  CHECK(r.feasible() == (r.totals.failed_edges == 0));
  // The map: same usage, holds equal to the placements, no core above capacity (except ideal).
  for (std::int32_t id = 0; id < r.spare.num_cores(); ++id) {
    CHECK(r.spare.usage(id) == prob.spare.usage(id));
    const auto it = per_host.find(id);
    const std::int64_t held = it == per_host.end() ? 0 : skyline_peak(it->second);
    CHECK(r.spare.held(id) == held);
    if constexpr (!std::is_same_v<Policy, ideal>) {
      CHECK(r.spare.spare(id) >= 0);
      CHECK(held <= r.spare.room(id));
    }
  }
}

struct run_all {
  const allocation_problem& prob;
  std::vector<allocation_result> results;
  template <class... P>
  void operator()(P... p) {
    (results.push_back(p.allocate(prob)), ...);
  }
};

std::vector<allocation_result> allocate_all(const allocation_problem& prob) {
  run_all run{prob, {}};
  std::apply(run, builtin_buffer_policies{});
  return std::move(run.results);
}

// Positions in builtin_buffer_policies.
constexpr std::size_t index_none = 0, index_ideal = 4;

}  // namespace

TEMPLATE_LIST_TEST_CASE("allocation properties: invariants on random problems", "[prospector]", builtin_buffer_policies) {
  std::int64_t placed = 0, copied = 0, failed = 0;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    INFO("seed " << seed);
    const allocation_problem prob = random_problem(seed);
    const allocation_result r = TestType{}.allocate(prob);
    check_invariants<TestType>(prob, r);
    placed += r.totals.placed_edges;
    copied += r.totals.copied_words;
    failed += r.totals.failed_edges + r.totals.via_dram_edges;
  }
  // The generator exercises every outcome of the real allocators.
  if constexpr (std::is_same_v<TestType, nf_lrf> || std::is_same_v<TestType, best_fit>) {
    CHECK(placed > 100);
    CHECK(copied > 0);
    CHECK(failed > 50);
  }
}

TEST_CASE("allocation properties: ideal bounds every policy; none holds nothing", "[prospector]") {
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    INFO("seed " << seed);
    const allocation_problem prob = random_problem(seed);
    const std::vector<allocation_result> rs = allocate_all(prob);
    const allocation_result& best = rs[index_ideal];
    CHECK(best.totals.placed_edges == static_cast<std::int64_t>(prob.edges.size()));
    for (const allocation_result& r : rs) CHECK(r.totals.held_words <= best.totals.held_words);
    CHECK(rs[index_none].totals.held_words == 0);
    bool any_intra = false;
    for (const held_edge& e : prob.edges) any_intra = any_intra || e.kind == hold_kind::intra_segment;
    CHECK(rs[index_none].feasible() == (!any_intra || prob.options.fallback == allocation_fallback::dram));
  }
}

TEST_CASE("allocation properties: what producer_only places, nf_lrf places too", "[prospector]") {
  // Edge by edge on the segment's map (a whole segment need not keep the relation: see
  // test_policies.cpp, "a greedy spill can cost a later edge its producer node"). With quantum 1,
  // nf_lrf fails a piece only when the whole mesh lacks room; with access forwarding kappa >=
  // c_GBUF > 0 off the producer node, so nf_lrf keeps a fitting piece exactly where
  // producer_only puts it.
  std::int64_t compared = 0, identical = 0;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    INFO("seed " << seed);
    allocation_problem prob = random_problem(seed);
    const bool strict_costs = prob.costs.gbuf > 0;
    if (!(prob.options.quantum_words == 1 || (prob.access_forwarding && strict_costs))) prob.options.quantum_words = 1;
    for (const held_edge& e : prob.edges) {
      allocation_problem one = prob;
      one.edges = {e};
      const allocation_result po = producer_only{}.allocate(one);
      if (po.edges[0].outcome != edge_outcome::placed) continue;
      const allocation_result nf = nf_lrf{}.allocate(one);
      ++compared;
      CHECK(nf.edges[0].outcome == edge_outcome::placed);
      if (prob.access_forwarding && strict_costs) {
        CHECK(nf.edges[0] == po.edges[0]);
        ++identical;
      }
    }
  }
  CHECK(compared > 100);
  CHECK(identical > 50);
}

TEST_CASE("allocation properties: results do not depend on the input order", "[prospector]") {
  // Every built-in policy orders edges by (key, producer order) and pieces by (words, node id), so
  // shuffling both gives the same placements per (producer, node) and the same map.
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    INFO("seed " << seed);
    const allocation_problem prob = random_problem(seed);
    allocation_problem shuffled = prob;
    rng_t rng(seed * 7919);
    std::shuffle(shuffled.edges.begin(), shuffled.edges.end(), rng);
    for (held_edge& e : shuffled.edges) std::shuffle(e.pieces.begin(), e.pieces.end(), rng);

    const std::vector<allocation_result> a = allocate_all(prob), b = allocate_all(shuffled);
    for (std::size_t k = 0; k < a.size(); ++k) {
      INFO("policy " << buffer_policy_names[k]);
      using key = std::tuple<layer_id, std::int64_t, std::int64_t>;
      const auto index = [](const allocation_problem& p, const allocation_result& r) {
        std::map<key, std::pair<edge_outcome, std::vector<host_words>>> m;
        for (std::size_t e = 0; e < p.edges.size(); ++e)
          for (std::size_t i = 0; i < p.edges[e].pieces.size(); ++i) {
            const phy_dim2 n = p.edges[e].pieces[i].producer_node;
            m[{p.edges[e].producer, n.h, n.w}] = {r.edges[e].outcome, r.edges[e].pieces[i]};
          }
        return m;
      };
      CHECK(index(prob, a[k]) == index(shuffled, b[k]));
      CHECK(a[k].spare == b[k].spare);
      CHECK(a[k].totals.held_words == b[k].totals.held_words);
      CHECK(a[k].totals.copied_words == b[k].totals.copied_words);
      CHECK(a[k].totals.extra_word_hops == b[k].totals.extra_word_hops);
      CHECK(a[k].totals.extra_cost == Approx(b[k].totals.extra_cost).epsilon(1e-12));
    }
  }
}
