// bufferprospector/search/dp_search.hpp -- the DP segment search (docs/bufferprospector-model.md
// section 6), the second model of the segment_search concept, with its per-transition log (6.6).
//
//   bp::search_log log;
//   bp::dp_search<bp::tangram_loop_blocking, bp::nf_lrf> dp{.log = &log};
//   bp::search_result r = dp.search(problem);
//   for (const std::string& line : log.lines(net)) ...   // the run's .txt
//
// Layers l_0..l_{N-1} are ordered_layer_list; every candidate segment covers a contiguous interval
// [s, e). dp[e] holds the best `ntops` partial schemes covering l_0..l_{e-1}, dp[0] the input
// layouts. Two modes (options.prospector.dp):
//
// prefix (default): dp[e] = top_ntops over every candidate ending at l_{e-1} of the candidate
//   scheduled after dp[s] (segment_evaluator: constraint points, per-layer searches, prospector,
//   time-overhead filter). This is Tangram's recurrence (NNDataflow.schedule_search keeps the best
//   ntops schemes per end layer): over Tangram's candidates with no_prospecting it gives Tangram's
//   result, number for number. A segment's cost depends on the prefix it extends (the DRAM layout
//   of its inputs), so with ntops 1 the DP is exact only up to that dependence.
//
// independent: every valid candidate is evaluated once, after a canonical prefix: its inputs lie
//   in DRAM, each producer's ofmaps in a canonical layout (the first partitioning gen_partition
//   yields for the producer over the DRAM region, as Tangram lays out the network input); the
//   first segment starts from the real input layouts. Its cost is (segment cost, segment time)
//   of its best schedule, where the segment cost is its layers' costs minus the static cost
//   their overlap counts twice (Tangram's correction, applied per segment). Then SoMa's
//   recurrence dp[e] = min_s dp[s] + cost(s, e) (SoMa segmentation.cpp DP_search) keeps the
//   `ntops` best paths by the goal's key on the summed (cost, time) -- exact for goals e and d
//   whenever the idle cost is 0 (then both sums are additive); ed ranks by the product of the
//   sums, a heuristic. The chosen paths are then scheduled for real (prefix mode restricted to
//   their segments); the search's result is that scheme, the log keeps the DP objective.
//   options.prospector.dp_break_on_infeasible: per end, candidates are tried from the shortest
//   to the longest and the first infeasible one (more than one layer) stops the extension.
//
// The log (section 6.6): one record per evaluated transition (end layer, segment, shape, start
// state, valid or the reject reason R1-R4 / alloc_proc / fb_size / no_lbs / alloc_fail /
// time_ovhd, B, C, held edges with N_live, R and placement, energy, time, node time, DRAM time,
// DRAM words, whether it entered dp[e] and whether it is on the final path), then the final
// segmentation with per-segment costs. Invalid candidates are logged too (with their rule).
//
// With options.prospector.holds = inter_segment or both, the E3 post-pass
// (search/cross_segment_holds.hpp) runs on the final schemes.
#pragma once

#include <algorithm>    // std::find, std::stable_sort, std::max
#include <cstdint>      // std::int64_t
#include <functional>   // std::function
#include <map>          // std::map
#include <memory>       // std::make_shared
#include <optional>     // std::optional
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <utility>      // std::move, std::pair
#include <vector>       // std::vector

#include <bufferprospector/config.hpp>                        // BP_ASSERT
#include <bufferprospector/core/error.hpp>                    // bp::invalid_network
#include <bufferprospector/core/format.hpp>                   // bp::python_repr
#include <bufferprospector/intra/input_layout.hpp>            // bp::region_layout, bp::full_fmap_range
#include <bufferprospector/intra/loop_blocking.hpp>           // bp::loop_blocking_search
#include <bufferprospector/intra/partition.hpp>               // bp::for_each_partition
#include <bufferprospector/prospector/allocator.hpp>          // bp::buffer_allocation_policy
#include <bufferprospector/prospector/no_prospecting.hpp>     // bp::no_prospecting
#include <bufferprospector/search/cross_segment_holds.hpp>    // detail::cross_segment_pass
#include <bufferprospector/search/network_scheme.hpp>         // bp::scheme_builder
#include <bufferprospector/search/segment_evaluator.hpp>      // detail::segment_evaluator
#include <bufferprospector/search/segment_prospector.hpp>     // bp::segment_prospect
#include <bufferprospector/search/segment_search.hpp>         // bp::segment_search

