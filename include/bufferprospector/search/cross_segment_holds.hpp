// bufferprospector/search/cross_segment_holds.hpp -- holds across segments (E3), the post-pass of
// docs/bufferprospector-model.md sections 3.1, 3.2 (E3) and 6.5, run on a complete scheme after a
// segment search when options.prospector.holds is inter_segment or both. It never changes the
// segmentation.
//
//   bp::scheme_builder s2 = bp::detail::cross_segment_pass(evaluator, best);   // same segments
//
// The pass:
//  1. Per segment k, the per-core map of section 4: the segment's own usage (the max over the
//     temporal layers of the stage owning the core of their per-node GBUF words) plus the E1 holds
//     its prospector record already placed.
//  2. Candidates: every producer P (segment k) whose ofmaps go through DRAM to consumers in later
//     segments; one hold per producer serves all of them, from k to the last consumer's segment
//     k'. A consumer that shares a DRAM fetch (ifm_fwd_dict) is served through the layer that
//     fetches. Matmul operand edges are not held across segments.
//  3. Requirement (3.2, E3): every batch group stays, R = V_P, one piece of |ofrng_n| words per
//     producer node, resident in every segment k..k'.
//  4. Order (6.5): by benefit per held word and segment, b(P) / (V_P * span), descending, ties by
//     producer order; b(P) = (c_DRAM - c_GBUF) * (the DRAM reads it removes from the fetchers + the
//     producer's DRAM write when it can go, step 5).
//  5. Allocation with the search's policy on the combined map of segments k..k' (a core's room is
//     its smallest over them); fallback dram: an E3 hold that does not fit stays in DRAM, it
//     never invalidates anything (5.3). The placed words are then held in every segment k..k'.
//  6. Conversion (5.4 steps 1-5 on both ends, step 6):
//     - each fetcher L: its DRAM ifmap reads of the held producers move to remote-GBUF reads (all
//       of them when no other producer outside L's segment is still read from DRAM, else the held
//       producers' channel share among those); its ifmap hops change by fetch[GBUF][IFM] * (U_IFM(host layout) -
//       U_IFM(the layout it was scheduled with));
//     - producer P: when every consumer outside its segment is held, it is not a network output,
//       feeds no matmul operand and writes its ofmaps once (OFM fetch 1), its DRAM write becomes a
//       remote-GBUF write (the hosts' copy) and its DRAM write hops become the hops to the hosts;
//       otherwise it still writes DRAM and the held copy adds V_P GBUF writes and those hops;
//     - every changed layer: dram_time, time and costs recomputed in Tangram's order; then every
//       segment is re-timed (the scheme is rebuilt in order).
//  7. Records: each hold is listed in its producer's segment record (requirement.kind =
//     inter_segment, segments_spanned = k' - k + 1); the maps of segments k..k' include it; a
//     segment without a record (Tangram's candidates) gets one.
#pragma once

#include <algorithm>  // std::find, std::stable_sort, std::max, std::min
#include <cmath>      // std::ceil, std::llround
#include <cstdint>    // std::int64_t
#include <map>        // std::map
#include <memory>     // std::make_shared, std::shared_ptr
#include <optional>   // std::optional
#include <span>       // std::span
#include <utility>    // std::move, std::pair
#include <vector>     // std::vector

#include <bufferprospector/config.hpp>                        // BP_ASSERT
#include <bufferprospector/core/enums.hpp>                    // bp::data_category, bp::mem_level
#include <bufferprospector/intra/data_layout.hpp>             // bp::data_layout
#include <bufferprospector/intra/partition.hpp>               // bp::proc_data_range, detail::collect_proc_node_data
#include <bufferprospector/pipeline/pipeline_segment.hpp>     // bp::pipeline_segment
#include <bufferprospector/prospector/allocator.hpp>          // bp::allocation_problem
#include <bufferprospector/prospector/requirements.hpp>       // bp::inter_segment_hold
#include <bufferprospector/prospector/spare_buffer.hpp>       // bp::spare_buffer
#include <bufferprospector/search/network_scheme.hpp>         // bp::scheme_builder
#include <bufferprospector/search/segment_evaluator.hpp>      // detail::segment_evaluator
#include <bufferprospector/search/segment_prospector.hpp>     // bp::segment_prospect, detail::weighted_atom

