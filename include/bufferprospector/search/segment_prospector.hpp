// bufferprospector/search/segment_prospector.hpp -- the buffer prospector inside the segment search:
// for one scheduled segment, the Buffer Requirement Calculator, the spare-buffer map, the
// allocation and the exact conversion of the layer results (docs/bufferprospector-model.md
// sections 3.2, 4, 5.3, 5.4). beam_search calls it once per scheduled candidate.
//
//   bp::segment_prospector<bp::nf_lrf> bp_eval(net, batch, res, costs, opt, positions);
//   data_layout in = bp_eval.ifmap_layout(prev_scheme, layer, held_producers);   // while scheduling
//   if (!bp_eval.apply(seg, scheme)) ...   // allocation failed with fallback reject: drop it
//
// What apply() does to a scheme whose last segment `seg` is fully scheduled:
//  1. Spare map (section 4): each core's usage is the largest per-node GBUF size
//     (scheme size[GBUF], summed over data categories) of the layers of the stage owning it;
//     capacity floor((1 - rho) * size_gbuf).
//  2. Requirements (section 3.2): the held edges of one producer share one hold; B = bat_ngrp,
//     C = critical_time, N_live = min(B, ceil((max td_xb(L) - ts_xb(P)) / C)); pieces per
//     producer node from proc_data_range; consumer sets from the consumers' ifmap ranges.
//  3. Allocation with the policy; an edge that does not fit fails (the scheme is dropped) or goes
//     through DRAM (options.prospector.allocation.fallback).
//  4. Conversion (section 5.4), on copies of the original results:
//     - consumer L of placed holds, if it fetches its ifmaps (its source is DRAM; the sharers of
//       a shared fetch read from the fetching stage and are untouched): its DRAM ifmap reads move
//       to remote-GBUF reads -- all of them when no true memory source remains (a producer
//       outside the segment, or a hold routed through DRAM), else the held producers' channel
//       share nofm_P / nifm_L; its ifmap hops change by fetch[GBUF][IFM] * (U_IFM(host layout) -
//       U_IFM(virtual DRAM layout)), U from the same node groups as unit_nhops_to_proc_region;
//     - matmul L of a placed operand hold (segment_held_edge::operand, model note 7.2): it was
//       scheduled reading its second operand from DRAM (weights-from-DRAM); all its DRAM FIL
//       reads move to remote-GBUF reads (the hold is its only weight prev) and its FIL hops
//       change by fetch[GBUF][FIL] * (U_FIL(hosts) - U_FIL(nearest DRAM node)), each node
//       group's operand box (intra/matmul.hpp: matmul_operand_box) fetched from the host atoms
//       as an ifmap range is (same helper as for ifmaps: read_from_hosts);
//     - producer P of a placed hold: the words streamed to a host h != n cost one GBUF write
//       (remote_gbuf_access[OFM]) and d(n, h) hops each (node_nhops[OFM]); when P also writes its
//       ofmaps to DRAM (a real memory destination), the held copy adds V_e GBUF writes;
//     - producer P of a hold routed through DRAM (fallback dram), without a memory destination
//       of its own: it is charged as Tangram charges a DRAM destination, on its scheduled loop
//       blocking: its top-level ofmap accesses move from remote GBUF to DRAM and its ofmap hops
//       become U_OFM(virtual DRAM layout) * fetch. (The relaxed_dram policy routes every hold
//       through DRAM, so beam_search types its segments that way before scheduling --
//       segment_typing::held_edges_through_dram -- and nothing is converted: exact.)
//     - every changed layer: dram_time = ceil(DRAM accesses / bandwidth), time = max(proc, bus,
//       dram), static and total cost recomputed in Tangram's order; then the segment is re-timed.
//  5. Fixed point: N_live is recomputed on the converted timing; if one grew, steps 3-4 are redone
//     from the original results with the larger requirements (N_live only grows and is at most
//     B, so this ends; the model note's bound of B rounds holds per edge).
//  6. The record (segment_prospect) is attached to the scheme's segment.
// Then the search applies the time-overhead filter to the converted scheme.
//
// Decisions where the model note leaves room (its [R] points):
//  - a held matmul operand edge P -> L is sized like a held ifmap edge: L consumes the whole
//    operand of its batch group (it waits for td_xb(P), the non-forwarded case), so
//    N_live = min(B, ceil((td_xb(L) - ts_xb(P)) / C)) and R = N_live * V_P / B, one piece per
//    producer node, its consumer set the matmul nodes whose operand box overlaps it; P shares
//    one hold among its ifmap and operand consumers. Its DRAM write disappears by typing (a
//    producer whose consumers are all held has no memory destination), not by conversion;
//  - streamed volumes: a hold of r_n words for piece n streams all |ofrng_n| words of the batch
//    through its hosts, so relocation and the host layout use each host's share of |ofrng_n|
//    (largest remainder over the hosts), not the r_n words resident at once;
//  - the host layout weights each host's atom by that share; the hop count is rounded to the
//    nearest word-hop (exact when a piece has one host, the usual case);
//  - a producer whose only on-chip consumers are held has no neighbor destination for the
//    constraint rules (its fbofm is not forced by the hold); with basic pipelining (R4) held
//    edges count as on-chip edges of the chain;
//  - a fallback-dram route is charged on the producer as above, keeping its loop blocking (the
//    scheme was scheduled before the allocation failed; re-scheduling would be exact but is a
//    different search);
//  - a consumer's DRAM ifmap reads are those of its fetch: the sharers of a shared fetch have
//    none, the fetcher converts the group's;
//  - "ideal" keeps every piece on its producer node: an upper bound on what holding saves, not
//    on NoC energy -- a hold read by several consumers can save more hops by moving towards them
//    (nf_lrf's kappa weighs the consumers) than the move costs.
#pragma once

