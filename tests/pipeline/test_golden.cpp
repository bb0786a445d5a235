// Whole-network goldens: every run in tests/data/golden/index.json (copied from
// ../shared/reference/golden, produced by Tangram's nn_dataflow_search.py with the command
// stored in each file) is redone in-process with bp::tangram_search, and the complete `result`
// object is compared field by field: totals, cost breakdown, per-layer stats, segment times,
// input/external layouts and every field of every layer's scheme, ofmap layout and sched_seq
// (ints exactly and with Python's int/float type, floats within 1e-9 relative). Only the
// run-dependent `elapsed`, `cache_stats` and `version` are skipped. Runs Tangram ends with
// "No valid dataflow found" (result null) must find nothing too.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <iostream>
#include <map>

#include <bufferprospector/report/json.hpp>
#include <bufferprospector/report/tangram_json.hpp>
#include <bufferprospector/search/beam_search.hpp>

#include "reference_nets.hpp"

namespace {

namespace json = bp::json;
namespace report = bp::report;

/// A golden run's command (nn_dataflow_search.py arguments), as do_scheduling() interprets it.
struct golden_run {
  std::string file;
  std::string net;
  std::int64_t batch = 0;
  bp::options opt;
  report::tangram_cost cost;
  std::optional<bp::resource> res;
  double wall_s = 0;
};

golden_run parse_command(const json::value& entry) {
  golden_run g;
  g.file = entry["file"].as_string();
  g.wall_s = entry["wall_s"].as_double();
  std::vector<std::string> a;
  for (const auto& v : entry["command"].elements()) a.push_back(v.as_string());
  g.net = a.at(1);
  std::int64_t word = 16, regf = 0, gbuf = 0, bus_width = 0;
  bp::phy_dim2 nodes, array;
  double dram_bw = bp::inf;
  bool mem3d = false;
  g.opt.sw_gbuf_bypass = {{true, true, true}};
  const auto real = [](const std::string& s) { return report::number::real(std::stod(s)); };
  for (std::size_t i = 2; i < a.size(); ++i) {
    const std::string& f = a[i];
    const auto next = [&] { return a.at(++i); };
    const auto inext = [&] { return static_cast<std::int64_t>(std::stoll(next())); };
    if (f == "--batch") g.batch = inext();
    else if (f == "--word") word = inext();
    else if (f == "--nodes") nodes.h = inext(), nodes.w = inext();
    else if (f == "--array") array.h = inext(), array.w = inext();
    else if (f == "--regf") regf = inext();
    else if (f == "--gbuf") gbuf = inext();
    else if (f == "--bus-width") bus_width = inext();
    else if (f == "--dram-bw") dram_bw = std::stod(next());
    else if (f == "--op-cost") g.cost.mac_op = real(next());
    else if (f == "--hier-cost")
      for (auto m : bp::all<bp::mem_level>) g.cost.mem_hier[m] = real(next());
    else if (f == "--hop-cost") g.cost.noc_hop = real(next());
    else if (f == "--unit-idle-cost") g.cost.idl_unit = real(next());
    else if (f == "--mem-type") mem3d = next() == "3D";
    else if (f == "--disable-bypass") {
      while (i + 1 < a.size() && a[i + 1].size() == 1) {
        const char c = next()[0];
        g.opt.sw_gbuf_bypass[c == 'f' ? 0 : c == 'i' ? 1 : 2] = false;
      }
    } else if (f == "--solve-loopblocking") g.opt.sw_solve_loopblocking = true;
    else if (f == "--enable-access-forwarding") g.opt.hw_access_forwarding = true;
    else if (f == "--enable-gbuf-sharing") g.opt.hw_gbuf_sharing = true;
    else if (f == "--enable-save-writeback") g.opt.hw_gbuf_save_writeback = true;
    else if (f == "--disable-interlayer-opt") g.opt.layer_pipeline_opt = false;
    else if (f == "--hybrid-partition") g.opt.partition_hybrid = true;
    else if (f == "--batch-partition") g.opt.partition_batch = true;
    else if (f == "--ifmaps-partition") g.opt.partition_ifmaps = true;
    else if (f == "--interlayer-partition") g.opt.partition_interlayer = true;
    else if (f == "--layer-pipeline-time-overhead") g.opt.layer_pipeline_time_ovhd = std::stod(next());
    else if (f == "--layer-pipeline-max-degree") g.opt.layer_pipeline_max_degree = std::stod(next());
    else if (f == "-g") {
      const std::string goal = next();
      g.opt.goal = goal == "d" ? bp::opt_goal::d : goal == "ed" ? bp::opt_goal::ed : bp::opt_goal::e;
    } else if (f == "-t") g.opt.ntops = static_cast<int>(inext());
    else if (f == "-p") g.opt.nprocesses = static_cast<int>(inext());
    else FAIL("unsupported flag " << f << " in " << g.file);
  }
  const std::int64_t wb = (word + 7) / 8;
  const bp::node_region proc(nodes, {0, 0}, bp::region_type::proc);
  const bp::node_region dram = mem3d ? bp::node_region(nodes, {0, 0}, bp::region_type::dram)
                                     : bp::node_region({2, 2}, {0, 0}, bp::region_type::dram, nodes - bp::phy_dim2{1, 1});
  const double abw = bus_width / word == 0 ? bp::inf : static_cast<double>(bus_width / word);
  g.res = bp::resource{proc, dram, dram, dram, array, gbuf / wb, regf / wb, abw, dram_bw / static_cast<double>(wb), false};
  return g;
}

/// Recursive comparison: same structure, keys in order, ints exact (and ints where Python has
/// ints), floats within 1e-9 relative. Collects up to `max` mismatches with their paths.
void compare(const json::value& got, const json::value& want, const std::string& path,
             std::vector<std::string>& diffs, std::size_t max = 20) {
  if (diffs.size() >= max) return;
  const auto mismatch = [&](const std::string& what) {
    diffs.push_back(path + ": " + what + " (got " + json::dump(got, -1).substr(0, 200) + ", want " +
                    json::dump(want, -1).substr(0, 200) + ")");
  };
  if (want.is_double() && got.is_double()) {
    const double g = got.as_double(), w = want.as_double();
    if (std::isinf(w) || std::isnan(w)) {
      if (!(g == w || (std::isnan(g) && std::isnan(w)))) mismatch("float");
    } else if (!(std::abs(g - w) <= 1e-9 * std::max(std::abs(g), std::abs(w)))) {
      mismatch("float");
    }
    return;
  }
  if (got.type() != want.type()) return mismatch("type");
  if (want.is_array()) {
    if (got.size() != want.size()) return mismatch("length");
    for (std::size_t i = 0; i < want.size(); ++i) compare(got[i], want[i], path + "[" + std::to_string(i) + "]", diffs, max);
    return;
  }
  if (want.is_object()) {
    if (got.keys() != want.keys()) return mismatch("keys");
    for (std::size_t i = 0; i < want.size(); ++i)
      compare(got.elements()[i], want.elements()[i], path + "." + want.keys()[i], diffs, max);
    return;
  }
  if (!(got == want)) mismatch("value");
}

/// The tool's `result` object for a scheme (stats_dict + the header of do_scheduling).
json::value result_json(const golden_run& g, const bp::network_scheme& s) {
  const bp::network& net = s.net();
  json::value r = json::value::object();
  r.set("net", g.net);
  r.set("batch", g.batch);
  r.set("resource", report::to_json(*g.res));
  r.set("cost", report::to_json(g.cost));
  r.set("options", report::to_json(g.opt));
  r.set("total_cost", s.total_cost());
  r.set("total_time", s.total_time());
  r.set("total_ops", s.total_ops());
  const auto acc = s.total_accesses();
  r.set("total_accesses", json::value::array({acc[0], acc[1], acc[2], acc[3]}));
  r.set("total_noc_hops", s.total_noc_hops());
  // Python: total_ops * mac_op, sum(a * c) from int 0, hops * hop cost, time * idle cost.
  r.set("total_op_cost", s.total_ops() * g.cost.mac_op.value);
  double access_cost = 0;
  for (std::size_t m = 0; m < 4; ++m) access_cost += acc[m] * g.cost.mem_hier[m].value;
  r.set("total_access_cost", access_cost);
  r.set("total_noc_cost", s.total_noc_hops() * g.cost.noc_hop.value);
  const double static_cost = static_cast<double>(s.total_time()) * g.cost.idl_unit.value;
  r.set("total_static_cost", g.cost.idl_unit.is_int ? json::value(static_cast<std::int64_t>(static_cost))
                                                    : json::value(static_cost));
  json::value pes = json::value::object(), bw = json::value::object();
  for (const auto& [id, sched] : s.schedules()) {
    pes.set(net.name_of(id), s.active_node_pes(id));
    bw.set(net.name_of(id), s.dram_bandwidth(id));
  }
  r.set("active_node_pes", pes);
  r.set("dram_bandwidth", bw);
  json::value st = json::value::array(), sdt = json::value::array();
  for (auto t : s.segment_time_list()) st.push_back(t);
  for (auto t : s.segment_dram_time_list()) sdt.push_back(t);
  r.set("segment_time", st);
  r.set("segment_dram_time", sdt);
  r.set("input_layout", report::to_json(s.input_layout()));
  json::value ext = json::value::object();
  for (const auto& [id, lay] : s.ext_layouts()) ext.set(net.name_of(id), report::to_json(lay));
  r.set("ext_layout_dict", ext);
  json::value sch = json::value::object();
  for (const auto& [id, sched] : s.schedules()) sch.set(net.name_of(id), report::result_json(sched, g.cost));
  r.set("schedules", sch);
  return r;
}

/// Runs one golden and checks it; returns the C++ wall time in seconds.
double check_golden(const golden_run& g) {
  INFO("golden " << g.file);
  const json::value doc = json::parse(bp_test::read_data("golden/" + g.file));
  const json::value& want = doc["result"];
  const bp::network net = bp_test::test_net(g.net);
  const auto t0 = std::chrono::steady_clock::now();
  const bp::search_result res = bp::tangram_search(net, g.batch, *g.res, g.cost.values(), g.opt);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (want.is_null()) {
    // The first layer in scheduling order left without any partial scheme, found by
    // instrumenting NNDataflow.schedule_search (nndf_tops) on these runs.
    const std::map<std::string, std::string> first_empty{
        {"mlp_m__n2x2_a8x8_r64_g32k__tangram_b16_ge_nobypass.json", "fc1"},
        {"googlenet__n2x2_a8x8_r64_g32k__tangram_b16_gd.json", "pool1"},
        {"vgg_net__n2x2_a8x8_r64_g32k__tangram_b16_gd.json", "pool1"}};
    CHECK(res.tops.empty());
    REQUIRE(res.failed_layer.has_value());
    REQUIRE(first_empty.count(g.file) == 1);
    CHECK(net.name_of(*res.failed_layer) == first_empty.at(g.file));
    return secs;
  }
  REQUIRE(!res.tops.empty());
  CHECK(res.tops.size() <= static_cast<std::size_t>(g.opt.ntops));
  json::value got = result_json(g, res.tops.front());
  // Compare everything but the run-dependent fields.
  json::value expect = json::value::object();
  for (std::size_t i = 0; i < want.size(); ++i) {
    const std::string& k = want.keys()[i];
    if (k != "version" && k != "cache_stats" && k != "elapsed") expect.set(k, want.elements()[i]);
  }
  std::vector<std::string> diffs;
  compare(got, expect, "result", diffs);
  for (const auto& d : diffs) UNSCOPED_INFO(d);
  CHECK(diffs.empty());
  return secs;
}

std::vector<golden_run> golden_runs(bool slow) {
  const json::value index = json::parse(bp_test::read_data("golden/index.json"));
  std::vector<golden_run> out;
  for (const auto& e : index["runs"].elements()) {
    const std::string& file = e["file"].as_string();
    if (file.rfind("layers/", 0) == 0) continue;  // single-layer goldens: tests/scheduler
    golden_run g = parse_command(e);
    // The fast suite takes the runs that were quick in Python (analytical loop blocking, at most
    // 4x4 nodes) plus one ResNet-50 and one GoogLeNet pipeline run; the rest is [slow].
    const bool representative = file == "resnet50__n2x2_a8x8_r64_g32k__tangram_b16_ge.json" ||
                                file == "googlenet__n4x4_a16x16_r512_g128k__tangram_b1_ge.json";
    const bool quick = g.wall_s <= 8.5 && g.opt.sw_solve_loopblocking && g.res->proc_region.dim().h < 16;
    const bool is_slow = !(quick || representative);
    if (is_slow == slow) out.push_back(std::move(g));
  }
  return out;
}

void check_all(bool slow) {
  const auto runs = golden_runs(slow);
  REQUIRE(!runs.empty());
  double cpp = 0, py = 0;
  for (const auto& g : runs) {
    const double s = check_golden(g);
    cpp += s;
    py += g.wall_s;
    std::cerr << "  golden " << g.file << ": " << s << " s (Python " << g.wall_s << " s, " << g.wall_s / s << "x)\n";
  }
  std::cerr << "goldens: " << runs.size() << " runs, C++ " << cpp << " s, Python " << py << " s\n";
}

}  // namespace

