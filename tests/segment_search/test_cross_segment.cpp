// tests/segment_search/test_cross_segment.cpp -- holds across segments (E3, model note 3.1, 3.2,
// 5.4 step 6, 6.5): what the post-pass converts on the model note's residual block (section
// 3.3's network and chip), and its invariants on random DAGs.
//
// The reference numbers are Tangram mode's own results on the same problem (the beam search,
// checked against the Python reference by tests/prospector_search); the post-pass must move
// exactly those DRAM accesses and keep the segmentation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <bufferprospector/prospector/policies.hpp>
#include <bufferprospector/search/beam_search.hpp>
#include <bufferprospector/search/dp_search.hpp>
#include <bufferprospector/search/prospector_search.hpp>

#include "prospector_search/prospector_search_util.hpp"  // bp_test::residual_block, note_chip
#include "segment_search/segment_search_util.hpp"

namespace {

using namespace bp;

std::vector<std::vector<layer_id>> segments_of(const network_scheme& s) {
  std::vector<std::vector<layer_id>> out;
  for (const auto& [l, r] : s.schedules()) {
    if (static_cast<std::size_t>(r.seq.segment) == out.size()) out.emplace_back();
    out.back().push_back(l);
  }
  return out;
}

double dram_of(const layer_schedule& r, data_category d) { return r.access[mem_level::dram][d]; }

/// Invariants of every record of a scheme after the post-pass.
void check_records(const network_scheme& s, const network& net) {
  std::int64_t after = 0;
  for (std::size_t k = 0; k < s.prospects().size(); ++k) {
    REQUIRE(s.prospects()[k]);
    const segment_prospect& rec = *s.prospects()[k];
    after += rec.dram_words_after;
    for (spare_buffer::core_id id = 0; id < rec.map.num_cores(); ++id)
      CHECK(rec.map.usage(id) + rec.map.held(id) <= rec.map.capacity());
    for (const held_edge_record& h : rec.holds) {
      if (h.requirement.kind != hold_kind::inter_segment) continue;
      CHECK(h.allocation.outcome == edge_outcome::placed);
      CHECK(h.requirement.words == h.requirement.ofmap_words);  // every batch group stays
      const auto seg_of = [&](layer_id l) { return s.schedule_of(l).seq.segment; };
      CHECK(seg_of(h.requirement.producer) == static_cast<std::int64_t>(k));
      std::int64_t last = 0;
      for (const layer_id c : h.requirement.consumers) {
        CHECK(seg_of(c) > static_cast<std::int64_t>(k));
        last = std::max(last, seg_of(c));
        CHECK(std::find(net.nexts(h.requirement.producer).begin(), net.nexts(h.requirement.producer).end(), c) !=
              net.nexts(h.requirement.producer).end());
      }
      CHECK(h.requirement.segments_spanned == last - static_cast<std::int64_t>(k) + 1);
      // Held in every segment it spans.
      for (std::int64_t j = static_cast<std::int64_t>(k); j <= last; ++j)
        CHECK(s.prospects()[static_cast<std::size_t>(j)]->map.total_held() > 0);
    }
  }
  CHECK(static_cast<double>(after) == Approx(s.total_accesses()[mem_level::dram]).epsilon(1e-9));
}

}  // namespace

