// tests/perf/test_threads.cpp -- whole-network results do not depend on options.nprocesses.
//
// Each case is a golden of tests/data/golden (Tangram's whole-network runs; inputs read back
// from the golden's own "resource", "cost" and "options", as tests/report/test_search_json.cpp
// does). It is searched from scratch with -p 1, 2 and 3, each run with a fresh schedule cache,
// and the complete JSON bp-search would print is compared as text: every byte, cache_stats
// (the per-node memo's hits and misses) included. Only "elapsed" is fixed to 0 and
// "nprocesses" is printed as 1, because the JSON echoes the thread count. The -p 1 result is
// also checked against the golden (numbers within 1e-9), so the cases cannot pass by all being
// wrong in the same way. The cases cover the analytical solver with access forwarding (Tangram's
// NoC-hop memos, whose answers depend on the call sequence), the exhaustive sweep (goals e and
// d), gbuf sharing, several tops and 16x16 meshes; and, without a golden, the same runs with the
// quirks off (the hop counts are then computed ahead in parallel, not replayed).
#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <bufferprospector/report/json.hpp>
#include <bufferprospector/report/search_json.hpp>
#include <bufferprospector/report/tangram_json.hpp>
#include <bufferprospector/search/beam_search.hpp>
#include <bufferprospector/workload/zoo.hpp>

#include "scheduler/layer_tool.hpp"  // bp_test::json_diff
#include "test_data.hpp"

namespace {

namespace json = bp::json;
namespace r = bp::report;

struct golden_inputs {
  std::string net_name;
  std::int64_t batch = 0;
  json::value golden;  // the golden's "result"
};

golden_inputs read_golden(const std::string& file) {
  const json::value doc = json::parse(bp_test::read_data("golden/" + file));
  golden_inputs g;
  g.golden = doc["result"];
  g.net_name = g.golden["net"].as_string();
  g.batch = g.golden["batch"].as_int();
  return g;
}

/// The JSON text bp-search prints for a search with `threads` threads ("elapsed" 0, the options
/// echoed with nprocesses 1).
std::string run_json(const golden_inputs& g, const bp::options& base, int threads) {
  const bp::network net = bp::zoo::make(g.net_name);
  const bp::resource res = r::resource_from_json(g.golden["resource"]);
  const r::tangram_cost cost = r::tangram_cost_from_json(g.golden["cost"]);
  bp::options opt = base;
  opt.nprocesses = threads;
  auto cache = std::make_shared<bp::layer_schedule_cache>();
  const bp::search_result result = bp::tangram_search(net, g.batch, res, cost.values(), opt, cache);
  if (result.tops.empty()) return "null";
  bp::options echoed = opt;
  echoed.nprocesses = 1;
  const r::search_run run{.net_name = g.net_name, .batch = g.batch, .res = res, .cost = cost, .opt = echoed,
                          .cache = cache->node_stats(), .elapsed_seconds = 0};
  return json::dump(r::search_json(run, result.tops.front()));
}

/// `goal`: search with this goal instead of the golden's (then there is no golden to compare).
void check_thread_independence(const std::string& file, bool quirks, std::optional<bp::opt_goal> goal = {}) {
  INFO(file << (quirks ? "" : " (quirks off)") << (goal ? " (other goal)" : ""));
  const golden_inputs g = read_golden(file);
  REQUIRE_FALSE(g.golden.is_null());
  bp::options opt = r::options_from_json(g.golden["options"]);
  opt.tangram_quirks = quirks;
  if (goal) opt.goal = *goal;

  const std::string one = run_json(g, opt, 1);
  REQUIRE(one != "null");
  if (quirks && !goal) {  // -p 1 is Tangram's result
    const json::value mine = json::parse(one);
    std::vector<std::string> diffs;
    for (std::size_t i = 0; i < g.golden.size(); ++i) {
      const std::string& key = g.golden.keys()[i];
      if (key == "elapsed" || key == "cache_stats" || key == "options") continue;
      bp_test::json_diff(g.golden.elements()[i], mine[key], key, diffs);
    }
    INFO((diffs.empty() ? std::string() : diffs.front()));
    CHECK(diffs.empty());
  }
  for (int threads : {2, 3}) {
    INFO("-p " << threads);
    CHECK(run_json(g, opt, threads) == one);
  }
}

}  // namespace