#include <algorithm>  // std::max, std::find_if
#include <cmath>      // std::ceil, std::llround
#include <cstdint>    // std::int64_t
#include <limits>     // std::numeric_limits
#include <memory>     // std::shared_ptr, std::make_shared
#include <span>       // std::span
#include <utility>    // std::pair, std::move
#include <vector>     // std::vector

#include <bufferprospector/arch/cost_table.hpp>               // bp::cost_values
#include <bufferprospector/arch/resource.hpp>                 // bp::resource
#include <bufferprospector/config.hpp>                        // BP_ASSERT
#include <bufferprospector/core/enums.hpp>                    // bp::data_category, bp::mem_level
#include <bufferprospector/core/error.hpp>                    // bp::invalid_option
#include <bufferprospector/core/fmap_range.hpp>               // bp::fmap_range
#include <bufferprospector/intra/data_layout.hpp>             // bp::data_layout
#include <bufferprospector/intra/detail/forwarding_tree.hpp>  // detail::spanning_tree_hops
#include <bufferprospector/intra/layer_scheduler.hpp>         // bp::layer_schedule
#include <bufferprospector/intra/matmul.hpp>                  // bp::matmul_operand_box
#include <bufferprospector/intra/partition.hpp>               // bp::proc_data_range, detail::collect_proc_node_data
#include <bufferprospector/options.hpp>                       // bp::options
#include <bufferprospector/pipeline/pipeline_segment.hpp>     // bp::pipeline_segment
#include <bufferprospector/prospector/allocator.hpp>          // bp::buffer_allocation_policy
#include <bufferprospector/prospector/requirements.hpp>       // bp::held_edge, bp::apportion_words
#include <bufferprospector/prospector/spare_buffer.hpp>       // bp::spare_buffer
#include <bufferprospector/search/network_scheme.hpp>         // bp::scheme_builder

namespace bp {

//
// The record
//

/// One hold (a producer and its held consumers in one segment) as it ended.
struct held_edge_record {
  held_edge requirement;             ///< R_e, N_live, pieces (the last round's)
  edge_allocation allocation;        ///< outcome and placements per piece
  std::int64_t dram_reads_moved = 0;   ///< consumer DRAM reads turned into remote-GBUF reads
  std::int64_t dram_writes_added = 0;  ///< producer DRAM accesses added by routing through DRAM
  std::int64_t relocated_words = 0;    ///< words streamed to hosts other than their producer node
  std::int64_t extra_word_hops = 0;    ///< relocation hops plus the consumers' read-hop change
  /// E3 only (search/cross_segment_holds.hpp): the producer's DRAM writes the hold removed.
  std::int64_t dram_writes_removed = 0;
};

/// What the buffer prospector found and did in one segment.
struct segment_prospect {
  std::vector<layer_id> layers;    ///< scheduling order
  std::int64_t batch_groups = 1;   ///< B
  std::int64_t critical_time = 0;  ///< C after conversion
  spare_buffer map;                ///< usage and holds per core, after allocation
  std::vector<held_edge_record> holds;
  std::int64_t dram_words_before = 0;  ///< DRAM accesses of the segment's layers as scheduled
  std::int64_t dram_words_after = 0;   ///< ... after conversion
  int rounds = 0;                      ///< allocation rounds of the N_live fixed point
  std::int64_t critical_time_before = 0;      ///< C as scheduled
  std::vector<layer_timing> timing_before{};  ///< per layer (order of `layers`), as scheduled
  std::vector<layer_timing> timing_after{};   ///< ... after conversion

