// bufferprospector/report/results_table.hpp -- the gathered results of many experiment runs:
// res.csv (docs/bufferprospector-model.md section 7.5), the summary table and the SVG plots.
//
//   std::vector<bp::result_row> rows;
//   for (each finished run) rows.push_back(bp::result_row_from_json(bp::json::parse(run_json_text)));
//   bp::compare_with_tangram(rows);                 // speedup, energy gain, DRAM-energy reduction
//   std::string csv = bp::results_csv(rows).str();  // res.csv
//   std::string txt = bp::summary_table(rows);      // what `bp-exp data` prints
//   for (const bp::chart_file& c : bp::result_charts(rows)) ...   // c.name ("speedup.svg"), c.svg
//
// Comparisons are with the tangram row of the same experiment, workload, point and goal:
//   speedup_vs_tangram      = tangram total_time / total_time, in goal-d rows only;
//   energy_gain_vs_tangram  = tangram total_energy / total_energy, in goal-e rows only;
//   dram_energy_reduction   = 1 - e_dram / tangram e_dram, in every row.
// An empty cell means "does not apply" (the other goal) or "no tangram row to compare with".
// res.csv has the columns of 7.5 in that order, then max_degree, max_util_drop (the DSE varies
// them) and status ("ok", or "no_schedule" with empty metric cells).
#pragma once

#include <algorithm>    // std::stable_sort, std::find
#include <cmath>        // std::exp, std::log, std::isinf
#include <cstddef>      // std::size_t
#include <cstdint>      // std::int64_t
#include <map>          // std::map
#include <optional>     // std::optional
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <tuple>        // std::tie
#include <utility>      // std::pair
#include <vector>       // std::vector

#include <bufferprospector/core/format.hpp>         // bp::fixed, bp::pad_right
#include <bufferprospector/report/csv.hpp>          // bp::csv_table
#include <bufferprospector/report/json.hpp>         // bp::json::value
#include <bufferprospector/report/metrics.hpp>      // bp::run_metrics, bp::core_utilization
#include <bufferprospector/report/run_naming.hpp>   // bp::run_id, bp::design_point
#include <bufferprospector/report/run_report.hpp>   // bp::design_point_from_json, bp::run_metrics_from_json
#include <bufferprospector/report/svg.hpp>          // bp::svg::*
#include <bufferprospector/search/methods.hpp>      // bp::methods

namespace bp {

/// One finished run, as res.csv shows it.
struct result_row {
  std::string exp;
  run_id id;
  std::string fallback;
  std::string status;                       ///< "ok" or "no_schedule"
  std::optional<std::string> failed_layer;
  std::optional<run_metrics> metrics;       ///< absent without a schedule
  double search_seconds = 0;
  std::optional<double> speedup_vs_tangram;
  std::optional<double> energy_gain_vs_tangram;
  std::optional<double> dram_energy_reduction;
  std::vector<double> core_util_before;     ///< per core, segment-time-weighted (heatmaps)
  std::vector<double> core_util_after;