namespace bp {

//
// The log
//

/// How a candidate's layers are arranged.
enum class segment_shape : std::uint8_t { single, spatial, temporal };

constexpr std::string_view to_string(segment_shape s) noexcept {
  return s == segment_shape::single ? "single" : s == segment_shape::spatial ? "spatial" : "temporal";
}

inline segment_shape shape_of(const pipeline_segment& s) noexcept {
  if (s.num_layers() == 1) return segment_shape::single;
  return s.size() == 1 ? segment_shape::temporal : segment_shape::spatial;
}

/// A hold as the log shows it.
struct hold_summary {
  layer_id producer = 0;
  std::vector<layer_id> consumers;
  hold_kind kind = hold_kind::intra_segment;
  std::int64_t ofmap_words = 0;   ///< V
  std::int64_t batch_groups = 1;  ///< B
  std::int64_t live_groups = 1;   ///< N_live
  std::int64_t words = 0;         ///< R
  edge_outcome outcome = edge_outcome::failed;
  std::int64_t hosts = 0;         ///< distinct host cores
  std::int64_t copied_words = 0;  ///< words away from their producer node
};

/// What one segment of a scheme costs (the log's per-transition and final numbers).
struct segment_figures {
  double energy = 0;               ///< layer costs, static overlap removed (Tangram's correction, per segment)
  std::int64_t time = 0;
  std::int64_t node_time = 0;
  std::int64_t dram_time = 0;
  std::int64_t dram_words = 0;
  std::int64_t batch_groups = 1;   ///< B
  std::int64_t critical_time = 0;  ///< C
  std::vector<hold_summary> holds;
};

/// One evaluated transition: a candidate segment after the schemes of its start state.
struct transition_record {
  layer_id end_layer = 0;
  std::size_t start = 0;         ///< first layer's position: the state dp[start] it extends
  std::size_t end = 0;           ///< one past the last layer's position (the state dp[end] it feeds)
  segment_stages stages;         ///< empty for a candidate that is not a valid segment
  std::string segment;           ///< Tangram's repr of the seg tuple (valid segments only)
  std::size_t num_layers = 0;
  segment_shape shape = segment_shape::single;
  std::size_t start_states = 0;  ///< partial schemes it extended (independent mode: the canonical one)
  transition_report report;
  std::optional<segment_figures> best;  ///< the best result, when valid
  bool chosen = false;           ///< one of its results entered dp[end]
  bool on_final_path = false;    ///< its segment is a segment of the best final scheme
};

/// The best scheme's segments.
struct final_segment_record {
  segment_stages stages;
  segment_figures figures;
};

/// Everything the DP did (section 6.6), and its objective.
struct search_log {
  dp_mode mode = dp_mode::prefix;
  std::vector<transition_record> transitions;
  std::vector<final_segment_record> final_segments;
  /// The DP's own value of its best path (independent mode: the summed cached costs; prefix
  /// mode: the final scheme's totals). Empty when no scheme was found.
  std::optional<double> objective_cost;
  std::optional<std::int64_t> objective_time;