  std::int64_t dram_words_saved() const noexcept { return dram_words_before - dram_words_after; }
};

namespace detail {

/// An ifmap "layout" as a list of weighted atoms: the layout the host placement gives a held
/// operand cannot be a data_layout (whose pieces split the fmap along channels only).
struct weighted_atom {
  fmap_range frng;
  phy_dim2 node;
  double weight = 1;  ///< share of frng stored on node
};

/// Word-hops to bring `frng` to `dests` from the atoms (DataLayout.nhops_to on atoms).
inline double atom_nhops_to(std::span<const weighted_atom> atoms, const fmap_range& complete, const fmap_range& frng,
                            std::span<const phy_dim2> dests, bool forwarding) {
  if (dests.empty()) return 0;
  double sum = 0, min = std::numeric_limits<double>::infinity();
  for (const phy_dim2& d : dests) {
    double hops = 0;
    for (const weighted_atom& a : atoms) {
      const std::int64_t size = frng.overlap_size(a.frng);
      if (size > 0) hops += a.weight * static_cast<double>(size * d.hop_dist(a.node));
    }
    sum += hops;
    min = std::min(min, hops);
  }
  if (!forwarding) return sum;
  return min + static_cast<double>(complete.overlap_size(frng) * spanning_tree_hops(dests));
}

/// The atoms of one piece of a data layout (each partition index on its node).
inline void append_atoms(const data_layout::piece& pc, std::vector<weighted_atom>& out) {
  pc.part.for_each_pidx([&](const partition_index& pidx) {
    out.push_back({pc.part.fmap_range_of(pc.frng, pidx), pc.part.coordinate(pc.region, pidx), 1});
  });
}

/// Recomputes what depends on a layer's accesses and hops (LoopBlockingScheme's time, then
/// Scheduling._get_result's costs, in Tangram's order).
inline void recompute_layer_costs(layer_schedule& r, const resource& res, const cost_values& costs) {
  const auto sum3 = [](const per_data<double>& v) { return (v[0] + v[1]) + v[2]; };
  r.dram_time = static_cast<std::int64_t>(std::ceil(sum3(r.access[mem_level::dram]) / res.dram_bandwidth));
  r.time = std::max({r.proc_time, r.bus_time, r.dram_time});
  double acc = 0;
  for (auto level : all<mem_level>) acc += costs.mem_hier(level) * sum3(r.access[level]);
  acc += costs.mem_hier(mem_level::gbuf) * sum3(r.remote_gbuf_access);
  r.cost_access = acc;
  r.cost_noc = costs.noc_hop() * ((r.total_nhops[0] + r.total_nhops[1]) + r.total_nhops[2]);
  r.cost_static = costs.idle_unit() * static_cast<double>(r.time);
  r.cost = ((r.cost_op + r.cost_access) + r.cost_noc) + r.cost_static;
}

}  // namespace detail

//
// The evaluator
//

template <buffer_allocation_policy Alloc>
class segment_prospector {
 public:
  /// `position[l]`: the position of layer l in ordered_layer_list (the allocators' tie-break).
  /// Throws bp::invalid_option when the processing region does not start at node (0, 0) (the
  /// spare map indexes the mesh from there).
  segment_prospector(const network& net, std::int64_t batch, const resource& res, const cost_values& costs,
                     const options& opt, std::vector<std::size_t> position)
      : net_(&net), batch_(batch), res_(res), costs_(costs), opt_(opt), position_(std::move(position)) {
    if (res.proc_region.origin() != phy_dim2{0, 0})
      throw invalid_option("buffer prospector: the processing region must start at node (0, 0)");
  }

  /// The ifmap layout a layer with held producers is scheduled with: the held operands in their
  /// producers' virtual DRAM layout (the partition projected on the DRAM region, as Tangram lays
  /// out a DRAM destination), the others as scheduled.
  data_layout ifmap_layout(const scheme_builder& prev, layer_id l, std::span<const layer_id> held) const {
    const auto& prevs = net_->prevs(l);
    std::vector<data_layout> parts;
    parts.reserve(prevs.size());
    for (auto p : prevs) {
      if (std::find(held.begin(), held.end(), p) != held.end())
        parts.push_back(virtual_dram_layout(p, prev.result(p)->part));
      else
        parts.push_back(prev.ofmap_layout(p));
    }
    if (parts.size() == 1) return std::move(parts.front());
    return data_layout::concat(std::span<const data_layout>(parts));
  }

