// bufferprospector/core/limits.hpp -- the largest inputs the scheduler accepts, and why.
//
// The library is fed machine-generated shapes. Inputs far beyond any real accelerator or network
// would otherwise overflow int64 arithmetic deep inside the model (sizes multiply: batch x
// channels x fmap x hops) or make a search run for hours (divisor enumeration is O(sqrt n), the
// exhaustive loop-blocking sweep is a product of factorisation counts, partitions and data
// layouts grow with the mesh). Each limit below is checked at a public entry point and refused
// with a bp::error naming the field, its value and the limit (never wrapped, never a hang):
//
//   limit                       value     checked by                         what it bounds
//   max_layer_extent            2^24      check_schedulable (layer, batch)   O(sqrt n) = 4096-step
//     (nifm, nofm, hofm, wofm, filter/region, stride, nreg, ntrd, groups)    divisor enumerations
//   max_batch                   2^24      check_schedulable                  as above (BAT loop)
//   max_data_words              2^36      check_schedulable                  ifmap / ofmap / filter
//     words of one layer over the batch; x 2^16 nodes x 2^9 hops stays below 2^63
//   max_ops                     2^52      check_schedulable                  MACs of one layer over
//     the batch; access counts (<= a few per MAC) and times stay below 2^63
//   max_mesh_extent             256       resource::validate                 nodes <= 2^16, hops
//     <= 2^9; memory and partitions grow with the mesh (a 1024x1024 mesh took 2 GB for mlp_s)
//   max_pe_array_extent         1024      resource::validate                 PEs <= 2^20
//   max_buffer_words            2^40      resource::validate                 gbuf / regf words
//   min_bandwidth               2^-4      resource::validate                 DRAM and array-bus
//     words per cycle (inf allowed): time = words / bandwidth stays below 2^63 cycles
//   max_exhaustive_blockings    2^22      exhaustive loop blocking           factorisation triples
//     (IFM x OFM x BAT) of one nested loop, each tried in up to 36 loop orders; the zoo's largest
//     needs 1552320 on one node at batch 64 (GPT-2 XL's QK product); beyond, use the solver
//   max_ntops                   2^16      options::validate                  kept schedules
//   max_nprocesses              1024      options::validate                  threads
//
// Real workloads are far inside every limit (tests/hardening/test_limits.cpp): the zoo's largest
// layer extent is 12825, its largest layer < 2^31 words and < 2^39 MACs at batch 64; Tangram's
// goldens use meshes up to 16x16 and 16x16 PE arrays.
#pragma once

#include <cstdint>      // std::int64_t
#include <string>       // std::string, std::to_string
#include <string_view>  // std::string_view

namespace bp::limits {

inline constexpr std::int64_t max_layer_extent = std::int64_t{1} << 24;
inline constexpr std::int64_t max_batch = std::int64_t{1} << 24;
inline constexpr std::int64_t max_data_words = std::int64_t{1} << 36;
inline constexpr std::int64_t max_ops = std::int64_t{1} << 52;
inline constexpr std::int64_t max_mesh_extent = 256;
inline constexpr std::int64_t max_pe_array_extent = 1024;
inline constexpr std::int64_t max_buffer_words = std::int64_t{1} << 40;
inline constexpr double min_bandwidth = 1.0 / 16;
inline constexpr std::int64_t max_exhaustive_blockings = std::int64_t{1} << 22;
inline constexpr int max_ntops = 1 << 16;
inline constexpr int max_nprocesses = 1024;

/// The text the errors append: "exceeds the limit 16777216 (bp::limits::max_layer_extent)".
inline std::string exceeds(std::int64_t limit, std::string_view name) {
  return "exceeds the limit " + std::to_string(limit) + " (bp::limits::" + std::string(name) + ")";
}

}  // namespace bp::limits