namespace bp {

namespace detail {

/// The stages of every segment of a (partial or complete) scheme, in order.
inline std::vector<segment_stages> segmentation_of(const scheme_builder& s) {
  std::vector<segment_stages> out;
  std::int64_t seg = -1;
  for (const layer_id l : s.order()) {
    const sched_seq q = s.result(l)->seq;
    if (q.segment != seg) {
      out.emplace_back();
      seg = q.segment;
    }
    if (static_cast<std::size_t>(q.spatial) == out.back().size()) out.back().emplace_back();
    out.back().back().push_back(l);
  }
  return out;
}

/// The held producers of `l` in its own segment, from the segment's prospector record.
inline std::vector<layer_id> intra_held_sources(const scheme_builder& s, layer_id l) {
  std::vector<layer_id> out;
  const auto k = static_cast<std::size_t>(s.result(l)->seq.segment);
  if (k >= s.prospects().size() || !s.prospects()[k]) return out;
  for (const held_edge_record& h : s.prospects()[k]->holds)
    if (h.requirement.kind == hold_kind::intra_segment && h.allocation.outcome != edge_outcome::failed &&
        std::find(h.requirement.consumers.begin(), h.requirement.consumers.end(), l) != h.requirement.consumers.end())
      out.push_back(h.requirement.producer);
  return out;
}


template <loop_blocking_search LBS, buffer_allocation_policy Alloc>
class cross_segment_run {
 public:
  cross_segment_run(const segment_evaluator<LBS, Alloc>& ev, const scheme_builder& s)
      : ev_(ev), p_(ev.problem()), s_(s), segs_(segmentation_of(s)) {}

  scheme_builder run() {
    build_segments();
    std::vector<candidate> cands = find_candidates();
    for (candidate& c : cands) allocate(c);
    convert();
    return rebuild();
  }

 private:
  using schedule_ptr = std::shared_ptr<const layer_schedule>;

  struct segment_info {
    std::optional<pipeline_segment> seg;
    spare_buffer map;
  };

  struct candidate {
    layer_id producer = 0;
    std::size_t first = 0;   // producer's segment
    std::size_t last = 0;    // last consumer's segment
    std::vector<layer_id> fetchers;
    bool removes_write = false;
    double benefit = 0;
    held_edge edge;
    std::optional<edge_allocation> placed;
  };

  const network& net() const { return p_.net; }
  std::size_t segment_of(layer_id l) const { return static_cast<std::size_t>(s_.result(l)->seq.segment); }

  void build_segments() {
    const phy_dim2 mesh = p_.res.proc_region.dim();
    for (std::size_t k = 0; k < segs_.size(); ++k) {
      segment_info info{std::nullopt, spare_buffer(mesh, p_.res.size_gbuf, p_.opt.prospector.allocation.reserve)};
      info.seg.emplace(segs_[k], p_.net, p_.batch, p_.res, p_.max_util_drop, p_.opt.layer_pipeline_opt, ev_.typing());
      BP_ASSERT(info.seg->valid());
      if (k < s_.prospects().size() && s_.prospects()[k]) {
        info.map = s_.prospects()[k]->map;
      } else {
        std::vector<stage_buffer_use> stages;
        for (std::size_t sp = 0; sp < segs_[k].size(); ++sp) {
          stage_buffer_use use{info.seg->allocation()[sp].front().proc_region, {}};
          for (const layer_id l : segs_[k][sp]) {
            const layer_schedule& r = *s_.result(l);
            use.layer_gbuf_words.push_back(r.size[0][data_category::fil] + r.size[0][data_category::ifm] +
                                           r.size[0][data_category::ofm]);
          }
          stages.push_back(std::move(use));
        }
        info.map = spare_buffer::of_segment(mesh, p_.res.size_gbuf, stages, p_.opt.prospector.allocation.reserve);
      }
      info_.push_back(std::move(info));
    }
  }

