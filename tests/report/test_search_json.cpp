// tests/report/test_search_json.cpp -- whole-network results printed as nn_dataflow_search.py
// prints them: every key, in order, with Python's int/float types, against Tangram's goldens.
//
// Data: golden/*.json, Tangram's whole-network goldens (shared/reference/golden, copied
// unchanged; each file holds its exact command). The run's inputs are read back from the
// golden's own "resource", "cost" and "options" (so the readers are tested too), the network
// from its name. "elapsed" and "cache_stats" depend on the run and are not compared.
#include <catch2/catch.hpp>

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

json::value without_run_fields(json::value v) {
  json::value out = json::value::object();
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v.keys()[i] != "elapsed" && v.keys()[i] != "cache_stats") out.set(v.keys()[i], v.elements()[i]);
  return out;
}

void check_golden(const std::string& file) {
  INFO(file);
  const json::value doc = json::parse(bp_test::read_data("golden/" + file));
  const json::value& golden = doc["result"];
  const std::vector<std::string> argv = [&] {
    std::vector<std::string> a;
    for (const auto& v : doc["command"].elements()) a.push_back(v.as_string());
    return a;
  }();
  const std::string net_name = argv.at(1);
  const bp::network net = bp::zoo::make(net_name);
  std::int64_t batch = 0;
  for (std::size_t i = 0; i + 1 < argv.size(); ++i)
    if (argv[i] == "--batch") batch = std::stoll(argv[i + 1]);
  REQUIRE(batch > 0);

  if (golden.is_null()) {  // Tangram found no valid dataflow: nor may we
    // Its inputs are not echoed; the options that matter here are in the command.
    INFO("null golden: rebuilt by bp-search's CLI tests");
    return;
  }
  const bp::resource res = r::resource_from_json(golden["resource"]);
  const r::tangram_cost cost = r::tangram_cost_from_json(golden["cost"]);
  const bp::options opt = r::options_from_json(golden["options"]);
  const bp::search_result result = bp::tangram_search(net, batch, res, cost.values(), opt);
  REQUIRE_FALSE(result.tops.empty());
  const r::search_run run{.net_name = net_name, .batch = batch, .res = res, .cost = cost, .opt = opt};
  const json::value mine = r::search_json(run, result.tops.front());
  CHECK(mine.keys() == golden.keys());
  const auto diffs = bp_test::json_diff(without_run_fields(golden), without_run_fields(mine), "result");
  std::string text;
  for (std::size_t i = 0; i < diffs.size() && i < 30; ++i) text += diffs[i] + "\n";
  INFO(text);
  CHECK(diffs.empty());
}

}  // namespace

TEST_CASE("search_json: whole-network results print as Tangram's", "[report]") {
  // One of each kind: per-layer and pipelined, goals e/d/ed, ints vs floats in the cost
  // (idle cost given), DRAM bandwidth and word size, external inputs (LSTM), several tops.
  for (const char* f : {
           "alex_net__n2x2_a8x8_r64_g32k__tangram_b16_ge.json",
           "alex_net__n4x4_a16x16_r512_g128k__tangram_b16_ge_idle1000.json",
           "alex_net__n4x4_a16x16_r512_g128k__tangram_b16_ge_dram16.json",
           "alex_net__n4x4_a16x16_r512_g128k__tangram_b16_ge_word8.json",
           "alex_net__n4x4_a16x16_r512_g128k__tangram_b16_ge_top4.json",
           "alex_net__n4x4_a16x16_r512_g128k__tangram_b16_ged.json",
           "lstm_phoneme__n4x4_a16x16_r512_g128k__tangram_b16_ge.json",
           "lstm_phoneme__n2x2_a8x8_r64_g32k__tangram_b16_ge_dram8_idle200.json",
           "mlp_m__n2x2_a8x8_r64_g32k__tangram_b16_gd.json",
           "mlp_m__n2x2_a8x8_r64_g32k__exh-tangram-bufshr_b16_ge.json",
       }) {
    DYNAMIC_SECTION(f) { check_golden(f); }
  }
}

TEST_CASE("search_json: every whole-network golden", "[report][slow]") {
  const json::value index = json::parse(bp_test::read_data("golden/index.json"));
  std::size_t n = 0;
  for (const auto& run : index["runs"].elements()) {
    const std::string f = run["file"].as_string();
    if (f.rfind("layers/", 0) == 0) continue;
    DYNAMIC_SECTION(f) { check_golden(f); }
    ++n;
  }
  CHECK(n >= 85);
}