TEST_CASE("threads: same JSON for -p 1, 2, 3 (quick goldens)", "[perf]") {
  for (const char* f : {
           "mlp_m__n2x2_a8x8_r64_g32k__tangram_b16_ge.json",            // solver, forwarding, pipelining
           "mlp_m__n2x2_a8x8_r64_g32k__exh-perlayer_b16_ge.json",       // exhaustive
           "mlp_m__n2x2_a8x8_r64_g32k__exh-tangram-bufshr_b16_ge.json",  // exhaustive with gbuf sharing
           "lstm_phoneme__n2x2_a8x8_r64_g32k__tangram_b16_ged.json",    // goal ed, external inputs
           "mlp_m__n16x16_a8x8_r64_g32k__tangram_b16_ge.json",          // 16x16 nodes
       }) {
    DYNAMIC_SECTION(f) { check_thread_independence(f, true); }
  }
}

TEST_CASE("threads: same JSON for -p 1, 2, 3, exhaustive with goal d", "[perf]") {
  // Tangram's goal-d ranking quirk keeps each chunk's first schemes: chunk order must survive.
  check_thread_independence("mlp_m__n2x2_a8x8_r64_g32k__exh-perlayer_b16_ge.json", true, bp::opt_goal::d);
  check_thread_independence("mlp_m__n2x2_a8x8_r64_g32k__exh-perlayer_b16_ge.json", false, bp::opt_goal::d);
}

TEST_CASE("threads: same JSON for -p 1, 2, 3 with the quirks off", "[perf]") {
  for (const char* f : {
           "mlp_m__n2x2_a8x8_r64_g32k__tangram_b16_ge.json",
           "mlp_m__n2x2_a8x8_r64_g32k__exh-tangram-bufshr_b16_ge.json",
       }) {
    DYNAMIC_SECTION(f) { check_thread_independence(f, false); }
  }
}

TEST_CASE("threads: same JSON for -p 1, 2, 3 (long goldens)", "[perf][slow]") {
  for (const char* f : {
           "alex_net__n4x4_a16x16_r512_g128k__tangram_b16_ge.json",        // NoC-hop memo collisions
           "alex_net__n4x4_a16x16_r512_g128k__tangram_b16_ge_top4.json",   // several tops
           "alex_net__n2x2_a8x8_r64_g32k__exh-perlayer_b16_ge.json",        // exhaustive, 173 s in Python
           "alex_net__n2x2_a8x8_r64_g32k__exh-tangram-bufshr_b16_ge.json",  // gbuf sharing, 231 s in Python
           "lstm_phoneme__n2x2_a8x8_r64_g32k__exh-tangram-accfwd-swb_b16_ge.json",
           "googlenet__n4x4_a16x16_r512_g128k__tangram_b1_ge.json",
           "zfnet__n4x4_a16x16_r512_g128k__tangram_b16_gd.json",             // goal d
           "lstm_phoneme__n16x16_a8x8_r64_g32k__tangram_b16_ge.json",
           "alex_net__n16x16_a8x8_r64_g32k__tangram_b16_ge.json",
       }) {
    DYNAMIC_SECTION(f) { check_thread_independence(f, true); }
  }
  for (const char* f : {
           "alex_net__n4x4_a16x16_r512_g128k__tangram_b16_ge.json",
           "alex_net__n2x2_a8x8_r64_g32k__exh-perlayer_b16_ge.json",
       }) {
    DYNAMIC_SECTION(std::string(f) + " quirks off") { check_thread_independence(f, false); }
  }
}