  const node_region& region_of(layer_id l) const {
    const pipeline_segment& ps = *info_[segment_of(l)].seg;
    const sched_index i = *ps.index_of_layer(l);
    return ps.allocation()[static_cast<std::size_t>(i.sp)][static_cast<std::size_t>(i.tm)].proc_region;
  }

  // The layer that fetches l's ifmaps from DRAM: l itself, or the first of its shared fetch.
  std::optional<layer_id> fetcher_of(layer_id l) const {
    const layer_schedule& r = *s_.result(l);
    if (r.is_dram[0]) return l;
    const pipeline_segment& ps = *info_[segment_of(l)].seg;
    const sched_index me = *ps.index_of_layer(l);
    for (const auto& f : ps.ifm_fwd())
      if (std::find(f.layers.begin(), f.layers.end(), me) != f.layers.end()) {
        const sched_index h = f.layers.front();
        return ps[static_cast<std::size_t>(h.sp)][static_cast<std::size_t>(h.tm)];
      }
    return std::nullopt;
  }

  std::int64_t channels_of(layer_id p) const {
    if (p == network::input) return net().input_layer().nofm();
    return net()[p].nofm();
  }
  std::int64_t channel_offset(layer_id producer, layer_id consumer) const {
    std::int64_t off = 0;
    for (auto p : net().prevs(consumer)) {
      if (p == producer) return off;
      off += channels_of(p);
    }
    BP_ASSERT(false && "producer is not a prev of the consumer");
    return off;
  }

  std::vector<node_fmap_range> node_ranges(layer_id l, bool ofmaps) const {
    const layer_schedule& r = *s_.result(l);
    std::vector<node_fmap_range> out;
    const node_region& region = region_of(l);
    r.part.for_each_pidx([&](const partition_index& pidx) {
      const proc_data_ranges d = proc_data_range(net()[l], p_.batch, r.part, pidx);
      out.push_back({r.part.coordinate(region, pidx), ofmaps ? d.ofm : d.ifm});
    });
    return out;
  }

  std::vector<candidate> find_candidates() {
    std::vector<candidate> out;
    const double saving = ev_.problem().costs.mem_hier(mem_level::dram) - ev_.problem().costs.mem_hier(mem_level::gbuf);
    for (const layer_id p : s_.order()) {
      const std::size_t k = segment_of(p);
      std::vector<layer_id> later;
      bool other_memory_destination = net().nexts(p).empty() || !net().weight_nexts(p).empty();
      for (const layer_id n : net().nexts(p)) {
        const std::size_t kn = segment_of(n);
        if (kn > k) later.push_back(n);
        else if (kn < k) other_memory_destination = true;  // cannot happen in scheduling order
      }
      if (later.empty()) continue;
      candidate c;
      c.producer = p;
      c.first = k;
      bool ok = true;
      for (const layer_id n : later) {
        const auto f = fetcher_of(n);
        if (!f || !s_.result(*f)->is_dram[0]) {
          ok = false;
          break;
        }
        c.last = std::max(c.last, segment_of(*f));
        if (std::find(c.fetchers.begin(), c.fetchers.end(), *f) == c.fetchers.end()) c.fetchers.push_back(*f);
      }
      if (!ok) continue;
      const layer_schedule& pr = *s_.result(p);
      c.removes_write = !other_memory_destination && pr.is_dram[1] && pr.fetch[0][data_category::ofm] <= 1;
      double reads = 0;
      for (const layer_id f : c.fetchers) {
        const layer_schedule& fr = *s_.result(f);
        reads += fr.access[mem_level::dram][data_category::ifm] * static_cast<double>(channels_of(p)) /
                 static_cast<double>(net()[f].nifm());
      }
      const double writes = c.removes_write ? pr.access[mem_level::dram][data_category::ofm] : 0;
      c.benefit = saving * (reads + writes);
      if (!(c.benefit > 0)) continue;

      const std::vector<node_fmap_range> ofr = node_ranges(p, true);
      std::vector<std::vector<node_fmap_range>> ifr;
      std::vector<hold_consumer> cs;
      ifr.reserve(c.fetchers.size());
      for (const layer_id f : c.fetchers) ifr.push_back(node_ranges(f, false));
      for (std::size_t i = 0; i < c.fetchers.size(); ++i)
        cs.push_back({c.fetchers[i], 0, channel_offset(p, c.fetchers[i]), ifr[i]});
      const hold_producer hp{p, static_cast<std::int64_t>(ev_.position(p)), 0, ofr};
      c.edge = inter_segment_hold(hp, cs, static_cast<std::int64_t>(c.last - c.first + 1));
      c.edge.saved_energy = c.benefit;
      out.push_back(std::move(c));
    }
    // Density first (6.5), ties by producer order (stable: candidates are in scheduling order).
    std::stable_sort(out.begin(), out.end(),
                     [](const candidate& a, const candidate& b) { return a.edge.density() > b.edge.density(); });
    return out;
  }

