// bufferprospector/arch/resource.hpp -- the hardware a layer is scheduled on (Tangram's Resource).
//
// A resource is a processing region of the mesh, the DRAM region, where the layer's ifmaps come
// from and its ofmaps go (DRAM, a neighbor's region in a pipeline, or its own region), the PE
// array, buffer sizes in words, bandwidths, and whether filters may stay pinned on chip
// (no_time_mux, when one segment covers the whole network).
//
// A resource is a plain value; validate() (called by the schedulers and searches) refuses one
// outside core/limits.hpp: empty regions or nodes outside [0, 256) x [0, 256), PE arrays above
// 1024 per side, buffers < 0 or > 2^40 words, bandwidths NaN or below 1/16 word per cycle.
#pragma once

#include <cmath>        // std::isnan
#include <cstdint>      // std::int64_t
#include <string>       // std::string
#include <string_view>  // std::string_view

#include <bufferprospector/arch/node_region.hpp>  // bp::node_region
#include <bufferprospector/arch/spec.hpp>         // bp::spec
#include <bufferprospector/core/error.hpp>        // bp::invalid_spec
#include <bufferprospector/core/format.hpp>       // bp::tuple_repr, bp::python_repr
#include <bufferprospector/core/limits.hpp>       // bp::limits
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

  /// Throws bp::invalid_spec naming the field and value when the resource is outside the
  /// scheduler's limits (core/limits.hpp) or makes no sense (an empty region, a negative size).
  void validate() const {
    check_region("resource.proc_region", proc_region);
    check_region("resource.dram_region", dram_region);
    check_region("resource.src_data_region", src_data_region);
    check_region("resource.dst_data_region", dst_data_region);
    if (!within(dim_array, 1, limits::max_pe_array_extent))
      fail("resource.dim_array", tuple_repr(dim_array.h, dim_array.w),
           "must be >= 1 and <= " + std::to_string(limits::max_pe_array_extent) + " per side (bp::limits::max_pe_array_extent)");
    check_words("resource.size_gbuf", size_gbuf);
    check_words("resource.size_regf", size_regf);
    check_bandwidth("resource.array_bus_width", array_bus_width);
    check_bandwidth("resource.dram_bandwidth", dram_bandwidth);
  }

  friend bool operator==(const resource&, const resource&) = default;

 private:
  [[noreturn]] static void fail(std::string_view field, const std::string& value, const std::string& rule) {
    throw invalid_spec(std::string(field) + " = " + value + ": " + rule);
  }
  static constexpr bool within(phy_dim2 d, std::int64_t lo, std::int64_t hi) noexcept {
    return lo <= d.h && d.h <= hi && lo <= d.w && d.w <= hi;
  }
  // Every node of the region must lie on a mesh of at most max_mesh_extent x max_mesh_extent.
  static void check_region(std::string_view field, const node_region& r) {
    constexpr std::int64_t lim = limits::max_mesh_extent;
    const std::string rule = "must be >= 1 and <= " + std::to_string(lim) + " per side (bp::limits::max_mesh_extent)";
    if (!within(r.dim(), 1, lim)) fail(std::string(field) + ".dim", tuple_repr(r.dim().h, r.dim().w), rule);
    if (!within(r.dist(), 0, lim))
      fail(std::string(field) + ".dist", tuple_repr(r.dist().h, r.dist().w), "must be >= 0 and <= " + std::to_string(lim));
    if (!within(r.origin(), -lim, lim))
      fail(std::string(field) + ".origin", tuple_repr(r.origin().h, r.origin().w),
           "must be within [-" + std::to_string(lim) + ", " + std::to_string(lim) + "]");
    if (r.wtot() > lim) fail(std::string(field) + ".wtot", std::to_string(r.wtot()), "must be <= " + std::to_string(lim));
    r.for_each_node([&](phy_dim2 c) {
      if (!within(c, 0, lim - 1))
        fail(std::string(field), "node " + tuple_repr(c.h, c.w),
             "every node must lie in [0, " + std::to_string(lim) + ") x [0, " + std::to_string(lim) +
                 ") (bp::limits::max_mesh_extent)");
    });
  }
  static void check_words(std::string_view field, std::int64_t words) {
    if (words < 0 || words > limits::max_buffer_words)
      fail(field, std::to_string(words),
           "must be >= 0 and <= " + std::to_string(limits::max_buffer_words) + " words (bp::limits::max_buffer_words)");
  }
  static void check_bandwidth(std::string_view field, double words_per_cycle) {
    if (std::isnan(words_per_cycle) || words_per_cycle < limits::min_bandwidth)
      fail(field, python_repr(words_per_cycle),
           "must be >= " + python_repr(limits::min_bandwidth) + " words per cycle or inf (bp::limits::min_bandwidth)");
  }
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