  /// The log as text, one line per transition, then the final segmentation (the run's .txt).
  std::vector<std::string> lines(const network& net) const {
    std::vector<std::string> out;
    out.push_back("# DP segment search, mode " + std::string(to_string(mode)) + ": " +
                  std::to_string(transitions.size()) + " transitions");
    for (std::size_t i = 0; i < transitions.size(); ++i) {
      const transition_record& t = transitions[i];
      if (t.report.outcome == transition_outcome::invalid_segment) {
        // One line per run of rejected candidates of one end layer: a long network has ~10^5.
        std::map<std::string_view, std::size_t> reasons;
        std::size_t j = i;
        for (; j < transitions.size() && transitions[j].end_layer == t.end_layer &&
               transitions[j].report.outcome == transition_outcome::invalid_segment;
             ++j)
          ++reasons[transitions[j].report.reject_reason()];
        std::string l = "end=" + net.name_of(t.end_layer) + " rejected=" + std::to_string(j - i);
        for (const auto& [reason, n] : reasons) l += " " + std::string(reason) + "=" + std::to_string(n);
        out.push_back(std::move(l));
        i = j - 1;
        continue;
      }
      std::string l = "end=" + net.name_of(t.end_layer) + " seg=" + t.segment + " shape=" +
                      std::string(to_string(t.shape)) + " start=" + std::to_string(t.start) + " states=" +
                      std::to_string(t.start_states);
      const std::string_view reason = t.report.reject_reason();
      l += reason.empty() ? std::string(" valid=yes") : " valid=no reason=" + std::string(reason);
      if (t.report.outcome == transition_outcome::no_loop_blocking)
        for (const auto& [layer, n] : t.report.no_lbs_layers) l += " no_lbs:" + net.name_of(layer) + "x" + std::to_string(n);
      if (t.report.points > 0)
        l += " points=" + std::to_string(t.report.points) + " pruned=" + std::to_string(t.report.pruned_points) +
             " alloc_fail=" + std::to_string(t.report.alloc_failed) + " time_ovhd=" +
             std::to_string(t.report.time_ovhd_rejected);
      if (t.best) l += " " + figures_text(net, *t.best);
      l += std::string(" chosen=") + (t.chosen ? "yes" : "no") + (t.on_final_path ? " final=yes" : "");
      out.push_back(std::move(l));
    }
    out.push_back("# final segmentation: " + std::to_string(final_segments.size()) + " segments" +
                  (objective_cost ? ", objective energy=" + python_repr(*objective_cost) + " time=" +
                                        std::to_string(*objective_time)
                                  : std::string(", no scheme")));
    for (std::size_t k = 0; k < final_segments.size(); ++k) {
      std::string l = "segment " + std::to_string(k) + " [";
      for (std::size_t sp = 0; sp < final_segments[k].stages.size(); ++sp) {
        l += sp ? " | " : "";
        for (std::size_t tm = 0; tm < final_segments[k].stages[sp].size(); ++tm)
          l += (tm ? "," : "") + net.name_of(final_segments[k].stages[sp][tm]);
      }
      out.push_back(l + "] " + figures_text(net, final_segments[k].figures));
    }
    return out;
  }

 private:
  static std::string figures_text(const network& net, const segment_figures& f) {
    std::string l = "B=" + std::to_string(f.batch_groups) + " C=" + std::to_string(f.critical_time) +
                    " energy=" + python_repr(f.energy) + " time=" + std::to_string(f.time) + " node_time=" +
                    std::to_string(f.node_time) + " dram_time=" + std::to_string(f.dram_time) + " dram_words=" +
                    std::to_string(f.dram_words);
    for (const hold_summary& h : f.holds) {
      l += " held=" + net.name_of(h.producer) + "->";
      for (std::size_t i = 0; i < h.consumers.size(); ++i) l += (i ? "+" : "") + net.name_of(h.consumers[i]);
      l += std::string(h.kind == hold_kind::intra_segment ? "(E1" : "(E3") + " V=" + std::to_string(h.ofmap_words) +
           " N_live=" + std::to_string(h.live_groups) + "/" + std::to_string(h.batch_groups) +
           " R=" + std::to_string(h.words) + " " + std::string(to_string(h.outcome));
      if (h.outcome == edge_outcome::placed)
        l += " hosts=" + std::to_string(h.hosts) + " copied=" + std::to_string(h.copied_words);
      l += ")";
    }
    return l;
  }
};

namespace detail {

/// The figures of the current (last) segment of `s`: its layers are s.order() from `first`.
inline segment_figures current_segment_figures(const scheme_builder& s, std::size_t first) {
  segment_figures f;
  const segment_timing& t = *s.current_segment_timing();
  double cost = 0, stat = 0;
  std::int64_t sum_time = 0;
  double dram = 0;
  for (std::size_t i = first; i < s.order().size(); ++i) {
    const layer_schedule& r = *s.result(s.order()[i]);
    cost += r.total_cost();
    stat += r.cost_static;
    sum_time += r.total_time();
    dram += r.total_accesses()[mem_level::dram];
  }
  f.time = (s.complete() && s.last_seg_idx() == 0) ? s.total_time() : t.time();
  f.energy = sum_time == 0 ? cost : cost - stat * (1 - 1. * static_cast<double>(f.time) / static_cast<double>(sum_time));
  f.node_time = t.node_time();
  f.dram_time = t.dram_time();
  f.dram_words = static_cast<std::int64_t>(dram + 0.5);
  f.batch_groups = std::max<std::int64_t>(1, t.bat_ngrp());
  f.critical_time = t.critical_time();
  const auto& recs = s.prospects();
  const auto k = static_cast<std::size_t>(s.last_seg_idx());
  if (k < recs.size() && recs[k])
    for (const held_edge_record& h : recs[k]->holds) {
      hold_summary hs{h.requirement.producer, h.requirement.consumers, h.requirement.kind, h.requirement.ofmap_words,
                      h.requirement.batch_groups, h.requirement.live_groups, h.requirement.words,
                      h.allocation.outcome, 0, h.allocation.copied_words};
      std::vector<phy_dim2> hosts;
      for (const auto& piece : h.allocation.pieces)
        for (const host_words& hw : piece)
          if (std::find(hosts.begin(), hosts.end(), hw.host) == hosts.end()) hosts.push_back(hw.host);
      hs.hosts = static_cast<std::int64_t>(hosts.size());
      f.holds.push_back(std::move(hs));
    }
  return f;
}

template <loop_blocking_search LBS, buffer_allocation_policy Alloc>
class dp_run {
 public:
  using admit_fn = std::function<bool(const pipeline_segment&)>;

