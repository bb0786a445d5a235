// bufferprospector/search/methods.hpp -- the methods the experiments compare (docs/
// bufferprospector-model.md section 7.1), as a registry: one entry per method, found by name.
//
//   for (const bp::method_entry& m : bp::methods()) m.name; m.available(); m.policies;
//   bp::method_problem p{net, batch, res, costs, opt, "nf_lrf"};
//   bp::method_outcome o = bp::run_method("bp_intra", p);   // throws while it is not available
//   o.search.tops.front();                                    // the best network_scheme
//
// Methods (the res.csv `method` column) and their policies (the `policy` column):
//   tangram       Tangram's beam search (search/beam_search.hpp)                      none
//   dp_tangram    the DP segment search over Tangram's candidates (model note 6;
//                 must equal tangram: it validates the DP engine)                     none
//   relaxed_dram  relaxed segments, every held edge through DRAM (an ablation)         none
//   bp_intra      relaxed segments, held edges inside segments (E1): the main result   nf_lrf, best_fit, producer_only
//   bp_inter      Tangram's segments, holds across segments (E3)                       nf_lrf, best_fit, producer_only
//   bp_both       both                                                                 nf_lrf, best_fit, producer_only
//   ideal         unlimited spare buffer on every core (an upper bound; intra holds)   none
// relaxed_dram, bp_intra and ideal are the segment search with that allocation policy
// (search/prospector_search.hpp); their records of the best scheme (segment_prospect) become the
// reports' per-segment buffer use and held edges. dp_tangram, bp_inter and bp_both run the DP
// segment search (search/dp_search.hpp, through bp::schedule) with the hold mode of the method;
// their log is the DP's transitions (model note 6.6). Every method runs with the caller's
// options; the experiments turn Tangram's quirks off for all.
//
// Every method has a runner today. An entry without one (available() false, `pending` saying
// what it waits for) makes run_method() throw and an experiment skip it with a note: a method
// never invents a number. Plugging a search in is one change to one entry: write a runner
//   bp::method_outcome run_my_method(const bp::method_problem& p)
// next to the search (it fills `search`, and for prospector methods the per-segment buffer use,
// the held edges with their placements and the log of its transitions), and set `.run` below.
#pragma once

#include <algorithm>    // std::find, std::any_of
#include <cstdint>      // std::int64_t
#include <memory>       // std::shared_ptr
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include <bufferprospector/arch/cost_table.hpp>         // bp::cost_values
#include <bufferprospector/arch/resource.hpp>           // bp::resource
#include <bufferprospector/core/error.hpp>              // bp::unknown_name, bp::invalid_option
#include <bufferprospector/core/phy_dim2.hpp>           // bp::phy_dim2
#include <bufferprospector/intra/layer_scheduler.hpp>   // bp::layer_schedule_cache
#include <bufferprospector/options.hpp>                 // bp::options
#include <bufferprospector/search/beam_search.hpp>      // bp::beam_search
#include <bufferprospector/search/prospector_search.hpp>  // bp::search_with_policy
#include <bufferprospector/search/scheduler.hpp>        // bp::schedule
#include <bufferprospector/search/segment_prospector.hpp>  // bp::segment_prospect
#include <bufferprospector/search/segment_search.hpp>   // bp::search_problem, bp::search_result
#include <bufferprospector/workload/network.hpp>        // bp::network

