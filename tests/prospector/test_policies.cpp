// Tests of the buffer-allocation policies on hand-worked problems: every placement and cost below
// is worked out in the comments (model note sections 5.2-5.5), plus the section 3.3 segment.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <bufferprospector/arch/node_region.hpp>
#include <bufferprospector/prospector/policies.hpp>

using namespace bp;
using Catch::Matchers::Contains;

namespace {

using placements = std::vector<host_words>;

// A 2x3 mesh of 100-word GBUFs, core ids row-major:
//   (0,0)=0 usage 90 spare 10 | (0,1)=1 usage 40 spare 60 | (0,2)=2 usage 70 spare 30
//   (1,0)=3 usage 50 spare 50 | (1,1)=4 usage 100 spare 0 | (1,2)=5 usage 20 spare 80
// Edge 0 (producer order 0): R = 50, one piece on (0,0), read by (0,2).
// Edge 1 (producer order 1): R = 70, pieces (0,1) 40 and (0,2) 30, both read by (1,1).
// Costs: GBUF 6, hop 10 (Tangram's defaults); single consumers, so forwarding does not matter.
allocation_problem small_problem() {
  spare_buffer map({2, 3}, 100);
  const std::int64_t usage[2][3] = {{90, 40, 70}, {50, 100, 20}};
  for (std::int64_t h = 0; h < 2; ++h)
    for (std::int64_t w = 0; w < 3; ++w) map.set_usage({h, w}, usage[h][w]);
  held_edge e0{.producer = 0, .producer_order = 0, .words = 50, .pieces = {{{0, 0}, 50, {{0, 2}}}}};
  held_edge e1{.producer = 1, .producer_order = 1, .words = 70,
               .pieces = {{{0, 1}, 40, {{1, 1}}}, {{0, 2}, 30, {{1, 1}}}}};
  return {.spare = map, .edges = {e0, e1}, .costs = relocation_costs::of(tangram_costs{})};
}

}  // namespace

TEST_CASE("policies: the built-in models satisfy the concept and carry their CLI names", "[prospector]") {
  STATIC_REQUIRE(buffer_allocation_policy<nf_lrf>);
  STATIC_REQUIRE(buffer_allocation_policy<best_fit>);
  STATIC_REQUIRE(buffer_allocation_policy<producer_only>);
  STATIC_REQUIRE(buffer_allocation_policy<ideal>);
  STATIC_REQUIRE(buffer_allocation_policy<relaxed_dram>);
  STATIC_REQUIRE(buffer_allocation_policy<no_prospecting>);
  STATIC_REQUIRE_FALSE(buffer_allocation_policy<int>);
  STATIC_REQUIRE_FALSE(buffer_allocation_policy<spare_buffer>);
  CHECK(buffer_policy_names ==
        std::array<std::string_view, 6>{"none", "nf_lrf", "best_fit", "producer_only", "ideal", "relaxed_dram"});
}

