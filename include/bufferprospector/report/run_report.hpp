// bufferprospector/report/run_report.hpp -- what one experiment run reports: its .json (scheme,
// totals, per-segment per-core buffer use, held edges and placements) and its .txt (the search's
// log, then the chosen segments and their costs). bp-exp writes them; `bp-exp data` reads the
// .json back (run_row_from_json in report/results_table.hpp).
//
//   bp::run_result r = bp::make_run_result({"overall", id, "none", chip, opt, cost, seconds}, net, outcome);
//   std::string json_text = bp::json::dump(bp::run_json(r, outcome));
//   std::string log_text = bp::run_log(r, net, outcome);
//
// JSON keys (version "bp_exp_run": 1): exp, net, cfg, point {mesh_h ... max_util_drop}, method,
// policy, fallback, goal, status ("ok" or "no_schedule"), failed_layer, search_seconds, resource,
// cost, options, metrics {the per-run res.csv columns} or null, segments [...], held_edges [...],
// scheme (Tangram's stats dict of the best scheme, report/search_json.hpp) or null.
#pragma once

#include <cstddef>      // std::size_t
#include <cstdint>      // std::int64_t
#include <optional>     // std::optional
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include <bufferprospector/arch/memory.hpp>          // bp::dram_placement
#include <bufferprospector/arch/resource.hpp>        // bp::resource
#include <bufferprospector/core/format.hpp>          // bp::python_repr, bp::pad_right
#include <bufferprospector/options.hpp>              // bp::options
#include <bufferprospector/report/json.hpp>          // bp::json::value
#include <bufferprospector/report/metrics.hpp>       // bp::run_metrics, bp::segment_reports
#include <bufferprospector/report/run_naming.hpp>    // bp::run_id, bp::design_point
#include <bufferprospector/report/search_json.hpp>   // bp::report::stats_json
#include <bufferprospector/report/tangram_json.hpp>  // bp::report::to_json, tangram_cost
#include <bufferprospector/search/methods.hpp>       // bp::method_outcome
#include <bufferprospector/workload/network.hpp>     // bp::network