namespace bp {

//
// What a method gets and gives
//

/// One search to run. `policy` is the buffer-allocation policy (res.csv names; "none" for the
/// methods without one). Share `cache` between runs on one workload to reuse per-layer schedules.
struct method_problem {
  const network& net;
  std::int64_t batch;
  const resource& res;      ///< the whole chip
  const cost_values& costs;
  const options& opt;
  std::string_view policy = "none";
  double max_util_drop = 0.05;
  std::shared_ptr<layer_schedule_cache> cache = nullptr;
};

/// The GBUF words of every core in one segment of the best scheme, before and after the
/// prospector's holds (row-major: core h * mesh_w + w).
struct segment_buffer_use {
  std::int64_t segment = 0;
  std::vector<std::int64_t> usage;  ///< the segment's own layers (model note section 4)
  std::vector<std::int64_t> held;   ///< placed holds; empty = none
  bool relaxed = false;             ///< a segment Tangram's candidate rules do not generate
  bool failed_alloc = false;        ///< an allocation failed and the fallback routed data via DRAM
};

/// Words of one producer node's share of a held edge, placed on one host core.
struct hold_placement {
  phy_dim2 producer_node;
  phy_dim2 host;
  std::int64_t words = 0;
};

/// A held edge of the best scheme and where its data went.
struct hold_report {
  layer_id producer = 0;
  std::vector<layer_id> consumers;   ///< the held consumers sharing the hold
  std::int64_t segment = 0;          ///< the producer's segment
  std::int64_t last_segment = 0;     ///< the last consumer's segment (== segment for intra holds)
  std::int64_t live_groups = 1;      ///< N_live of B batch groups
  std::int64_t words = 0;            ///< R_e
  std::vector<hold_placement> placements;
};

/// What a method found. Tangram-mode methods fill only `search` (and `log`); the reports then
/// derive each segment's buffer use from the scheme (report/scheme_segments.hpp).
struct method_outcome {
  search_result search;                       ///< top schemes, best first, or the failing layer
  std::vector<segment_buffer_use> buffers;    ///< per segment of the best scheme; empty: derive
  std::vector<hold_report> held_edges;
  std::int64_t failed_alloc_segments = 0;     ///< segments of the best scheme with a failed allocation
  std::vector<std::string> log;               ///< the search's transitions, one line each (.txt)
};

/// A method's search.
using method_runner = method_outcome (*)(const method_problem&);

/// One registry entry.
struct method_entry {
  std::string_view name;                  ///< res.csv `method`
  std::string_view summary;
  std::vector<std::string_view> policies; ///< accepted res.csv `policy` values, the main one first
  std::string_view fallback;              ///< res.csv `fallback`: none, reject or dram
  method_runner run = nullptr;            ///< null while the search is not in the library
  std::string_view pending = {};          ///< what it waits for, when run is null