TEST_CASE("nf_lrf: hand-worked placements", "[prospector]") {
  const allocation_problem prob = small_problem();
  const allocation_result r = nf_lrf{}.allocate(prob);
  // Edge order by R desc: edge 1 (70), then edge 0 (50).
  // Edge 1, piece (0,1) 40 first: kappa = 0 on (0,1) itself (spare 60): all 40 stay. (0,1) -> 20.
  //   Piece (0,2) 30: (0,2) itself has spare 30: all stay. (0,2) -> 0.
  // Edge 0, piece (0,0) 50, S = {(0,2)}, F(n) = d((0,0),(0,2)) = 2. kappa = 6 + 10 (d + F(h) - 2):
  //   (0,1): 1 + 1 - 2 = 0 -> 6 (spare 20);  (0,2): 2 + 0 - 2 = 0 -> 6 (spare 0)
  //   (1,0): 1 + 3 - 2 = 2 -> 26 (spare 50); (1,1): 2 + 2 - 2 = 2 -> 26 (spare 0)
  //   (1,2): 3 + 1 - 2 = 2 -> 26 (spare 80)
  //   Order (kappa, -spare, id): (0,0) [0], (0,1), (0,2), (1,2), (1,0), (1,1).
  //   (0,0) takes 10, (0,1) takes 20, (1,2) takes the last 20.
  REQUIRE(r.feasible());
  CHECK(r.edges[1].outcome == edge_outcome::placed);
  CHECK(r.edges[1].pieces[0] == placements{{{0, 1}, 40}});
  CHECK(r.edges[1].pieces[1] == placements{{{0, 2}, 30}});
  CHECK(r.edges[0].outcome == edge_outcome::placed);
  CHECK(r.edges[0].pieces[0] == placements{{{0, 0}, 10}, {{0, 1}, 20}, {{1, 2}, 20}});
  // Copied 20 + 20 = 40 words; hops 20 * 0 + 20 * 2 = 40; cost 20 * 6 + 20 * 26 = 640.
  CHECK(r.edges[0].copied_words == 40);
  CHECK(r.edges[0].extra_word_hops == 40);
  CHECK(r.edges[0].extra_cost == Approx(640));
  CHECK(r.edges[1].copied_words == 0);
  CHECK(r.totals == allocation_totals{.held_words = 120, .copied_words = 40, .extra_word_hops = 40,
                                      .extra_cost = 640, .placed_edges = 2});
  // The map: spare 0 / 0 / 0 // 50 / 0 / 60.
  CHECK(r.spare.spare({0, 0}) == 0);
  CHECK(r.spare.spare({0, 1}) == 0);
  CHECK(r.spare.spare({0, 2}) == 0);
  CHECK(r.spare.spare({1, 0}) == 50);
  CHECK(r.spare.spare({1, 2}) == 60);
  CHECK(r.spare.total_held() == 120);
  CHECK(r.spare.utilization_after() == Approx((370.0 + 120) / 600));
  // The problem's own map is untouched.
  CHECK(prob.spare.total_held() == 0);
}

TEST_CASE("nf_lrf: the quantum splits pieces only at its multiples", "[prospector]") {
  allocation_problem prob = small_problem();
  prob.options.quantum_words = 8;
  const allocation_result r = nf_lrf{}.allocate(prob);
  // Edge 1's pieces fit whole on their producers (a whole rest is always taken).
  // Edge 0, 50 words: (0,0) spare 10 -> 8 (one quantum), 42 left; (0,1) spare 20 -> 16, 26 left;
  // (0,2) spare 0; (1,2) spare 80 >= 26 -> the whole rest.
  CHECK(r.edges[1].pieces[0] == placements{{{0, 1}, 40}});
  CHECK(r.edges[0].pieces[0] == placements{{{0, 0}, 8}, {{0, 1}, 16}, {{1, 2}, 26}});
  // Copied 42; hops 16 * 0 + 26 * 2 = 52; cost 16 * 6 + 26 * 26 = 772.
  CHECK(r.totals.copied_words == 42);
  CHECK(r.totals.extra_word_hops == 52);
  CHECK(r.totals.extra_cost == Approx(772));
}

TEST_CASE("nf_lrf: an edge that does not fit is undone completely", "[prospector]") {
  allocation_problem prob = small_problem();
  // Edge 2: 250 words on (1,1) -- more than the 230 spare words of the whole mesh. It comes first
  // (largest R), fills every core, runs out 20 words short, and is undone.
  prob.edges.push_back({.producer = 2, .producer_order = 2, .words = 250, .pieces = {{{1, 1}, 250, {{1, 1}}}}});
  const allocation_result r = nf_lrf{}.allocate(prob);
  CHECK_FALSE(r.feasible());
  CHECK(r.edges[2].outcome == edge_outcome::failed);
  CHECK(r.edges[2].pieces[0].empty());
  // Edges 0 and 1 then see the untouched map: the same result as without edge 2.
  const allocation_result without = nf_lrf{}.allocate(small_problem());
  CHECK(r.edges[0] == without.edges[0]);
  CHECK(r.edges[1] == without.edges[1]);
  CHECK(r.spare == without.spare);
  CHECK(r.totals.failed_edges == 1);
  CHECK(r.totals.failed_words == 250);
  CHECK(r.totals.held_words == 120);
  // With fallback dram the edge is routed through DRAM and the segment survives.
  prob.options.fallback = allocation_fallback::dram;
  const allocation_result d = nf_lrf{}.allocate(prob);
  CHECK(d.feasible());
  CHECK(d.edges[2].outcome == edge_outcome::via_dram);
  CHECK(d.totals.via_dram_words == 250);
  // A cross-segment hold that does not fit stays in DRAM even with fallback reject.
  prob.options.fallback = allocation_fallback::reject;
  prob.edges[2].kind = hold_kind::inter_segment;
  const allocation_result e3 = nf_lrf{}.allocate(prob);
  CHECK(e3.feasible());
  CHECK(e3.edges[2].outcome == edge_outcome::via_dram);
}

