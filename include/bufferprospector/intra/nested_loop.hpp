// bufferprospector/intra/nested_loop.hpp -- the loop nest a mapping leaves for loop blocking
// (Tangram's NestedLoopDesc, nn_dataflow/core/nested_loop_desc.py).
//
// After the array mapping, a layer on one node is three loops (IFM, OFM, BAT) with trip counts
// `loopcnt` around one "processing pass" (the loop body). Per body: ops, time, the words each
// data category occupies in the gbuf and in each PE's regf, and the accesses at every level.
#pragma once

#include <cstdint>  // std::int64_t

#include <bufferprospector/core/enums.hpp>            // bp::per_loop, bp::per_data, bp::per_level
#include <bufferprospector/workload/data_loops.hpp>  // bp::data_dim_loops

namespace bp {

struct nested_loop_desc {
  per_loop<std::int64_t> loopcnt{};            ///< trip counts [IFM, OFM, BAT]
  per_data<std::int64_t> usize_gbuf{};         ///< gbuf words per body [FIL, IFM, OFM]
  per_data<std::int64_t> usize_regf{};         ///< regf words per PE per body
  per_level<per_data<double>> unit_access{};   ///< accesses per body [DRAM, GBUF, ITCN, REGF][...]
  double unit_ops = 0;                         ///< MACs per body (fractional: loop occupancy)
  std::int64_t unit_time = 0;                  ///< cycles per body
  per_data<data_dim_loops> data_loops{};       ///< loops indexing each data category

  /// Accesses at `level` to all data of category `d` (NestedLoopDesc.total_access_at_of).
  double total_access_at_of(mem_level level, data_category d) const noexcept {
    return unit_access[level][d] * static_cast<double>(data_loops[d].take_product(loopcnt));
  }
  double total_ops() const noexcept {
    return unit_ops * static_cast<double>(loopcnt[loop_dim::ifm] * loopcnt[loop_dim::ofm] * loopcnt[loop_dim::bat]);
  }

  friend bool operator==(const nested_loop_desc&, const nested_loop_desc&) = default;
};

}  // namespace bp
