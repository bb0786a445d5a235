// tests/scheduler/test_layer_scheduler.cpp -- single-layer schedules against Tangram v2.1.
//
// Data:
//   golden/layers/*.json      Tangram's single-layer goldens (shared/reference/golden/layers,
//                             copied unchanged; each holds its exact `layer` command).
//   scheduler/cases/*.json    corner cases produced by tests/data/scheduler/make_cases.py (the
//                             `layer ... --brief` command is in each file) and
//                             make_quirks_off.py (the reference with the Eyeriss assertion
//                             turned into "skip this mapping").
// Each case is redone in-process as the `layer` tool does it (layer_tool.hpp) and every number
// the tool printed is compared: ints exactly, floats within 1e-9 relative, same keys, and the
// same JSON types (Python int vs float).
#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <bufferprospector/core/error.hpp>
#include <bufferprospector/intra/input_layout.hpp>
#include <bufferprospector/intra/layer_scheduler.hpp>
#include <bufferprospector/report/json.hpp>
#include <bufferprospector/report/tangram_json.hpp>

#include "layer_tool.hpp"
#include "test_data.hpp"

namespace {

namespace json = bp::json;
using bp_test::case_from_result;
using bp_test::compare_with_tool;
using bp_test::run_layer_tool;

std::string join(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

/// Runs one file and checks it against the tool's output; returns the number of differences.
void check_file(const std::string& relative) {
  INFO(relative);
  const json::value doc = json::parse(bp_test::read_data(relative));
  const json::value& result = doc["result"];
  REQUIRE(result.is_object());
  bp_test::layer_case c = case_from_result(result);
  if (const json::value* q = doc.find("bp_tangram_quirks")) c.opt.tangram_quirks = q->as_bool();
  REQUIRE_FALSE(c.choices.empty());
  const auto tops = run_layer_tool(c);
  if (result.contains("error")) {  // the tool found no valid schedule
    CHECK(tops.empty());
    return;
  }
  const auto diffs = compare_with_tool(result, c, tops);
  INFO(join(diffs));
  CHECK(diffs.empty());
}

// Single-layer goldens. The exhaustive-loop-blocking ones (no --solve-loopblocking, and every
// pooling/eltwise/LR layer) are also fast in C++ except where tagged slow below.
const std::vector<std::string> golden_fast{
    "conv_c128_m256_o56_f3__n16x16_a8x8_r64_g32k__accfwd_b64_ge.json",
    "conv_c128_m256_o56_f3__n4x4_a16x16_r512_g128k__accfwd_b16_gd.json",
    "conv_c128_m256_o56_f3__n4x4_a16x16_r512_g128k__accfwd_b16_ge.json",
    "conv_c128_m256_o56_f3__n4x4_a16x16_r512_g128k__accfwd_b1_ge.json",
    "conv_c16_m32_o28_f3__n2x2_a8x8_r64_g32k__exh-bufshr_b4_ge.json",
    "conv_c16_m32_o28_f3__n2x2_a8x8_r64_g32k__exh-perlayer_b4_ge.json",
    "conv_c256_m64_o56_f1__n2x2_a8x8_r64_g32k__perlayer_b16_ge.json",
    "conv_c256_m64_o56_f1__n4x4_a16x16_r512_g128k__perlayer_b16_ge_notimemux.json",
    "conv_c32_m64_o14x28_f3x5_s1x2__n2x2_a8x8_r64_g32k__perlayer_b16_ge.json",
    "conv_c3_m48_o55_f11_s4_in224__n2x2_a8x8_r64_g32k__perlayer_b16_ge.json",
    "conv_c3_m48_o55_f11_s4_in224__n4x4_a16x16_r512_g128k__perlayer_b16_ge.json",
    "conv_c512_m512_o14_f3__n4x4_a16x16_r512_g128k__perlayer_b16_ge_top3.json",
    "conv_c64_m192_o28_f3__n4x4_a16x16_r512_g128k__accfwd_b16_ge_batchp_ifmp.json",
    "conv_c64_m192_o28_f3__n4x4_a16x16_r512_g128k__accfwd_b16_ge_mem3D.json",
    "conv_c96_m256_o27_f5_prevpart__n4x4_a16x16_r512_g128k__accfwd_b16_ge.json",
    "eltwise_m256_o56_n2__n4x4_a16x16_r512_g128k__perlayer_b16_ge.json",
    "eltwise_m512_o1_n2__n2x2_a8x8_r64_g32k__accfwd_b64_ge.json",
    "eltwise_m64_o28_n3__n2x2_a8x8_r64_g32k__exh-perlayer_b2_ge.json",
    "fc_c256_m4096_f6__n4x4_a16x16_r512_g128k__accfwd_b16_ge.json",
    "fc_c4096_m1000__n2x2_a8x8_r64_g32k__accfwd_b64_ge.json",
    "fc_c4096_m1000__n4x4_a16x16_r512_g128k__perlayer_b16_ge.json",
    "fc_c512_m256__n2x2_a8x8_r64_g32k__exh-accfwd_b8_ge.json",
    "lr_m96_o55_n5__n2x2_a8x8_r64_g32k__perlayer_b16_ge.json",
    "pool_m48_o27_r3_s2__n2x2_a8x8_r64_g32k__perlayer_b16_ge.json",
    "pool_m512_o7_r2__n4x4_a16x16_r512_g128k__accfwd_b1_ge.json",
    "pool_m64_o56_r2__n4x4_a16x16_r512_g128k__perlayer_b16_ge.json",
};
const std::vector<std::string> golden_slow{};

// Corner cases generated with make_cases.py (and make_quirks_off.py for the *_quirks_off one).
const std::vector<std::string> cases_fast{
    "conv_c128_m128_o28_f3__medium__perlayer_b16_mem3D.json",
    "conv_c128_m256_o28_f3__medium__accfwd_b16_dram2.json",
    "conv_c16_m32_o14_f3__n2x2_a3x5__perlayer_b4.json",
    "conv_c16_m32_o14_f3__small__exh-perlayer_b4_gd.json",
    "conv_c256_m256_o14_f3__medium__accfwd_b16_batchp_ifmp.json",
    "conv_c256_m256_o14_f3__medium__perlayer_b16_top3.json",
    "conv_c32_m64_o28_f3__n3x5_a12x14__accfwd_b8.json",
    "conv_c32_m64_o28_f3__small__exh-bufshr_b8.json",
    "conv_c64_m128_o28_f3__medium__perlayer_b16_bus64.json",
    "conv_c64_m128_o28_f3_s2__medium__accfwd_b16.json",
    "conv_c64_m128_o56_f3_in56__medium__perlayer_b16.json",
    "conv_c64_m64_o28_f3__small__perlayer_b8_word8.json",
    "conv_c64_m64_o56_f3__small__perlayer_b1.json",
    "conv_c96_m128_o14_f3_prev2__medium__accfwd_b16.json",
    "conv_c96_m256_o27_f5__medium__accfwd_b16_costs.json",
    "conv_c96_m256_o27_f5__medium__accfwd_b16_ged.json",
    "conv_c96_m256_o27_f5__medium__accfwd_b16_idle1000.json",
    "eltwise_m64_o14_n3__small__accfwd_b8.json",
    "fc_c1024_m1024__medium__accfwd_b16_notimemux.json",
    "fc_c1024_m512__small__perlayer_b8_nobypass_i.json",
    "fc_c2048_m1000__medium__perlayer_b1.json",
    "fc_c512_m512__small__perlayer_b8_novalid.json",
    "lr_m32_o14_r3_s2__small__perlayer_b4.json",
    "pool_m64_o27_r3_s2__medium__perlayer_b4.json",
    "conv_c3_m96_o55_f11_s4__n4x4_a8x12__perlayer_b4_quirks_off.json",
    "pool_m64_o27_r3_s2__medium__perlayer_b4_quirks_off.json",
};
const std::vector<std::string> cases_slow{};

std::size_t json_files_in(const std::string& relative) {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(bp_test::data_path(relative)))
    n += e.path().extension() == ".json" ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("layer_scheduler: every data file is listed in a test", "[scheduler]") {
  CHECK(json_files_in("golden/layers") == golden_fast.size() + golden_slow.size());
  // + the assertion case, checked on its own below.
  CHECK(json_files_in("scheduler/cases") == cases_fast.size() + cases_slow.size() + 1);
}

TEST_CASE("layer_scheduler: Tangram's single-layer goldens", "[scheduler]") {
  for (const auto& f : golden_fast) {
    DYNAMIC_SECTION(f) { check_file("golden/layers/" + f); }
  }
}

TEST_CASE("layer_scheduler: Tangram's single-layer goldens (slow)", "[scheduler][slow]") {
  for (const auto& f : golden_slow) {
    DYNAMIC_SECTION(f) { check_file("golden/layers/" + f); }
  }
}

TEST_CASE("layer_scheduler: corner cases against the layer tool", "[scheduler]") {
  for (const auto& f : cases_fast) {
    DYNAMIC_SECTION(f) { check_file("scheduler/cases/" + f); }
  }
}

TEST_CASE("layer_scheduler: corner cases against the layer tool (slow)", "[scheduler][slow]") {
  for (const auto& f : cases_slow) {
    DYNAMIC_SECTION(f) { check_file("scheduler/cases/" + f); }
  }
}

TEST_CASE("layer_scheduler: the Eyeriss < 50% assertion is Tangram's error only with the quirks",
          "[scheduler]") {
  // `layer` exits 1 with this AssertionError (8x12 PEs, 4x4 nodes: a conv1-like layer folds to
  // 6x7 of 8x12 PEs for some partitions).
  const json::value doc =
      json::parse(bp_test::read_data("scheduler/cases/conv_c3_m96_o55_f11_s4__n4x4_a8x12__perlayer_b4_assert.json"));
  REQUIRE(doc["exit_status"].as_int() == 1);
  const std::string tail = doc["stderr_tail"].as_string();
  const std::string prefix = "AssertionError: ";
  REQUIRE(tail.rfind(prefix, 0) == 0);
  const std::string message = tail.substr(prefix.size());

  // Same case as the quirks-off reference file, whose inputs we reuse.
  const json::value off = json::parse(
      bp_test::read_data("scheduler/cases/conv_c3_m96_o55_f11_s4__n4x4_a8x12__perlayer_b4_quirks_off.json"));
  bp_test::layer_case c = case_from_result(off["result"]);
  REQUIRE(c.opt.tangram_quirks);
  try {
    run_layer_tool(c);
    FAIL("no tangram_assertion thrown");
  } catch (const bp::tangram_assertion& e) {
    CHECK(std::string(e.what()) == message);
  }
  // Off: the mapping is skipped and the other partitions compete (checked against the patched
  // reference in the corner-case list); here just that it is not an error.
  c.opt.tangram_quirks = false;
  CHECK_FALSE(run_layer_tool(c).empty());
}

TEST_CASE("layer_scheduler: invalid ifmap layouts throw Tangram's messages", "[scheduler]") {
  using Catch::Matchers::Equals;
  const bp::layer conv = bp::layers::conv{.nifm = 16, .nofm = 32, .sofm = 14, .sfil = 3};
  const bp::phy_dim2 mesh{2, 2};
  const bp::node_region proc(mesh, {0, 0}, bp::region_type::proc);
  const bp::node_region dram = bp::dram_region_of(mesh, bp::dram_placement::edge_2d);
  const bp::resource res{proc, dram, dram, dram, {8, 8}, 16384, 32, bp::inf, bp::inf, false};
  bp::options opt;
  opt.sw_solve_loopblocking = true;
  bp::layer_scheduler<> sched(conv, 4, bp::cost_values{});
  bp::per_parallel<bp::phy_dim2> pdims;
  pdims.fill({1, 1});
  pdims[bp::parallel_dim::ofmp] = mesh;
  const bp::partition_scheme part(bp::all<bp::parallel_dim>, pdims);

  // Not in the source region (nor the processing region): a DRAM region elsewhere.
  const bp::node_region far({2, 2}, {5, 5}, bp::region_type::dram);
  const bp::data_layout outside = bp::region_layout({{0, 0, 0, 0}, {4, 16, 16, 16}}, far, part);
  CHECK_THROWS_MATCHES(sched.schedule_search({res, {}, outside, {}}, opt), bp::invalid_network,
                       Catch::Matchers::Message("Scheduling: ifmap layout is not contained in source data region."));
  // Wrong batch, channels, or an fmap too small even with padding.
  for (const bp::fmap_range& bad : {bp::fmap_range{{0, 0, 0, 0}, {2, 16, 16, 16}},
                                    bp::fmap_range{{0, 0, 0, 0}, {4, 8, 16, 16}},
                                    bp::fmap_range{{0, 0, 0, 0}, {4, 16, 13, 16}}}) {
    CHECK_THROWS_MATCHES(sched.schedule_search({res, {}, bp::region_layout(bad, dram, part), {}}, opt),
                         bp::invalid_network,
                         Catch::Matchers::Message("Scheduling: ifmap layout does not match input layer."));
  }
  // Padding down to hofm * strd (14) is fine.
  CHECK_FALSE(sched.schedule_search({res, {}, bp::region_layout({{0, 0, 0, 0}, {4, 16, 14, 14}}, dram, part), {}}, opt)
                  .empty());
}

TEST_CASE("layer_scheduler: bad batch sizes are refused", "[scheduler]") {
  using Catch::Matchers::Contains;
  const bp::layer conv = bp::layers::conv{.nifm = 16, .nofm = 32, .sofm = 14, .sfil = 3};
  CHECK_THROWS_WITH(bp::layer_scheduler<>(conv, 0, bp::cost_values{}), Contains("batch = 0 must be > 0"));
  CHECK_THROWS_WITH(bp::layer_scheduler<>(conv, std::int64_t{1} << 50, bp::cost_values{}), Contains("overflow"));
  CHECK_THROWS_AS(bp::layer_scheduler<>(bp::layers::input{.nofm = 3, .sofm = 8}, 1, bp::cost_values{}), bp::invalid_layer);
}

TEST_CASE("layer_scheduler: a shared cache serves repeated searches with identical results", "[scheduler]") {
  const json::value doc =
      json::parse(bp_test::read_data("golden/layers/conv_c256_m64_o56_f1__n2x2_a8x8_r64_g32k__perlayer_b16_ge.json"));
  const bp_test::layer_case c = case_from_result(doc["result"]);
  REQUIRE(c.choices.size() > 1);
  auto cache = std::make_shared<bp::layer_schedule_cache>();

  const auto first = run_layer_tool(c, cache);
  const auto after_first = cache->node_stats();
  // Every ifmap layout re-uses the per-node searches of the first one: hits, as Tangram's
  // schedule_search_per_node cache.
  CHECK(after_first.hits > 0);
  CHECK(after_first.misses > 0);
  CHECK(cache->search_stats().misses == static_cast<std::int64_t>(c.choices.size()));

  // A second scheduler on the same cache: every search is a hit, and nothing changes.
  const auto second = run_layer_tool(c, cache);
  CHECK(cache->search_stats().hits == static_cast<std::int64_t>(c.choices.size()));
  CHECK(cache->node_stats().misses == after_first.misses);
  REQUIRE(first.size() == second.size());
  const auto diffs = bp_test::json_diff(bp::report::scheme_json(first[0].sched, c.cost),
                                        bp::report::scheme_json(second[0].sched, c.cost), "scheme");
  CHECK(diffs.empty());

  // A different batch is a different key: no hit.
  bp_test::layer_case c2 = c;
  c2.batch = 8;
  c2.choices.clear();
  const auto before = cache->search_stats();
  bp::layer_scheduler<> s8(c2.l, 8, c2.cost.values(), cache);
  const bp::layer in = bp::layers::input{.nofm = c.l.nifm(), .sofm = {c.l.hifm(), c.l.wifm()}};
  const auto cand = bp::input_layouts(in, {}, 8, c.res.src_data_region, c.opt);
  s8.schedule_search({c.res, {}, cand.front().input, {1, 2, 3}}, c.opt);
  CHECK(cache->search_stats().misses == before.misses + 1);

  // The seq is part of the key, as in Tangram (whose memo decides which hop counts it reuses).
  const auto again = s8.schedule_search({c.res, {}, cand.front().input, {1, 2, 3}}, c.opt);
  CHECK(cache->search_stats().hits == before.hits + 1);
  const auto other = s8.schedule_search({c.res, {}, cand.front().input, {4, 5, 6}}, c.opt);
  CHECK(cache->search_stats().misses == before.misses + 2);
  REQUIRE_FALSE(again.empty());
  REQUIRE_FALSE(other.empty());
  CHECK(again[0].seq == bp::sched_seq{1, 2, 3});
  CHECK(other[0].seq == bp::sched_seq{4, 5, 6});
  CHECK(other[0].cost == again[0].cost);
}

TEST_CASE("layer_scheduler: without the quirks an N-input eltwise reads all N operands", "[scheduler]") {
  // Tangram charges a LocalRegionLayer one ifmap channel per ofmap channel, so a 3-input
  // eltwise reads a third of its operands (model note 2.8); with the quirks off it reads all.
  const json::value doc = json::parse(bp_test::read_data("scheduler/cases/eltwise_m64_o14_n3__small__accfwd_b8.json"));
  bp_test::layer_case c = case_from_result(doc["result"]);
  REQUIRE(c.l.nreg() == 3);
  const auto on = run_layer_tool(c);
  c.opt.tangram_quirks = false;
  const auto off = run_layer_tool(c);
  REQUIRE_FALSE(on.empty());
  REQUIRE_FALSE(off.empty());
  using bp::data_category;
  using bp::mem_level;
  // The operands come from DRAM once either way (this case keeps the same blocking).
  CHECK(on[0].sched.access[mem_level::dram][data_category::ifm] == 100352.0);  // = the tool's number
  CHECK(off[0].sched.access[mem_level::dram][data_category::ifm] == 3 * 100352.0);
  CHECK(off[0].sched.total_cost() > on[0].sched.total_cost());
}

TEST_CASE("layer_scheduler: diagnose() says what left a search empty", "[scheduler]") {
  const auto resource_of = [](bp::phy_dim2 mesh, bp::phy_dim2 array, std::int64_t gbuf, std::int64_t regf) {
    const bp::node_region proc(mesh, {0, 0}, bp::region_type::proc);
    const bp::node_region dram = bp::dram_region_of(mesh, bp::dram_placement::edge_2d);
    return bp::resource{proc, dram, dram, dram, array, gbuf, regf, bp::inf, bp::inf, false};
  };
  bp::options opt;
  opt.sw_solve_loopblocking = true;
  opt.partition_hybrid = true;

  // AlexNet's pool1 on 8x12 PEs: every mapping of every partitioning folds to < 50% of the
  // array, so without the quirks nothing is left (with them, Tangram's assertion).
  const bp::layer pool = bp::layers::pooling{.nofm = 48, .sofm = 27, .sreg = 3, .strd = bp::size2{2}};
  const bp::resource r8x12 = resource_of({4, 4}, {8, 12}, 16384, 32);
  bp::layer_scheduler<> ps(pool, 16, bp::cost_values{});
  const bp::search_diagnosis d = ps.diagnose(r8x12, {}, opt);
  CHECK(d.partitions > 0);
  CHECK(d.mappings == d.partitions);
  CHECK(d.low_utilization_mappings == d.mappings);
  CHECK(d.blockings == 0);
  opt.tangram_quirks = false;
  const bp::layer in = bp::layers::input{.nofm = 48, .sofm = {pool.hifm(), pool.wifm()}};
  const auto cand = bp::input_layouts(in, {}, 16, r8x12.src_data_region, opt);
  CHECK(ps.schedule_search({r8x12, {}, cand.front().input, {}}, opt).empty());
  opt.tangram_quirks = true;
  CHECK_THROWS_AS(ps.schedule_search({r8x12, {}, cand.front().input, {}}, opt), bp::tangram_assertion);

  // Nothing may bypass the gbuf (mlp_m's null golden): the analytical solver, which keeps one
  // category in the gbuf and bypasses the others, proposes nothing whatever the gbuf size ...
  opt.sw_gbuf_bypass = {{false, false, false}};
  const bp::layer fc = bp::layers::fc{.nifm = 784, .nofm = 1000};
  const bp::layer_scheduler<> fs(fc, 16, bp::cost_values{});
  for (std::int64_t gbuf : {std::int64_t{16384}, std::int64_t{1} << 22}) {
    const bp::search_diagnosis f = fs.diagnose(resource_of({2, 2}, {8, 8}, gbuf, 32), {}, opt);
    CHECK(f.low_utilization_mappings == 0);
    CHECK(f.mappings == f.partitions);
    CHECK(f.blockings == 0);
  }
  // ... while the exhaustive search finds blockings, valid ones once the gbuf is large enough.
  opt.sw_solve_loopblocking = false;
  const bp::search_diagnosis tiny = fs.diagnose(resource_of({2, 2}, {8, 8}, 1, 32), {}, opt);
  CHECK(tiny.blockings > 0);
  CHECK(tiny.valid_blockings == 0);
  const bp::search_diagnosis roomy = fs.diagnose(resource_of({2, 2}, {8, 8}, 16384, 32), {}, opt);
  CHECK(roomy.valid_blockings > 0);
}
