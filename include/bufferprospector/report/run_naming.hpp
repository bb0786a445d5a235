// bufferprospector/report/run_naming.hpp -- the hardware point of an experiment run and the names
// of its result files (docs/bufferprospector-model.md sections 7.3-7.4).
//
//   bp::design_point p;                        // the default point: 8x8 cores of 16x16 PEs, ...
//   p.gbuf_bytes = 64 * 1024;                  // one factor changed (a DSE point)
//   p.tag();                                   // "n8x8_a16x16_g64k_b4_r0.5"
//   bp::resource res = p.make_resource();      // whole chip, DRAM at the four corners
//   bp::options opt = p.make_options(bp::opt_goal::d);   // the experiments' solver options
//   bp::run_id id{"resnet50", p, "bp_intra", "nf_lrf", bp::opt_goal::e};
//   id.stem();                                 // "resnet50_n8x8_a16x16_g64k_b4_r0.5_bp_intra_nf_lrf_e"
//
// DRAM bandwidth is given as r GB/s per TOPS at 1 GHz (SET's rel_dram_bw): with two ops per MAC
// per PE per cycle the chip does 2 * #PEs ops per cycle, so bytes/cycle = r * 2 * #PEs / 1000
// (16.384 at the default point); r = inf is unlimited bandwidth.
#pragma once

#include <cmath>        // std::isinf, std::floor, std::isnan
#include <cstdint>      // std::int64_t
#include <string>       // std::string
#include <string_view>  // std::string_view

#include <bufferprospector/arch/memory.hpp>     // bp::memory_hierarchy, bp::word_bytes, bp::dram_placement
#include <bufferprospector/arch/resource.hpp>   // bp::resource, bp::make_resource
#include <bufferprospector/arch/spec.hpp>       // bp::runtime_spec
#include <bufferprospector/core/error.hpp>      // bp::invalid_spec, bp::invalid_option
#include <bufferprospector/core/format.hpp>     // bp::python_repr
#include <bufferprospector/core/math.hpp>       // bp::inf
#include <bufferprospector/options.hpp>         // bp::options, bp::opt_goal

namespace bp {

/// One hardware and mapping point of the experiments. Every quantity is a run-time value: a
/// design-space sweep changes them one at a time.
struct design_point {
  std::int64_t mesh_h = 8;            ///< cores
  std::int64_t mesh_w = 8;
  std::int64_t pe_h = 16;             ///< PEs per core
  std::int64_t pe_w = 16;
  std::int64_t regf_bytes = 512;      ///< per PE
  std::int64_t gbuf_bytes = 131072;   ///< per core (128 KiB)
  std::int64_t word_bits = 16;
  std::int64_t batch = 4;
  double dram_bw_ratio = 0.5;         ///< r, GB/s per TOPS at 1 GHz; inf = unlimited
  double max_degree = inf;            ///< options.layer_pipeline_max_degree
  double max_util_drop = 0.05;        ///< the segments' node-split utilisation bound
  dram_placement dram = dram_placement::edge_2d;

  friend bool operator==(const design_point&, const design_point&) = default;

  /// Throws bp::invalid_spec (hardware) or bp::invalid_option (mapping) naming the field.
  void validate() const {
    const auto positive = [](std::string_view field, std::int64_t v) {
      if (v <= 0) detail::throw_invalid_spec(std::string("design_point.") + std::string(field), static_cast<long long>(v), "must be > 0");
    };
    positive("mesh_h", mesh_h);
    positive("mesh_w", mesh_w);
    positive("pe_h", pe_h);
    positive("pe_w", pe_w);
    positive("regf_bytes", regf_bytes);
    positive("gbuf_bytes", gbuf_bytes);
    positive("batch", batch);
    if (word_bits <= 0 || word_bits > 64)
      detail::throw_invalid_spec("design_point.word_bits", static_cast<long long>(word_bits), "must be in [1, 64]");
    if (!(dram_bw_ratio > 0))
      detail::throw_invalid_spec("design_point.dram_bw_ratio", dram_bw_ratio, "must be > 0 (inf allowed)");
    if (std::isnan(max_degree) || max_degree < 1)
      throw invalid_option("design_point.max_degree = " + python_repr(max_degree) + ": must be >= 1 (inf allowed)");
    if (!(max_util_drop >= 0 && max_util_drop <= 1))
      throw invalid_option("design_point.max_util_drop = " + python_repr(max_util_drop) + ": must be in [0, 1]");
  }