  /// Runs the prospector on the last segment of `s` (fully scheduled as `seg`); returns false
  /// when a hold does not fit and the fallback is reject (the scheme must be dropped).
  bool apply(const pipeline_segment& seg, scheme_builder& s) const {
    segment_state st = collect(seg, s);
    auto rec = std::make_shared<segment_prospect>(segment_prospect{st.layers, 1, 0, st.map, {}, 0, 0, 0});
    rec->dram_words_before = dram_words(st.original);
    rec->critical_time_before = s.current_segment_timing()->critical_time();
    rec->timing_before = timings(st, *s.current_segment_timing());
    if (st.groups.empty()) {
      finish_record(*rec, st, s, rec->dram_words_before);
      s.set_current_prospect(std::move(rec));
      return true;
    }

    std::vector<std::int64_t> live(st.groups.size(), 0);
    for (int round = 1;; ++round) {
      const segment_timing& t = *s.current_segment_timing();
      std::vector<held_edge> edges;
      for (std::size_t g = 0; g < st.groups.size(); ++g) {
        live[g] = std::max(live[g], live_groups(st.groups[g], t));
        edges.push_back(requirement(st.groups[g], t, live[g]));
      }
      allocation_problem prob{st.map, std::move(edges), relocation_costs::of(costs_), opt_.forwarding(),
                              opt_.prospector.allocation};
      allocation_result alloc = Alloc{}.allocate(prob);
      if (!alloc.feasible()) return false;

      std::vector<held_edge_record> holds(st.groups.size());
      for (std::size_t g = 0; g < st.groups.size(); ++g) holds[g] = {prob.edges[g], alloc.edges[g], 0, 0, 0, 0};
      const auto converted = convert(st, s, holds);
      s.replace_in_current_segment(converted);

      bool grew = false;
      const segment_timing& t2 = *s.current_segment_timing();
      for (std::size_t g = 0; g < st.groups.size(); ++g)
        grew = grew || (holds[g].allocation.outcome == edge_outcome::placed && live_groups(st.groups[g], t2) > live[g]);
      if (!grew) {
        rec->map = std::move(alloc.spare);
        rec->holds = std::move(holds);
        rec->rounds = round;
        std::vector<std::pair<layer_id, std::shared_ptr<const layer_schedule>>> now;
        for (auto l : st.layers) now.emplace_back(l, s.result(l));
        finish_record(*rec, st, s, dram_words(now));
        s.set_current_prospect(std::move(rec));
        return true;
      }
    }
  }

 private:
  using schedule_ptr = std::shared_ptr<const layer_schedule>;

  /// A producer with held consumers in the segment.
  struct hold_group {
    layer_id producer = 0;
    sched_index producer_index;
    std::vector<node_fmap_range> ofmap_ranges;  // every producer node's ofmap range
    struct consumer {
      layer_id layer = 0;
      sched_index index;
      std::int64_t channel_offset = 0;
      /// Per node, what it reads of the producer's data (with channel_offset: its ifmap range;
      /// for an operand consumer: its operand box in the producer's ofmaps, offset 0).
      std::vector<node_fmap_range> ifmap_ranges;
      bool operand = false;  ///< a matmul reading the data as its second operand
    };
    std::vector<consumer> consumers;
  };

  struct segment_state {
    std::vector<layer_id> layers;                                 // scheduling order
    std::vector<std::pair<layer_id, schedule_ptr>> original;      // as scheduled, same order
    std::vector<node_region> regions;                             // processing region per layer
    spare_buffer map;
    std::vector<hold_group> groups;
    const pipeline_segment* seg = nullptr;
  };

  // -- Inputs ----------------------------------------------------------------------------------

  segment_state collect(const pipeline_segment& seg, const scheme_builder& s) const {
    std::vector<stage_buffer_use> stages;
    std::vector<layer_id> layers;
    std::vector<std::pair<layer_id, schedule_ptr>> original;
    std::vector<node_region> regions;
    for (std::size_t sp = 0; sp < seg.size(); ++sp) {
      stage_buffer_use use{seg.allocation()[sp][0].proc_region, {}};
      for (std::size_t tm = 0; tm < seg[sp].size(); ++tm) {
        const layer_id l = seg[sp][tm];
        const schedule_ptr& r = s.result(l);
        BP_ASSERT(r);
        use.layer_gbuf_words.push_back(r->size[0][data_category::fil] + r->size[0][data_category::ifm] +
                                       r->size[0][data_category::ofm]);
        layers.push_back(l);
        original.emplace_back(l, r);
        regions.push_back(seg.allocation()[sp][tm].proc_region);
      }
      stages.push_back(std::move(use));
    }
    segment_state st{std::move(layers), std::move(original), std::move(regions),
                     spare_buffer::of_segment(res_.proc_region.dim(), res_.size_gbuf, stages,
                                              opt_.prospector.allocation.reserve),
                     {}, &seg};
    for (const segment_held_edge& h : seg.held_edges()) {
      auto g = std::find_if(st.groups.begin(), st.groups.end(),
                            [&](const hold_group& x) { return x.producer == h.producer; });
      if (g == st.groups.end()) {
        hold_group ng;
        ng.producer = h.producer;
        ng.producer_index = h.producer_index;
        ng.ofmap_ranges = node_ranges(st, h.producer, /*ofmaps=*/true);
        st.groups.push_back(std::move(ng));
        g = st.groups.end() - 1;
      }
      if (h.operand)
        g->consumers.push_back({h.consumer, h.consumer_index, 0, operand_ranges(st, h.consumer, h.producer), true});
      else
        g->consumers.push_back({h.consumer, h.consumer_index, channel_offset(h.producer, h.consumer),
                                node_ranges(st, h.consumer, /*ofmaps=*/false), false});
    }
    return st;
  }

  std::size_t slot_of(const segment_state& st, layer_id l) const {
    for (std::size_t i = 0; i < st.layers.size(); ++i)
      if (st.layers[i] == l) return i;
    BP_ASSERT(false && "layer not in the segment");
    return 0;
  }