namespace bp {

inline constexpr std::int64_t run_json_version = 1;

/// Everything about a run that is not the search's outcome.
struct run_context {
  std::string exp;            ///< "overall" or "dse"
  run_id id;
  std::string fallback;       ///< the method's res.csv fallback
  resource chip;              ///< the whole-chip resource
  options opt;
  report::tangram_cost cost;
  double search_seconds = 0;
};

/// A run with its derived numbers.
struct run_result {
  run_context ctx;
  std::optional<std::string> failed_layer;  ///< set when no schedule was found
  std::optional<run_metrics> metrics;       ///< set when one was
  std::vector<segment_report> segments;
};

/// Derives the segments and metrics of a finished search.
inline run_result make_run_result(run_context ctx, const network& net, const method_outcome& outcome) {
  run_result r{std::move(ctx), std::nullopt, std::nullopt, {}};
  if (outcome.search.tops.empty()) {
    r.failed_layer = outcome.search.failed_layer ? net.name_of(*outcome.search.failed_layer) : std::string("?");
    return r;
  }
  const network_scheme& best = outcome.search.tops.front();
  r.segments = segment_reports(best, outcome, r.ctx.chip, r.ctx.opt, r.ctx.id.point.max_util_drop);
  r.metrics = compute_run_metrics(best, r.ctx.cost.values(), r.segments, outcome);
  return r;
}

//
// Pieces of the JSON, with their readers
//

inline json::value to_json(const design_point& p) {
  json::value o = json::value::object();
  o.set("mesh_h", p.mesh_h);
  o.set("mesh_w", p.mesh_w);
  o.set("pe_h", p.pe_h);
  o.set("pe_w", p.pe_w);
  o.set("regf_bytes", p.regf_bytes);
  o.set("gbuf_bytes", p.gbuf_bytes);
  o.set("word_bits", p.word_bits);
  o.set("batch", p.batch);
  o.set("dram_bw_ratio", p.dram_bw_ratio);
  o.set("max_degree", p.max_degree);
  o.set("max_util_drop", p.max_util_drop);
  o.set("dram", std::string(to_string(p.dram)));
  return o;
}

inline design_point design_point_from_json(const json::value& v) {
  design_point p;
  p.mesh_h = v["mesh_h"].as_int();
  p.mesh_w = v["mesh_w"].as_int();
  p.pe_h = v["pe_h"].as_int();
  p.pe_w = v["pe_w"].as_int();
  p.regf_bytes = v["regf_bytes"].as_int();
  p.gbuf_bytes = v["gbuf_bytes"].as_int();
  p.word_bits = v["word_bits"].as_int();
  p.batch = v["batch"].as_int();
  p.dram_bw_ratio = v["dram_bw_ratio"].as_double();
  p.max_degree = v["max_degree"].as_double();
  p.max_util_drop = v["max_util_drop"].as_double();
  p.dram = v["dram"].as_string() == "3D" ? dram_placement::stacked_3d : dram_placement::edge_2d;
  return p;
}

/// The per-run res.csv columns, in res.csv order.
inline json::value to_json(const run_metrics& m) {
  json::value o = json::value::object();
  o.set("total_energy", m.total_energy);
  o.set("e_op", m.e_op);
  o.set("e_dram", m.e_dram);
  o.set("e_gbuf", m.e_gbuf);
  o.set("e_itcn", m.e_itcn);
  o.set("e_regf", m.e_regf);
  o.set("e_noc", m.e_noc);
  o.set("e_static", m.e_static);
  o.set("total_time", m.total_time);
  o.set("sum_node_time", m.sum_node_time);
  o.set("sum_dram_time", m.sum_dram_time);
  o.set("dram_words_fil", m.dram_words_fil);
  o.set("dram_words_ifm", m.dram_words_ifm);
  o.set("dram_words_ofm", m.dram_words_ofm);
  o.set("noc_hops", m.noc_hops);
  o.set("n_segments", m.n_segments);
  o.set("mean_seg_layers", m.mean_seg_layers);
  o.set("n_relaxed_segments", m.n_relaxed_segments);
  o.set("n_held_edges", m.n_held_edges);
  o.set("held_words", m.held_words);
  o.set("failed_alloc_segments", m.failed_alloc_segments);
  o.set("buf_util_before", m.buf_util_before);
  o.set("buf_util_after", m.buf_util_after);
  o.set("buf_util_max_after", m.buf_util_max_after);
  return o;
}

inline run_metrics run_metrics_from_json(const json::value& v) {
  run_metrics m;
  m.total_energy = v["total_energy"].as_double();
  m.e_op = v["e_op"].as_double();
  m.e_dram = v["e_dram"].as_double();
  m.e_gbuf = v["e_gbuf"].as_double();
  m.e_itcn = v["e_itcn"].as_double();
  m.e_regf = v["e_regf"].as_double();
  m.e_noc = v["e_noc"].as_double();
  m.e_static = v["e_static"].as_double();
  m.total_time = v["total_time"].as_int();
  m.sum_node_time = v["sum_node_time"].as_int();
  m.sum_dram_time = v["sum_dram_time"].as_int();
  m.dram_words_fil = v["dram_words_fil"].as_double();
  m.dram_words_ifm = v["dram_words_ifm"].as_double();
  m.dram_words_ofm = v["dram_words_ofm"].as_double();
  m.noc_hops = v["noc_hops"].as_double();
  m.n_segments = v["n_segments"].as_int();
  m.mean_seg_layers = v["mean_seg_layers"].as_double();
  m.n_relaxed_segments = v["n_relaxed_segments"].as_int();
  m.n_held_edges = v["n_held_edges"].as_int();
  m.held_words = v["held_words"].as_int();
  m.failed_alloc_segments = v["failed_alloc_segments"].as_int();
  m.buf_util_before = v["buf_util_before"].as_double();
  m.buf_util_after = v["buf_util_after"].as_double();
  m.buf_util_max_after = v["buf_util_max_after"].as_double();
  return m;
}

namespace detail::run_io {

inline json::value mesh_rows(const std::vector<std::int64_t>& words, std::int64_t mesh_w) {
  if (words.empty() || mesh_w <= 0) return nullptr;
  json::value rows = json::value::array();
  for (std::size_t i = 0; i < words.size(); i += static_cast<std::size_t>(mesh_w)) {
    json::value row = json::value::array();
    for (std::size_t k = i; k < i + static_cast<std::size_t>(mesh_w) && k < words.size(); ++k) row.push_back(words[k]);
    rows.push_back(std::move(row));
  }
  return rows;
}

inline json::value layer_names(const network& net, const std::vector<layer_id>& ids) {
  json::value a = json::value::array();
  for (const layer_id l : ids) a.push_back(net.name_of(l));
  return a;
}

inline json::value node_json(phy_dim2 p) { return json::value::array({p.h, p.w}); }

}  // namespace detail::run_io

/// One segment: layers per stage, timing, energy, utilization, and the per-core GBUF words
/// before holds and held (mesh rows; null when unknown or nothing held).
inline json::value to_json(const segment_report& r, const network& net, std::int64_t mesh_w) {
  json::value o = json::value::object();
  o.set("index", r.seg.index);
  json::value stages = json::value::array();
  for (const auto& st : r.seg.stages) stages.push_back(detail::run_io::layer_names(net, st));
  o.set("stages", std::move(stages));
  o.set("time", r.seg.time);
  o.set("node_time", r.seg.node_time);
  o.set("dram_time", r.seg.dram_time);
  o.set("critical_time", r.seg.critical_time);
  o.set("batch_groups", r.seg.batch_groups);
  o.set("energy", r.seg.cost);
  o.set("relaxed", r.relaxed);
  o.set("failed_alloc", r.failed_alloc);
  o.set("buf_util_before", r.usage_known() ? json::value(r.utilization(false)) : json::value(nullptr));
  o.set("buf_util_after", r.usage_known() ? json::value(r.utilization(true)) : json::value(nullptr));
  o.set("gbuf_words", detail::run_io::mesh_rows(r.seg.gbuf_words, mesh_w));
  o.set("held_words", detail::run_io::mesh_rows(r.held, mesh_w));
  return o;
}

inline json::value to_json(const hold_report& e, const network& net) {
  json::value o = json::value::object();
  o.set("producer", net.name_of(e.producer));
  o.set("consumers", detail::run_io::layer_names(net, e.consumers));
  o.set("segment", e.segment);
  o.set("last_segment", e.last_segment);
  o.set("live_groups", e.live_groups);
  o.set("words", e.words);
  json::value placements = json::value::array();
  for (const hold_placement& p : e.placements) {
    json::value q = json::value::object();
    q.set("producer_node", detail::run_io::node_json(p.producer_node));
    q.set("host", detail::run_io::node_json(p.host));
    q.set("words", p.words);
    placements.push_back(std::move(q));
  }
  o.set("placements", std::move(placements));
  return o;
}

/// The run's .json.
inline json::value run_json(const run_result& r, const network& net, const method_outcome& outcome) {
  const run_context& c = r.ctx;
  json::value o = json::value::object();
  o.set("bp_exp_run", run_json_version);
  o.set("exp", c.exp);
  o.set("net", c.id.net);
  o.set("cfg", c.id.point.tag());
  o.set("point", to_json(c.id.point));
  o.set("method", c.id.method);
  o.set("policy", c.id.policy);
  o.set("fallback", c.fallback);
  o.set("goal", std::string(to_string(c.id.goal)));
  o.set("status", r.metrics ? "ok" : "no_schedule");
  o.set("failed_layer", r.failed_layer ? json::value(*r.failed_layer) : json::value(nullptr));
  o.set("search_seconds", c.search_seconds);
  o.set("resource", report::to_json(c.chip));
  o.set("cost", report::to_json(c.cost));
  o.set("options", report::to_json(c.opt, /*with_quirks_key=*/true));
  o.set("metrics", r.metrics ? to_json(*r.metrics) : json::value(nullptr));
  const std::int64_t mesh_w = c.chip.proc_region.dim().w;
  json::value segs = json::value::array();
  for (const segment_report& s : r.segments) segs.push_back(to_json(s, net, mesh_w));
  o.set("segments", std::move(segs));
  json::value held = json::value::array();
  if (r.metrics)
    for (const hold_report& e : outcome.held_edges) held.push_back(to_json(e, net));
  o.set("held_edges", std::move(held));
  o.set("scheme", r.metrics ? report::stats_json(outcome.search.tops.front(), c.cost) : json::value(nullptr));
  return o;
}

//
// The .txt
//

namespace detail::run_io {

inline std::string stages_text(const network& net, const segment_stages& stages) {
  std::string s;
  for (const auto& st : stages) {
    s += s.empty() ? "(" : " (";
    for (std::size_t i = 0; i < st.size(); ++i) s += (i ? " " : "") + net.name_of(st[i]);
    s += ")";
  }
  return s;
}

inline std::string percent(double v) { return fixed(100 * v, 5, 1) + "%"; }

}  // namespace detail::run_io

/// The run's .txt: what ran, the search's log (for the DP: one line per evaluated transition),
/// then the chosen segments with their costs and buffer use, and the held edges.
inline std::string run_log(const run_result& r, const network& net, const method_outcome& outcome) {
  const run_context& c = r.ctx;
  std::string t = "bp-exp run " + c.id.stem() + "\n";
  t += "experiment " + c.exp + "; workload " + c.id.net + "; point " + c.id.point.tag() + "; batch " +
       std::to_string(c.id.point.batch) + "\n";
  t += "method " + c.id.method + "; policy " + c.id.policy + "; fallback " + c.fallback + "; goal " +
       std::string(to_string(c.opt.goal)) + "; tangram_quirks " + (c.opt.tangram_quirks ? "on" : "off") + "\n";
  t += "search time " + fixed(c.search_seconds, 0, 3) + " s\n\n";
  t += "Search log (" + std::to_string(outcome.log.size()) + " lines):\n";
  for (const std::string& line : outcome.log) t += line + "\n";
  t += "\n";
  if (!r.metrics) return t + "No valid schedule: layer " + r.failed_layer.value_or("?") + " has none at this point.\n";

  const run_metrics& m = *r.metrics;
  t += "Best scheme: " + std::to_string(m.n_segments) + " segments; total energy " + python_repr(m.total_energy) +
       "; total time " + std::to_string(m.total_time) + " cycles\n";
  t += "seg  time         node_time    dram_time    critical     B   energy            util before  after   stages\n";
  for (const segment_report& s : r.segments) {
    t += pad_right(std::to_string(s.seg.index), 5) + pad_right(std::to_string(s.seg.time), 13) +
         pad_right(std::to_string(s.seg.node_time), 13) + pad_right(std::to_string(s.seg.dram_time), 13) +
         pad_right(std::to_string(s.seg.critical_time), 13) + pad_right(std::to_string(s.seg.batch_groups), 4) +
         pad_right(python_repr(s.seg.cost), 18) +
         pad_right(s.usage_known() ? detail::run_io::percent(s.utilization(false)) : std::string("   ?"), 13) +
         pad_right(s.usage_known() ? detail::run_io::percent(s.utilization(true)) : std::string("   ?"), 8) +
         detail::run_io::stages_text(net, s.seg.stages) + (s.relaxed ? "  [relaxed]" : "") +
         (s.failed_alloc ? "  [allocation failed]" : "") + "\n";
  }
  if (outcome.held_edges.empty()) return t + "Held edges: none\n";
  t += "Held edges (" + std::to_string(outcome.held_edges.size()) + "):\n";
  for (const hold_report& e : outcome.held_edges) {
    t += "  " + net.name_of(e.producer) + " ->";
    for (const layer_id l : e.consumers) t += " " + net.name_of(l);
    t += "  segment " + std::to_string(e.segment) +
         (e.last_segment != e.segment ? ".." + std::to_string(e.last_segment) : std::string()) + "; N_live " +
         std::to_string(e.live_groups) + "; " + std::to_string(e.words) + " words on " +
         std::to_string(e.placements.size()) + " placements\n";
  }
  return t;
}

}  // namespace bp
