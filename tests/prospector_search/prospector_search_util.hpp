// tests/prospector_search/prospector_search_util.hpp -- shared pieces of the prospector_search
// tests: the model note's residual block and chip, a one-segment scheduler (what the beam search
// does for one candidate, one constraint point, ntops 1) and the invariants every prospector
// record and converted scheme must keep.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <bufferprospector/arch/resource.hpp>
#include <bufferprospector/intra/input_layout.hpp>
#include <bufferprospector/intra/layer_scheduler.hpp>
#include <bufferprospector/pipeline/pipeline_segment.hpp>
#include <bufferprospector/pipeline/scheduling_dag.hpp>
#include <bufferprospector/prospector/policies.hpp>
#include <bufferprospector/search/beam_search.hpp>
#include <bufferprospector/search/segment_prospector.hpp>
#include <bufferprospector/workload/network.hpp>

namespace bp_test {

/// The model note's section 3.3 block: p feeds a (the main path) and res (the shortcut).
inline bp::network residual_block() {
  using namespace bp::layers;
  bp::network n("resblock", input{.nofm = 256, .sofm = 14});
  n.add("p", conv{.nifm = 256, .nofm = 256, .sofm = 14, .sfil = 1});
  n.add("a", conv{.nifm = 256, .nofm = 64, .sofm = 14, .sfil = 1}, {"p"});
  n.add("b", conv{.nifm = 64, .nofm = 64, .sofm = 14, .sfil = 3});
  n.add("c", conv{.nifm = 64, .nofm = 256, .sofm = 14, .sfil = 1});
  n.add("res", eltwise{.nofm = 256, .sofm = 14, .nreg = 2}, {"p", "c"});
  n.add("q", conv{.nifm = 256, .nofm = 64, .sofm = 14, .sfil = 1});
  return n;
}

/// A mesh of nodes with 2D (corner) DRAM, as nn_dataflow_search builds it; sizes in words.
inline bp::resource chip(bp::phy_dim2 mesh, bp::phy_dim2 array, std::int64_t gbuf_words, std::int64_t regf_words,
                         double dram_bandwidth = bp::inf) {
  const bp::node_region proc(mesh, {0, 0}, bp::region_type::proc);
  const bp::node_region data = bp::dram_region_of(mesh, bp::dram_placement::edge_2d);
  return bp::resource{proc, data, data, data, array, gbuf_words, regf_words, bp::inf, dram_bandwidth, false};
}

/// The model note's hardware: 8x8 nodes, 16x16 PEs, GBUF 64 KB, REGF 64 B (16-bit words).
inline bp::resource note_chip(double dram_bandwidth = bp::inf) {
  return chip({8, 8}, {16, 16}, 32768, 32, dram_bandwidth);
}

/// The model note's options: solver, hybrid partitioning, access forwarding, inter-layer
/// pipelining, goal e, 4 tops.
inline bp::options note_options() {
  bp::options o;
  o.sw_solve_loopblocking = true;
  o.partition_hybrid = true;
  o.hw_access_forwarding = true;
  o.partition_interlayer = true;
  o.ntops = 4;
  return o;
}

/// Schedules `seg` after the layers already in `s`, as the beam search does for one candidate
/// (ntops 1), under the first constraint point that schedules every layer; false if none does.
inline bool schedule_into(bp::scheme_builder& s, const bp::pipeline_segment& seg, const bp::network& net,
                          std::int64_t batch, const bp::resource& res, const bp::cost_values& costs,
                          const bp::options& opt, const std::shared_ptr<bp::layer_schedule_cache>& cache) {
  using namespace bp;
  std::vector<std::size_t> position(static_cast<std::size_t>(net.size()), 0);
  const segment_prospector<no_prospecting> helper(net, batch, res, costs, opt, position);
  const auto& alloc = seg.allocation();
  const auto region_of = [&](sched_index i) {
    return alloc[static_cast<std::size_t>(i.sp)][static_cast<std::size_t>(i.tm)].proc_region;
  };
  std::optional<scheme_builder> found;
  seg.for_each_constraint(opt.layer_pipeline_time_ovhd, [&](const segment_constraint& c) {
    if (found) return;
    scheme_builder t = s;
    for (std::size_t sp = 0; sp < seg.size(); ++sp)
      for (std::size_t tm = 0; tm < seg[sp].size(); ++tm) {
        const sched_index me{static_cast<int>(sp), static_cast<int>(tm)};
        const layer_id l = seg[sp][tm];
        std::vector<layer_id> held;
        for (const auto& h : seg.dependency(me).held_sources)
          held.push_back(seg[static_cast<std::size_t>(h.sp)][static_cast<std::size_t>(h.tm)]);
        data_layout in = held.empty() ? t.fmap_layout(net.prevs(l)) : helper.ifmap_layout(t, l, held);
        std::optional<node_region> fwd;
        for (const auto& f : seg.ifm_fwd())
          for (std::size_t k = 1; k < f.layers.size(); ++k)
            if (f.layers[k] == me) fwd = region_of(f.layers.front());
        for (const auto& f : seg.ofm_fwd())
          for (const auto& d : f.destinations)
            if (d == me) fwd = region_of(f.source);
        if (fwd) {
          std::vector<data_layout::piece> pieces;
          for (const auto& pc : in.pieces()) pieces.push_back({pc.frng, *fwd, pc.part.projection(*fwd, true)});
          in = data_layout(std::move(pieces));
        }
        const layer_constraint& lc = c.stages[sp][tm];
        scheduling_constraint cstr = lc.constraint;
        if (lc.topofm_from) cstr.topofm = t.result(*lc.topofm_from)->tvals[0][loop_dim::ofm];
        layer_scheduler<> sched(net[l], batch, costs, cache);
        const auto tops = sched.schedule_search(
            {alloc[sp][tm], cstr, std::move(in), {t.last_seg_idx() + (sp == 0 && tm == 0 ? 1 : 0),
                                                   static_cast<std::int64_t>(sp), static_cast<std::int64_t>(tm)}},
            opt);
        if (tops.empty()) return;
        t.add(l, std::make_shared<const layer_schedule>(tops.front()), held);
      }
    found = std::move(t);
  });
  if (!found) return false;
  s = std::move(*found);
  return true;
}

/// One candidate segment scheduled as the beam search schedules it, after the layers before it
/// in scheduling order, each scheduled alone on the whole chip (from the first input layout).
inline std::optional<bp::scheme_builder> schedule_segment(const bp::pipeline_segment& seg, const bp::network& net,
                                                          std::int64_t batch, const bp::resource& res,
                                                          const bp::cost_values& costs, const bp::options& opt) {
  using namespace bp;
  auto cache = std::make_shared<layer_schedule_cache>();
  const auto inputs = input_layouts(net, batch, res.src_data_region, opt);
  REQUIRE(!inputs.empty());
  scheme_builder s(net, std::make_shared<const input_layouts_choice>(net, inputs.front()), opt.tangram_quirks);
  const scheduling_dag dag(net);
  for (const layer_id l : dag.ordered_layers()) {
    if (l == seg.first_layer()) break;
    const pipeline_segment single(segment_stages{{l}}, net, batch, res);
    if (!schedule_into(s, single, net, batch, res, costs, opt, cache)) return std::nullopt;
  }
  if (!schedule_into(s, seg, net, batch, res, costs, opt, cache)) return std::nullopt;
  return s;
}

/// Tangram's per-layer cost identity and the record fields that must stay consistent after a
/// conversion (the cost table's values, the same sums in the same order).
inline void check_layer_record(const bp::layer_schedule& r, const bp::cost_values& c, double dram_bandwidth) {
  using namespace bp;
  const auto sum3 = [](const per_data<double>& v) { return (v[0] + v[1]) + v[2]; };
  double acc = 0;
  for (auto m : all<mem_level>) acc += c.mem_hier(m) * sum3(r.access[m]);
  acc += c.mem_hier(mem_level::gbuf) * sum3(r.remote_gbuf_access);
  CHECK(r.cost_access == Approx(acc).epsilon(1e-12));
  for (auto d : all<data_category>) {
    CHECK(r.total_nhops[d] == Approx(r.node_nhops[d] + static_cast<double>(r.mem_nhops[d])).epsilon(1e-12));
    CHECK(r.mem_nhops[d] == r.unit_nhops[d] * r.fetch[0][d]);
    CHECK(r.access[mem_level::dram][d] >= 0);
  }
  CHECK(r.cost_noc == Approx(c.noc_hop() * sum3(r.total_nhops)).epsilon(1e-12));
  CHECK(r.dram_time == static_cast<std::int64_t>(std::ceil(sum3(r.access[mem_level::dram]) / dram_bandwidth)));
  CHECK(r.time == std::max({r.proc_time, r.bus_time, r.dram_time}));
  CHECK(r.cost == Approx(r.cost_op + r.cost_access + r.cost_noc + r.cost_static).epsilon(1e-12));
}

/// What every record of a non-ideal policy keeps: no core above its capacity, every hold placed
/// in full or routed through DRAM (never dropped, never failed in a surviving scheme), and the
/// DRAM words identity (model note 7.6 item 5).
inline void check_prospect(const bp::segment_prospect& p, bool unbounded_policy, bool interval_packing = false) {
  using namespace bp;
  for (spare_buffer::core_id id = 0; id < p.map.num_cores(); ++id) {
    CHECK(p.map.usage(id) <= p.map.gbuf_words());
    if (!unbounded_policy) {
      CHECK(p.map.spare(id) >= 0);
      CHECK(p.map.usage(id) + p.map.held(id) <= std::max(p.map.capacity(), p.map.usage(id)));
    }
  }
  std::int64_t moved = 0, added = 0, held = 0;
  for (const held_edge_record& h : p.holds) {
    REQUIRE(h.allocation.outcome != edge_outcome::failed);
    std::int64_t pieces = 0;
    for (std::size_t k = 0; k < h.requirement.pieces.size(); ++k) {
      pieces += h.requirement.pieces[k].words;
      std::int64_t placed = 0;
      for (const host_words& hw : h.allocation.pieces[k]) placed += hw.words;
      CHECK(placed == (h.allocation.outcome == edge_outcome::placed ? h.requirement.pieces[k].words : 0));
    }
    CHECK(pieces == h.requirement.words);
    CHECK(h.requirement.live_groups >= 1);
    CHECK(h.requirement.live_groups <= h.requirement.batch_groups);
    if (h.allocation.outcome == edge_outcome::placed) held += h.requirement.words;
    moved += h.dram_reads_moved;
    added += h.dram_writes_added;
  }
  if (!unbounded_policy && !interval_packing) CHECK(p.map.total_held() == held);
  // Moved reads are attributed to holds by channel share, rounded per hold.
  CHECK(std::abs((p.dram_words_before - p.dram_words_after) - (moved - added)) <=
        static_cast<std::int64_t>(p.holds.size()));
}

}  // namespace bp_test