  void allocate(candidate& c) {
    // The combined map of segments first..last: a core's usage is its largest there.
    const spare_buffer& any = info_[c.first].map;
    spare_buffer combined(any.mesh(), any.gbuf_words(), any.reserve());
    for (spare_buffer::core_id id = 0; id < any.num_cores(); ++id) {
      std::int64_t used = 0;
      for (std::size_t k = c.first; k <= c.last; ++k) used = std::max(used, info_[k].map.usage(id) + info_[k].map.held(id));
      combined.set_usage(combined.coord_of(id), std::min(used, any.gbuf_words()));
    }
    prospector_options o = p_.opt.prospector.allocation;
    o.fallback = allocation_fallback::dram;  // an E3 hold never invalidates anything
    o.interval_packing = false;              // it spans whole segments
    allocation_problem prob{std::move(combined), {c.edge}, relocation_costs::of(p_.costs), p_.opt.forwarding(), o};
    allocation_result r = Alloc{}.allocate(prob);
    if (r.edges.empty() || r.edges.front().outcome != edge_outcome::placed) return;
    c.placed = r.edges.front();
    for (std::size_t k = c.first; k <= c.last; ++k)
      for (const auto& piece : c.placed->pieces)
        for (const host_words& hw : piece) info_[k].map.hold_unbounded(info_[k].map.id_of(hw.host), hw.words);
    placed_.push_back(&c);
    held_edge_record rec;
    rec.requirement = c.edge;
    rec.allocation = *c.placed;
    records_.push_back(std::move(rec));
  }

  // -- Conversion ------------------------------------------------------------------------------

  layer_schedule& work(layer_id l) {
    auto& slot = work_[l];
    if (!slot) slot = std::make_shared<layer_schedule>(*s_.result(l));
    return *slot;
  }

  void convert() {
    const bool fwd = p_.opt.forwarding();
    // Fetchers: reads and hops.
    std::vector<layer_id> fetchers;
    for (const candidate* c : placed_)
      for (const layer_id f : c->fetchers)
        if (std::find(fetchers.begin(), fetchers.end(), f) == fetchers.end()) fetchers.push_back(f);
    for (const layer_id f : fetchers) convert_fetcher(f, fwd);
    // Producers: writes and hops.
    for (std::size_t i = 0; i < placed_.size(); ++i) convert_producer(*placed_[i], records_[i]);
    for (auto& [l, r] : work_) recompute_layer_costs(*r, p_.res, p_.costs);
  }