TEST_CASE("nf_lrf: kappa may favour a host central to the consumers (no forwarding)", "[prospector]") {
  // 1x5 mesh, empty GBUFs of 100. One piece of 10 words on (0,0), read by (0,3) and (0,4).
  // Without forwarding F(x, S) = d(x,(0,3)) + d(x,(0,4)): F(n) = 7.
  //   h = (0,3): 3 + 1 - 7 = -3 -> kappa = 6 - 30 = -24 < 0: cheaper than staying on (0,0).
  //   h = (0,4): 4 + 1 - 7 = -2 -> -14.
  // With forwarding F(x, S) = nearest + tree(1): F(n) = 4, F((0,3)) = 1: 3 + 1 - 4 = 0 -> 6 > 0.
  spare_buffer map({1, 5}, 100);
  held_edge e{.producer = 0, .words = 10, .pieces = {{{0, 0}, 10, {{0, 3}, {0, 4}}}}};
  allocation_problem prob{.spare = map, .edges = {e}};
  const allocation_result plain = nf_lrf{}.allocate(prob);
  CHECK(plain.edges[0].pieces[0] == placements{{{0, 3}, 10}});
  CHECK(plain.totals.extra_word_hops == -30);
  CHECK(plain.totals.extra_cost == Approx(-240));
  prob.access_forwarding = true;
  const allocation_result fwd = nf_lrf{}.allocate(prob);
  CHECK(fwd.edges[0].pieces[0] == placements{{{0, 0}, 10}});
  CHECK(fwd.totals.copied_words == 0);
}

TEST_CASE("nf_lrf: density-first order", "[prospector]") {
  // 1x2 mesh, spare 100 on (0,0) only ((0,1) is full). Edge A: 80 words, saves 160 (density 2);
  // edge B: 60 words, saves 600 (density 10). LRF serves A first (B fails); density-first serves
  // B first (A fails).
  spare_buffer map({1, 2}, 100);
  map.set_usage({0, 1}, 100);
  held_edge a{.producer = 0, .producer_order = 0, .words = 80, .saved_energy = 160, .pieces = {{{0, 0}, 80, {}}}};
  held_edge b{.producer = 1, .producer_order = 1, .words = 60, .saved_energy = 600, .pieces = {{{0, 0}, 60, {}}}};
  allocation_problem prob{.spare = map, .edges = {a, b}, .options = {.fallback = allocation_fallback::dram}};
  const allocation_result lrf = nf_lrf{}.allocate(prob);
  CHECK(lrf.edges[0].outcome == edge_outcome::placed);
  CHECK(lrf.edges[1].outcome == edge_outcome::via_dram);
  prob.options.order = edge_order::density_first;
  const allocation_result dense = nf_lrf{}.allocate(prob);
  CHECK(dense.edges[0].outcome == edge_outcome::via_dram);
  CHECK(dense.edges[1].outcome == edge_outcome::placed);
}

