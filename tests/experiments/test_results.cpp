// tests/experiments/test_results.cpp -- bp-exp's runs end to end, in-process: a tiny sweep run into a
// temporary directory, gathered into res.csv, whose values are checked by hand against the runs'
// JSON and against Tangram's own result; resume; threads.
//
// Reference: tests/data/golden/alex_net__n4x4_a16x16_r512_g128k__tangram_b16_gd.json is Tangram's
// run (shared/reference/tangram/run alex_net --batch 16 --nodes 4 4 --array 16 16 --regf 512
// --gbuf 131072 --solve-loopblocking --hybrid-partition --enable-access-forwarding
// --interlayer-partition -g d -p 2) with exactly the experiments' flags at the point {4x4 mesh,
// batch 16, r = inf}; no Tangram quirk fires in it, so the tangram goal-d row must reproduce it:
// total_cost 78348113984.0, total_time 3840032, and every breakdown column follows from its
// totals and per-layer records. (Goal e is not compared with Tangram: its NoC-hop memo collision
// quirk changes that run; its row is checked against its own JSON.)
#include <catch2/catch.hpp>

#include <unistd.h>  // getpid

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <bufferprospector/report/csv.hpp>
#include <bufferprospector/report/json.hpp>
#include <bufferprospector/report/results_table.hpp>

#include "../../examples/bp_exp/experiments.hpp"
#include "../../examples/bp_exp/gather.hpp"
#include "../../examples/bp_exp/runner.hpp"
#include "test_data.hpp"