  dp_run(const search_problem& p, search_log* log, const admit_fn& admit)
      : p_(p), eval_(p), log_(log), admit_(admit) {}

  search_result run() {
    if (log_) {
      *log_ = {};
      log_->mode = p_.opt.prospector.dp;
    }
    std::vector<scheme_builder> best = p_.opt.prospector.dp == dp_mode::independent ? run_independent()
                                                                                     : run_prefix(admit_, log_);
    if (p_.opt.prospector.cross_segment_holds() && !best.empty()) {
      for (auto& s : best) s = cross_segment_pass<LBS, Alloc>(eval_, s);
      keep_tops(best, p_.opt.goal, p_.opt.ntops);
    }
    search_result result;
    for (const auto& s : best) {
      BP_ASSERT(s.complete());
      result.tops.emplace_back(s, p_.batch);
    }
    if (result.tops.empty()) result.failed_layer = failed_layer_;
    if (log_ && !best.empty()) finish_log(best.front());
    return result;
  }

 private:
  // -- Prefix mode -----------------------------------------------------------------------------

  /// Tangram's recurrence over the admitted candidates; logs into `log` when given.
  std::vector<scheme_builder> run_prefix(const admit_fn& admit, search_log* log) {
    const auto& order = eval_.order();
    const auto by_end = eval_.candidates_by_end();
    std::vector<std::vector<transition_record>> rejected = log ? rejected_by_end(admit) : decltype(rejected){};
    const std::vector<scheme_builder> init = eval_.initial_schemes();
    std::vector<std::vector<scheme_builder>> tops(order.size());
    failed_layer_.reset();
    for (std::size_t i = 0; i < order.size(); ++i) {
      const layer_id l = order[i];
      if (p_.progress) p_.progress("-> " + p_.net.name_of(l));
      std::vector<scheme_builder> found;
      std::vector<std::size_t> source;  // transition record of each found scheme (log only)
      if (log)
        for (transition_record& t : rejected[static_cast<std::size_t>(l)]) log->transitions.push_back(std::move(t));
      for (const auto& seg : by_end[static_cast<std::size_t>(l)]) {
        if (admit && !admit(seg)) continue;
        if (p_.progress && seg.valid()) p_.progress("  - " + seg.repr());
        const std::size_t first = eval_.position(seg.first_layer());
        const std::vector<scheme_builder>& prev = first == 0 ? init : tops[first - 1];
        transition_report rep;
        std::vector<scheme_builder> got = eval_.evaluate(seg, prev, &rep);
        if (log) {
          log->transitions.push_back(record_of(seg, first, i + 1, prev.size(), rep));
          if (!got.empty()) log->transitions.back().best = current_segment_figures(got.front(), first);
        }
        for (auto& g : got) {
          found.push_back(std::move(g));
          if (log) source.push_back(log->transitions.size() - 1);
        }
      }
      const std::vector<std::size_t> keep = top_indices(rank_keys(found, p_.opt.goal), p_.opt.ntops);
      std::vector<scheme_builder> kept;
      for (const std::size_t k : keep) {
        kept.push_back(std::move(found[k]));
        if (log) log->transitions[source[k]].chosen = true;
      }
      tops[i] = std::move(kept);
      if (tops[i].empty() && !failed_layer_) failed_layer_ = l;
    }
    if (log && !tops.back().empty()) {
      log->objective_cost = tops.back().front().total_cost();
      log->objective_time = tops.back().front().total_time();
    }
    if (!tops.back().empty()) failed_layer_.reset();
    return std::move(tops.back());
  }