TEST_CASE("whole-network goldens (the quick ones)", "[pipeline][golden]") {
  check_all(false);
}

TEST_CASE("whole-network goldens (the rest: 16x16 nodes, exhaustive loop blocking, larger nets)", "[pipeline][golden][slow]") {
  check_all(true);
}

namespace {

golden_run run_named(const std::string& file) {
  const json::value index = json::parse(bp_test::read_data("golden/index.json"));
  for (const auto& e : index["runs"].elements())
    if (e["file"].as_string() == file) return parse_command(e);
  FAIL("no golden " << file);
  return {};
}

}  // namespace

TEST_CASE("single-segment timing rule follows options.tangram_quirks", "[pipeline][golden]") {
  // mlp_m on 16x16 nodes is one segment holding the whole network: Tangram reports its critical
  // time (golden total_time); without the quirk the segment's time (fill and drain included).
  golden_run g = run_named("mlp_m__n16x16_a8x8_r64_g32k__tangram_b16_ge.json");
  const json::value want = json::parse(bp_test::read_data("golden/" + g.file))["result"];
  const bp::network net = bp_test::test_net(g.net);
  const auto on = bp::tangram_search(net, g.batch, *g.res, g.cost.values(), g.opt);
  g.opt.tangram_quirks = false;
  const auto off = bp::tangram_search(net, g.batch, *g.res, g.cost.values(), g.opt);
  REQUIRE(on.tops.size() == 1);
  REQUIRE(off.tops.size() == 1);
  const auto& a = on.tops[0];
  const auto& b = off.tops[0];
  REQUIRE(a.segment_time_list().size() == 1);
  CHECK(a.total_time() == want["total_time"].as_int());
  CHECK(a.total_time() < a.segment_time_list()[0]);  // the critical time
  CHECK(b.total_time() == b.segment_time_list()[0]);
  CHECK(b.total_time() == want["segment_time"][0].as_int());
  // Same static-cost correction formula, with the other total time: no idle cost here.
  CHECK(b.total_cost() == Approx(a.total_cost()).epsilon(1e-12));
}

