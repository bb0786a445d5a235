// tests/segment_search/test_gains.cpp -- what the buffer prospector gains over Tangram mode
// (model note 7.6 items 3 and 6, section 7.3's default point), and what it cannot:
//  - independent-mode DP, goal e, ntops 1, quirks off: ideal <= nf_lrf <= Tangram mode in energy
//    on every network of the goldens (at each network's golden chip). In independent mode a
//    candidate's cost does not depend on the path, Tangram's candidates are relaxed candidates
//    with the same typing and cost, so nf_lrf's optimum can only be lower; ideal places every
//    hold on its producer (no relocation, never fails);
//  - ResNet-50 at the default point (--nodes 8 8 --array 16 16 --regf 512 --gbuf 131072 --batch 4
//    --dram-bw 16.384, solver options, quirks off): nf_lrf holding across segments (E3) has held
//    edges and strictly fewer DRAM words than Tangram mode;
//  - there, no relaxed segment with a held edge schedules: every one is rejected by Tangram's
//    own rules before any allocation (the known problem; see the report in
//    search/dp_search.hpp's users: node split, fully-buffered size check, or no loop blocking
//    under the pipeline constraints); with a 256 KiB GBUF intra-segment holds appear.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>

#include <bufferprospector/prospector/policies.hpp>
#include <bufferprospector/search/dp_search.hpp>
#include <bufferprospector/search/prospector_search.hpp>

#include "segment_search/segment_search_util.hpp"

namespace {

using namespace bp;

template <class Alloc>
std::pair<double, std::int64_t> independent_objective(const bp_test::golden_run& g) {
  options opt = g.opt;
  opt.goal = opt_goal::e;
  opt.ntops = 1;
  opt.tangram_quirks = false;
  opt.prospector.dp = dp_mode::independent;
  search_log log;
  const search_problem p{g.net, g.batch, g.res, g.cost.values(), opt};
  const search_result r = dp_search<tangram_loop_blocking, Alloc>{.log = &log}.search(p);
  REQUIRE_FALSE(r.tops.empty());
  REQUIRE(log.objective_cost);
  return {*log.objective_cost, *log.objective_time};
}

}  // namespace

TEST_CASE("ideal <= nf_lrf <= Tangram mode (goal e, ntops 1, independent DP) on every golden network",
          "[segment_search][slow]") {
  // One golden per network: the first with inter-layer pipelining (else the first) in index order.
  std::map<std::string, std::string> chosen;
  for (const std::string& f : bp_test::golden_network_files()) {
    const std::string net = f.substr(0, f.find("__"));
    const bool pipelined = f.find("tangram") != std::string::npos;
    auto it = chosen.find(net);
    if (it == chosen.end() || (pipelined && it->second.find("tangram") == std::string::npos)) chosen[net] = f;
  }
  CHECK(chosen.size() >= 13);
  for (const auto& [net, file] : chosen) {
    DYNAMIC_SECTION(file) {
      const auto g = bp_test::load_golden(file);
      if (!g) continue;
      const auto tangram = independent_objective<no_prospecting>(*g);
      const auto nf = independent_objective<nf_lrf>(*g);
      const auto ideal = independent_objective<bp::ideal>(*g);
      CHECK(nf.first <= tangram.first);
      CHECK(ideal.first <= nf.first);
      WARN(file << ": energy Tangram " << tangram.first << ", nf_lrf " << nf.first << ", ideal " << ideal.first);
    }
  }
}

TEST_CASE("ResNet-50 at the default point: nf_lrf holds across segments, fewer DRAM words than Tangram",
          "[segment_search][slow]") {
  const network net = zoo::make("resnet50");
  options opt = bp_test::default_options();
  const search_problem tp{net, 4, bp_test::default_chip(), cost_values{}, opt};
  const search_result tangram = dp_search<>{}.search(tp);
  REQUIRE_FALSE(tangram.tops.empty());
  const double tangram_dram = tangram.tops.front().total_accesses()[mem_level::dram];

  opt.prospector.holds = hold_mode::both;
  const search_problem bp{net, 4, bp_test::default_chip(), cost_values{}, opt};
  for (const bool use_dp : {true, false}) {
    DYNAMIC_SECTION((use_dp ? "dp" : "beam")) {
      const search_result r = use_dp ? dp_search<tangram_loop_blocking, nf_lrf>{}.search(bp)
                                     : beam_search<tangram_loop_blocking, nf_lrf>{}.search(bp);
      REQUIRE_FALSE(r.tops.empty());
      const network_scheme& s = r.tops.front();
      const prospector_totals t = prospector_totals_of(s);
      CHECK(t.held_edges > 0);
      CHECK(s.total_accesses()[mem_level::dram] < tangram_dram);
      CHECK(s.total_cost() < tangram.tops.front().total_cost());
      CHECK(t.utilization_after > t.utilization_before);
    }
  }
}

TEST_CASE("ResNet-50 at the default point: every relaxed segment is rejected before allocation",
          "[segment_search][slow]") {
  const network net = zoo::make("resnet50");
  const options opt = bp_test::default_options();
  search_log log;
  const search_problem p{net, 4, bp_test::default_chip(), cost_values{}, opt};
  const search_result r = dp_search<tangram_loop_blocking, nf_lrf>{.log = &log}.search(p);
  REQUIRE_FALSE(r.tops.empty());
  // Every relaxed candidate with a held edge: rejected as a segment (its status), or a valid
  // segment whose evaluation the log recorded (its outcome).
  std::map<segment_stages, std::string_view> evaluated;
  for (const transition_record& t : log.transitions)
    if (!t.stages.empty()) evaluated.emplace(t.stages, t.report.reject_reason());
  std::map<std::string, int> reasons;
  std::size_t held = 0;
  const inter_layer_pipeline ilp(net, 4, bp_test::default_chip(), 0.05);
  ilp.for_each_candidate(opt, segment_typing::held_edges, opt.prospector.keep_rule3, [&](pipeline_segment&& seg) {
    if (seg.held_edges().empty()) return;
    ++held;
    if (!seg.valid()) {
      transition_report rep;
      rep.outcome = transition_outcome::invalid_segment;
      rep.status = seg.status();
      reasons[std::string(rep.reject_reason())]++;
      return;
    }
    const auto it = evaluated.find(seg.stages());
    REQUIRE(it != evaluated.end());
    reasons[std::string(it->second)]++;
  });
  CHECK(held > 1000);
  CHECK(reasons.count("") == 0);
  CHECK(reasons.count("alloc_fail") == 0);
  CHECK(reasons.count("time_ovhd") == 0);
  std::string text;
  for (const auto& [k, n] : reasons) text += k + ": " + std::to_string(n) + "  ";
  WARN("ResNet-50 relaxed candidates with held edges at the default point, by reject reason: " << text);
  CHECK(prospector_totals_of(r.tops.front()).held_edges == 0);

  // With twice the GBUF, intra-segment holds appear.
  const search_problem big{net, 4, bp_test::mesh_chip({8, 8}, {16, 16}, 131072, 256, 16.384 / 2), cost_values{}, opt};
  const search_result rb = dp_search<tangram_loop_blocking, nf_lrf>{}.search(big);
  REQUIRE_FALSE(rb.tops.empty());
  CHECK(prospector_totals_of(rb.tops.front()).relaxed_segments > 0);
}