  std::string method_policy() const { return id.method + "/" + id.policy; }
};

/// Reads a run's .json (report/run_report.hpp). Throws bp::json::parse_error for a missing key.
inline result_row result_row_from_json(const json::value& v) {
  result_row r;
  r.exp = v["exp"].as_string();
  r.id.net = v["net"].as_string();
  r.id.point = design_point_from_json(v["point"]);
  r.id.method = v["method"].as_string();
  r.id.policy = v["policy"].as_string();
  const std::string& goal = v["goal"].as_string();
  r.id.goal = goal == "d" ? opt_goal::d : goal == "ed" ? opt_goal::ed : opt_goal::e;
  r.fallback = v["fallback"].as_string();
  r.status = v["status"].as_string();
  if (v["failed_layer"].is_string()) r.failed_layer = v["failed_layer"].as_string();
  r.search_seconds = v["search_seconds"].as_double();
  if (!v["metrics"].is_null()) r.metrics = run_metrics_from_json(v["metrics"]);

  // The heatmap data: each segment's per-core words, weighted by its time.
  const std::int64_t capacity = v["resource"]["size_gbuf"].as_int();
  std::vector<segment_report> segs;
  for (const json::value& s : v["segments"].elements()) {
    segment_report rep;
    rep.seg.index = s["index"].as_int();
    rep.seg.time = s["time"].as_int();
    rep.gbuf_capacity = capacity;
    const auto flat = [](const json::value& rows) {
      std::vector<std::int64_t> out;
      if (rows.is_null()) return out;
      for (const json::value& row : rows.elements())
        for (const json::value& x : row.elements()) out.push_back(x.as_int());
      return out;
    };
    rep.seg.gbuf_words = flat(s["gbuf_words"]);
    rep.held = flat(s["held_words"]);
    segs.push_back(std::move(rep));
  }
  r.core_util_before = core_utilization(segs, false);
  r.core_util_after = core_utilization(segs, true);
  return r;
}

namespace detail::results {

inline int method_rank(std::string_view m) {
  const auto all = methods();
  for (std::size_t i = 0; i < all.size(); ++i)
    if (all[i].name == m) return static_cast<int>(i);
  return static_cast<int>(all.size());
}

inline int policy_rank(std::string_view p) {
  constexpr std::string_view order[] = {"none", "nf_lrf", "best_fit", "producer_only"};
  for (std::size_t i = 0; i < 4; ++i)
    if (order[i] == p) return static_cast<int>(i);
  return 4;
}

inline int exp_rank(std::string_view e) { return e == "overall" ? 0 : e == "dse" ? 1 : 2; }

inline auto point_key(const design_point& p) {
  return std::make_tuple(p.mesh_h, p.mesh_w, p.pe_h, p.pe_w, p.gbuf_bytes, p.regf_bytes, p.word_bits, p.batch,
                         p.dram_bw_ratio, p.max_degree, p.max_util_drop, static_cast<int>(p.dram));
}

inline bool same_case(const result_row& a, const result_row& b) {
  return a.exp == b.exp && a.id.net == b.id.net && a.id.point == b.id.point && a.id.goal == b.id.goal;
}

inline std::string pct(double v) { return fixed(100 * v, 0, 1) + "%"; }

/// Whether a row is at its experiment's main point: every point of `overall` (it has one), the
/// default point of `dse`.
inline bool at_main_point(const result_row& r) { return r.exp != "dse" || r.id.point == design_point{}; }
inline std::string times(double v) { return fixed(v, 0, 3); }

}  // namespace detail::results

/// Sorts rows (experiment, workload, point, method in registry order, policy, goal) and fills
/// the comparisons with the tangram row of the same case.
inline void compare_with_tangram(std::vector<result_row>& rows) {
  namespace dr = detail::results;
  std::stable_sort(rows.begin(), rows.end(), [](const result_row& a, const result_row& b) {
    const auto key = [](const result_row& r) {
      return std::make_tuple(dr::exp_rank(r.exp), r.exp, r.id.net, dr::point_key(r.id.point), dr::method_rank(r.id.method),
                             r.id.method, dr::policy_rank(r.id.policy), r.id.policy, static_cast<int>(r.id.goal));
    };
    return key(a) < key(b);
  });
  for (result_row& r : rows) {
    r.speedup_vs_tangram.reset();
    r.energy_gain_vs_tangram.reset();
    r.dram_energy_reduction.reset();
    if (!r.metrics) continue;
    const result_row* base = nullptr;
    for (const result_row& t : rows)
      if (t.id.method == "tangram" && t.metrics && dr::same_case(t, r)) base = &t;
    if (!base) continue;
    const run_metrics& m = *r.metrics;
    const run_metrics& b = *base->metrics;
    if (r.id.goal == opt_goal::d && m.total_time > 0)
      r.speedup_vs_tangram = static_cast<double>(b.total_time) / static_cast<double>(m.total_time);
    if (r.id.goal == opt_goal::e && m.total_energy > 0) r.energy_gain_vs_tangram = b.total_energy / m.total_energy;
    if (b.e_dram > 0) r.dram_energy_reduction = 1 - m.e_dram / b.e_dram;
  }
}

/// The columns of res.csv.
inline std::vector<std::string> results_columns() {
  return {"exp", "net", "batch", "mesh_h", "mesh_w", "pe_h", "pe_w", "gbuf_bytes", "regf_bytes", "word_bits",
          "dram_bw_ratio", "dram_bw_words_per_cycle", "goal", "method", "policy", "fallback", "total_energy",
          "e_op", "e_dram", "e_gbuf", "e_itcn", "e_regf", "e_noc", "e_static", "total_time", "sum_node_time",
          "sum_dram_time", "dram_words_fil", "dram_words_ifm", "dram_words_ofm", "noc_hops", "n_segments",
          "mean_seg_layers", "n_relaxed_segments", "n_held_edges", "held_words", "failed_alloc_segments",
          "buf_util_before", "buf_util_after", "buf_util_max_after", "speedup_vs_tangram",
          "energy_gain_vs_tangram", "dram_energy_reduction", "search_seconds", "max_degree", "max_util_drop",
          "status"};
}

/// res.csv as a table, one row per run in the order of `rows`.
inline csv_table results_csv(const std::vector<result_row>& rows) {
  using c = csv_table;
  csv_table t(results_columns());
  for (const result_row& r : rows) {
    const design_point& p = r.id.point;
    csv_table::row cells = {r.exp, r.id.net, c::cell(p.batch), c::cell(p.mesh_h), c::cell(p.mesh_w), c::cell(p.pe_h),
                            c::cell(p.pe_w), c::cell(p.gbuf_bytes), c::cell(p.regf_bytes), c::cell(p.word_bits),
                            c::cell(p.dram_bw_ratio), c::cell(p.dram_words_per_cycle()),
                            std::string(to_string(r.id.goal)), r.id.method, r.id.policy, r.fallback};
    if (r.metrics) {
      const run_metrics& m = *r.metrics;
      for (std::string cell : {c::cell(m.total_energy), c::cell(m.e_op), c::cell(m.e_dram), c::cell(m.e_gbuf),
                               c::cell(m.e_itcn), c::cell(m.e_regf), c::cell(m.e_noc), c::cell(m.e_static),
                               c::cell(m.total_time), c::cell(m.sum_node_time), c::cell(m.sum_dram_time),
                               c::cell(m.dram_words_fil), c::cell(m.dram_words_ifm), c::cell(m.dram_words_ofm),
                               c::cell(m.noc_hops), c::cell(m.n_segments), c::cell(m.mean_seg_layers),
                               c::cell(m.n_relaxed_segments), c::cell(m.n_held_edges), c::cell(m.held_words),
                               c::cell(m.failed_alloc_segments), c::cell(m.buf_util_before),
                               c::cell(m.buf_util_after), c::cell(m.buf_util_max_after)})
        cells.push_back(std::move(cell));
    } else {
      cells.resize(cells.size() + 24);
    }
    cells.push_back(c::cell(r.speedup_vs_tangram));
    cells.push_back(c::cell(r.energy_gain_vs_tangram));
    cells.push_back(c::cell(r.dram_energy_reduction));
    cells.push_back(c::cell(r.search_seconds));
    cells.push_back(c::cell(p.max_degree));
    cells.push_back(c::cell(p.max_util_drop));
    cells.push_back(r.status);
    t.add_row(std::move(cells));
  }
  return t;
}

//
// Summary
//

/// Mean and geometric mean of a list of positive ratios.
struct ratio_stats {
  std::size_t n = 0;
  double mean = 0;
  double geomean = 0;
};

inline ratio_stats stats_of(const std::vector<double>& v) {
  ratio_stats s;
  s.n = v.size();
  if (v.empty()) return s;
  double sum = 0, log_sum = 0;
  for (const double x : v) {
    sum += x;
    log_sum += std::log(x);
  }
  s.mean = sum / static_cast<double>(v.size());
  s.geomean = std::exp(log_sum / static_cast<double>(v.size()));
  return s;
}

/// The text `bp-exp data` prints: per experiment, per method and policy, the mean and geomean
/// speedup (goal d) and energy gain (goal e) over workloads, and the mean DRAM-energy reduction
/// (goal e); then the same per workload; then the runs without a schedule and the methods that
/// are not available yet.
inline std::string summary_table(const std::vector<result_row>& rows) {
  namespace dr = detail::results;
  std::string t;
  std::vector<std::string> exps;
  for (const result_row& r : rows)
    if (std::find(exps.begin(), exps.end(), r.exp) == exps.end()) exps.push_back(r.exp);

  for (const std::string& exp : exps) {
    // The method/policy columns and workloads present, in row order.
    std::vector<std::string> combos, nets;
    std::size_t n_runs = 0;
    for (const result_row& r : rows) {
      if (r.exp != exp) continue;
      ++n_runs;
      if (std::find(combos.begin(), combos.end(), r.method_policy()) == combos.end()) combos.push_back(r.method_policy());
      if (std::find(nets.begin(), nets.end(), r.id.net) == nets.end()) nets.push_back(r.id.net);
    }
    t += "Experiment " + exp + ": " + std::to_string(n_runs) + " runs, " + std::to_string(nets.size()) +
         " workloads; ratios vs tangram at the same point (speedup: goal d; energy gain, DRAM-energy reduction: goal e)\n";
    t += pad_right("method/policy", 26) + pad_right("speedup mean", 14) + pad_right("geomean", 10) +
         pad_right("energy gain mean", 18) + pad_right("geomean", 10) + "DRAM-energy reduction mean\n";
    for (const std::string& combo : combos) {
      std::vector<double> speedups, gains, reductions;
      for (const result_row& r : rows) {
        if (r.exp != exp || r.method_policy() != combo) continue;
        if (r.speedup_vs_tangram) speedups.push_back(*r.speedup_vs_tangram);
        if (r.energy_gain_vs_tangram) gains.push_back(*r.energy_gain_vs_tangram);
        if (r.id.goal == opt_goal::e && r.dram_energy_reduction) reductions.push_back(*r.dram_energy_reduction);
      }
      const ratio_stats s = stats_of(speedups), g = stats_of(gains);
      double red = 0;
      for (const double x : reductions) red += x;
      const auto cell = [](bool have, const std::string& text, std::size_t w) {
        return pad_right(have ? text : std::string("-"), w);
      };
      t += pad_right(combo, 26) + cell(s.n > 0, dr::times(s.mean), 14) + cell(s.n > 0, dr::times(s.geomean), 10) +
           cell(g.n > 0, dr::times(g.mean), 18) + cell(g.n > 0, dr::times(g.geomean), 10) +
           (reductions.empty() ? std::string("-") : dr::pct(red / static_cast<double>(reductions.size()))) + "\n";
    }
    std::size_t col = 16;  // "12.34 / 12.34" fits
    for (const std::string& combo : combos) col = std::max(col, combo.size() + 2);
    t += "\nPer workload (speedup / energy gain):\n" + pad_right("workload", 28);
    for (const std::string& combo : combos) t += pad_right(combo, col);
    t += "\n";
    for (const std::string& net : nets) {
      t += pad_right(net, 28);
      for (const std::string& combo : combos) {
        std::optional<double> s, g;
        bool none = false, any = false;
        for (const result_row& r : rows) {
          if (r.exp != exp || r.id.net != net || r.method_policy() != combo || !dr::at_main_point(r)) continue;
          any = true;
          none = none || !r.metrics;
          if (r.speedup_vs_tangram) s = r.speedup_vs_tangram;
          if (r.energy_gain_vs_tangram) g = r.energy_gain_vs_tangram;
        }
        const std::string text = !any ? "" : none && !s && !g ? "no schedule"
                                               : (s ? fixed(*s, 0, 2) : std::string("-")) + " / " +
                                                     (g ? fixed(*g, 0, 2) : std::string("-"));
        t += pad_right(text, col);
      }
      t += "\n";
    }
    if (exp == "dse") t += "(DSE: the default point only; res.csv and the dse_*.svg plots have every point)\n";
    t += "\n";
  }

  std::vector<std::string> notes;
  for (const result_row& r : rows)
    if (!r.metrics) {
      const std::string note = "  " + r.exp + " " + r.id.net + " " + r.id.point.tag() + " " + r.method_policy() +
                               " goal " + std::string(to_string(r.id.goal)) + ": no valid schedule (layer " +
                               r.failed_layer.value_or("?") + ")";
      notes.push_back(note);
    }
  if (!notes.empty()) {
    t += "Runs without a valid schedule (" + std::to_string(notes.size()) + "):\n";
    for (const std::string& n : notes) t += n + "\n";
  }
  std::string pending;
  for (const method_entry& m : methods())
    if (!m.available()) pending += "  " + std::string(m.name) + ": method not available yet (waits for " + std::string(m.pending) + ")\n";
  if (!pending.empty()) t += "Skipped methods (no runs, no numbers):\n" + pending;
  return t;
}

//
// Plots
//

/// One SVG file to write: its file name and text.
struct chart_file {
  std::string name;
  std::string svg;
};

namespace detail::results {

// The value of `pick` for one workload and method/policy in the main-point rows of `exp`.
template <class Pick>
std::optional<double> main_point_value(const std::vector<result_row>& rows, std::string_view exp, const std::string& net,
                                          const std::string& combo, Pick&& pick) {
  for (const result_row& r : rows)
    if (r.exp == exp && r.id.net == net && r.method_policy() == combo && at_main_point(r))
      if (const std::optional<double> v = pick(r)) return v;
  return std::nullopt;
}

inline std::vector<std::string> nets_of(const std::vector<result_row>& rows, std::string_view exp) {
  std::vector<std::string> nets;
  for (const result_row& r : rows)
    if (r.exp == exp && std::find(nets.begin(), nets.end(), r.id.net) == nets.end()) nets.push_back(r.id.net);
  return nets;
}

inline std::vector<std::string> combos_of(const std::vector<result_row>& rows, std::string_view exp) {
  std::vector<std::string> combos;
  for (const result_row& r : rows)
    if (r.exp == exp && std::find(combos.begin(), combos.end(), r.method_policy()) == combos.end())
      combos.push_back(r.method_policy());
  return combos;
}

template <class Pick>
std::string ratio_bars(const std::vector<result_row>& rows, std::string_view exp, std::string_view title,
                       std::string_view y_label, Pick&& pick) {
  const std::vector<std::string> nets = nets_of(rows, exp);
  std::vector<svg::bar_series> series;
  for (const std::string& combo : combos_of(rows, exp)) {
    svg::bar_series s{combo, {}};
    for (const std::string& net : nets) s.values.push_back(main_point_value(rows, exp, net, combo, pick));
    series.push_back(std::move(s));
  }
  return svg::bar_chart(title, y_label, nets, series, 1.0);
}

// A DSE factor: its name, how to read it from a point, and how to label a value.
struct dse_factor {
  std::string name;
  std::string label;
  double (*value)(const design_point&);
  std::string (*text)(double);
};

inline std::vector<dse_factor> dse_factors() {
  const auto plain = [](double v) { return design_point::number_text(v); };
  return {
      {"gbuf", "GBUF per core (bytes)", [](const design_point& p) { return static_cast<double>(p.gbuf_bytes); },
       [](double v) { return design_point::number_text(v / 1024) + "k"; }},
      {"mesh", "mesh (cores)", [](const design_point& p) { return static_cast<double>(p.mesh_h * 1000000 + p.mesh_w); },
       [](double v) {
         const auto n = static_cast<std::int64_t>(v);
         return std::to_string(n / 1000000) + "x" + std::to_string(n % 1000000);
       }},
      {"dram_bw", "DRAM bandwidth r (GB/s per TOPS)", [](const design_point& p) { return p.dram_bw_ratio; }, plain},
      {"batch", "batch", [](const design_point& p) { return static_cast<double>(p.batch); }, plain},
      {"max_degree", "layer_pipeline_max_degree", [](const design_point& p) { return p.max_degree; }, plain},
      {"max_util_drop", "max_util_drop", [](const design_point& p) { return p.max_util_drop; }, plain},
  };
}

// Whether `p` is the default point with at most factor `f` changed.
inline bool on_axis(const design_point& p, const dse_factor& f) {
  const design_point def{};
  for (const dse_factor& g : dse_factors())
    if (g.name != f.name && g.value(p) != g.value(def)) return false;
  design_point q = p;  // everything the factors do not cover must be the default's
  q.gbuf_bytes = def.gbuf_bytes;
  q.mesh_h = def.mesh_h;
  q.mesh_w = def.mesh_w;
  q.dram_bw_ratio = def.dram_bw_ratio;
  q.batch = def.batch;
  q.max_degree = def.max_degree;
  q.max_util_drop = def.max_util_drop;
  return q == def;
}

}  // namespace detail::results

/// The plots:
///   speedup.svg, energy_gain.svg  bars per workload and method/policy at the main point (overall's
///                                 one point, else the DSE's default point);
///   heatmap_<net>.svg             per-core GBUF utilization before/after holds of each workload's
///                                 main bp_intra run (nf_lrf, goal e), or of its tangram run while
///                                 there is none;
///   dse_<factor>_{energy,time}.svg  per DSE factor, energy (goal e) and time (goal d) of every
///                                 method relative to tangram at the default point of the workload.
inline std::vector<chart_file> result_charts(const std::vector<result_row>& rows) {
  namespace dr = detail::results;
  std::vector<chart_file> out;
  const std::string main_exp = [&] {
    for (const result_row& r : rows)
      if (r.exp == "overall") return std::string("overall");
    return rows.empty() ? std::string("overall") : rows.front().exp;
  }();
  if (rows.empty()) return out;

  out.push_back({"speedup.svg", dr::ratio_bars(rows, main_exp, "Speedup vs tangram (" + main_exp + ", goal d)",
                                               "speedup", [](const result_row& r) { return r.speedup_vs_tangram; })});
  out.push_back({"energy_gain.svg",
                 dr::ratio_bars(rows, main_exp, "Energy gain vs tangram (" + main_exp + ", goal e)", "energy gain",
                                [](const result_row& r) { return r.energy_gain_vs_tangram; })});

  for (const std::string& net : dr::nets_of(rows, main_exp)) {
    const result_row* pick = nullptr;
    for (const char* method : {"bp_intra", "tangram"}) {
      for (const result_row& r : rows)
        if (!pick && r.exp == main_exp && r.id.net == net && r.id.method == method &&
            (r.id.policy == "nf_lrf" || r.id.policy == "none") && r.id.goal == opt_goal::e &&
            dr::at_main_point(r) && !r.core_util_before.empty())
          pick = &r;
    }
    if (!pick) continue;
    const design_point& p = pick->id.point;
    const std::string what = pick->id.method == "tangram" ? "tangram (no prospecting: after = before)"
                                                          : pick->method_policy();
    out.push_back({"heatmap_" + net + ".svg",
                   svg::heatmap(net + ": GBUF utilization per core, " + what + ", goal e",
                                {{"before", p.mesh_h, p.mesh_w, pick->core_util_before},
                                 {"after", p.mesh_h, p.mesh_w, pick->core_util_after}})});
  }

  // DSE curves: per factor, energy (goal e) and time (goal d) relative to tangram at the default point.
  for (const dr::dse_factor& f : dr::dse_factors()) {
    std::vector<double> xs;
    for (const result_row& r : rows)
      if (r.exp == "dse" && r.metrics && dr::on_axis(r.id.point, f) &&
          std::find(xs.begin(), xs.end(), f.value(r.id.point)) == xs.end())
        xs.push_back(f.value(r.id.point));
    if (xs.size() < 2) continue;
    std::sort(xs.begin(), xs.end());
    std::vector<std::string> labels;
    for (const double x : xs) labels.push_back(f.text(x));
    std::vector<svg::line_series> energy, time;
    for (const std::string& net : dr::nets_of(rows, "dse"))
      for (const std::string& combo : dr::combos_of(rows, "dse")) {
        const auto base = [&](opt_goal g) -> const run_metrics* {
          for (const result_row& r : rows)
            if (r.exp == "dse" && r.id.net == net && r.id.method == "tangram" && r.id.goal == g &&
                r.id.point == design_point{} && r.metrics)
              return &*r.metrics;
          return nullptr;
        };
        const run_metrics* be = base(opt_goal::e);
        const run_metrics* bd = base(opt_goal::d);
        svg::line_series e{net + " " + combo, std::vector<std::optional<double>>(xs.size())};
        svg::line_series d{net + " " + combo, std::vector<std::optional<double>>(xs.size())};
        bool any = false;
        for (const result_row& r : rows) {
          if (r.exp != "dse" || r.id.net != net || r.method_policy() != combo || !r.metrics ||
              !dr::on_axis(r.id.point, f))
            continue;
          const auto i = static_cast<std::size_t>(std::find(xs.begin(), xs.end(), f.value(r.id.point)) - xs.begin());
          if (r.id.goal == opt_goal::e && be) e.values[i] = r.metrics->total_energy / be->total_energy;
          if (r.id.goal == opt_goal::d && bd)
            d.values[i] = static_cast<double>(r.metrics->total_time) / static_cast<double>(bd->total_time);
          any = true;
        }
        if (!any) continue;
        energy.push_back(std::move(e));
        time.push_back(std::move(d));
      }
    out.push_back({"dse_" + f.name + "_energy.svg",
                   svg::line_chart("DSE " + f.name + ": energy (goal e) / tangram at the default point", f.label,
                                   "relative energy", labels, energy, 1.0)});
    out.push_back({"dse_" + f.name + "_time.svg",
                   svg::line_chart("DSE " + f.name + ": time (goal d) / tangram at the default point", f.label,
                                   "relative time", labels, time, 1.0)});
  }
  return out;
}

}  // namespace bp
