// tests/matmul/matmul_util.hpp -- chips, options and single-layer schedules shared by the matmul
// tests. Tangram has no matmul layer, so nothing here comes from the reference: the tests check
// the model's own totals, worked out by hand, and cross-check it against ConvLayers.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include <bufferprospector/arch/resource.hpp>
#include <bufferprospector/arch/spec.hpp>
#include <bufferprospector/intra/input_layout.hpp>
#include <bufferprospector/intra/layer_scheduler.hpp>
#include <bufferprospector/options.hpp>
#include <bufferprospector/workload/layer.hpp>

namespace matmul_test {

/// The model note's default core (7.3): 16x16 PEs, 512 B regf, 128 KiB gbuf, 16-bit words,
/// DRAM at the four corners, on a mesh x mesh chip.
inline bp::runtime_spec chip(std::int64_t mesh) {
  return bp::runtime_spec{bp::pe_array<>{16, 16}, bp::node_mesh<>{mesh, mesh},
                          bp::memory_hierarchy<>{{.regf_words = 256, .gbuf_words = 65536}}};
}

inline bp::resource chip_resource(std::int64_t mesh) { return bp::make_resource(chip(mesh)); }

/// The model note's default options (--hybrid-partition --enable-access-forwarding
/// --interlayer-partition, with or without --solve-loopblocking), quirks as given.
inline bp::options tangram_options(bool solver = true, bool forwarding = true, bool quirks = true) {
  bp::options o;
  o.sw_solve_loopblocking = solver;
  o.hw_access_forwarding = forwarding;
  o.partition_hybrid = true;
  o.partition_interlayer = true;
  o.tangram_quirks = quirks;
  return o;
}

/// The ifmaps of `l` in DRAM, laid out like the first input-layout candidate of a network input.
inline bp::data_layout dram_ifmaps(const bp::layer& l, std::int64_t batch, const bp::resource& res,
                                   const bp::options& opt) {
  const bp::layer in = bp::layers::input{.nofm = l.nifm(), .sofm = {l.hifm(), l.wifm()}};
  return bp::input_layouts(in, std::span<const bp::layer>(), batch, res.src_data_region, opt).front().input;
}

/// The best `opt.ntops` schedules of `l` alone (a one-layer segment reading from DRAM).
inline std::vector<bp::layer_schedule> schedule(const bp::layer& l, std::int64_t batch, const bp::resource& res,
                                                const bp::options& opt,
                                                const bp::scheduling_constraint& cstr = {}) {
  bp::layer_scheduler<> s(l, batch, bp::cost_values{});
  return s.schedule_search({res, cstr, dram_ifmaps(l, batch, res, opt), {}}, opt);
}

}  // namespace matmul_test
