// tests/experiments/test_naming_methods.cpp -- report/run_naming.hpp (the design point, its tag
// and the run file names) and search/methods.hpp (the method registry).
//
// Numbers: the default point's DRAM bandwidth is the model note's 7.3 value (r * 2 * #PEs / 1000
// = 0.5 * 2 * 16384 / 1000 = 16.384 bytes/cycle, 8.192 16-bit words/cycle); the golden
// alex_net__n4x4_a16x16_r512_g128k__tangram_b16_gd.json (tests/data/golden, Tangram's own run with
// the experiments' flags: its "resource" and "options") is what the experiments build for the
// point {4x4 mesh, batch 16, r = inf}.
#include <catch2/catch.hpp>

#include <string>

#include <bufferprospector/report/json.hpp>
#include <bufferprospector/report/metrics.hpp>
#include <bufferprospector/report/run_naming.hpp>
#include <bufferprospector/report/tangram_json.hpp>
#include <bufferprospector/search/beam_search.hpp>
#include <bufferprospector/search/methods.hpp>
#include <bufferprospector/search/prospector_search.hpp>
#include <bufferprospector/workload/zoo.hpp>

#include "test_data.hpp"

namespace {

using Catch::Matchers::Contains;

bp::design_point golden_point() {
  bp::design_point p;
  p.mesh_h = p.mesh_w = 4;
  p.batch = 16;
  p.dram_bw_ratio = bp::inf;
  return p;
}

}  // namespace

TEST_CASE("design point: the default point of model note 7.3", "[experiments]") {
  const bp::design_point p;
  CHECK(p.num_pes() == 16384);
  CHECK(p.dram_bytes_per_cycle() == Approx(16.384).epsilon(1e-12));
  CHECK(p.dram_words_per_cycle() == Approx(8.192).epsilon(1e-12));
  CHECK(p.tag() == "n8x8_a16x16_g128k_b4_r0.5");
  const bp::resource res = p.make_resource();
  CHECK(res.proc_region.dim() == bp::phy_dim2{8, 8});
  CHECK(res.size_gbuf == 65536);
  CHECK(res.size_regf == 256);
  CHECK(res.dram_region.dim() == bp::phy_dim2{2, 2});  // the four corners
  const bp::options o = p.make_options(bp::opt_goal::d);
  CHECK(o.sw_solve_loopblocking);
  CHECK(o.partition_hybrid);
  CHECK(o.hw_access_forwarding);
  CHECK(o.partition_interlayer);
  CHECK_FALSE(o.hw_gbuf_save_writeback);
  CHECK(o.goal == bp::opt_goal::d);
  CHECK(o.ntops == 1);
  CHECK_FALSE(o.tangram_quirks);
}

TEST_CASE("design point: tags name every changed factor and stay unique", "[experiments]") {
  bp::design_point p;
  p.gbuf_bytes = 32 * 1024;
  CHECK(p.tag() == "n8x8_a16x16_g32k_b4_r0.5");
  p = {};
  p.mesh_h = p.mesh_w = 16;
  p.dram_bw_ratio = bp::inf;
  CHECK(p.tag() == "n16x16_a16x16_g128k_b4_rinf");
  p = {};
  p.dram_bw_ratio = 2;
  p.max_degree = 4;
  p.max_util_drop = 0.1;
  CHECK(p.tag() == "n8x8_a16x16_g128k_b4_r2_d4_u0.1");
  p = {};
  p.gbuf_bytes = 100000;
  p.regf_bytes = 256;
  p.word_bits = 8;
  p.dram = bp::dram_placement::stacked_3d;
  CHECK(p.tag() == "n8x8_a16x16_g100000_b4_r0.5_f256_w8_3d");
  const bp::run_id id{"resnet50", bp::design_point{}, "bp_intra", "nf_lrf", bp::opt_goal::e};
  CHECK(id.stem() == "resnet50_n8x8_a16x16_g128k_b4_r0.5_bp_intra_nf_lrf_e");
}

TEST_CASE("design point: bad values name the field", "[experiments]") {
  bp::design_point p;
  p.mesh_h = 0;
  CHECK_THROWS_AS(p.validate(), bp::invalid_spec);
  CHECK_THROWS_WITH(p.validate(), Contains("design_point.mesh_h = 0"));
  p = {};
  p.dram_bw_ratio = 0;
  CHECK_THROWS_WITH(p.make_resource(), Contains("design_point.dram_bw_ratio = 0.0"));
  p = {};
  p.max_util_drop = 1.5;
  CHECK_THROWS_AS(p.validate(), bp::invalid_option);
  CHECK_THROWS_WITH(p.validate(), Contains("design_point.max_util_drop = 1.5"));
}

TEST_CASE("design point: the resource and options of Tangram's own run with the experiments' flags",
          "[experiments]") {
  const bp::json::value g = bp::json::parse(bp_test::read_data("golden/alex_net__n4x4_a16x16_r512_g128k__tangram_b16_gd.json"))["result"];
  const bp::design_point p = golden_point();
  CHECK(p.make_resource() == bp::report::resource_from_json(g["resource"]));
  bp::options o = p.make_options(bp::opt_goal::d);
  o.tangram_quirks = true;  // the only difference: the experiments fix Tangram's quirks
  o.nprocesses = 2;         // the golden's -p 2 (never changes results)
  CHECK(bp::json::dump(bp::report::to_json(o)) == bp::json::dump(g["options"]));
}