  transition_record record_of(const pipeline_segment& seg, std::size_t start, std::size_t end, std::size_t states,
                              const transition_report& rep) const {
    transition_record t;
    t.end_layer = seg.last_layer();
    t.start = start;
    t.end = end;
    t.num_layers = seg.num_layers();
    if (seg.valid()) {  // an invalid one is a count and a reason (rejected_by_end)
      t.stages = seg.stages();
      t.segment = seg.repr();
    }
    t.shape = shape_of(seg);
    t.start_states = states;
    t.report = rep;
    return t;
  }

  /// The log records of the candidates that are not valid segments, by end layer (admitted only).
  std::vector<std::vector<transition_record>> rejected_by_end(const admit_fn& admit) const {
    std::vector<std::vector<transition_record>> out(static_cast<std::size_t>(p_.net.size()));
    eval_.for_each_rejected_candidate([&](const pipeline_segment& seg) {
      if (admit && !admit(seg)) return;
      transition_report rep;
      rep.outcome = transition_outcome::invalid_segment;
      rep.status = seg.status();
      const std::size_t first = eval_.position(seg.first_layer()), last = eval_.position(seg.last_layer());
      out[static_cast<std::size_t>(seg.last_layer())].push_back(record_of(seg, first, last + 1, 0, rep));
    });
    return out;
  }

  // -- Independent mode ------------------------------------------------------------------------

  struct cached_segment {
    std::size_t start = 0;
    std::size_t end = 0;
    segment_stages stages;
    double cost = 0;
    std::int64_t time = 0;
    std::size_t record = 0;  // its transition record (log only)
  };

  // A DP label: a path's summed cost and time, its last segment and the label it extends.
  struct label {
    double cost = 0;
    std::int64_t time = 0;
    std::size_t segment = 0;       // index in cached_
    std::size_t prev_label = 0;    // index in labels_[start]
  };

