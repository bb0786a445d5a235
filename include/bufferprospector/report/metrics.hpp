// bufferprospector/report/metrics.hpp -- the numbers of one experiment run (the per-run columns of
// res.csv, docs/bufferprospector-model.md section 7.5), computed from the best scheme and what the
// method reported.
//
//   std::vector<bp::segment_report> segs = bp::segment_reports(best, outcome, chip_res, opt, 0.05);
//   bp::run_metrics m = bp::compute_run_metrics(best, costs, segs, outcome);
//   m.total_energy; m.e_dram; m.buf_util_before; ...
//
// Energy is Tangram's cost (total_cost, static cost overlap removed) and its breakdown as
// Tangram's stats_dict sums it: ops * mac, accesses per level * level cost (remote GBUF accesses
// count as GBUF), NoC hops * hop cost, total_time * idle cost. DRAM words are the layers' DRAM
// accesses per data category. Buffer utilization (model note section 4): per segment, the GBUF
// words in use summed over all cores / (cores * GBUF words), before and after the prospector's
// holds; the network value is the segment-time-weighted mean. Methods without a prospector have
// no holds: after == before, and the held-edge counts are 0.
#pragma once

#include <algorithm>  // std::max
#include <cstddef>    // std::size_t
#include <cstdint>    // std::int64_t
#include <span>       // std::span
#include <vector>     // std::vector

#include <bufferprospector/arch/cost_table.hpp>          // bp::cost_values
#include <bufferprospector/arch/resource.hpp>            // bp::resource
#include <bufferprospector/core/enums.hpp>               // bp::mem_level, bp::data_category
#include <bufferprospector/options.hpp>                  // bp::options
#include <bufferprospector/prospector/spare_buffer.hpp>  // bp::segment_utilization, bp::network_utilization
#include <bufferprospector/report/scheme_segments.hpp>   // bp::scheme_segment, bp::scheme_segments
#include <bufferprospector/search/methods.hpp>           // bp::method_outcome
#include <bufferprospector/search/network_scheme.hpp>    // bp::network_scheme

namespace bp {

/// One segment of a run's best scheme with its buffer use before and after holds.
struct segment_report {
  scheme_segment seg;                ///< seg.gbuf_words: usage before holds (empty: unknown)
  std::vector<std::int64_t> held;    ///< per core; empty = nothing held
  bool relaxed = false;
  bool failed_alloc = false;
  std::int64_t gbuf_capacity = 0;    ///< words per core