  bool available() const noexcept { return run != nullptr; }
  bool accepts(std::string_view policy) const {
    return std::find(policies.begin(), policies.end(), policy) != policies.end();
  }
};

//
// The runners
//

namespace detail {

/// The search problem of a method problem; the search's progress lines go to `log`.
inline search_problem search_problem_of(const method_problem& p, std::vector<std::string>& log) {
  return {p.net,
          p.batch,
          p.res,
          p.costs,
          p.opt,
          p.cache,
          [&log](const std::string& line) { log.push_back(line); },
          p.max_util_drop};
}

/// The prospector's records of the best scheme (one segment_prospect per segment it handled) as
/// the reports' buffer use and holds. Holds placed on chip are listed; a hold routed through DRAM
/// marks its segment's allocation as failed, except for relaxed_dram, which routes them all so.
inline void add_prospector_records(method_outcome& out, std::string_view policy) {
  if (out.search.tops.empty()) return;
  const network_scheme& best = out.search.tops.front();
  for (std::size_t k = 0; k < best.prospects().size(); ++k) {
    const std::shared_ptr<const segment_prospect>& p = best.prospects()[k];
    if (!p) continue;
    segment_buffer_use b;
    b.segment = static_cast<std::int64_t>(k);
    for (spare_buffer::core_id id = 0; id < p->map.num_cores(); ++id) {
      b.usage.push_back(p->map.usage(id));
      b.held.push_back(p->map.held(id));
    }
    b.relaxed = std::any_of(p->holds.begin(), p->holds.end(),
                            [](const held_edge_record& h) { return h.requirement.kind == hold_kind::intra_segment; });
    for (const held_edge_record& h : p->holds) {
      if (h.allocation.outcome == edge_outcome::via_dram) b.failed_alloc = b.failed_alloc || policy != "relaxed_dram";
      if (h.allocation.outcome != edge_outcome::placed) continue;
      hold_report r;
      r.producer = h.requirement.producer;
      r.consumers = h.requirement.consumers;
      r.segment = b.segment;
      r.last_segment = b.segment + h.requirement.segments_spanned - 1;  // E3 holds live until their last consumer
      r.live_groups = h.requirement.live_groups;
      r.words = h.requirement.words;
      for (std::size_t i = 0; i < h.allocation.pieces.size() && i < h.requirement.pieces.size(); ++i)
        for (const host_words& hw : h.allocation.pieces[i])
          r.placements.push_back({h.requirement.pieces[i].producer_node, hw.host, hw.words});
      out.held_edges.push_back(std::move(r));
    }
    if (b.failed_alloc) ++out.failed_alloc_segments;
    out.buffers.push_back(std::move(b));
  }
}

/// The segment search with the built-in allocation policy `policy` (search/prospector_search.hpp).
inline method_outcome run_with_policy(const method_problem& p, std::string_view policy) {
  method_outcome out;
  out.search = search_with_policy(policy, search_problem_of(p, out.log));
  add_prospector_records(out, policy);
  return out;
}

/// The DP segment search with `policy` making the holds `holds`; the log is the DP's transitions.
inline method_outcome run_dp(const method_problem& p, std::string_view policy, hold_mode holds) {
  method_outcome out;
  options opt = p.opt;
  opt.prospector.holds = holds;
  search_log log;
  const schedule_request req{
      .batch = p.batch,
      .segment_search = dp::name,
      .policy = policy,
      .hooks = {.cache = p.cache, .progress = nullptr, .log = &log, .max_util_drop = p.max_util_drop}};
  out.search = schedule(p.res, p.costs, p.net, opt, req);
  out.log = log.lines(p.net);
  if (policy != "none") add_prospector_records(out, policy);
  return out;
}

}  // namespace detail

/// Tangram's beam search (quirks as the options say), with the segments it evaluated as its log.
inline method_outcome run_tangram(const method_problem& p) {
  method_outcome out;
  out.search = beam_search<>{}.search(detail::search_problem_of(p, out.log));
  return out;
}

/// The prospector's segment search over the relaxed candidates with intra-segment holds placed by
/// the problem's policy (nf_lrf, best_fit or producer_only).
inline method_outcome run_bp_intra(const method_problem& p) { return detail::run_with_policy(p, p.policy); }

/// The relaxed candidates with every held edge through DRAM (an ablation).
inline method_outcome run_relaxed_dram(const method_problem& p) { return detail::run_with_policy(p, "relaxed_dram"); }

/// The relaxed candidates with unlimited spare buffer on every core (an upper bound).
inline method_outcome run_ideal(const method_problem& p) { return detail::run_with_policy(p, "ideal"); }

/// The DP segment search over Tangram's candidates without holds: must equal run_tangram.
inline method_outcome run_dp_tangram(const method_problem& p) {
  return detail::run_dp(p, "none", hold_mode::intra_segment);
}

/// Tangram's candidate segments, then holds across segments (E3) placed by the problem's policy.
inline method_outcome run_bp_inter(const method_problem& p) {
  return detail::run_dp(p, p.policy, hold_mode::inter_segment);
}

/// The relaxed candidates with holds inside segments (E1), then holds across segments (E3).
inline method_outcome run_bp_both(const method_problem& p) { return detail::run_dp(p, p.policy, hold_mode::both); }

//
// The registry
//

/// Every method, in the order of the reports.
inline std::vector<method_entry> methods() {
  const std::vector<std::string_view> allocating = {"nf_lrf", "best_fit", "producer_only"};
  return {
      {"tangram", "Tangram's beam search over Tangram's candidate segments", {"none"}, "none", run_tangram},
      {"dp_tangram", "the DP segment search over Tangram's candidate segments (must equal tangram)", {"none"},
       "none", run_dp_tangram},
      {"relaxed_dram", "relaxed segments with every held edge through DRAM", {"none"}, "dram", run_relaxed_dram},
      {"bp_intra", "relaxed segments with held edges inside segments (E1)", allocating, "reject", run_bp_intra},
      {"bp_inter", "Tangram's segments with holds across segments (E3)", allocating, "reject", run_bp_inter},
      {"bp_both", "held edges inside and across segments (E1 + E3)", allocating, "reject", run_bp_both},
      {"ideal", "unlimited spare buffer on every core (upper bound, intra holds)", {"none"}, "none", run_ideal},
  };
}

/// The entry called `name`; throws bp::unknown_name listing the methods.
inline method_entry find_method(std::string_view name) {
  std::string known;
  for (const method_entry& m : methods()) {
    if (m.name == name) return m;
    known += (known.empty() ? "" : ", ") + std::string(m.name);
  }
  throw unknown_name("method = " + std::string(name) + ": must be one of " + known);
}

/// Runs the method called `name`. Throws bp::unknown_name for an unknown method and
/// bp::invalid_option for a policy it does not take or a method that is not available yet.
inline method_outcome run_method(std::string_view name, const method_problem& p) {
  const method_entry m = find_method(name);
  if (!m.accepts(p.policy)) {
    std::string known;
    for (const std::string_view q : m.policies) known += (known.empty() ? "" : ", ") + std::string(q);
    throw invalid_option("method " + std::string(name) + ": policy = " + std::string(p.policy) +
                         ": must be one of " + known);
  }
  if (!m.available())
    throw invalid_option("method " + std::string(name) + " is not available yet: it waits for " +
                         std::string(m.pending));
  return m.run(p);
}

}  // namespace bp