namespace {

namespace fs = std::filesystem;
namespace json = bp::json;
using Catch::Matchers::Contains;

/// A fresh directory, removed at the end of the test.
struct temp_dir {
  fs::path path;
  explicit temp_dir(const std::string& name)
      : path(fs::temp_directory_path() / ("bp_exp_test_" + name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

bp::design_point golden_point() {
  bp::design_point p;
  p.mesh_h = p.mesh_w = 4;
  p.batch = 16;
  p.dram_bw_ratio = bp::inf;
  return p;
}

/// A method of the registry that is not available yet ("" once every method is).
std::string pending_method() {
  for (const bp::method_entry& m : bp::methods())
    if (!m.available() && m.accepts("none")) return std::string(m.name);
  return "";
}

bp_exp::planned_run overall(const std::string& net, const bp::design_point& p, const std::string& method,
                            const std::string& policy, bp::opt_goal g) {
  return {"overall", "01_overall", {net, p, method, policy, g}};
}

std::string cell(const bp::csv_table& t, std::size_t row, const char* col) { return t.at(row, col); }
double real(const bp::csv_table& t, std::size_t row, const char* col) { return std::stod(t.at(row, col)); }

// The columns of model note 7.5, in its order.
const std::vector<std::string> note_columns = {
    "exp", "net", "batch", "mesh_h", "mesh_w", "pe_h", "pe_w", "gbuf_bytes", "regf_bytes", "word_bits",
    "dram_bw_ratio", "dram_bw_words_per_cycle", "goal", "method", "policy", "fallback", "total_energy", "e_op",
    "e_dram", "e_gbuf", "e_itcn", "e_regf", "e_noc", "e_static", "total_time", "sum_node_time", "sum_dram_time",
    "dram_words_fil", "dram_words_ifm", "dram_words_ofm", "noc_hops", "n_segments", "mean_seg_layers",
    "n_relaxed_segments", "n_held_edges", "held_words", "failed_alloc_segments", "buf_util_before",
    "buf_util_after", "buf_util_max_after", "speedup_vs_tangram", "energy_gain_vs_tangram",
    "dram_energy_reduction", "search_seconds"};

/// Node-weighted GBUF use per segment, time-weighted over segments, from a Tangram stats dict:
/// each stage's layers run on num_nodes nodes and keep the largest per-node size of the stage.
double buf_util_by_hand(const json::value& stats, std::int64_t cores, std::int64_t gbuf_words) {
  const json::value& seg_time = stats["segment_time"];
  std::vector<std::map<std::int64_t, std::pair<std::int64_t, std::int64_t>>> stages(seg_time.size());  // sp -> (nodes, max)
  for (const json::value& r : stats["schedules"].elements()) {
    const json::value& scheme = r[0];
    const std::int64_t seg = r[2][0].as_int(), sp = r[2][1].as_int();
    std::int64_t words = 0;
    for (const json::value& w : scheme["size"][0].elements()) words += w.as_int();
    auto& [nodes, max_words] = stages[static_cast<std::size_t>(seg)][sp];
    nodes = scheme["num_nodes"].as_int();
    max_words = std::max(max_words, words);
  }
  double weighted = 0, total = 0;
  for (std::size_t k = 0; k < stages.size(); ++k) {
    double used = 0;
    for (const auto& [sp, nw] : stages[k]) used += static_cast<double>(nw.first * nw.second);
    const double t = static_cast<double>(seg_time[k].as_int());
    weighted += t * used / static_cast<double>(cores * gbuf_words);
    total += t;
  }
  return weighted / total;
}

}  // namespace

TEST_CASE("res.csv of a tiny sweep, checked by hand against the runs' JSON and Tangram's result",
          "[experiments]") {
  temp_dir dir("sweep");
  const bp::design_point p = golden_point();
  std::vector<bp_exp::planned_run> plan;
  for (const char* method : {"tangram", "bp_intra"})
    for (const auto goal : {bp::opt_goal::e, bp::opt_goal::d})
      plan.push_back(overall("alex_net", p, method, method == std::string("tangram") ? "none" : "nf_lrf", goal));
  const std::string pending = pending_method();
  if (!pending.empty()) plan.push_back(overall("alex_net", p, pending, "none", bp::opt_goal::e));
  const bp_exp::execution_summary s = bp_exp::execute(plan, {dir.path, 1, false, true});
  CHECK(s.done == 4);
  CHECK(s.failed == 0);
  CHECK(s.unavailable.size() == (pending.empty() ? 0u : 1u));
  const bp_exp::gathered g = bp_exp::write_results(dir.path);
  CHECK(g.warnings.empty());
  const bp::csv_table t = bp::csv_table::parse(bp_exp::read_text(dir.path / "res.csv"));

  // Columns: 7.5's, in order, then the DSE's two mapping factors and the run status.
  REQUIRE(t.header().size() == note_columns.size() + 3);
  for (std::size_t i = 0; i < note_columns.size(); ++i) CHECK(t.header()[i] == note_columns[i]);
  CHECK(t.header()[note_columns.size()] == "max_degree");
  CHECK(t.header()[note_columns.size() + 1] == "max_util_drop");
  CHECK(t.header()[note_columns.size() + 2] == "status");
  REQUIRE(t.size() == 4);  // sorted: method (registry order), then goal e, d
  CHECK(cell(t, 0, "goal") == "e");
  CHECK(cell(t, 1, "goal") == "d");
  CHECK(cell(t, 2, "method") == "bp_intra");
  CHECK(cell(t, 2, "goal") == "e");
  CHECK(cell(t, 3, "goal") == "d");
  for (std::size_t r = 0; r < 2; ++r) {
    CHECK(cell(t, r, "exp") == "overall");
    CHECK(cell(t, r, "net") == "alex_net");
    CHECK(cell(t, r, "batch") == "16");
    CHECK(cell(t, r, "mesh_h") == "4");
    CHECK(cell(t, r, "gbuf_bytes") == "131072");
    CHECK(cell(t, r, "dram_bw_ratio") == "inf");
    CHECK(cell(t, r, "dram_bw_words_per_cycle") == "inf");
    CHECK(cell(t, r, "method") == "tangram");
    CHECK(cell(t, r, "policy") == "none");
    CHECK(cell(t, r, "fallback") == "none");
    CHECK(cell(t, r, "status") == "ok");
    CHECK(cell(t, r, "n_relaxed_segments") == "0");
    CHECK(cell(t, r, "n_held_edges") == "0");
    CHECK(cell(t, r, "held_words") == "0");
    CHECK(cell(t, r, "buf_util_after") == cell(t, r, "buf_util_before"));  // nothing held
    CHECK(cell(t, r, "dram_energy_reduction") == "0.0");
    CHECK(real(t, r, "search_seconds") > 0);
  }
  CHECK(cell(t, 0, "energy_gain_vs_tangram") == "1.0");
  CHECK(cell(t, 0, "speedup_vs_tangram").empty());  // goal-e rows carry the energy gain only
  CHECK(cell(t, 1, "speedup_vs_tangram") == "1.0");
  CHECK(cell(t, 1, "energy_gain_vs_tangram").empty());

  // Goal d against Tangram's own run.
  const json::value golden =
      json::parse(bp_test::read_data("golden/alex_net__n4x4_a16x16_r512_g128k__tangram_b16_gd.json"))["result"];
  // The other rows against their own runs' JSON (Tangram's stats dict under "scheme").
  const auto run_json = [&](std::size_t k) {
    return json::parse(bp_exp::read_text(dir.path / "01_overall" / (plan[k].id.stem() + ".json")));
  };
  const json::value tangram_e = run_json(0), bp_e = run_json(2), bp_d = run_json(3);
  for (const auto& [row, stats] : {std::pair<std::size_t, const json::value*>{0, &tangram_e["scheme"]},
                                   {1, &golden},
                                   {2, &bp_e["scheme"]},
                                   {3, &bp_d["scheme"]}}) {
    INFO("row " << row);
    const json::value& st = *stats;
    const json::value& acc = st["total_accesses"];
    CHECK(cell(t, row, "total_energy") == bp::python_repr(st["total_cost"].as_double()));
    CHECK(cell(t, row, "total_time") == std::to_string(st["total_time"].as_int()));
    CHECK(real(t, row, "e_op") == st["total_op_cost"].as_double());
    CHECK(real(t, row, "e_dram") == acc[0].as_double() * 200);
    CHECK(real(t, row, "e_gbuf") == acc[1].as_double() * 6);
    CHECK(real(t, row, "e_itcn") == acc[2].as_double() * 2);
    CHECK(real(t, row, "e_regf") == acc[3].as_double() * 1);
    CHECK(real(t, row, "e_noc") == st["total_noc_cost"].as_double());
    CHECK(real(t, row, "e_static") == 0.0);
    CHECK(real(t, row, "noc_hops") == st["total_noc_hops"].as_double());
    // The breakdown adds up to the energy (no idle cost, so no static-overlap correction).
    CHECK(real(t, row, "e_op") + real(t, row, "e_dram") + real(t, row, "e_gbuf") + real(t, row, "e_itcn") +
              real(t, row, "e_regf") + real(t, row, "e_noc") ==
          Approx(real(t, row, "total_energy")).epsilon(1e-12));
    double fil = 0, ifm = 0, ofm = 0;
    for (const json::value& r : st["schedules"].elements()) {
      fil += r[0]["access"][0][0].as_double();
      ifm += r[0]["access"][0][1].as_double();
      ofm += r[0]["access"][0][2].as_double();
    }
    CHECK(real(t, row, "dram_words_fil") == fil);
    CHECK(real(t, row, "dram_words_ifm") == ifm);
    CHECK(real(t, row, "dram_words_ofm") == ofm);
    const std::size_t n_seg = st["segment_time"].size();
    CHECK(cell(t, row, "n_segments") == std::to_string(n_seg));
    CHECK(real(t, row, "mean_seg_layers") == Approx(19.0 / static_cast<double>(n_seg)).epsilon(1e-15));
    std::int64_t dram_time = 0;
    for (const json::value& x : st["segment_dram_time"].elements()) dram_time += x.as_int();
    CHECK(cell(t, row, "sum_dram_time") == std::to_string(dram_time));
    CHECK(std::stoll(cell(t, row, "sum_node_time")) <= std::stoll(cell(t, row, "total_time")) + 0);
    CHECK(real(t, row, "buf_util_before") == Approx(buf_util_by_hand(st, 16, 65536)).epsilon(1e-12));
    CHECK(real(t, row, "buf_util_max_after") <= 1.0);
  }
  CHECK(cell(t, 1, "total_energy") == "78348113984.0");
  CHECK(cell(t, 1, "total_time") == "3840032");

  // The prospector's rows: holds as listed in their JSON, ratios with the tangram rows by hand.
  for (const auto& [row, run] : {std::pair<std::size_t, const json::value*>{2, &bp_e}, {3, &bp_d}}) {
    INFO("row " << row);
    const json::value& held = (*run)["held_edges"];
    CHECK(cell(t, row, "policy") == "nf_lrf");
    CHECK(cell(t, row, "fallback") == "reject");
    CHECK(cell(t, row, "n_held_edges") == std::to_string(held.size()));
    std::int64_t words = 0;
    for (const json::value& h : held.elements()) {
      words += h["words"].as_int();
      std::int64_t placed = 0;
      for (const json::value& x : h["placements"].elements()) placed += x["words"].as_int();
      CHECK(placed == h["words"].as_int());  // every held word has a host
    }
    CHECK(cell(t, row, "held_words") == std::to_string(words));
    CHECK(real(t, row, "buf_util_after") >= real(t, row, "buf_util_before"));
    CHECK(std::stoll(cell(t, row, "n_relaxed_segments")) <= std::stoll(cell(t, row, "n_segments")));
    if (held.size() == 0) CHECK(cell(t, row, "buf_util_after") == cell(t, row, "buf_util_before"));
  }
  const auto total = [](const json::value& run, const char* key) { return run["scheme"][key].as_double(); };
  CHECK(real(t, 2, "energy_gain_vs_tangram") == total(tangram_e, "total_cost") / total(bp_e, "total_cost"));
  CHECK(cell(t, 2, "speedup_vs_tangram").empty());
  CHECK(real(t, 3, "speedup_vs_tangram") == golden["total_time"].as_double() / total(bp_d, "total_time"));
  CHECK(cell(t, 3, "energy_gain_vs_tangram").empty());
  const auto dram_energy = [](const json::value& run) { return run["scheme"]["total_accesses"][0].as_double() * 200; };
  CHECK(real(t, 2, "dram_energy_reduction") == 1 - dram_energy(bp_e) / dram_energy(tangram_e));

  // The summary says what ran and what could not.
  const std::string summary = bp::summary_table(g.rows);
  CHECK_THAT(summary, Contains("tangram/none"));
  CHECK_THAT(summary, Contains("Experiment overall: 4 runs, 1 workloads"));
  CHECK_THAT(summary, Contains("bp_intra/nf_lrf"));
  if (!pending.empty()) CHECK_THAT(summary, Contains(pending + ": method not available yet"));
  // Plots beside res.csv.
  CHECK(fs::exists(dir.path / "speedup.svg"));
  CHECK(fs::exists(dir.path / "energy_gain.svg"));
  CHECK(fs::exists(dir.path / "heatmap_alex_net.svg"));
}

TEST_CASE("res.csv comparisons: speedup from goal d, energy gain from goal e, same workload and point",
          "[experiments]") {
  temp_dir dir("compare");
  bp::design_point p;
  p.mesh_h = p.mesh_w = 2;
  const std::vector<bp_exp::planned_run> plan = {overall("mlp_s", p, "tangram", "none", bp::opt_goal::e),
                                                 overall("mlp_s", p, "tangram", "none", bp::opt_goal::d)};
  bp_exp::execute(plan, {dir.path, 1, false, true});
  std::vector<bp::result_row> rows;
  for (const auto& r : plan)
    rows.push_back(bp::result_row_from_json(json::parse(bp_exp::read_text(dir.path / "01_overall" / (r.id.stem() + ".json")))));
  REQUIRE(rows.size() == 2);
  REQUIRE(rows[0].metrics);
  REQUIRE(rows[1].metrics);
  // A made-up better method, by hand: half the time and 4/5 of the energy and DRAM energy.
  for (std::size_t k = 0; k < 2; ++k) {
    bp::result_row better = rows[k];
    better.id.method = "bp_intra";
    better.id.policy = "nf_lrf";
    better.metrics->total_time /= 2;
    better.metrics->total_energy *= 0.8;
    better.metrics->e_dram *= 0.8;
    rows.push_back(better);
  }
  bp::result_row elsewhere = rows[2];  // the same at another point: no tangram row to compare with
  elsewhere.id.point.batch = 8;
  rows.push_back(elsewhere);
  bp::compare_with_tangram(rows);
  // Sorted: point (batch 4 before 8), then method, then goal.
  REQUIRE(rows.size() == 5);
  CHECK(rows[0].id.method == "tangram");
  CHECK(rows[2].id.method == "bp_intra");
  CHECK(rows[2].id.goal == bp::opt_goal::e);
  CHECK(rows[2].energy_gain_vs_tangram == Approx(1.25).epsilon(1e-12));
  CHECK_FALSE(rows[2].speedup_vs_tangram);
  CHECK(rows[2].dram_energy_reduction == Approx(0.2).epsilon(1e-9));
  CHECK(rows[3].id.goal == bp::opt_goal::d);
  const double expect_speedup = static_cast<double>(rows[1].metrics->total_time) /
                                static_cast<double>(rows[3].metrics->total_time);
  CHECK(*rows[3].speedup_vs_tangram == expect_speedup);
  CHECK(expect_speedup == Approx(2).epsilon(1e-4));
  CHECK_FALSE(rows[3].energy_gain_vs_tangram);
  CHECK(rows[4].id.point.batch == 8);
  CHECK_FALSE(rows[4].energy_gain_vs_tangram);
  CHECK_FALSE(rows[4].dram_energy_reduction);
  const bp::csv_table t = bp::results_csv(rows);
  CHECK(t.at(2, "energy_gain_vs_tangram") == bp::python_repr(*rows[2].energy_gain_vs_tangram));
  CHECK(t.at(4, "energy_gain_vs_tangram").empty());
  const std::string summary = bp::summary_table(rows);
  CHECK_THAT(summary, Contains("bp_intra/nf_lrf"));
  CHECK_THAT(summary, Contains("1.250"));  // mean energy gain
}

TEST_CASE("resume: done runs are skipped, a run without its .dat is redone, stale temporaries go", "[experiments]") {
  temp_dir dir("resume");
  bp::design_point p;
  p.mesh_h = p.mesh_w = 2;
  std::vector<bp_exp::planned_run> plan = {overall("mlp_s", p, "tangram", "none", bp::opt_goal::e)};
  const std::string pending_name = pending_method();
  if (!pending_name.empty()) plan.push_back(overall("mlp_s", p, pending_name, "none", bp::opt_goal::e));
  const bp_exp::run_paths files(dir.path, plan[0]);

  bp_exp::execution_summary s = bp_exp::execute(plan, {dir.path, 1, false, true});
  CHECK(s.done == 1);
  CHECK(s.done_before == 0);
  if (!pending_name.empty()) {  // not available yet: skipped, no files
    const bp_exp::run_paths pending(dir.path, plan[1]);
    CHECK(s.unavailable.at(pending_name) == 1);
    CHECK_FALSE(fs::exists(pending.json));
    CHECK_FALSE(fs::exists(pending.dat));
  }
  REQUIRE(fs::exists(files.dat));
  REQUIRE(fs::exists(files.json));
  REQUIRE(fs::exists(files.txt));
  const std::string dat = bp_exp::read_text(files.dat);
  const auto stamp = fs::last_write_time(files.json);

  s = bp_exp::execute(plan, {dir.path, 1, false, true});
  CHECK(s.done == 0);
  CHECK(s.done_before == 1);
  CHECK(fs::last_write_time(files.json) == stamp);  // not rewritten

  fs::remove(files.dat);  // as if killed before the .dat was renamed into place
  fs::path stale = files.dat;
  stale += ".tmp.999999";
  std::ofstream(stale) << "{\"half\": ";
  s = bp_exp::execute(plan, {dir.path, 1, false, true});
  CHECK(s.done == 1);
  CHECK(s.done_before == 0);
  REQUIRE(fs::exists(files.dat));
  CHECK_FALSE(fs::exists(stale));
  CHECK(bp_exp::read_text(files.dat) == dat);  // the same run, the same dump
  // The .dat holds the complete scheme: it loads back.
  const json::value d = json::parse(dat);
  CHECK(d["run"]["method"].as_string() == "tangram");
  CHECK(bp::scheme_from_json(d["scheme"]).scheme.total_cost() == d["scheme"]["total_cost"].as_double());
}

TEST_CASE("threads: results do not depend on --jobs", "[experiments]") {
  temp_dir one("jobs1"), two("jobs2");
  bp::design_point p;
  p.mesh_h = p.mesh_w = 2;
  std::vector<bp_exp::planned_run> plan;
  for (const char* net : {"mlp_s", "mlp_m"})
    for (const auto g : {bp::opt_goal::e, bp::opt_goal::d}) plan.push_back(overall(net, p, "tangram", "none", g));
  CHECK(bp_exp::execute(plan, {one.path, 1, false, true}).done == 4);
  CHECK(bp_exp::execute(plan, {two.path, 2, false, true}).done == 4);
  const auto csv_without_times = [](const fs::path& d) {
    bp::csv_table t = bp::results_csv(bp_exp::gather_runs(d).rows);
    bp::csv_table out(t.header());
    for (auto row : t.rows()) {
      row[t.column("search_seconds")].clear();
      out.add_row(row);
    }
    return out.str();
  };
  CHECK(csv_without_times(one.path) == csv_without_times(two.path));
}

TEST_CASE("experiment plans: overall's matrix and the DSE's one-factor points", "[experiments]") {
  const auto runs = bp_exp::overall_runs(false, {});
  CHECK(runs.size() == 11 * 8 * 2);
  std::size_t bp_intra = 0;
  for (const auto& r : runs) {
    CHECK(r.id.point == bp::design_point{});
    CHECK(bp::find_method(r.id.method).accepts(r.id.policy));
    bp_intra += r.id.method == "bp_intra";
  }
  CHECK(bp_intra == 11 * 3 * 2);
  const auto quick = bp_exp::overall_runs(true, {{"alex_net"}, {"tangram"}, {bp::opt_goal::e}});
  REQUIRE(quick.size() == 1);
  CHECK(quick[0].id.stem() == "alex_net_n8x8_a16x16_g128k_b4_r0.5_tangram_none_e");
  for (const auto& r : bp_exp::dse_runs(false, {})) {
    const bp::design_point def{};
    const bp::design_point& q = r.id.point;
    const int changed = (q.gbuf_bytes != def.gbuf_bytes) + (q.mesh_h != def.mesh_h) +
                        (q.dram_bw_ratio != def.dram_bw_ratio) + (q.batch != def.batch) +
                        (q.max_degree != def.max_degree) + (q.max_util_drop != def.max_util_drop);
    CHECK(changed <= 1);  // one factor at a time
    if (changed == 1) CHECK((r.id.method == "tangram" || r.id.policy == "nf_lrf"));
  }
}