  std::vector<scheme_builder> run_independent() {
    const auto& order = eval_.order();
    const std::size_t n = order.size();
    const auto by_end = eval_.candidates_by_end();
    // Rejected candidates matter to the log and to SoMa's break (an infeasible segment stops the
    // extension); they are kept as records only.
    const bool need_rejected = log_ || p_.opt.prospector.dp_break_on_infeasible;
    std::vector<std::vector<transition_record>> rejected = need_rejected ? rejected_by_end(admit_) : decltype(rejected){};
    const std::vector<scheme_builder> init = eval_.initial_schemes();
    std::optional<scheme_builder> canonical_base;
    if (!init.empty()) canonical_base = init.front();

    // Evaluate every admitted candidate once.
    cached_.clear();
    std::vector<std::vector<std::size_t>> ending(n + 1);  // cached candidates by end state
    for (std::size_t i = 0; i < n; ++i) {
      const layer_id l = order[i];
      if (p_.progress) p_.progress("-> " + p_.net.name_of(l));
      // The candidates ending here, valid (a segment) or rejected (a record), in generation order
      // within each kind.
      struct entry {
        std::size_t first;
        const pipeline_segment* seg;
        transition_record* rejected;
      };
      std::vector<entry> entries;
      for (transition_record& t : rejected[static_cast<std::size_t>(l)]) entries.push_back({t.start, nullptr, &t});
      for (const auto& seg : by_end[static_cast<std::size_t>(l)])
        if (!admit_ || admit_(seg)) entries.push_back({eval_.position(seg.first_layer()), &seg, nullptr});
      if (p_.opt.prospector.dp_break_on_infeasible)  // shortest first: SoMa's backward extension
        std::stable_sort(entries.begin(), entries.end(), [](const entry& a, const entry& b) { return a.first > b.first; });
      for (const entry& e : entries) {
        if (e.rejected) {
          const bool multi_layer = e.rejected->num_layers > 1;
          if (log_) log_->transitions.push_back(std::move(*e.rejected));
          if (p_.opt.prospector.dp_break_on_infeasible && multi_layer) break;
          continue;
        }
        const pipeline_segment* seg = e.seg;
        if (p_.progress) p_.progress("  - " + seg->repr());
        const std::size_t first = e.first;
        std::vector<scheme_builder> prev;
        if (first == 0) prev = init;
        else if (canonical_base) prev.push_back(canonical_prefix(*canonical_base, first));
        transition_report rep;
        std::vector<scheme_builder> got = eval_.evaluate(*seg, prev, &rep);
        if (log_) {
          log_->transitions.push_back(record_of(*seg, first, i + 1, prev.size(), rep));
          if (!got.empty()) log_->transitions.back().best = current_segment_figures(got.front(), first);
        }
        if (got.empty()) {
          if (p_.opt.prospector.dp_break_on_infeasible && seg->num_layers() > 1) break;
          continue;
        }
        const segment_figures f = current_segment_figures(got.front(), first);
        ending[i + 1].push_back(cached_.size());
        cached_.push_back({first, i + 1, seg->stages(), f.energy, f.time, log_ ? log_->transitions.size() - 1 : 0});
      }
    }

    // SoMa's recurrence with the ntops best labels per state.
    std::vector<std::vector<label>> labels(n + 1);
    labels[0].push_back({0, 0, 0, 0});
    for (std::size_t e = 1; e <= n; ++e) {
      std::vector<label> cand;
      for (const std::size_t c : ending[e]) {
        const cached_segment& cs = cached_[c];
        for (std::size_t k = 0; k < labels[cs.start].size(); ++k) {
          const label& from = labels[cs.start][k];
          cand.push_back({from.cost + cs.cost, from.time + cs.time, c, k});
        }
      }
      std::vector<rank_key> keys;
      for (const label& lb : cand) keys.push_back(rank_key_of(lb.cost, static_cast<double>(lb.time), p_.opt.goal));
      for (const std::size_t k : top_indices(keys, p_.opt.ntops)) labels[e].push_back(cand[k]);
      if (labels[e].empty() && !failed_layer_) failed_layer_ = order[e - 1];
    }
    if (labels[n].empty()) return {};
    failed_layer_.reset();
    if (log_) {
      log_->objective_cost = labels[n].front().cost;
      log_->objective_time = labels[n].front().time;
    }

    // Schedule the chosen paths for real.
    std::vector<scheme_builder> out;
    for (std::size_t k = 0; k < labels[n].size(); ++k) {
      std::vector<segment_stages> path;
      for (std::size_t e = n, li = k; e > 0;) {
        const label& lb = labels[e][li];
        const cached_segment& cs = cached_[lb.segment];
        path.push_back(cs.stages);
        if (log_ && k == 0) log_->transitions[cs.record].chosen = true;
        e = cs.start;
        li = lb.prev_label;
      }
      const admit_fn on_path = [&path](const pipeline_segment& seg) {
        return std::find(path.begin(), path.end(), seg.stages()) != path.end();
      };
      for (auto& s : run_prefix(on_path, nullptr)) out.push_back(std::move(s));
    }
    keep_tops(out, p_.opt.goal, p_.opt.ntops);
    if (out.empty()) failed_layer_ = order.front();  // a chosen path did not schedule for real
    return out;
  }

  /// The canonical prefix of a candidate starting at position `first`: the layers before it as
  /// zero-cost placeholders, each alone in its segment, with its ofmaps in DRAM in the canonical
  /// layout (header comment).
  scheme_builder canonical_prefix(const scheme_builder& base, std::size_t first) {
    scheme_builder s = base;
    const auto& order = eval_.order();
    for (std::size_t i = 0; i < first; ++i) {
      const layer_id l = order[i];
      s.add(l, placeholder(l, static_cast<std::int64_t>(i)));
    }
    return s;
  }

