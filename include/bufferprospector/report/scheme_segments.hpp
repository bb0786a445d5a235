// bufferprospector/report/scheme_segments.hpp -- the segments of a whole-network scheme as the
// reports show them: layers per stage, timing, energy, and the GBUF words every core uses
// (docs/bufferprospector-model.md section 4).
//
//   std::vector<bp::scheme_segment> segs = bp::scheme_segments(best, chip_res, opt);
//   segs[k].time; segs[k].node_time; segs[k].gbuf_words[core];   // core = h * mesh_w + w
//
// A scheme keeps, per layer, its schedule and its (segment, stage, temporal) position; the node
// region a stage ran on is not in it. It is rebuilt the way the search built it: the segment's
// stages, re-allocated by pipeline_segment over the whole chip (the allocation depends only on the
// layers' ops, the mesh and max_util_drop). A core's usage is the max, over the temporal layers of
// the stage that owns it, of the layer's per-node GBUF words (scheme['size'][GBUF] summed over
// data categories, already divided by the buffer-sharing subgroup); a hold spans the whole
// segment, so the max is what stays occupied. Segments that Tangram's pipeline rules reject (the
// prospector's relaxed segments) cannot be rebuilt here: their usage is left empty, and the
// method that produced them reports it (search/methods.hpp, segment_buffer_use).
#pragma once

#include <cstddef>  // std::size_t
#include <cstdint>  // std::int64_t
#include <vector>   // std::vector

#include <bufferprospector/arch/resource.hpp>              // bp::resource
#include <bufferprospector/config.hpp>                     // BP_ASSERT
#include <bufferprospector/core/enums.hpp>                 // bp::data_category
#include <bufferprospector/options.hpp>                    // bp::options
#include <bufferprospector/pipeline/pipeline_segment.hpp>  // bp::pipeline_segment, bp::segment_stages
#include <bufferprospector/pipeline/segment_timing.hpp>    // bp::segment_timing
#include <bufferprospector/prospector/spare_buffer.hpp>    // bp::spare_buffer, bp::stage_buffer_use
#include <bufferprospector/search/network_scheme.hpp>      // bp::network_scheme, bp::timing_input_of
#include <bufferprospector/search/segment_prospector.hpp>  // bp::segment_prospect

namespace bp {

/// One segment of a scheme.
struct scheme_segment {
  std::int64_t index = 0;
  segment_stages stages;            ///< layer ids per spatial stage, in temporal order
  std::int64_t time = 0;            ///< max(node_time, dram_time)
  std::int64_t node_time = 0;
  std::int64_t dram_time = 0;
  std::int64_t critical_time = 0;
  std::int64_t batch_groups = 1;    ///< B, the batch groups pipelined through the segment
  double cost = 0;                  ///< sum of its layers' costs (static cost not corrected)
  /// Per core (row-major, h * mesh_w + w): GBUF words used by the segment's own layers. Empty
  /// when the stages' node regions cannot be rebuilt (see the header comment).
  std::vector<std::int64_t> gbuf_words;

  std::size_t num_layers() const noexcept {
    std::size_t n = 0;
    for (const auto& st : stages) n += st.size();
    return n;
  }
};

/// A layer's per-node GBUF words: scheme['size'][GBUF] summed over data categories.
inline std::int64_t gbuf_words_of(const layer_schedule& s) noexcept {
  return s.size[0][data_category::fil] + s.size[0][data_category::ifm] + s.size[0][data_category::ofm];
}

namespace detail {

// The per-core usage of one segment, or empty when its regions cannot be rebuilt.
inline std::vector<std::int64_t> segment_gbuf_words(const network_scheme& s, const scheme_segment& seg,
                                                    const resource& chip, const options& opt, double max_util_drop) {
  // Held-edge typing: the prospector's relaxed segments are valid only so (a layer may read two
  // stages); Tangram's valid segments hold nothing under it, and the allocation is the same.
  const pipeline_segment ps(seg.stages, s.net(), s.batch(), chip, max_util_drop, opt.layer_pipeline_opt,
                            segment_typing::held_edges);
  if (!ps.valid()) return {};
  std::vector<stage_buffer_use> stages;
  for (std::size_t sp = 0; sp < seg.stages.size(); ++sp) {
    stage_buffer_use use{ps.allocation()[sp].front().proc_region, {}};
    for (const layer_id l : seg.stages[sp]) use.layer_gbuf_words.push_back(gbuf_words_of(s.schedule_of(l)));
    stages.push_back(std::move(use));
  }
  const phy_dim2 mesh = chip.proc_region.dim();
  const spare_buffer map = spare_buffer::of_segment(mesh, chip.size_gbuf, stages);
  std::vector<std::int64_t> out(static_cast<std::size_t>(mesh.size()));
  for (spare_buffer::core_id id = 0; id < map.num_cores(); ++id) out[static_cast<std::size_t>(id)] = map.usage(id);
  return out;
}

}  // namespace detail

/// The segments of `s`, in order. `chip` is the whole-chip resource and `opt`/`max_util_drop`
/// the options the search ran with (they decide the node allocation).
inline std::vector<scheme_segment> scheme_segments(const network_scheme& s, const resource& chip, const options& opt,
                                                   double max_util_drop = 0.05) {
  std::vector<scheme_segment> out;
  std::vector<segment_timing> timings;
  for (const auto& [l, sched] : s.schedules()) {
    const sched_seq q = sched.seq;
    if (out.empty() || q.segment != out.back().index) {
      BP_ASSERT(q.segment == static_cast<std::int64_t>(out.size()));
      out.push_back({});
      out.back().index = q.segment;
      timings.emplace_back(s.net(), q.segment);
    }
    scheme_segment& seg = out.back();
    if (q.spatial == static_cast<std::int64_t>(seg.stages.size())) seg.stages.emplace_back();
    BP_ASSERT(q.spatial + 1 == static_cast<std::int64_t>(seg.stages.size()));
    seg.stages.back().push_back(l);
    seg.cost += sched.total_cost();
    timings.back().add(l, {q.segment, q.spatial, q.temporal}, timing_input_of(sched));
  }
  for (std::size_t k = 0; k < out.size(); ++k) {
    const segment_timing& t = timings[k];
    // The scheme's own segment times win: a search may time its segments with rules the plain
    // rebuild does not know (the prospector's held-edge start rule).
    const bool listed = k < s.segment_time_list().size() && k < s.segment_node_time_list().size();
    out[k].time = listed ? s.segment_time_list()[k] : t.time();
    out[k].dram_time = listed ? s.segment_dram_time_list()[k] : t.dram_time();
    out[k].node_time = listed ? s.segment_node_time_list()[k] : t.node_time();
    out[k].critical_time = t.critical_time();
    out[k].batch_groups = t.bat_ngrp();
    if (k < s.prospects().size() && s.prospects()[k]) {  // the prospector re-timed this segment
      out[k].critical_time = s.prospects()[k]->critical_time;
      out[k].batch_groups = s.prospects()[k]->batch_groups;
    }
    out[k].gbuf_words = detail::segment_gbuf_words(s, out[k], chip, opt, max_util_drop);
  }
  return out;
}

}  // namespace bp