  // Per node of a scheduled layer: its ofmap (or ifmap) range over the whole batch.
  std::vector<node_fmap_range> node_ranges(const segment_state& st, layer_id l, bool ofmaps) const {
    const std::size_t i = slot_of(st, l);
    const layer_schedule& r = *st.original[i].second;
    std::vector<node_fmap_range> out;
    r.part.for_each_pidx([&](const partition_index& pidx) {
      const proc_data_ranges d = proc_data_range((*net_)[l], batch_, r.part, pidx);
      out.push_back({r.part.coordinate(st.regions[i], pidx), ofmaps ? d.ofm : d.ifm});
    });
    return out;
  }

  // Per node of a scheduled matmul: the box of its operand in the producer's ofmaps.
  std::vector<node_fmap_range> operand_ranges(const segment_state& st, layer_id mm, layer_id producer) const {
    const std::size_t i = slot_of(st, mm);
    const layer_schedule& r = *st.original[i].second;
    std::vector<node_fmap_range> out;
    r.part.for_each_pidx([&](const partition_index& pidx) {
      const proc_data_ranges d = proc_data_range((*net_)[mm], batch_, r.part, pidx);
      out.push_back({r.part.coordinate(st.regions[i], pidx),
                     matmul_operand_box((*net_)[mm], (*net_)[producer], d.fil_ifm, d.fil_ofm, d.fil_bat)});
    });
    return out;
  }

  std::int64_t channels_of(layer_id p) const {
    return p == network::input ? net_->input_layer().nofm() : (*net_)[p].nofm();
  }

  // The producer's first channel in the consumer's concatenated ifmaps (DataLayout.concat).
  std::int64_t channel_offset(layer_id producer, layer_id consumer) const {
    std::int64_t off = 0;
    for (auto p : net_->prevs(consumer)) {
      if (p == producer) return off;
      off += channels_of(p);
    }
    BP_ASSERT(false && "producer is not a prev of the consumer");
    return off;
  }

  data_layout virtual_dram_layout(layer_id p, const partition_scheme& part) const {
    const layer& pl = (*net_)[p];
    const fmap_range whole{{0, 0, 0, 0}, {batch_, pl.nofm(), pl.hofm(), pl.wofm()}};
    const node_region& dram = res_.dst_data_region;
    return data_layout({data_layout::piece{whole, dram, part.projection(dram, true)}});
  }

  // -- Requirements ----------------------------------------------------------------------------

  static std::int64_t live_groups(const hold_group& g, const segment_timing& t) {
    const std::int64_t b = std::max<std::int64_t>(1, t.bat_ngrp());
    const std::int64_t c = t.critical_time();
    const std::int64_t ts = t.timing_of(g.producer)->ts_xb;
    std::int64_t td = ts;
    for (const auto& c_ : g.consumers) td = std::max(td, t.timing_of(c_.layer)->td_xb);
    if (c < 1 || td <= ts) return b;  // degenerate timing: keep every group
    return live_batch_groups(b, c, ts, td);
  }

  held_edge requirement(const hold_group& g, const segment_timing& t, std::int64_t live) const {
    const std::int64_t b = std::max<std::int64_t>(1, t.bat_ngrp());
    const std::int64_t ts = t.timing_of(g.producer)->ts_xb;
    std::vector<hold_consumer> cs;
    std::int64_t td = ts + 1;
    for (const auto& c : g.consumers) {
      const std::int64_t ctd = t.timing_of(c.layer)->td_xb;
      td = std::max(td, ctd);
      cs.push_back({c.layer, ctd, c.channel_offset, c.ifmap_ranges});
    }
    const hold_producer p{g.producer, static_cast<std::int64_t>(position_[static_cast<std::size_t>(g.producer)]), ts,
                          g.ofmap_ranges};
    held_edge e = detail::make_hold(p, cs, hold_kind::intra_segment, b, live);
    e.lifetime = intra_hold_lifetime(ts, td, b, std::max<std::int64_t>(1, t.critical_time()));
    // Density-first order: what keeping the whole ofmap off DRAM saves at most.
    e.saved_energy = (costs_.mem_hier(mem_level::dram) - costs_.mem_hier(mem_level::gbuf)) *
                     static_cast<double>(e.ofmap_words);
    return e;
  }

  // -- Conversion ------------------------------------------------------------------------------

  static std::int64_t dram_words(const std::vector<std::pair<layer_id, schedule_ptr>>& results) {
    double sum = 0;
    for (const auto& [l, r] : results) sum += r->total_accesses()[mem_level::dram];
    return std::llround(sum);
  }

  static std::vector<layer_timing> timings(const segment_state& st, const segment_timing& t) {
    std::vector<layer_timing> out;
    for (auto l : st.layers) out.push_back(*t.timing_of(l));
    return out;
  }

  void finish_record(segment_prospect& rec, const segment_state& st, const scheme_builder& s,
                     std::int64_t dram_after) const {
    const segment_timing& t = *s.current_segment_timing();
    rec.batch_groups = std::max<std::int64_t>(1, t.bat_ngrp());
    rec.critical_time = t.critical_time();
    rec.timing_after = timings(st, t);
    rec.dram_words_after = dram_after;
  }