TEST_CASE("search progress lines and a shared per-layer cache", "[pipeline][golden]") {
  const golden_run g = run_named("lstm_phoneme__n4x4_a16x16_r512_g128k__tangram_b16_ge.json");
  const bp::network net = bp_test::test_net(g.net);
  std::vector<std::string> lines;
  auto cache = std::make_shared<bp::layer_schedule_cache>();
  const bp::cost_values costs = g.cost.values();
  const bp::search_problem p{net, g.batch, *g.res, costs, g.opt, cache,
                             [&](const std::string& l) { lines.push_back(l); }};
  const auto first = bp::beam_search<>{}.search(p);
  REQUIRE(!first.tops.empty());
  // One "-> layer" per layer in scheduling order, each followed by its segments' reprs.
  std::size_t layers = 0;
  for (const auto& l : lines) layers += l.rfind("-> ", 0) == 0 ? 1 : 0;
  CHECK(layers == static_cast<std::size_t>(net.size()));
  REQUIRE(lines.size() > 2);
  CHECK(lines[0] == "-> " + net.name_of(first.tops[0].schedules()[0].first));
  CHECK(lines[1] == "  - (('" + net.name_of(first.tops[0].schedules()[0].first) + "',),)");
  // A second run reuses every per-layer search: same result, all lookups hit.
  const auto before = cache->search_stats();
  const auto second = bp::tangram_search(net, g.batch, *g.res, costs, g.opt, cache);
  const auto after = cache->search_stats();
  CHECK(after.misses == before.misses);
  CHECK(after.hits > before.hits);
  REQUIRE(!second.tops.empty());
  CHECK(second.tops[0].total_cost() == first.tops[0].total_cost());
  CHECK(second.tops[0].total_time() == first.tops[0].total_time());
}