TEST_CASE("nf_lrf: interval packing lets disjoint lifetimes share a host", "[prospector]") {
  // 1x2 mesh of empty 100-word GBUFs; all pieces on (0,0), no consumers, so kappa((0,1)) =
  // 6 + 10 * 1 = 16. A: 80 words, [0, 10); B: 70 words, [10, 20); C: 30 words, [5, 15).
  spare_buffer map({1, 2}, 100);
  held_edge a{.producer = 0, .producer_order = 0, .words = 80, .lifetime = {0, 10}, .pieces = {{{0, 0}, 80, {}}}};
  held_edge b{.producer = 1, .producer_order = 1, .words = 70, .lifetime = {10, 20}, .pieces = {{{0, 0}, 70, {}}}};
  held_edge c{.producer = 2, .producer_order = 2, .words = 30, .lifetime = {5, 15}, .pieces = {{{0, 0}, 30, {}}}};
  allocation_problem prob{.spare = map, .edges = {a, b, c}};
  // Off: A 80 on (0,0); B 20 on (0,0) + 50 on (0,1); C 30 on (0,1).
  const allocation_result off = nf_lrf{}.allocate(prob);
  CHECK(off.edges[0].pieces[0] == placements{{{0, 0}, 80}});
  CHECK(off.edges[1].pieces[0] == placements{{{0, 0}, 20}, {{0, 1}, 50}});
  CHECK(off.edges[2].pieces[0] == placements{{{0, 1}, 30}});
  CHECK(off.totals.copied_words == 80);
  // On: A 80 on (0,0) in [0,10); B 70 on (0,0) in [10,20) (disjoint); C sees the peak 80 in
  // [5,15) on (0,0): 20 there, 10 on (0,1). Peak of (0,0): 80 + 20 = 100 in [5, 10).
  prob.options.interval_packing = true;
  const allocation_result on = nf_lrf{}.allocate(prob);
  CHECK(on.edges[0].pieces[0] == placements{{{0, 0}, 80}});
  CHECK(on.edges[1].pieces[0] == placements{{{0, 0}, 70}});
  CHECK(on.edges[2].pieces[0] == placements{{{0, 0}, 20}, {{0, 1}, 10}});
  CHECK(on.totals.copied_words == 10);
  CHECK(on.spare.held({0, 0}) == 100);
  CHECK(on.spare.spare({0, 0}) == 0);
}

TEST_CASE("best_fit: hand-worked placements", "[prospector]") {
  const allocation_result r = best_fit{}.allocate(small_problem());
  // Edge 1, piece (0,1) 40: hosts with spare >= 40: (0,1) 60, (1,0) 50, (1,2) 80 -> tightest
  //   (1,0). kappa: d((0,1),(1,0)) = 2, F = d(.,(1,1)): 1 - 1 -> 6 + 10 * 2 = 26. 80 hops, 1040.
  //   Piece (0,2) 30: spares 10, 60, 30, 10, 0, 80 -> tightest with >= 30 is (0,2) itself: kappa 0.
  // Edge 0, piece (0,0) 50: spares 10, 60, 0, 10, 0, 80 -> (0,1) (60): d 1, F 1 - 2 -> kappa 6.
  REQUIRE(r.feasible());
  CHECK(r.edges[1].pieces[0] == placements{{{1, 0}, 40}});
  CHECK(r.edges[1].pieces[1] == placements{{{0, 2}, 30}});
  CHECK(r.edges[0].pieces[0] == placements{{{0, 1}, 50}});
  // Copied 40 + 50 = 90; hops 40 * 2 + 50 * 0 = 80; cost 1040 + 300 = 1340.
  CHECK(r.totals == allocation_totals{.held_words = 120, .copied_words = 90, .extra_word_hops = 80,
                                      .extra_cost = 1340, .placed_edges = 2});
}

TEST_CASE("best_fit: largest spare first when no single host fits", "[prospector]") {
  // 1x3 mesh: spares 30, 50, 40. One piece of 100 words on (0,0): no host holds it whole; fill
  // by spare: (0,1) 50, (0,2) 40, (0,0) 10 of its 30.
  spare_buffer map({1, 3}, 100);
  map.set_usage({0, 0}, 70);
  map.set_usage({0, 1}, 50);
  map.set_usage({0, 2}, 60);
  held_edge e{.producer = 0, .words = 100, .pieces = {{{0, 0}, 100, {}}}};
  const allocation_result r = best_fit{}.allocate({.spare = map, .edges = {e}});
  CHECK(r.edges[0].pieces[0] == placements{{{0, 1}, 50}, {{0, 2}, 40}, {{0, 0}, 10}});
  // Hops (no consumers): 50 * 1 + 40 * 2 = 130; cost 50 * 16 + 40 * 26 = 1840.
  CHECK(r.totals.extra_word_hops == 130);
  CHECK(r.totals.extra_cost == Approx(1840));
}