  bool usage_known() const noexcept { return !seg.gbuf_words.empty(); }
  std::int64_t held_on(std::size_t core) const noexcept { return held.empty() ? 0 : held[core]; }
  /// Sum over cores of the words in use / (cores * capacity); 0 when unknown.
  double utilization(bool after) const noexcept {
    if (!usage_known() || gbuf_capacity == 0) return 0;
    double words = 0;
    for (std::size_t c = 0; c < seg.gbuf_words.size(); ++c)
      words += static_cast<double>(seg.gbuf_words[c] + (after ? held_on(c) : 0));
    return words / (static_cast<double>(seg.gbuf_words.size()) * static_cast<double>(gbuf_capacity));
  }
  /// The fullest core, as a fraction of its capacity.
  double max_core_utilization(bool after) const noexcept {
    if (!usage_known() || gbuf_capacity == 0) return 0;
    std::int64_t m = 0;
    for (std::size_t c = 0; c < seg.gbuf_words.size(); ++c)
      m = std::max(m, seg.gbuf_words[c] + (after ? held_on(c) : 0));
    return static_cast<double>(m) / static_cast<double>(gbuf_capacity);
  }
};

/// The segments of `best` with the buffer use the method reported for them (outcome.buffers),
/// or, where it reported none, the use rebuilt from the scheme.
inline std::vector<segment_report> segment_reports(const network_scheme& best, const method_outcome& outcome,
                                                   const resource& chip, const options& opt,
                                                   double max_util_drop = 0.05) {
  std::vector<segment_report> out;
  for (scheme_segment& seg : scheme_segments(best, chip, opt, max_util_drop)) {
    segment_report r{std::move(seg), {}, false, false, chip.size_gbuf};
    for (const segment_buffer_use& b : outcome.buffers) {
      if (b.segment != r.seg.index) continue;
      if (!b.usage.empty()) r.seg.gbuf_words = b.usage;
      r.held = b.held;
      r.relaxed = b.relaxed;
      r.failed_alloc = b.failed_alloc;
    }
    out.push_back(std::move(r));
  }
  return out;
}

/// The per-run columns of res.csv (the comparisons with the tangram row are added by the table).
struct run_metrics {
  double total_energy = 0;
  double e_op = 0, e_dram = 0, e_gbuf = 0, e_itcn = 0, e_regf = 0, e_noc = 0, e_static = 0;
  std::int64_t total_time = 0;
  std::int64_t sum_node_time = 0;
  std::int64_t sum_dram_time = 0;
  double dram_words_fil = 0, dram_words_ifm = 0, dram_words_ofm = 0;
  double noc_hops = 0;
  std::int64_t n_segments = 0;
  double mean_seg_layers = 0;
  std::int64_t n_relaxed_segments = 0;
  std::int64_t n_held_edges = 0;
  std::int64_t held_words = 0;
  std::int64_t failed_alloc_segments = 0;
  double buf_util_before = 0;
  double buf_util_after = 0;
  double buf_util_max_after = 0;
};

/// The run's metrics. `segments` must be segment_reports() of the same scheme and outcome.
inline run_metrics compute_run_metrics(const network_scheme& best, const cost_values& costs,
                                       std::span<const segment_report> segments, const method_outcome& outcome) {
  run_metrics m;
  m.total_energy = best.total_cost();
  m.total_time = best.total_time();

  const per_level<double> acc = best.total_accesses();
  m.e_op = best.total_ops() * costs.mac_op();
  m.e_dram = acc[mem_level::dram] * costs.mem_hier(mem_level::dram);
  m.e_gbuf = acc[mem_level::gbuf] * costs.mem_hier(mem_level::gbuf);
  m.e_itcn = acc[mem_level::itcn] * costs.mem_hier(mem_level::itcn);
  m.e_regf = acc[mem_level::regf] * costs.mem_hier(mem_level::regf);
  m.noc_hops = best.total_noc_hops();
  m.e_noc = m.noc_hops * costs.noc_hop();
  m.e_static = static_cast<double>(m.total_time) * costs.idle_unit();
  for (const auto& [id, sched] : best.schedules()) {
    m.dram_words_fil += sched.access[mem_level::dram][data_category::fil];
    m.dram_words_ifm += sched.access[mem_level::dram][data_category::ifm];
    m.dram_words_ofm += sched.access[mem_level::dram][data_category::ofm];
  }

  std::vector<segment_utilization> before, after;
  std::size_t layers = 0;
  for (const segment_report& r : segments) {
    m.sum_node_time += r.seg.node_time;
    m.sum_dram_time += r.seg.dram_time;
    layers += r.seg.num_layers();
    if (r.relaxed) ++m.n_relaxed_segments;
    if (!r.usage_known()) continue;
    before.push_back({r.utilization(false), r.seg.time});
    after.push_back({r.utilization(true), r.seg.time});
    m.buf_util_max_after = std::max(m.buf_util_max_after, r.max_core_utilization(true));
  }
  m.n_segments = static_cast<std::int64_t>(segments.size());
  m.mean_seg_layers = segments.empty() ? 0 : static_cast<double>(layers) / static_cast<double>(segments.size());
  m.buf_util_before = network_utilization(before);
  m.buf_util_after = network_utilization(after);

  m.n_held_edges = static_cast<std::int64_t>(outcome.held_edges.size());
  for (const hold_report& e : outcome.held_edges) m.held_words += e.words;
  m.failed_alloc_segments = outcome.failed_alloc_segments;
  return m;
}

/// Per core (row-major), the segment-time-weighted mean of its used GBUF fraction over the
/// segments whose use is known: the heatmap of a run. Empty when no segment's use is known.
inline std::vector<double> core_utilization(std::span<const segment_report> segments, bool after) {
  std::vector<double> sum;
  double total_time = 0;
  for (const segment_report& r : segments) {
    if (!r.usage_known() || r.gbuf_capacity == 0) continue;
    if (sum.empty()) sum.assign(r.seg.gbuf_words.size(), 0.0);
    const auto w = static_cast<double>(std::max<std::int64_t>(r.seg.time, 1));
    for (std::size_t c = 0; c < sum.size() && c < r.seg.gbuf_words.size(); ++c)
      sum[c] += w * static_cast<double>(r.seg.gbuf_words[c] + (after ? r.held_on(c) : 0)) /
                static_cast<double>(r.gbuf_capacity);
    total_time += w;
  }
  for (double& v : sum) v /= total_time;
  return sum;
}

}  // namespace bp
