// tests/segment_search/test_scheduler.cpp -- the facade bp::scheduler<Spec, SegmentSearch,
// AllocPolicy, LoopBlockingSearch> and the type-erased bp::schedule: Tangram mode (beam +
// no_prospecting) is Tangram's search, number for number, whatever way the chip is described;
// the DP is the other segment search; names are checked at run time, types at compile time.
//
// Data: golden/alex_net__n4x4_a16x16_r512_g128k__tangram_b16_ge.json (shared/reference/tangram/run
// alex_net --batch 16 --nodes 4 4 --array 16 16 --regf 512 --gbuf 131072 --solve-loopblocking
// --hybrid-partition --enable-access-forwarding --interlayer-partition -g e -p 2).
#include <catch2/catch.hpp>

#include <string>

#include <bufferprospector/prospector/policies.hpp>
#include <bufferprospector/search/prospector_search.hpp>
#include <bufferprospector/search/scheduler.hpp>

#include "segment_search/segment_search_util.hpp"

namespace {

using namespace bp;

options golden_options() {
  options o;
  o.sw_solve_loopblocking = true;
  o.partition_hybrid = true;
  o.hw_access_forwarding = true;
  o.partition_interlayer = true;
  return o;
}

}  // namespace

TEST_CASE("scheduler: policies are checked at compile time", "[segment_search]") {
  STATIC_REQUIRE(segment_search_tag<beam>);
  STATIC_REQUIRE(segment_search_tag<dp>);
  STATIC_REQUIRE_FALSE(segment_search_tag<int>);
  STATIC_REQUIRE_FALSE(segment_search_tag<beam_search<>>);  // a model, not a tag
  STATIC_REQUIRE(chip_spec<runtime_spec>);
  STATIC_REQUIRE(chip_spec<tangram_chip<4, 4>>);
  STATIC_REQUIRE_FALSE(chip_spec<resource>);
  STATIC_REQUIRE(std::is_same_v<scheduler<runtime_spec, dp, nf_lrf>::search_type, dp_search<tangram_loop_blocking, nf_lrf>>);
  STATIC_REQUIRE(std::is_same_v<scheduler<runtime_spec>::search_type, beam_search<tangram_loop_blocking, no_prospecting>>);
}

TEST_CASE("scheduler: Tangram mode is Tangram's search on a static and a dynamic chip (golden)", "[segment_search]") {
  const auto g = bp_test::load_golden("alex_net__n4x4_a16x16_r512_g128k__tangram_b16_ge.json");
  REQUIRE(g);
  const double cost = g->result["total_cost"].as_double();
  const auto time = g->result["total_time"].as_int();

  // Static: 16x16 PEs, 4x4 mesh, 256-word regf, 65536-word gbuf (512 B and 128 KiB of 16-bit words).
  const tangram_chip<4, 4> fixed{{}, {}, memory_hierarchy<256, 65536>{{}}};
  // Dynamic: the same chip chosen at run time.
  const runtime_spec dynamic{pe_array<>{16, 16}, node_mesh<>{4, 4}, memory_hierarchy<>{{.regf_words = 256, .gbuf_words = 65536}}};
  REQUIRE(make_resource(fixed) == g->res);
  REQUIRE(make_resource(dynamic) == g->res);

  const search_result a = scheduler<tangram_chip<4, 4>>(fixed, golden_options()).run(g->net, 16);
  const search_result b = scheduler<runtime_spec, beam>(dynamic, golden_options()).run(g->net, 16);
  const search_result c = scheduler<runtime_spec, dp>(dynamic, golden_options()).run(g->net, 16);
  const search_result d = schedule(dynamic, g->net, golden_options(), {.batch = 16});
  const search_result e = schedule(dynamic, g->net, golden_options(), {.batch = 16, .segment_search = "dp"});
  for (const search_result* r : {&a, &b, &c, &d, &e}) {
    REQUIRE_FALSE(r->tops.empty());
    CHECK(r->tops.front().total_cost() == cost);
    CHECK(r->tops.front().total_time() == time);
  }
}

TEST_CASE("scheduler: a policy by type or by name gives the same search", "[segment_search]") {
  const network net = zoo::make("mlp_m");
  const runtime_spec chip{pe_array<>{8, 8}, node_mesh<>{2, 2}, memory_hierarchy<>{{.regf_words = 32, .gbuf_words = 16384}}};
  options opt = golden_options();
  opt.tangram_quirks = false;
  const search_problem p{net, 16, make_resource(chip), cost_values{}, opt};
  const search_result by_type = scheduler<runtime_spec, dp, best_fit>(chip, opt).run(net, 16);
  const search_result by_name = schedule(chip, net, opt, {.batch = 16, .segment_search = "dp", .policy = "best_fit"});
  const search_result beam_by_name = search_with_policy("best_fit", p);
  REQUIRE_FALSE(by_type.tops.empty());
  CHECK(by_type.tops.front().total_cost() == by_name.tops.front().total_cost());
  CHECK(by_type.tops.front().total_cost() == beam_by_name.tops.front().total_cost());

  // The DP log reaches the caller through the hooks.
  search_log log;
  (void)schedule(chip, net, opt, {.batch = 16, .segment_search = "dp", .policy = "nf_lrf", .hooks = {.log = &log}});
  CHECK_FALSE(log.transitions.empty());
  CHECK(log.objective_cost);
}

TEST_CASE("scheduler: unknown names and bad options throw, naming the field", "[segment_search]") {
  const network net = zoo::make("mlp_s");
  const runtime_spec chip{pe_array<>{8, 8}, node_mesh<>{2, 2}, memory_hierarchy<>{{.regf_words = 32, .gbuf_words = 16384}}};
  using Catch::Matchers::Contains;
  CHECK_THROWS_AS(schedule(chip, net, golden_options(), {.segment_search = "greedy"}), unknown_name);
  CHECK_THROWS_WITH(schedule(chip, net, golden_options(), {.segment_search = "greedy"}),
                    Contains("segment search = greedy: must be one of beam, dp"));
  CHECK_THROWS_WITH(schedule(chip, net, golden_options(), {.policy = "lru"}),
                    Contains("buffer allocation policy = lru: must be one of none, nf_lrf"));
  options bad = golden_options();
  bad.prospector.dp = static_cast<dp_mode>(7);
  CHECK_THROWS_AS((scheduler<runtime_spec, dp>(chip, bad)), invalid_option);
  CHECK_THROWS_WITH((scheduler<runtime_spec, dp>(chip, bad)), Contains("prospector_settings.dp = 7"));
  bad = golden_options();
  bad.prospector.holds = static_cast<hold_mode>(9);
  CHECK_THROWS_WITH(schedule(chip, net, bad, {.segment_search = "dp"}), Contains("prospector_settings.holds = 9"));
}