TEST_CASE("producer_only: hand-worked placements", "[prospector]") {
  allocation_problem prob = small_problem();
  const allocation_result r = producer_only{}.allocate(prob);
  // Edge 1: (0,1) 40 <= 60 and (0,2) 30 <= 30: placed. Edge 0: (0,0) has 10 < 50: rejected.
  CHECK_FALSE(r.feasible());
  CHECK(r.edges[1].outcome == edge_outcome::placed);
  CHECK(r.edges[1].pieces[0] == placements{{{0, 1}, 40}});
  CHECK(r.edges[1].pieces[1] == placements{{{0, 2}, 30}});
  CHECK(r.edges[0].outcome == edge_outcome::failed);
  CHECK(r.totals == allocation_totals{.held_words = 70, .failed_words = 50, .placed_edges = 1, .failed_edges = 1});
  CHECK(r.spare.spare({0, 0}) == 10);  // nothing left behind by the failed edge
  prob.options.fallback = allocation_fallback::dram;
  const allocation_result d = producer_only{}.allocate(prob);
  CHECK(d.feasible());
  CHECK(d.edges[0].outcome == edge_outcome::via_dram);
}

TEST_CASE("producer_only vs nf_lrf: a greedy spill can cost a later edge its producer node", "[prospector]") {
  // Why "producer_only places a subset of what nf_lrf places" holds edge by edge on one map, but
  // not for a whole segment: 1x2 mesh, spare 50 on each core. Edge A (60 words on (0,0)) comes
  // first; nf_lrf spills 10 onto (0,1), the producer of edge B (50 words): B no longer fits.
  // producer_only rejects A and places B.
  spare_buffer map({1, 2}, 50);
  held_edge a{.producer = 0, .producer_order = 0, .words = 60, .pieces = {{{0, 0}, 60, {}}}};
  held_edge b{.producer = 1, .producer_order = 1, .words = 50, .pieces = {{{0, 1}, 50, {}}}};
  const allocation_problem prob{.spare = map, .edges = {a, b}, .options = {.fallback = allocation_fallback::dram}};
  const allocation_result greedy = nf_lrf{}.allocate(prob);
  CHECK(greedy.edges[0].outcome == edge_outcome::placed);
  CHECK(greedy.edges[1].outcome == edge_outcome::via_dram);
  const allocation_result own = producer_only{}.allocate(prob);
  CHECK(own.edges[0].outcome == edge_outcome::via_dram);
  CHECK(own.edges[1].outcome == edge_outcome::placed);
}

TEST_CASE("ideal: everything on the producer nodes, never fails", "[prospector]") {
  const allocation_result r = ideal{}.allocate(small_problem());
  REQUIRE(r.feasible());
  CHECK(r.edges[0].pieces[0] == placements{{{0, 0}, 50}});
  CHECK(r.edges[1].pieces[0] == placements{{{0, 1}, 40}});
  CHECK(r.edges[1].pieces[1] == placements{{{0, 2}, 30}});
  CHECK(r.totals == allocation_totals{.held_words = 120, .placed_edges = 2});
  // (0,0): usage 90 + 50 held on a 100-word GBUF: overcommitted by 40 -- the bound's assumption.
  CHECK(r.spare.spare({0, 0}) == -40);
}

TEST_CASE("relaxed_dram and no_prospecting", "[prospector]") {
  allocation_problem prob = small_problem();
  const allocation_result relaxed = relaxed_dram{}.allocate(prob);
  CHECK(relaxed.feasible());
  CHECK(relaxed.totals == allocation_totals{.via_dram_words = 120, .via_dram_edges = 2});
  CHECK(relaxed.spare == prob.spare);
  const allocation_result tangram = no_prospecting{}.allocate(prob);
  CHECK_FALSE(tangram.feasible());  // a segment that needs a hold does not exist in Tangram
  CHECK(tangram.totals == allocation_totals{.failed_words = 120, .failed_edges = 2});
  CHECK(tangram.spare == prob.spare);
  prob.options.fallback = allocation_fallback::dram;
  CHECK(no_prospecting{}.allocate(prob).totals == relaxed.totals);
  // Without held edges every policy is feasible and holds nothing (Tangram's segments).
  prob.edges.clear();
  for (const std::string_view name : buffer_policy_names) {
    const allocation_result r = allocate_with(name, prob);
    CHECK(r.feasible());
    CHECK(r.totals == allocation_totals{});
  }
}