TEST_CASE("E3 on the residual block: p's ofmaps stay on chip for a and res in the next segment",
          "[segment_search]") {
  const network net = bp_test::residual_block();
  const resource res = bp_test::note_chip(2);  // DRAM-bound: 2 words per cycle
  options opt = bp_test::note_options();
  opt.ntops = 1;
  const search_problem p{net, 4, res, cost_values{}, opt};
  const search_result tangram = beam_search<>{}.search(p);
  REQUIRE_FALSE(tangram.tops.empty());
  const network_scheme& t = tangram.tops.front();
  const layer_id pl = net.id_of("p"), a = net.id_of("a"), rl = net.id_of("res");
  // Tangram's best: [p] [a b (c,res) q] (model note 3.3): p writes DRAM, a and res read it.
  REQUIRE(segments_of(t).front() == std::vector<layer_id>{pl});
  REQUIRE(t.schedule_of(pl).is_dram[1]);
  REQUIRE(t.schedule_of(a).is_dram[0]);
  REQUIRE(t.schedule_of(rl).is_dram[0]);

  options inter = opt;
  inter.prospector.holds = hold_mode::inter_segment;
  for (const bool use_dp : {false, true}) {
    DYNAMIC_SECTION((use_dp ? "dp" : "beam")) {
      const search_problem q{net, 4, res, cost_values{}, inter};
      const search_result r = use_dp ? dp_search<tangram_loop_blocking, nf_lrf>{}.search(q)
                                     : beam_search<tangram_loop_blocking, nf_lrf>{}.search(q);
      REQUIRE_FALSE(r.tops.empty());
      const network_scheme& s = r.tops.front();
      CHECK(segments_of(s) == segments_of(t));  // E3 never changes the segmentation
      check_records(s, net);

      REQUIRE(s.prospects().size() == 2);
      REQUIRE(s.prospects().front()->holds.size() == 1);
      const held_edge_record& h = s.prospects().front()->holds.front();
      CHECK(h.requirement.kind == hold_kind::inter_segment);
      CHECK(h.requirement.producer == pl);
      CHECK(h.requirement.consumers == std::vector<layer_id>{a, rl});
      CHECK(h.requirement.words == 256 * 14 * 14 * 4);
      CHECK(h.requirement.segments_spanned == 2);

      // a reads only p: all its DRAM reads go; res reads p and c (on chip in its segment): all
      // go too. p's consumers are all held: its DRAM write goes (OFM fetch 1).
      const double moved = dram_of(t.schedule_of(a), data_category::ifm) + dram_of(t.schedule_of(rl), data_category::ifm);
      CHECK(dram_of(s.schedule_of(a), data_category::ifm) == 0);
      CHECK(dram_of(s.schedule_of(rl), data_category::ifm) == 0);
      CHECK(h.dram_reads_moved == std::llround(moved));
      REQUIRE(t.schedule_of(pl).fetch[0][data_category::ofm] == 1);
      CHECK(dram_of(s.schedule_of(pl), data_category::ofm) == 0);
      CHECK(h.dram_writes_removed == std::llround(dram_of(t.schedule_of(pl), data_category::ofm)));
      CHECK_FALSE(s.schedule_of(pl).is_dram[1]);
      CHECK(s.total_accesses()[mem_level::dram] ==
            Approx(t.total_accesses()[mem_level::dram] - moved - dram_of(t.schedule_of(pl), data_category::ofm))
                .epsilon(1e-12));
      // Less DRAM traffic: less energy, and (DRAM-bound) less time.
      CHECK(s.total_cost() < t.total_cost());
      CHECK(s.total_time() < t.total_time());
      const prospector_totals tot = prospector_totals_of(s);
      CHECK(tot.held_edges == 1);
      CHECK(tot.relaxed_segments == 0);  // no intra-segment hold: Tangram's segments
      CHECK(tot.utilization_after > tot.utilization_before);
    }
  }

  // Policies that hold nothing leave the scheme alone.
  const search_problem q{net, 4, res, cost_values{}, inter};
  for (const search_result& r : {beam_search<tangram_loop_blocking, relaxed_dram>{}.search(q),
                                 beam_search<tangram_loop_blocking, no_prospecting>{}.search(q)}) {
    REQUIRE_FALSE(r.tops.empty());
    CHECK(r.tops.front().total_cost() == t.total_cost());
    CHECK(prospector_totals_of(r.tops.front()).held_edges == 0);
  }
}

TEST_CASE("E3 on random DAGs: capacities kept, segmentation kept, DRAM words accounted", "[segment_search]") {
  for (std::uint64_t seed = 51; seed <= 58; ++seed) {
    DYNAMIC_SECTION("seed " << seed) {
      bp_test::rng_t rng(seed);
      const network net = bp_test::random_dag(rng, 5, 9);
      const std::int64_t gbufs[] = {4096, 16384};
      const resource res = bp_test::mesh_chip({4, 4}, {8, 8}, gbufs[bp_test::uniform(rng, 0, 1)], 32, 4);
      const std::int64_t batch = bp_test::uniform(rng, 0, 1) ? 2 : 4;
      options opt = bp_test::default_options();
      const search_problem intra{net, batch, res, cost_values{}, opt};
      options both_opt = opt;
      both_opt.prospector.holds = hold_mode::both;
      const search_problem both{net, batch, res, cost_values{}, both_opt};
      const search_result a = beam_search<tangram_loop_blocking, nf_lrf>{}.search(intra);
      const search_result b = beam_search<tangram_loop_blocking, nf_lrf>{}.search(both);
      REQUIRE(a.tops.size() == b.tops.size());
      if (a.tops.empty()) continue;
      CHECK(segments_of(b.tops.front()) == segments_of(a.tops.front()));
      check_records(b.tops.front(), net);
      CHECK(b.tops.front().total_accesses()[mem_level::dram] <= a.tops.front().total_accesses()[mem_level::dram]);
      for (const auto& [l, r] : b.tops.front().schedules()) {
        CHECK(r.time == std::max({r.proc_time, r.bus_time, r.dram_time}));
        CHECK(r.cost == Approx(((r.cost_op + r.cost_access) + r.cost_noc) + r.cost_static).epsilon(1e-12));
      }
    }
  }
}
