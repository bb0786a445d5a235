// tests/segment_search/test_dp_golden.cpp -- the DP segment search's self-check (model note 6.4 and
// 7.1 dp_tangram): over Tangram's candidates with no_prospecting, in prefix mode, it gives
// Tangram's result, every key of nn_dataflow_search.py's JSON equal, on Tangram's goldens.
//
// Data: golden/*.json (shared/reference/golden copied unchanged; each holds its exact command,
// e.g. shared/reference/tangram/run alex_net --batch 16 --nodes 4 4 --array 16 16 --regf 512
// --gbuf 131072 --solve-loopblocking --hybrid-partition --enable-access-forwarding
// --interlayer-partition -g e -p 2). The run's inputs are read back from the golden's own
// "resource", "cost" and "options". "elapsed" and "cache_stats" depend on the run.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <bufferprospector/report/search_json.hpp>
#include <bufferprospector/search/beam_search.hpp>
#include <bufferprospector/search/dp_search.hpp>

#include "scheduler/layer_tool.hpp"  // bp_test::json_diff
#include "segment_search/segment_search_util.hpp"

namespace {

namespace json = bp::json;
namespace r = bp::report;

json::value without_run_fields(const json::value& v) {
  json::value out = json::value::object();
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v.keys()[i] != "elapsed" && v.keys()[i] != "cache_stats") out.set(v.keys()[i], v.elements()[i]);
  return out;
}

void check_dp_golden(const std::string& file) {
  INFO(file);
  const auto g = bp_test::load_golden(file);
  if (!g) return;  // Tangram found nothing; the CLI tests rebuild those
  bp::search_log log;
  const bp::search_problem p{g->net, g->batch, g->res, g->cost.values(), g->opt};
  const bp::search_result result = bp::dp_search<>{.log = &log}.search(p);
  REQUIRE_FALSE(result.tops.empty());
  const r::search_run run{.net_name = g->net_name, .batch = g->batch, .res = g->res, .cost = g->cost, .opt = g->opt};
  const auto diffs = bp_test::json_diff(without_run_fields(g->result),
                                        without_run_fields(r::search_json(run, result.tops.front())), "result");
  std::string text;
  for (std::size_t i = 0; i < diffs.size() && i < 30; ++i) text += diffs[i] + "\n";
  INFO(text);
  CHECK(diffs.empty());

  // The log: its objective is the result, its final segmentation the result's, and every
  // transition of the final path entered its dp state.
  REQUIRE(log.objective_cost);
  CHECK(*log.objective_cost == result.tops.front().total_cost());
  CHECK(*log.objective_time == result.tops.front().total_time());
  CHECK(static_cast<std::int64_t>(log.final_segments.size()) == result.tops.front().last_seg_idx() + 1);
  std::size_t on_path = 0;
  for (const auto& t : log.transitions)
    if (t.on_final_path) {
      ++on_path;
      CHECK(t.chosen);
      CHECK(t.report.outcome == bp::transition_outcome::valid);
    }
  CHECK(on_path == log.final_segments.size());
}

}  // namespace

TEST_CASE("DP over Tangram's candidates equals Tangram: quick goldens", "[segment_search]") {
  // Per-layer and pipelined, goals e/d/ed, idle cost, DRAM bandwidth, word size, several tops,
  // external inputs (LSTM), buffer sharing with the exhaustive loop blocking.
  for (const char* f : {
           "alex_net__n2x2_a8x8_r64_g32k__tangram_b16_ge.json",
           "alex_net__n4x4_a16x16_r512_g128k__tangram_b16_ge_idle1000.json",
           "alex_net__n4x4_a16x16_r512_g128k__tangram_b16_ge_dram16.json",
           "alex_net__n4x4_a16x16_r512_g128k__tangram_b16_ge_top4.json",
           "alex_net__n4x4_a16x16_r512_g128k__tangram_b16_ged.json",
           "alex_net__n4x4_a16x16_r512_g128k__tangram_b16_gd.json",
           "lstm_phoneme__n2x2_a8x8_r64_g32k__tangram_b16_ge_dram8_idle200.json",
           "mlp_m__n2x2_a8x8_r64_g32k__exh-tangram-bufshr_b16_ge.json",
       }) {
    DYNAMIC_SECTION(f) { check_dp_golden(f); }
  }
}

TEST_CASE("DP over Tangram's candidates equals Tangram: every whole-network golden", "[segment_search][slow]") {
  std::size_t n = 0;
  for (const std::string& f : bp_test::golden_network_files()) {
    DYNAMIC_SECTION(f) { check_dp_golden(f); }
    ++n;
  }
  CHECK(n >= 85);
}