  std::shared_ptr<const layer_schedule> placeholder(layer_id l, std::int64_t seg) {
    auto& slot = placeholders_[l];
    if (slot && slot->seq.segment == seg) return slot;
    const layer& ly = p_.net[l];
    const node_region& dram = p_.res.dst_data_region;
    std::optional<partition_scheme> part;
    for_each_partition(ly, p_.batch, dram.dim(), p_.opt, /*guaranteed=*/true, [&](const partition_scheme& ps) {
      if (!part) part = ps;
    });
    BP_ASSERT(part);
    // One cycle on one node, nothing else: a segment of its own that adds no cost and whose
    // time overhead is 0 (the canonical prefix's times are not used).
    slot = std::make_shared<const layer_schedule>(layer_schedule{.time = 1,
                                                                 .node_count = 1,
                                                                 .is_dram = {true, true},
                                                                 .proc_time = 1,
                                                                 .part = *part,
                                                                 .ofmap_layout = region_layout(full_fmap_range(ly, p_.batch), dram, *part),
                                                                 .seq = {seg, 0, 0}});
    return slot;
  }

  // -- The log's end ---------------------------------------------------------------------------

  void finish_log(const scheme_builder& best) {
    const std::vector<segment_stages> segs = segmentation_of(best);
    for (transition_record& t : log_->transitions)
      t.on_final_path = std::find(segs.begin(), segs.end(), t.stages) != segs.end();
    // Per-segment figures, rebuilt segment by segment from the final scheme's results.
    scheme_builder partial(best.net(), best.inputs_ptr(), p_.opt.tangram_quirks);
    std::size_t pos = 0;
    for (std::size_t k = 0; k < segs.size(); ++k) {
      const std::size_t first = pos;
      for (const auto& st : segs[k])
        for (const layer_id l : st) {
          partial.add(l, best.result(l), intra_held_sources(best, l));
          ++pos;
        }
      if (k < best.prospects().size() && best.prospects()[k]) partial.set_current_prospect(best.prospects()[k]);
      log_->final_segments.push_back({segs[k], current_segment_figures(partial, first)});
    }
  }

  const search_problem& p_;
  segment_evaluator<LBS, Alloc> eval_;
  search_log* log_;
  const admit_fn& admit_;
  std::optional<layer_id> failed_layer_;
  std::vector<cached_segment> cached_;
  std::map<layer_id, std::shared_ptr<const layer_schedule>> placeholders_;
};

}  // namespace detail

/// The DP segment search (section 6) with the buffer prospector's allocation policy `Alloc`
/// (no_prospecting with the default options: Tangram's candidates, Tangram's result).
template <loop_blocking_search LBS = tangram_loop_blocking, buffer_allocation_policy Alloc = no_prospecting>
struct dp_search {
  static constexpr std::string_view name = "dp";

  /// Filled with every transition and the final segmentation when set.
  search_log* log = nullptr;
  /// Restricts the candidates (null: all): e.g. one fixed segmentation, for brute force.
  std::function<bool(const pipeline_segment&)> admit = nullptr;

  search_result search(const search_problem& p) const;  // defined below (see explicit_instances.hpp)
};

// Out of the class body so that it is not inline: an extern template declaration
// (search/explicit_instances.hpp) then keeps a translation unit from instantiating the search.
template <loop_blocking_search LBS, buffer_allocation_policy Alloc>
search_result dp_search<LBS, Alloc>::search(const search_problem& p) const {
  p.opt.validate();
  if (p.net.empty()) throw invalid_network("NNDataflow: network " + p.net.name() + " has no layers.");
  return detail::dp_run<LBS, Alloc>(p, log, admit).run();
}

static_assert(segment_search<dp_search<>>);

}  // namespace bp

// With -DBP_EXTERN_SEARCHES the built-in combinations are compiled elsewhere, once.
#if defined(BP_EXTERN_SEARCHES)
#include <bufferprospector/search/explicit_instances.hpp>
#endif