  // Where the words of one producer node's range went: (host, streamed volume) pairs.
  struct streamed_share {
    phy_dim2 host;
    std::int64_t volume = 0;
  };

  // The hosts of each distinct producer range of a placed hold, with the volume each streams.
  std::vector<std::pair<node_fmap_range, std::vector<streamed_share>>> host_shares(const hold_group& g,
                                                                                  const held_edge_record& h) const {
    std::vector<std::pair<node_fmap_range, std::vector<streamed_share>>> out;
    for (const node_fmap_range& r : detail::distinct_ofmap_ranges(g.ofmap_ranges)) {
      std::vector<streamed_share> shares;
      for (std::size_t p = 0; p < h.requirement.pieces.size(); ++p) {
        if (h.requirement.pieces[p].producer_node != r.node) continue;
        const auto& placed = h.allocation.pieces[p];
        std::vector<std::int64_t> words;
        for (const host_words& hw : placed) words.push_back(hw.words);
        const std::vector<std::int64_t> vol = apportion_words(words, r.range.size(), h.requirement.pieces[p].words);
        for (std::size_t k = 0; k < placed.size(); ++k) shares.push_back({placed[k].host, vol[k]});
      }
      if (shares.empty()) shares.push_back({r.node, r.range.size()});  // nothing resident: stays home
      out.emplace_back(r, std::move(shares));
    }
    return out;
  }

  std::vector<std::pair<layer_id, schedule_ptr>> convert(const segment_state& st, const scheme_builder& s,
                                                         std::vector<held_edge_record>& holds) const {
    std::vector<layer_schedule> work;
    std::vector<bool> changed(st.layers.size(), false);
    work.reserve(st.layers.size());
    for (const auto& [l, r] : st.original) work.push_back(*r);
    const auto at = [&](layer_id l) -> layer_schedule& { return work[slot_of(st, l)]; };
    const auto mark = [&](layer_id l) { changed[slot_of(st, l)] = true; };
    const bool fwd = opt_.forwarding();

    // Producers of holds routed through DRAM write their ofmaps to DRAM (once per producer).
    for (std::size_t g = 0; g < holds.size(); ++g) {
      if (holds[g].allocation.outcome != edge_outcome::via_dram) continue;
      const hold_group& grp = st.groups[g];
      layer_schedule& p = at(grp.producer);
      if (p.is_dram[1]) continue;  // it writes DRAM already
      const double moved = p.remote_gbuf_access[data_category::ofm];
      p.access[mem_level::dram][data_category::ofm] += moved;
      p.remote_gbuf_access[data_category::ofm] = 0;
      p.is_dram[1] = true;
      const std::int64_t u = ofmap_hops_to(st, grp.producer, virtual_dram_layout(grp.producer, p.part));
      const std::int64_t du = u - p.unit_nhops[data_category::ofm];
      p.unit_nhops[data_category::ofm] += du;
      p.mem_nhops[data_category::ofm] += du * p.fetch[0][data_category::ofm];
      p.total_nhops[data_category::ofm] += static_cast<double>(du * p.fetch[0][data_category::ofm]);
      holds[g].dram_writes_added += std::llround(moved);
      mark(grp.producer);
    }

    // Consumers of placed holds read them from their hosts.
    for (const layer_id l : st.layers) {
      std::vector<std::size_t> placed_groups;
      bool true_memory_source = false;
      for (auto p : net_->prevs(l)) {
        const auto pi = st.seg->index_of_layer(p);
        if (!pi) {
          true_memory_source = true;
          continue;
        }
        for (std::size_t g = 0; g < holds.size(); ++g) {
          if (st.groups[g].producer != p || !is_consumer(st.groups[g], l, /*operand=*/false)) continue;
          if (holds[g].allocation.outcome == edge_outcome::placed) placed_groups.push_back(g);
          else true_memory_source = true;
        }
      }
      if (placed_groups.empty()) continue;
      layer_schedule& c = at(l);
      if (!c.is_dram[0]) continue;  // shares a fetch: reads from the fetching stage, unchanged

      // 1. DRAM ifmap reads -> remote GBUF reads.
      const double dram_ifm = c.access[mem_level::dram][data_category::ifm];
      std::int64_t held_channels = 0;
      for (auto g : placed_groups) held_channels += channels_of(st.groups[g].producer);
      const double moved =
          true_memory_source ? dram_ifm * static_cast<double>(held_channels) / static_cast<double>((*net_)[l].nifm())
                             : dram_ifm;
      // 2. Ifmap hops from the hosts instead of the virtual DRAM layout.
      const std::int64_t dh =
          read_from_hosts(c, data_category::ifm, moved, ifmap_hop_change(st, s, l, placed_groups, holds, fwd));
      mark(l);

      // Attribute to the holds by channel share.
      for (auto g : placed_groups) {
        const double share = static_cast<double>(channels_of(st.groups[g].producer)) / static_cast<double>(held_channels);
        holds[g].dram_reads_moved += std::llround(moved * share);
        holds[g].extra_word_hops += std::llround(static_cast<double>(dh) * share);
      }
    }

    // Matmuls of placed operand holds read their second operand from the hosts: all their DRAM
    // operand reads (the hold is their only weight prev), and the operand hops from the hosts
    // instead of the nearest DRAM node.
    for (std::size_t g = 0; g < holds.size(); ++g) {
      if (holds[g].allocation.outcome != edge_outcome::placed) continue;
      for (const auto& cons : st.groups[g].consumers) {
        if (!cons.operand) continue;
        layer_schedule& m = at(cons.layer);
        const double moved = m.access[mem_level::dram][data_category::fil];
        const std::int64_t dh =
            read_from_hosts(m, data_category::fil, moved, operand_hop_change(st, cons.layer, st.groups[g], holds[g], fwd));
        holds[g].dram_reads_moved += std::llround(moved);
        holds[g].extra_word_hops += dh;
        mark(cons.layer);
      }
    }

    // 3, 4. Producers of placed holds: copies to other hosts, and the held copy of a producer
    // that also writes DRAM.
    for (std::size_t g = 0; g < holds.size(); ++g) {
      if (holds[g].allocation.outcome != edge_outcome::placed) continue;
      const hold_group& grp = st.groups[g];
      layer_schedule& p = at(grp.producer);
      std::int64_t copied = 0, hops = 0;
      for (const auto& [r, shares] : host_shares(grp, holds[g]))
        for (const streamed_share& sh : shares) {
          if (sh.host == r.node) continue;
          copied += sh.volume;
          hops += sh.volume * r.node.hop_dist(sh.host);
        }
      const std::int64_t held_copy = p.is_dram[1] ? holds[g].requirement.ofmap_words : 0;
      if (copied == 0 && held_copy == 0) continue;
      p.remote_gbuf_access[data_category::ofm] += static_cast<double>(copied + held_copy);
      p.node_nhops[data_category::ofm] += static_cast<double>(hops);
      p.total_nhops[data_category::ofm] += static_cast<double>(hops);
      holds[g].relocated_words += copied;
      holds[g].extra_word_hops += hops;
      mark(grp.producer);
    }

    std::vector<std::pair<layer_id, schedule_ptr>> out;
    for (std::size_t i = 0; i < st.layers.size(); ++i) {
      if (!changed[i]) {
        out.push_back(st.original[i]);
        continue;
      }
      recompute(work[i]);
      out.emplace_back(st.layers[i], std::make_shared<const layer_schedule>(std::move(work[i])));
    }
    return out;
  }