TEST_CASE("methods: the registry lists every method of model note 7.1 in report order", "[experiments]") {
  const auto all = bp::methods();
  REQUIRE(all.size() == 7);
  const char* names[] = {"tangram", "dp_tangram", "relaxed_dram", "bp_intra", "bp_inter", "bp_both", "ideal"};
  for (std::size_t i = 0; i < all.size(); ++i) CHECK(all[i].name == names[i]);
  CHECK(all[0].available());
  CHECK(all[0].accepts("none"));
  CHECK_FALSE(all[0].accepts("nf_lrf"));
  CHECK(bp::find_method("bp_intra").accepts("best_fit"));
  CHECK(bp::find_method("bp_intra").policies.front() == "nf_lrf");
  for (const auto& m : all)
    if (!m.available()) CHECK_FALSE(m.pending.empty());
  CHECK_THROWS_AS(bp::find_method("bp"), bp::unknown_name);
  CHECK_THROWS_WITH(bp::find_method("bp"), Contains("method = bp: must be one of tangram, dp_tangram"));
}

TEST_CASE("methods: tangram is Tangram's beam search; wrong policies and pending methods throw", "[experiments]") {
  const bp::network net = bp::zoo::make("mlp_s");
  bp::design_point p;
  p.mesh_h = p.mesh_w = 2;
  const bp::resource res = p.make_resource();
  const bp::options opt = p.make_options(bp::opt_goal::e);
  const bp::cost_values costs;
  const bp::method_outcome o = bp::run_method("tangram", {net, p.batch, res, costs, opt});
  const bp::search_result direct = bp::tangram_search(net, p.batch, res, costs, opt);
  REQUIRE(o.search.tops.size() == 1);
  REQUIRE(direct.tops.size() == 1);
  CHECK(o.search.tops.front().total_cost() == direct.tops.front().total_cost());
  CHECK(o.search.tops.front().total_time() == direct.tops.front().total_time());
  CHECK_FALSE(o.log.empty());
  CHECK(o.log.front().rfind("-> ", 0) == 0);  // Tangram's verbose lines: "-> layer", "  - segment"
  CHECK(o.buffers.empty());
  CHECK(o.held_edges.empty());

  CHECK_THROWS_WITH(bp::run_method("tangram", {net, p.batch, res, costs, opt, "nf_lrf"}),
                    Contains("method tangram: policy = nf_lrf: must be one of none"));
  for (const auto& m : bp::methods())
    if (!m.available())
      CHECK_THROWS_WITH(bp::run_method(m.name, {net, p.batch, res, costs, opt, m.policies.front()}),
                        Contains("is not available yet"));
}

TEST_CASE("methods: max_util_drop reaches the node split", "[experiments]") {
  // googlenet's inception segments need a looser split than 0.05 on some meshes; what matters
  // here is that a tighter bound can only remove candidates: energy never improves.
  const bp::network net = bp::zoo::make("mlp_m");
  bp::design_point p;
  p.mesh_h = p.mesh_w = 4;
  const bp::resource res = p.make_resource();
  const bp::options opt = p.make_options(bp::opt_goal::e);
  const bp::cost_values costs;
  const bp::method_outcome loose = bp::run_method("tangram", {net, p.batch, res, costs, opt, "none", 1.0});
  const bp::method_outcome tight = bp::run_method("tangram", {net, p.batch, res, costs, opt, "none", 0.0});
  REQUIRE(!loose.search.tops.empty());
  REQUIRE(!tight.search.tops.empty());
  CHECK(loose.search.tops.front().total_cost() <= tight.search.tops.front().total_cost());
  CHECK(loose.log.size() > tight.log.size());  // more candidate segments were evaluated
}

TEST_CASE("methods: bp_intra reports the prospector's records of its best scheme", "[experiments]") {
  // densenet121_block at the default point: the dense block's concatenations give held edges.
  const bp::network net = bp::zoo::make("densenet121_block");
  const bp::design_point p;
  const bp::resource res = p.make_resource();
  const bp::options opt = p.make_options(bp::opt_goal::e);
  const bp::cost_values costs;
  const bp::method_outcome o = bp::run_method("bp_intra", {net, p.batch, res, costs, opt, "nf_lrf"});
  REQUIRE(!o.search.tops.empty());
  const bp::network_scheme& best = o.search.tops.front();
  const bp::prospector_totals t = bp::prospector_totals_of(best);
  REQUIRE(t.held_edges > 0);
  CHECK(static_cast<std::int64_t>(o.held_edges.size()) == t.held_edges);
  std::int64_t words = 0;
  for (const bp::hold_report& h : o.held_edges) {
    words += h.words;
    std::int64_t placed = 0;
    for (const bp::hold_placement& x : h.placements) placed += x.words;
    CHECK(placed == h.words);
    CHECK(h.segment == h.last_segment);  // intra-segment holds
  }
  CHECK(words == t.held_words);
  CHECK(o.failed_alloc_segments == 0);  // fallback reject: failed segments never reach the result
  std::int64_t relaxed = 0;
  for (const bp::segment_buffer_use& b : o.buffers) {
    CHECK(b.usage.size() == 64u);
    CHECK(b.held.size() == 64u);
    relaxed += b.relaxed;
  }
  CHECK(relaxed == t.relaxed_segments);

  // The metrics agree with the prospector's own totals where they overlap.
  const std::vector<bp::segment_report> segs = bp::segment_reports(best, o, res, opt, p.max_util_drop);
  const bp::run_metrics m = bp::compute_run_metrics(best, costs, segs, o);
  CHECK(m.n_held_edges == t.held_edges);
  CHECK(m.held_words == t.held_words);
  CHECK(m.n_relaxed_segments == t.relaxed_segments);
  if (o.buffers.size() == best.segment_time_list().size()) {  // every segment has a record
    CHECK(m.buf_util_before == Approx(t.utilization_before).epsilon(1e-12));
    CHECK(m.buf_util_after == Approx(t.utilization_after).epsilon(1e-12));
  }
  CHECK(m.buf_util_after > m.buf_util_before);
}
