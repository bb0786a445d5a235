// bufferprospector/pipeline/inter_layer_pipeline.hpp -- the candidate pipeline segments of a
// network (Tangram's InterLayerPipeline.gen_segment, nn_dataflow/core/inter_layer_pipeline.py).
//
//   bp::inter_layer_pipeline ilp(net, batch, res);           // max_util_drop 0.05, as NNDataflow
//   for (const bp::pipeline_segment& s : ilp.gen_segments(opt)) ...
//
// First every single layer, alone on the whole mesh (always valid); then, for each vertex range
// of the scheduling DAG no longer than layer_pipeline_max_degree (and not a lone one-layer
// vertex): the spatial shape (one stage per vertex, with --interlayer-partition) and the
// temporal shape (all layers in one stage, with --enable-save-writeback), whichever is valid.
// Tangram collects the two shapes in a Python set, whose order depends on string hashing (random
// per process); here the spatial shape always comes first.
//
// gen_relaxed_segments is the buffer prospector's candidate set (docs/bufferprospector-model.md
// 6.2): the same construction over scheduling_dag::relaxed_vertex_segments, each segment typed
// with held edges (segment_typing::held_edges).
#pragma once

#include <cstdint>  // std::int64_t
#include <utility>  // std::move
#include <vector>   // std::vector

#include <bufferprospector/arch/resource.hpp>                 // bp::resource
#include <bufferprospector/config.hpp>                        // BP_ASSERT
#include <bufferprospector/core/error.hpp>                    // bp::invalid_option
#include <bufferprospector/options.hpp>                       // bp::options
#include <bufferprospector/pipeline/pipeline_segment.hpp>     // bp::pipeline_segment
#include <bufferprospector/pipeline/scheduling_dag.hpp>       // bp::scheduling_dag
#include <bufferprospector/workload/network.hpp>              // bp::network

namespace bp {

class inter_layer_pipeline {
 public:
  inter_layer_pipeline(const network& net, std::int64_t batch, const resource& res, double max_util_drop = 0.05)
      : net_(&net), batch_(batch), res_(res), max_util_drop_(max_util_drop), dag_(net) {
    if (!(0 <= max_util_drop && max_util_drop <= 1))
      throw invalid_option("InterLayerPipeline: max_util_drop must be between [0, 1].");
  }

  const scheduling_dag& dag() const noexcept { return dag_; }
  const std::vector<layer_id>& ordered_layers() const noexcept { return dag_.ordered_layers(); }

  /// The valid candidate segments, in Tangram's order.
  std::vector<pipeline_segment> gen_segments(const options& opt) const {
    return build_segments(opt, dag_.vertex_segments(), segment_typing::tangram);
  }

  /// The buffer prospector's valid candidates: Tangram's, then those of the ranges only rule 2
  /// excluded (and, without `keep_rule3`, rule 3), all typed with held edges (`typing`: held_edges
  /// or held_edges_through_dram).
  std::vector<pipeline_segment> gen_relaxed_segments(const options& opt, bool keep_rule3 = true,
                                                     segment_typing typing = segment_typing::held_edges) const {
    BP_ASSERT(typing != segment_typing::tangram);
    return build_segments(opt, dag_.relaxed_vertex_segments(keep_rule3), typing);
  }

  /// Every candidate shape of gen_segments (`typing` tangram) or gen_relaxed_segments (another
  /// typing), in the same order, *including* the invalid ones (their status() says which rule
  /// rejected them): fn(pipeline_segment&&). For logs that explain why a segment never ran.
  template <class Fn>
  void for_each_candidate(const options& opt, segment_typing typing, bool keep_rule3, Fn&& fn) const {
    for_each_shape(opt, typing == segment_typing::tangram ? dag_.vertex_segments() : dag_.relaxed_vertex_segments(keep_rule3),
                   typing, fn);
  }

 private:
  std::vector<pipeline_segment> build_segments(const options& opt,
                                               const std::vector<scheduling_dag::vertex_range>& ranges,
                                               segment_typing typing) const {
    std::vector<pipeline_segment> out;
    for_each_shape(opt, ranges, typing, [&](pipeline_segment&& seg) {
      if (seg.valid()) out.push_back(std::move(seg));
    });
    return out;
  }

  // The single layers (always valid), then the spatial and temporal shape of every range.
  template <class Fn>
  void for_each_shape(const options& opt, const std::vector<scheduling_dag::vertex_range>& ranges,
                      segment_typing typing, Fn&& fn) const {
    const bool with_opt = opt.layer_pipeline_opt;
    for (layer_id l = 0; l < net_->size(); ++l) {
      pipeline_segment single(segment_stages{{l}}, *net_, batch_, res_, max_util_drop_, with_opt, typing);
      BP_ASSERT(single.valid());
      fn(std::move(single));
    }
    for (const auto& vr : ranges) {
      if (static_cast<double>(vr.count) > opt.layer_pipeline_max_degree) continue;
      const auto& verts = dag_.vertices();
      if (vr.count == 1 && verts[static_cast<std::size_t>(vr.first)].size() == 1) continue;

      std::vector<segment_stages> shapes;
      if (opt.partition_interlayer) {
        segment_stages spatial;
        for (vertex_id v = vr.first; v < vr.first + vr.count; ++v) spatial.push_back(verts[static_cast<std::size_t>(v)]);
        shapes.push_back(std::move(spatial));
      }
      if (opt.hw_gbuf_save_writeback) {
        segment_stages temporal(1);
        for (vertex_id v = vr.first; v < vr.first + vr.count; ++v) {
          const auto& vl = verts[static_cast<std::size_t>(v)];
          temporal[0].insert(temporal[0].end(), vl.begin(), vl.end());
        }
        if (shapes.empty() || shapes.front() != temporal) shapes.push_back(std::move(temporal));
      }
      for (auto& shape : shapes) fn(pipeline_segment(std::move(shape), *net_, batch_, res_, max_util_drop_, with_opt, typing));
    }
  }

  const network* net_;
  std::int64_t batch_;
  resource res_;
  double max_util_drop_;
  scheduling_dag dag_;
};

}  // namespace bp
