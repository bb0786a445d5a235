// bufferprospector/arch/resource.hpp -- the hardware a layer is scheduled on (Tangram's Resource).
//
// A resource is a processing region of the mesh, the DRAM region, where the layer's ifmaps come
// from and its ofmaps go (DRAM, a neighbor's region in a pipeline, or its own region), the PE
// array, buffer sizes in words, bandwidths, and whether filters may stay pinned on chip
// (no_time_mux, when one segment covers the whole network).
#pragma once

#include <cstdint>  // std::int64_t

#include <bufferprospector/arch/node_region.hpp>  // bp::node_region
#include <bufferprospector/arch/spec.hpp>         // bp::spec
#include <bufferprospector/core/phy_dim2.hpp>     // bp::phy_dim2

namespace bp {

struct resource {
  node_region proc_region;
  node_region dram_region;
  node_region src_data_region;
  node_region dst_data_region;
  phy_dim2 dim_array;
  std::int64_t size_gbuf = 0;       // words per node
  std::int64_t size_regf = 0;       // words per PE
  double array_bus_width = 0;       // words (inf: unlimited)
  double dram_bandwidth = 0;        // words per cycle (inf: unlimited)
  bool no_time_mux = false;

  friend bool operator==(const resource&, const resource&) = default;
};

/// The DRAM region of a mesh: the four corners (2D) or every node (3D), as nn_dataflow_search.
inline node_region dram_region_of(phy_dim2 mesh, dram_placement placement) {
  if (placement == dram_placement::stacked_3d)
    return node_region(mesh, {0, 0}, region_type::dram);
  return node_region({2, 2}, {0, 0}, region_type::dram, mesh - phy_dim2{1, 1});
}

/// The whole-chip resource of a spec: all nodes process; data lives in DRAM.
template <class P, class M, class Mem, class C>
resource make_resource(const spec<P, M, Mem, C>& s) {
  const phy_dim2 mesh = s.mesh().dim();
  const node_region proc(mesh, {0, 0}, region_type::proc);
  const node_region dram = dram_region_of(mesh, s.memory().placement());
  return resource{proc,
                  dram,
                  dram,
                  dram,
                  s.array().dim(),
                  s.memory().gbuf_words(),
                  s.memory().regf_words(),
                  s.memory().array_bus_width(),
                  s.memory().dram_bandwidth(),
                  false};
}

}  // namespace bp
