// bufferprospector/intra/input_layout.hpp -- where the network input (and the external inputs,
// e.g. an LSTM's initial states) may lie in DRAM before the first layer runs
// (Tangram's NNDataflow._gen_input_layout, nn_dataflow/core/nn_dataflow.py).
//
//   for (const auto& c : bp::input_layouts(net, batch, res.src_data_region, opt))
//     ... schedule the first layer with c.input as its ifmap layout ...
//
// Every partitioning that gen_partition yields for the input layer over the DRAM region is a
// candidate (in that order: Tangram keeps the first of equally good results). The input and all
// external inputs share the region and the partitioning of one candidate.
#pragma once

#include <cstdint>  // std::int64_t
#include <span>     // std::span
#include <vector>   // std::vector

#include <bufferprospector/arch/node_region.hpp>        // bp::node_region
#include <bufferprospector/core/fmap_range.hpp>         // bp::fmap_range
#include <bufferprospector/intra/data_layout.hpp>       // bp::data_layout
#include <bufferprospector/intra/partition.hpp>         // bp::for_each_partition
#include <bufferprospector/intra/partition_scheme.hpp>  // bp::partition_scheme
#include <bufferprospector/options.hpp>                 // bp::options
#include <bufferprospector/workload/layer.hpp>          // bp::layer
#include <bufferprospector/workload/network.hpp>        // bp::network

namespace bp {

/// One candidate placement of the network's inputs.
struct input_layout_candidate {
  partition_scheme part;               ///< the input's partitioning as generated (before projection)
  data_layout input;                   ///< the network input's layout
  std::vector<data_layout> externals;  ///< one per external input, in network::ext_layers() order
};

/// The whole batch of an input-like layer: [0, batch) x [0, nofm) x hofm x wofm.
inline fmap_range full_fmap_range(const layer& l, std::int64_t batch) {
  return {{0, 0, 0, 0}, {batch, l.nofm(), l.hofm(), l.wofm()}};
}

/// The layout of `frng` stored in `region`, partitioned like `part` (projected onto the region,
/// keeping only the parallelisms that describe an fmap).
inline data_layout region_layout(const fmap_range& frng, const node_region& region, const partition_scheme& part) {
  return data_layout({data_layout::piece{frng, region, part.projection(region, /*appl2frng=*/true)}});
}

/// Calls fn(const input_layout_candidate&) for every candidate layout of an input layer
/// `input_layer` (and the external inputs `ext_layers`) over `region`, in Tangram's order.
template <class Fn>
void for_each_input_layout(const layer& input_layer, std::span<const layer> ext_layers, std::int64_t batch,
                           const node_region& region, const options& opt, Fn&& fn) {
  const fmap_range input_frng = full_fmap_range(input_layer, batch);
  for_each_partition(input_layer, batch, region.dim(), opt, /*guaranteed=*/true, [&](const partition_scheme& part) {
    input_layout_candidate c{part, region_layout(input_frng, region, part), {}};
    c.externals.reserve(ext_layers.size());
    for (const layer& ext : ext_layers) c.externals.push_back(region_layout(full_fmap_range(ext, batch), region, part));
    fn(static_cast<const input_layout_candidate&>(c));
  });
}

/// All candidates for an input layer and external inputs, in Tangram's order.
inline std::vector<input_layout_candidate> input_layouts(const layer& input_layer, std::span<const layer> ext_layers,
                                                         std::int64_t batch, const node_region& region,
                                                         const options& opt) {
  std::vector<input_layout_candidate> out;
  for_each_input_layout(input_layer, ext_layers, batch, region, opt,
                        [&](const input_layout_candidate& c) { out.push_back(c); });
  return out;
}

/// All candidates for a network's input and external inputs over the source data region
/// (Tangram: resource.src_data_region), in Tangram's order.
inline std::vector<input_layout_candidate> input_layouts(const network& net, std::int64_t batch,
                                                         const node_region& src_data_region, const options& opt) {
  std::vector<layer> exts;
  for (layer_id id : net.ext_layers()) exts.push_back(net[id]);
  return input_layouts(net.input_layer(), std::span<const layer>(exts), batch, src_data_region, opt);
}

}  // namespace bp