  void convert_fetcher(layer_id f, bool fwd) {
    const std::vector<layer_id> e1 = intra_held_sources(s_, f);
    std::vector<std::size_t> mine;  // placed candidates read by f
    for (std::size_t i = 0; i < placed_.size(); ++i)
      if (std::find(placed_[i]->fetchers.begin(), placed_[i]->fetchers.end(), f) != placed_[i]->fetchers.end())
        mine.push_back(i);
    // Channels still read from DRAM: producers outside f's segment (the network input and
    // external inputs too) that are not held; producers inside it (on chip, or E1 holds) are
    // not true memory sources (as in the E1 conversion).
    std::int64_t held_ch = 0, dram_ch = 0;
    for (const layer_id p : net().prevs(f)) {
      if (!network::is_source(p) && segment_of(p) == segment_of(f)) continue;
      bool e3 = false;
      for (const std::size_t i : mine) e3 = e3 || placed_[i]->producer == p;
      (e3 ? held_ch : dram_ch) += channels_of(p);
    }
    layer_schedule& r = work(f);
    const double dram_ifm = r.access[mem_level::dram][data_category::ifm];
    const double moved = dram_ch == 0 ? dram_ifm
                                      : dram_ifm * static_cast<double>(held_ch) / static_cast<double>(held_ch + dram_ch);
    r.access[mem_level::dram][data_category::ifm] -= moved;
    r.remote_gbuf_access[data_category::ifm] += moved;

    // Hops: the layout f was scheduled with, the held producers' pieces replaced by host atoms.
    const data_layout scheduled = e1.empty() ? s_.fmap_layout(net().prevs(f)) : ev_.prospector()->ifmap_layout(s_, f, e1);
    const fmap_range complete = scheduled.complete_fmap_range();
    std::vector<std::pair<int_range, std::size_t>> held_channels;
    std::int64_t off = 0;
    for (const layer_id p : net().prevs(f)) {
      for (const std::size_t i : mine)
        if (placed_[i]->producer == p) held_channels.push_back({{off, off + channels_of(p)}, i});
      off += channels_of(p);
    }
    std::vector<weighted_atom> atoms;
    for (const auto& pc : scheduled.pieces()) {
      const auto it = std::find_if(held_channels.begin(), held_channels.end(), [&](const auto& x) {
        return x.first.beg <= pc.frng.beg.n && pc.frng.end.n <= x.first.end;
      });
      if (it == held_channels.end()) {
        append_atoms(pc, atoms);
        continue;
      }
      const candidate& c = *placed_[it->second];
      for (std::size_t k = 0; k < c.edge.pieces.size(); ++k) {
        const fmap_range range = producer_range(c, k);
        fmap_range fr = range;
        fr.beg.n += it->first.beg;
        fr.end.n += it->first.beg;
        for (const host_words& hw : c.placed->pieces[k])
          atoms.push_back({fr, hw.host, static_cast<double>(hw.words) / static_cast<double>(range.size())});
      }
    }
    auto& d = proc_node_scratch();
    collect_proc_node_data(net()[f], p_.batch, region_of(f), r.part, d);
    const std::int64_t u_before = ifm_nhops(scheduled, d, fwd);
    double u_after = 0;
    for (const auto& grp : d.ifm.groups)
      u_after += atom_nhops_to(atoms, complete, d.nodes[grp.head].rng.ifm, d.ifm.coords_of(grp), fwd);
    const std::int64_t du = std::llround(u_after) - u_before;
    const std::int64_t dh = du * r.fetch[0][data_category::ifm];
    r.unit_nhops[data_category::ifm] += du;
    r.mem_nhops[data_category::ifm] += dh;
    r.total_nhops[data_category::ifm] += static_cast<double>(dh);
    for (const std::size_t i : mine) {
      const double share = static_cast<double>(channels_of(placed_[i]->producer)) / static_cast<double>(held_ch);
      records_[i].dram_reads_moved += std::llround(moved * share);
      records_[i].extra_word_hops += std::llround(static_cast<double>(dh) * share);
    }
  }

  // The ofmap range of piece k of a placed hold (its producer node's range).
  fmap_range producer_range(const candidate& c, std::size_t k) const {
    for (const node_fmap_range& r : node_ranges(c.producer, true))
      if (r.node == c.edge.pieces[k].producer_node && r.range.size() > 0) return r.range;
    BP_ASSERT(false && "piece without a producer range");
    return {};
  }