  static bool is_consumer(const hold_group& g, layer_id l, bool operand) {
    for (const auto& c : g.consumers)
      if (c.layer == l && c.operand == operand) return true;
    return false;
  }

  // Steps 1 and 2 of a consumer's conversion, for its ifmaps or its matmul operand: `moved` DRAM
  // reads become remote GBUF reads, the unit hops change by du (each top-level fetch pays it).
  // Returns the change of the word-hops.
  static std::int64_t read_from_hosts(layer_schedule& c, data_category d, double moved, std::int64_t du) {
    c.access[mem_level::dram][d] -= moved;
    c.remote_gbuf_access[d] += moved;
    const std::int64_t dh = du * c.fetch[0][d];
    c.unit_nhops[d] += du;
    c.mem_nhops[d] += dh;
    c.total_nhops[d] += static_cast<double>(dh);
    return dh;
  }

  // The atoms of a placed hold's data: each producer range on its hosts, weighted by the share
  // each streams.
  std::vector<detail::weighted_atom> host_atoms(const hold_group& g, const held_edge_record& h,
                                                std::int64_t channel_offset) const {
    std::vector<detail::weighted_atom> out;
    for (const auto& [r, shares] : host_shares(g, h)) {
      fmap_range fr = r.range;
      fr.beg.n += channel_offset;
      fr.end.n += channel_offset;
      for (const streamed_share& sh : shares)
        out.push_back({fr, sh.host, static_cast<double>(sh.volume) / static_cast<double>(r.range.size())});
    }
    return out;
  }