TEST_CASE("allocate_with: by name, unknown names refused", "[prospector]") {
  const allocation_problem prob = small_problem();
  CHECK(allocate_with("nf_lrf", prob).edges == nf_lrf{}.allocate(prob).edges);
  CHECK(allocate_with("best_fit", prob).edges == best_fit{}.allocate(prob).edges);
  CHECK(allocate_with("none", prob).totals == no_prospecting{}.allocate(prob).totals);
  CHECK_THROWS_AS(allocate_with("greedy", prob), unknown_name);
  CHECK_THROWS_WITH(allocate_with("greedy", prob),
                    Contains("buffer allocation policy = greedy: must be one of none, nf_lrf, best_fit"));
}

TEST_CASE("allocation_problem: bad input names the field", "[prospector]") {
  allocation_problem prob = small_problem();
  prob.options.quantum_words = 0;
  CHECK_THROWS_WITH(nf_lrf{}.allocate(prob), Contains("prospector_options.quantum_words = 0"));
  prob = small_problem();
  prob.edges[1].words = 71;
  CHECK_THROWS_WITH(nf_lrf{}.allocate(prob), Contains("edges[1].words = 71: must equal the sum of its pieces (70)"));
  prob = small_problem();
  prob.edges[0].pieces[0].consumers.push_back({5, 5});
  CHECK_THROWS_WITH(nf_lrf{}.allocate(prob), Contains("edges[0].pieces[0].consumers = (5, 5): outside the 2x3 mesh"));
  prob = small_problem();
  prob.costs.noc_hop = -1;
  CHECK_THROWS_AS(nf_lrf{}.allocate(prob), invalid_spec);
  prob = small_problem();
  prob.edges[0].lifetime = {5, 5};
  CHECK_THROWS_WITH(nf_lrf{}.allocate(prob), Contains("edges[0].lifetime = [5, 5): must not be empty"));
}

TEST_CASE("policies: section 3.3 segment, p -> res held", "[prospector]") {
  // Stages 28/7/15/7/7 on 8x8 (GBUF 32768 words); the hold's 28 pieces of 7168 on p's nodes,
  // each read by one res node (OFMP 1x7 on both: matching column blocks).
  const node_region mesh({8, 8}, {0, 0}, region_type::proc);
  const auto regions = mesh.allocate({28, 7, 15, 7, 7});
  const std::vector<stage_buffer_use> stages{
      {regions[0], {9040}}, {regions[1], {19968}}, {regions[2], {10740}}, {regions[3], {18816}}, {regions[4], {16384}}};
  const spare_buffer map = spare_buffer::of_segment({8, 8}, 32768, stages);
  held_edge e{.producer = 0, .consumers = {4}, .producer_order = 0, .ofmap_words = 200704, .batch_groups = 2,
              .live_groups = 2, .words = 200704};
  const std::vector<phy_dim2> res_nodes = regions[3].nodes();
  std::size_t i = 0;
  regions[0].for_each_node([&](phy_dim2 c) { e.pieces.push_back({c, 7168, {res_nodes[i++ / 4]}}); });
  const allocation_problem prob{.spare = map, .edges = {e}, .access_forwarding = true};

  // nf_lrf: every piece fits on its own node (7168 <= 23728): no copy, no extra hop.
  const allocation_result r = nf_lrf{}.allocate(prob);
  REQUIRE(r.feasible());
  CHECK(r.totals.held_words == 200704);
  CHECK(r.totals.copied_words == 0);
  CHECK(r.totals.extra_word_hops == 0);
  CHECK(r.spare.utilization_before() == Approx(0.382).margin(0.0005));
  CHECK(r.spare.utilization_after() == Approx(0.477).margin(0.0005));
  CHECK(r.spare == ideal{}.allocate(prob).spare);
  CHECK(r.edges == producer_only{}.allocate(prob).edges);
  // best_fit prefers the tightest hosts (stage a: 12800 spare) and so copies every word away.
  const allocation_result bf = best_fit{}.allocate(prob);
  REQUIRE(bf.feasible());
  CHECK(bf.totals.copied_words == 200704);
  for (const auto& piece : bf.edges[0].pieces) CHECK(piece.size() == 1);
  CHECK(bf.spare.spare({3, 3}) == 12800 - 7168);
}