  std::int64_t num_pes() const noexcept { return mesh_h * mesh_w * pe_h * pe_w; }
  /// r * 2 * #PEs / 1000 (inf when r is).
  double dram_bytes_per_cycle() const noexcept {
    return dram_bw_ratio * 2.0 * static_cast<double>(num_pes()) / 1000.0;
  }
  /// The bandwidth in words per cycle, as nn_dataflow_search converts --dram-bw.
  double dram_words_per_cycle() const noexcept {
    return dram_bytes_per_cycle() / static_cast<double>(word_bytes(word_bits));
  }

  /// The chip (validated by the spec's own checks).
  runtime_spec chip() const {
    validate();
    return runtime_spec{pe_array<>{pe_h, pe_w}, node_mesh<>{mesh_h, mesh_w},
                        memory_hierarchy<>{{.regf_words = words_from_bytes(regf_bytes, word_bits),
                                            .gbuf_words = words_from_bytes(gbuf_bytes, word_bits),
                                            .word_bits = word_bits,
                                            .placement = dram,
                                            .dram_bandwidth = dram_words_per_cycle()}}};
  }

  /// The whole-chip resource the searches start from.
  resource make_resource() const { return bp::make_resource(chip()); }

  /// The experiments' options (model note 7.3): --solve-loopblocking --hybrid-partition
  /// --enable-access-forwarding --interlayer-partition, this point's max degree, ntops 1, and
  /// Tangram's quirks off (every method is compared on the corrected model).
  options make_options(opt_goal goal) const {
    options o;
    o.sw_solve_loopblocking = true;
    o.partition_hybrid = true;
    o.hw_access_forwarding = true;
    o.partition_interlayer = true;
    o.layer_pipeline_max_degree = max_degree;
    o.goal = goal;
    o.ntops = 1;
    o.tangram_quirks = false;
    o.validate();
    return o;
  }

  /// A short, unique, file-name-safe tag: "n8x8_a16x16_g128k_b4_r0.5", plus "_d<max degree>",
  /// "_u<max util drop>", "_f<regf bytes>", "_w<word bits>", "_3d" where they differ from the
  /// default point.
  std::string tag() const {
    const design_point def{};
    std::string t = "n" + std::to_string(mesh_h) + "x" + std::to_string(mesh_w) + "_a" + std::to_string(pe_h) + "x" +
                    std::to_string(pe_w) + "_g" + bytes_text(gbuf_bytes) + "_b" + std::to_string(batch) + "_r" +
                    number_text(dram_bw_ratio);
    if (max_degree != def.max_degree) t += "_d" + number_text(max_degree);
    if (max_util_drop != def.max_util_drop) t += "_u" + number_text(max_util_drop);
    if (regf_bytes != def.regf_bytes) t += "_f" + std::to_string(regf_bytes);
    if (word_bits != def.word_bits) t += "_w" + std::to_string(word_bits);
    if (dram != def.dram) t += "_3d";
    return t;
  }

  /// "1" for 1.0, "0.5", "inf": the shortest text that reads back as the same double.
  static std::string number_text(double v) {
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    if (v == std::floor(v) && std::abs(v) < 1e15) return std::to_string(static_cast<long long>(v));
    return python_repr(v);
  }

 private:
  static std::string bytes_text(std::int64_t bytes) {
    if (bytes % 1024 == 0) return std::to_string(bytes / 1024) + "k";
    return std::to_string(bytes);
  }
};

/// The buffer-allocation policy column of a run without one.
inline constexpr std::string_view no_policy = "none";

/// One experiment run: a workload at a point, searched by one method (and policy) for one goal.
struct run_id {
  std::string net;
  design_point point;
  std::string method;
  std::string policy = std::string(no_policy);
  opt_goal goal = opt_goal::e;

  /// "<net>_<cfg>_<method>_<policy>_<goal>": the stem of the run's .json, .txt and .dat.
  std::string stem() const {
    return net + "_" + point.tag() + "_" + method + "_" + policy + "_" + std::string(to_string(goal));
  }
  friend bool operator==(const run_id&, const run_id&) = default;
};

}  // namespace bp