  // U_FIL(host layout) - U_FIL(DRAM) for a matmul reading a placed hold as its operand. The
  // scheduled count fetches each node group's operand from the nearest DRAM node (or a tree from
  // all of them with forwarding, detail::fil_nhops); from the hosts, a group's operand box is
  // fetched like an ifmap range from a layout (DataLayout.nhops_to on the host atoms), weighted
  // by operand volume / box volume (1 unless the box is a bounding box, matmul_operand_box).
  std::int64_t operand_hop_change(const segment_state& st, layer_id mm, const hold_group& g,
                                  const held_edge_record& h, bool fwd) const {
    const std::size_t i = slot_of(st, mm);
    const layer& ml = (*net_)[mm];
    const layer& pl = (*net_)[g.producer];
    const std::vector<detail::weighted_atom> host = host_atoms(g, h, 0);
    const fmap_range complete{{0, 0, 0, 0}, {batch_, pl.nofm(), pl.hofm(), pl.wofm()}};
    const sched_index idx = *st.seg->index_of_layer(mm);
    std::vector<phy_dim2> dram_nodes;
    st.seg->allocation()[static_cast<std::size_t>(idx.sp)][static_cast<std::size_t>(idx.tm)].dram_region.for_each_node(
        [&](phy_dim2 c) {
          if (std::find(dram_nodes.begin(), dram_nodes.end(), c) == dram_nodes.end()) dram_nodes.push_back(c);
        });
    auto& d = detail::proc_node_scratch();
    detail::collect_proc_node_data(ml, batch_, st.regions[i], st.original[i].second->part, d);
    const std::int64_t u_dram = detail::fil_nhops(ml, dram_nodes, d, fwd);
    double u_host = 0;
    for (const auto& grp : d.fil.groups) {
      const proc_data_ranges& rng = d.nodes[grp.head].rng;
      const fmap_range box = matmul_operand_box(ml, pl, rng.fil_ifm, rng.fil_ofm, rng.fil_bat);
      if (box.size() <= 0) continue;
      u_host += detail::atom_nhops_to(host, complete, box, d.fil.coords_of(grp), fwd) *
                static_cast<double>(filter_volume(ml, rng)) / static_cast<double>(box.size());
    }
    return std::llround(u_host) - u_dram;
  }

  // U_OFM of a producer writing to `layout` (unit_nhops_to_proc_region's ofmap part).
  std::int64_t ofmap_hops_to(const segment_state& st, layer_id l, const data_layout& layout) const {
    const std::size_t i = slot_of(st, l);
    auto& d = detail::proc_node_scratch();
    detail::collect_proc_node_data((*net_)[l], batch_, st.regions[i], st.original[i].second->part, d);
    return detail::ofm_nhops(layout, d, opt_.forwarding());
  }

  // The held producers of a layer in the segment (empty if none).
  static std::vector<layer_id> held_sources(const pipeline_segment& seg, layer_id l) {
    std::vector<layer_id> out;
    const auto idx = seg.index_of_layer(l);
    if (!idx) return out;
    for (const sched_index& h : seg.dependency(*idx).held_sources)
      out.push_back(seg[static_cast<std::size_t>(h.sp)][static_cast<std::size_t>(h.tm)]);
    return out;
  }

  // U_IFM(host layout) - U_IFM(virtual DRAM layout) for consumer l: the atoms of the layout it
  // was scheduled with, the placed producers' atoms replaced by their hosts'.
  std::int64_t ifmap_hop_change(const segment_state& st, const scheme_builder& s, layer_id l,
                                const std::vector<std::size_t>& placed_groups,
                                const std::vector<held_edge_record>& holds, bool fwd) const {
    const std::size_t i = slot_of(st, l);
    const std::vector<layer_id> held = held_sources(*st.seg, l);
    const data_layout scheduled = ifmap_layout(s, l, held);
    const fmap_range complete = scheduled.complete_fmap_range();

    // Channel range of each placed producer in l's ifmaps.
    std::vector<std::pair<int_range, std::size_t>> placed_channels;
    std::int64_t off = 0;
    for (auto p : net_->prevs(l)) {
      for (auto g : placed_groups)
        if (st.groups[g].producer == p) placed_channels.push_back({{off, off + channels_of(p)}, g});
      off += channels_of(p);
    }
    std::vector<detail::weighted_atom> host;
    for (const auto& pc : scheduled.pieces()) {
      const auto in_placed = std::find_if(placed_channels.begin(), placed_channels.end(), [&](const auto& x) {
        return x.first.beg <= pc.frng.beg.n && pc.frng.end.n <= x.first.end;
      });
      if (in_placed == placed_channels.end()) {
        detail::append_atoms(pc, host);
        continue;
      }
      const std::size_t g = in_placed->second;
      const std::vector<detail::weighted_atom> atoms = host_atoms(st.groups[g], holds[g], in_placed->first.beg);
      host.insert(host.end(), atoms.begin(), atoms.end());
    }

    auto& d = detail::proc_node_scratch();
    detail::collect_proc_node_data((*net_)[l], batch_, st.regions[i], st.original[i].second->part, d);
    const std::int64_t u_virtual = detail::ifm_nhops(scheduled, d, fwd);
    double u_host = 0;
    for (const auto& grp : d.ifm.groups)
      u_host += detail::atom_nhops_to(host, complete, d.nodes[grp.head].rng.ifm, d.ifm.coords_of(grp), fwd);
    return std::llround(u_host) - u_virtual;
  }

  void recompute(layer_schedule& r) const { detail::recompute_layer_costs(r, res_, costs_); }

  const network* net_;
  std::int64_t batch_;
  resource res_;
  cost_values costs_;
  options opt_;
  std::vector<std::size_t> position_;
};

}  // namespace bp
