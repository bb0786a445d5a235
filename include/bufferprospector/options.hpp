// bufferprospector/options.hpp -- scheduling options (Tangram's Option) and the quirks switch.
//
//   bp::options o{.sw_solve_loopblocking = true, .partition_hybrid = true,
//                 .hw_access_forwarding = true, .partition_interlayer = true};
//   o.validate();   // throws bp::invalid_option with Tangram's message for refused combinations
//
// Defaults are those of nn_dataflow_search.py (bypass allowed for all data, exhaustive loop
// blocking, naive partitioning, goal e, one top), plus tangram_quirks = true: reproduce Tangram
// v2.1 exactly, including its known bugs (docs/architecture.md, "Tangram compatibility").
#pragma once

#include <cmath>        // std::isnan
#include <string>       // std::string
#include <string_view>  // std::string_view

#include <bufferprospector/core/enums.hpp>  // bp::per_data
#include <bufferprospector/core/error.hpp>  // bp::invalid_option
#include <bufferprospector/core/limits.hpp>  // bp::limits::max_ntops, max_nprocesses
#include <bufferprospector/core/math.hpp>   // bp::inf
#include <bufferprospector/prospector/prospector_options.hpp>  // bp::prospector_settings

namespace bp {

/// What the search minimises: energy (cost, then time), delay (time, then cost), or their product.
enum class opt_goal : std::uint8_t { e, d, ed };

constexpr std::string_view to_string(opt_goal g) noexcept {
  return g == opt_goal::e ? "e" : g == opt_goal::d ? "d" : "ed";
}

struct options {
  per_data<bool> sw_gbuf_bypass{{true, true, true}};  ///< [FIL, IFM, OFM] may bypass the gbuf
  bool sw_solve_loopblocking = false;   ///< analytical solver instead of the exhaustive sweep
  bool hw_access_forwarding = false;
  bool hw_gbuf_sharing = false;
  bool hw_gbuf_save_writeback = false;
  bool partition_hybrid = false;
  bool partition_batch = false;
  bool partition_ifmaps = false;
  bool partition_interlayer = false;
  double layer_pipeline_time_ovhd = inf;
  double layer_pipeline_max_degree = inf;
  bool layer_pipeline_opt = true;
  opt_goal goal = opt_goal::e;
  int ntops = 1;
  int nprocesses = 1;  ///< threads; results never depend on it
  bool verbose = false;
  /// On: Tangram v2.1 exactly, bugs included. Off: each known quirk fixed.
  bool tangram_quirks = true;
  /// The buffer prospector's run-time options (the policy is the search's template parameter).
  /// They never change a per-layer schedule, so the schedule memos ignore them.
  prospector_settings prospector{};

  /// Throws bp::invalid_option for the combinations Tangram refuses (same text) and for values
  /// out of range.
  void validate() const {
    if (sw_solve_loopblocking && hw_gbuf_sharing)
      fail("Option: sw_solve_loopblocking and hw_gbuf_sharing cannot be simultaneously enabled.");
    if (hw_access_forwarding && hw_gbuf_sharing)
      fail("Option: hw_access_forwarding is implied by hw_gbuf_sharing, thus cannot be both "
           "enabled.");
    if (sw_solve_loopblocking && hw_gbuf_save_writeback)
      fail("Option: sw_solve_loopblocking and hw_gbuf_save_writeback cannot be simultaneously "
           "enabled.");
    if (partition_ifmaps && !partition_hybrid)
      fail("Option: partition_ifmaps requires partition_hybrid to be set.");
    if (std::isnan(layer_pipeline_time_ovhd) || layer_pipeline_time_ovhd < 0)
      fail("Option: layer_pipeline_time_ovhd must be positive.");
    if (std::isnan(layer_pipeline_max_degree) || layer_pipeline_max_degree < 0)
      fail("Option: layer_pipeline_max_degree must be positive.");
    if (ntops < 1) fail("Option: ntops = " + std::to_string(ntops) + " must be >= 1.");
    if (nprocesses < 1)
      fail("Option: nprocesses = " + std::to_string(nprocesses) + " must be >= 1.");
    if (ntops > limits::max_ntops)
      fail("Option: ntops = " + std::to_string(ntops) + " " + limits::exceeds(limits::max_ntops, "max_ntops") + ".");
    if (nprocesses > limits::max_nprocesses)
      fail("Option: nprocesses = " + std::to_string(nprocesses) + " " +
           limits::exceeds(limits::max_nprocesses, "max_nprocesses") + ".");
    if (goal != opt_goal::e && goal != opt_goal::d && goal != opt_goal::ed)
      fail("Option: goal = " + std::to_string(static_cast<int>(goal)) + " must be e, d or ed.");
    prospector.validate();
  }

  /// Whether data may be forwarded between nodes (access forwarding, implied by gbuf sharing).
  bool forwarding() const noexcept { return hw_access_forwarding || hw_gbuf_sharing; }

 private:
  [[noreturn]] static void fail(const std::string& msg) { throw invalid_option(msg); }
};

}  // namespace bp