  void convert_producer(const candidate& c, held_edge_record& rec) {
    layer_schedule& r = work(c.producer);
    std::int64_t hops = 0, relocated = 0;
    for (std::size_t k = 0; k < c.edge.pieces.size(); ++k)
      for (const host_words& hw : c.placed->pieces[k]) {
        if (hw.host == c.edge.pieces[k].producer_node) continue;
        relocated += hw.words;
        hops += hw.words * c.edge.pieces[k].producer_node.hop_dist(hw.host);
      }
    if (c.removes_write) {
      const double moved = r.access[mem_level::dram][data_category::ofm];
      r.access[mem_level::dram][data_category::ofm] = 0;
      r.remote_gbuf_access[data_category::ofm] += moved;
      r.is_dram[1] = false;
      const std::int64_t dram_hops = r.unit_nhops[data_category::ofm] * r.fetch[0][data_category::ofm];
      r.mem_nhops[data_category::ofm] -= dram_hops;
      r.total_nhops[data_category::ofm] -= static_cast<double>(dram_hops);
      r.unit_nhops[data_category::ofm] = 0;
      rec.dram_writes_removed += std::llround(moved);
      rec.extra_word_hops -= dram_hops;
    } else {
      r.remote_gbuf_access[data_category::ofm] += static_cast<double>(c.edge.ofmap_words);  // the held copy
    }
    r.node_nhops[data_category::ofm] += static_cast<double>(hops);
    r.total_nhops[data_category::ofm] += static_cast<double>(hops);
    rec.relocated_words += relocated;
    rec.extra_word_hops += hops;
  }

  // -- The new scheme --------------------------------------------------------------------------

  scheme_builder rebuild() {
    scheme_builder out(s_.net(), s_.inputs_ptr(), p_.opt.tangram_quirks);
    std::size_t pos = 0;
    for (std::size_t k = 0; k < segs_.size(); ++k) {
      double dram_before = 0, dram_after = 0;
      std::vector<layer_id> layers;
      for (const auto& st : segs_[k])
        for (const layer_id l : st) {
          const schedule_ptr& orig = s_.result(l);
          const auto it = work_.find(l);
          schedule_ptr now = it == work_.end() ? orig : schedule_ptr(it->second);
          dram_before += orig->total_accesses()[mem_level::dram];
          dram_after += now->total_accesses()[mem_level::dram];
          out.add(l, now, intra_held_sources(s_, l));
          layers.push_back(l);
          ++pos;
        }
      const segment_timing& t = *out.current_segment_timing();
      const std::shared_ptr<const segment_prospect> old =
          k < s_.prospects().size() ? s_.prospects()[k] : std::shared_ptr<const segment_prospect>{};
      auto rec = std::make_shared<segment_prospect>(old ? *old : segment_prospect{layers, 1, 0, info_[k].map, {}, 0, 0, 0});
      if (!old) {
        rec->dram_words_before = std::llround(dram_before);
        rec->critical_time_before = t.critical_time();
        for (const layer_id l : layers) rec->timing_before.push_back(*t.timing_of(l));
      }
      rec->map = info_[k].map;
      rec->batch_groups = std::max<std::int64_t>(1, t.bat_ngrp());
      rec->critical_time = t.critical_time();
      rec->timing_after.clear();
      for (const layer_id l : layers) rec->timing_after.push_back(*t.timing_of(l));
      rec->dram_words_after = old ? old->dram_words_after - (std::llround(dram_before) - std::llround(dram_after))
                                  : std::llround(dram_after);
      for (std::size_t i = 0; i < placed_.size(); ++i)
        if (placed_[i]->first == k) rec->holds.push_back(records_[i]);
      out.set_current_prospect(std::move(rec));
    }
    BP_ASSERT(pos == s_.order().size());
    return out;
  }

  const segment_evaluator<LBS, Alloc>& ev_;
  const search_problem& p_;
  const scheme_builder& s_;
  std::vector<segment_stages> segs_;
  std::vector<segment_info> info_;
  std::vector<const candidate*> placed_;
  std::vector<held_edge_record> records_;  // parallel to placed_
  std::map<layer_id, std::shared_ptr<layer_schedule>> work_;
};

/// The E3 post-pass on a complete scheme (header comment); returns the converted scheme with the
/// same segments. Without a prospecting policy nothing is held.
template <loop_blocking_search LBS, buffer_allocation_policy Alloc>
scheme_builder cross_segment_pass(const segment_evaluator<LBS, Alloc>& ev, const scheme_builder& s) {
  BP_ASSERT(s.complete());
  if constexpr (!segment_evaluator<LBS, Alloc>::policy_prospects) {
    return s;
  } else {
    return cross_segment_run<LBS, Alloc>(ev, s).run();
  }
}

}  // namespace detail

}  // namespace bp
