// examples/bp_exp/experiments.hpp -- what bp-exp runs: the run matrices of `overall` and `dse`
// (docs/bufferprospector-model.md sections 7.2-7.4), full and --quick.
//
// overall: every workload x the method matrix at the default point, goals e and d.
//   Method matrix (res.csv method/policy): tangram/none, dp_tangram/none, relaxed_dram/none,
//   bp_intra/{nf_lrf, best_fit, producer_only}, bp_both/nf_lrf, ideal/none.
// dse: one factor at a time around the default point -- GBUF size, mesh, DRAM bandwidth r,
//   batch, max degree, max_util_drop -- with tangram and bp_intra/nf_lrf at every point, plus
//   the policy factor (bp_intra with every policy at the default point); goals e and d.
// --quick: small workloads and few points, so that `bp-exp` (overall --quick, then data) runs in
//   well under 2 minutes on 2 cores with every method of the matrix (measured: see the report).
#pragma once

#include <algorithm>  // std::find
#include <string>     // std::string
#include <vector>     // std::vector

#include <bufferprospector/core/math.hpp>         // bp::inf
#include <bufferprospector/options.hpp>           // bp::opt_goal
#include <bufferprospector/report/run_naming.hpp>  // bp::design_point, bp::run_id

namespace bp_exp {

/// One run of an experiment.
struct planned_run {
  std::string exp;      ///< "overall" or "dse" (res.csv `exp`)
  std::string exp_dir;  ///< "01_overall" or "02_DSE"
  bp::run_id id;
};

/// Restrictions from the command line (empty = everything).
struct run_filter {
  std::vector<std::string> nets;
  std::vector<std::string> methods;
  std::vector<bp::opt_goal> goals = {bp::opt_goal::e, bp::opt_goal::d};
};

struct method_policy {
  std::string method;
  std::string policy;
};

/// The overall experiment's method matrix.
inline std::vector<method_policy> overall_matrix() {
  return {{"tangram", "none"},        {"dp_tangram", "none"},   {"relaxed_dram", "none"},
          {"bp_intra", "nf_lrf"},     {"bp_intra", "best_fit"}, {"bp_intra", "producer_only"},
          {"bp_both", "nf_lrf"},      {"ideal", "none"}};
}

inline std::vector<std::string> overall_workloads(bool quick) {
  if (quick) return {"alex_net", "bert_base_block", "densenet121_block", "googlenet"};
  return {"resnet50",  "resnet152", "googlenet", "inception_resnet_v1", "densenet121",    "vgg19_net",
          "alex_net",  "lstm_gnmt", "bert_large", "gpt2_xl_prefill",    "gpt2_xl_decode"};
}

inline std::vector<std::string> dse_workloads(bool quick) {
  if (quick) return {"bert_base_block"};
  return {"resnet50", "googlenet", "bert_base_block"};
}

namespace detail {

inline bool wanted(const std::vector<std::string>& filter, const std::string& x) {
  return filter.empty() || std::find(filter.begin(), filter.end(), x) != filter.end();
}

inline void add_runs(std::vector<planned_run>& out, const std::string& exp, const std::string& dir,
                     const std::vector<std::string>& nets, const std::vector<bp::design_point>& points,
                     const std::vector<method_policy>& matrix, const run_filter& f) {
  for (const std::string& net : nets)
    for (const bp::design_point& p : points)
      for (const method_policy& mp : matrix) {
        if (!wanted(f.methods, mp.method)) continue;
        for (const bp::opt_goal g : f.goals) out.push_back({exp, dir, {net, p, mp.method, mp.policy, g}});
      }
}

}  // namespace detail

/// The runs of `bp-exp overall`.
inline std::vector<planned_run> overall_runs(bool quick, const run_filter& f) {
  std::vector<std::string> nets = f.nets.empty() ? overall_workloads(quick) : f.nets;
  std::vector<planned_run> out;
  detail::add_runs(out, "overall", "01_overall", nets, {bp::design_point{}}, overall_matrix(), f);
  return out;
}

/// The points of one DSE factor other than the default.
struct dse_factor_points {
  std::string factor;
  std::vector<bp::design_point> points;
};

inline std::vector<dse_factor_points> dse_points(bool quick) {
  const bp::design_point def{};
  const auto vary = [&](auto set, const auto& values) {
    std::vector<bp::design_point> pts;
    for (const auto& v : values) {
      bp::design_point p = def;
      set(p, v);
      if (!(p == def)) pts.push_back(p);
    }
    return pts;
  };
  using ints = std::vector<std::int64_t>;
  using reals = std::vector<double>;
  const ints gbufs = quick ? ints{64 * 1024, 256 * 1024} : ints{32 * 1024, 64 * 1024, 128 * 1024, 256 * 1024, 512 * 1024};
  const ints meshes = quick ? ints{4} : ints{4, 8, 16};
  const reals ratios = quick ? reals{0.25, 1} : reals{0.25, 0.5, 1, 2, bp::inf};
  const ints batches = quick ? ints{1} : ints{1, 4, 16};
  const reals degrees = quick ? reals{2} : reals{2, 4, 8, bp::inf};
  const reals drops = quick ? reals{0.1} : reals{0.02, 0.05, 0.1, 0.2};
  return {
      {"gbuf", vary([](bp::design_point& p, std::int64_t v) { p.gbuf_bytes = v; }, gbufs)},
      {"mesh", vary([](bp::design_point& p, std::int64_t v) { p.mesh_h = p.mesh_w = v; }, meshes)},
      {"dram_bw", vary([](bp::design_point& p, double v) { p.dram_bw_ratio = v; }, ratios)},
      {"batch", vary([](bp::design_point& p, std::int64_t v) { p.batch = v; }, batches)},
      {"max_degree", vary([](bp::design_point& p, double v) { p.max_degree = v; }, degrees)},
      {"max_util_drop", vary([](bp::design_point& p, double v) { p.max_util_drop = v; }, drops)},
  };
}

/// The runs of `bp-exp dse`: per workload, the default point with tangram and every bp_intra
/// policy, then each factor's other points with tangram and bp_intra/nf_lrf.
inline std::vector<planned_run> dse_runs(bool quick, const run_filter& f) {
  std::vector<std::string> nets = f.nets.empty() ? dse_workloads(quick) : f.nets;
  std::vector<planned_run> out;
  const std::vector<method_policy> at_default = {
      {"tangram", "none"}, {"bp_intra", "nf_lrf"}, {"bp_intra", "best_fit"}, {"bp_intra", "producer_only"}};
  const std::vector<method_policy> per_point = {{"tangram", "none"}, {"bp_intra", "nf_lrf"}};
  for (const std::string& net : nets) {
    detail::add_runs(out, "dse", "02_DSE", {net}, {bp::design_point{}}, at_default, f);
    for (const dse_factor_points& fp : dse_points(quick)) detail::add_runs(out, "dse", "02_DSE", {net}, fp.points, per_point, f);
  }
  return out;
}

}  // namespace bp_exp
