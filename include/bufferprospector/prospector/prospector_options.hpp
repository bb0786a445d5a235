// bufferprospector/prospector/prospector_options.hpp -- every run-time option of the buffer
// prospector, in one light header (bp::options carries them as its `prospector` member; the
// allocation policy itself is a type, chosen at compile time or by name in the CLI).
//
//   bp::options opt;
//   opt.prospector.allocation.fallback = bp::allocation_fallback::dram;   // section 5.3
//   opt.prospector.allocation.reserve = 0.1;                              // rho, section 4
//   opt.prospector.keep_rule3 = false;                                    // section 6.2
//
// Model-note options (docs/bufferprospector-model.md) and where they live:
//   bp.fallback, bp.order, rho, q, interval packing   -> allocation (prospector_options)
//   bp.keep_rule3, the candidate set (section 6.2)     -> keep_rule3, candidates
//   bp.mode (intra / inter / both, sections 3.1, 6.5)  -> holds (inter: Tangram's candidates and
//                                                        the E3 post-pass; both: relaxed + E3)
//   search.dp_mode, SoMa's break (section 6.2)         -> dp, dp_break_on_infeasible (the DP
//                                                        segment search only)
#pragma once

#include <cstdint>      // std::int64_t, std::uint8_t
#include <string>       // std::to_string
#include <string_view>  // std::string_view

#include <bufferprospector/core/error.hpp>   // bp::invalid_option
#include <bufferprospector/core/format.hpp>  // bp::python_repr

namespace bp {

//
// Allocation options (sections 3-5)
//

/// What happens to an intra-segment held edge that does not fit (section 5.3). A cross-segment
/// (E3) edge that does not fit always stays in DRAM: it never invalidates a segment.
enum class allocation_fallback : std::uint8_t {
  reject,  ///< the segment is invalid, as in Tangram (where it never existed)
  dram,    ///< the edge goes through DRAM (Tangram's ofm_fwd_dict path) and the segment stays
};

constexpr std::string_view to_string(allocation_fallback f) noexcept {
  return f == allocation_fallback::reject ? "reject" : "dram";
}

/// In which order the allocator serves the held edges (section 5.5).
enum class edge_order : std::uint8_t {
  largest_requirement_first,  ///< R_e descending, ties by producer order
  density_first,              ///< saved energy per held word and segment descending
};

/// The options of sections 3-5 that concern allocation, with the model note's defaults.
struct prospector_options {
  /// rho: GBUF fraction kept free (section 4). It takes effect where the spare map is built
  /// (spare_buffer(mesh, gbuf_words, reserve)); the allocator reads capacities from the map.
  double reserve = 0;
  std::int64_t quantum_words = 1;                              ///< q: pieces split only at multiples of q
  allocation_fallback fallback = allocation_fallback::reject;  ///< section 5.3
  edge_order order = edge_order::largest_requirement_first;    ///< section 5.5
  bool interval_packing = false;  ///< holds with disjoint lifetimes share a host (skyline per host)

  /// Throws bp::invalid_option naming the field and value.
  void validate() const {
    if (!(reserve >= 0 && reserve <= 1))
      throw invalid_option("prospector_options.reserve = " + python_repr(reserve) + ": must be in [0, 1]");
    if (quantum_words < 1)
      throw invalid_option("prospector_options.quantum_words = " + std::to_string(quantum_words) + ": must be >= 1");
    if (fallback != allocation_fallback::reject && fallback != allocation_fallback::dram)
      throw invalid_option("prospector_options.fallback = " + std::to_string(static_cast<int>(fallback)) +
                           ": must be reject or dram");
    if (order != edge_order::largest_requirement_first && order != edge_order::density_first)
      throw invalid_option("prospector_options.order = " + std::to_string(static_cast<int>(order)) +
                           ": must be largest_requirement_first or density_first");
  }
  friend bool operator==(const prospector_options&, const prospector_options&) = default;
};

//
// Search options (sections 3.1, 6.2, 6.5)
//

/// Which candidate segments the search tries (section 6.2).
enum class candidate_set : std::uint8_t {
  automatic,  ///< Tangram's with the no_prospecting policy (Tangram mode), relaxed with any other
  tangram,    ///< exactly Tangram's gen_segment
  relaxed,    ///< Tangram's, then every further contiguous vertex range without rule 2
};

/// Which holds the prospector makes (model note: bp.mode).
enum class hold_mode : std::uint8_t {
  intra_segment,  ///< E1 only: held edges inside a segment (the headline numbers)
  inter_segment,  ///< E3 only: Tangram's candidate segments, then holds across segments (section 6.5)
  both,           ///< E1 and E3: relaxed candidates, then the E3 post-pass
};

constexpr std::string_view to_string(hold_mode h) noexcept {
  return h == hold_mode::intra_segment ? "intra" : h == hold_mode::inter_segment ? "inter" : "both";
}

/// How the DP segment search evaluates a candidate segment (section 6.2).
enum class dp_mode : std::uint8_t {
  prefix,       ///< after the best partial schemes ending before it (exact Tangram recurrence)
  independent,  ///< once, with DRAM-resident inputs in a canonical layout; then a pure shortest path
};

constexpr std::string_view to_string(dp_mode m) noexcept { return m == dp_mode::prefix ? "prefix" : "independent"; }

/// Everything the prospector reads at run time.
struct prospector_settings {
  prospector_options allocation{};
  candidate_set candidates = candidate_set::automatic;
  /// Keep Tangram's rule 3 for relaxed candidates (a range is dropped when a member feeds both
  /// into the range and more than one vertex outside it).
  bool keep_rule3 = true;
  hold_mode holds = hold_mode::intra_segment;
  /// DP segment search only: how candidates are evaluated, and whether a segment end stops
  /// extending its start backwards at the first infeasible candidate (SoMa's heuristic; off by
  /// default since Tangram's validity is not monotone; independent mode only).
  dp_mode dp = dp_mode::prefix;
  bool dp_break_on_infeasible = false;
  /// A candidate with held edges (one Tangram's rules do not generate) whose constraint space has
  /// more points than this is not evaluated (logged as "budget"). Tangram's enumeration is a
  /// product over per-stage symbols, exponential in the stages: long relaxed segments on large
  /// meshes have 10^6 and more points and would dominate the search (measured: a 15-stage
  /// Inception-ResNet segment on 8x8 cores, ~30 s each). Tangram's own candidates have no held
  /// edges and are never skipped, so a prospector search can only gain over Tangram mode.
  std::int64_t max_constraint_points = 4096;

  /// Throws bp::invalid_option naming the field and value.
  void validate() const {
    allocation.validate();
    if (candidates != candidate_set::automatic && candidates != candidate_set::tangram &&
        candidates != candidate_set::relaxed)
      throw invalid_option("prospector_settings.candidates = " + std::to_string(static_cast<int>(candidates)) +
                           ": must be automatic, tangram or relaxed");
    if (holds != hold_mode::intra_segment && holds != hold_mode::inter_segment && holds != hold_mode::both)
      throw invalid_option("prospector_settings.holds = " + std::to_string(static_cast<int>(holds)) +
                           ": must be intra_segment, inter_segment or both");
    if (max_constraint_points < 1)
      throw invalid_option("prospector_settings.max_constraint_points = " + std::to_string(max_constraint_points) +
                           ": must be >= 1");
    if (dp != dp_mode::prefix && dp != dp_mode::independent)
      throw invalid_option("prospector_settings.dp = " + std::to_string(static_cast<int>(dp)) +
                           ": must be prefix or independent");
  }

  /// Whether the search should use the relaxed candidates, for a policy that does (or does not)
  /// prospect. Holds across segments only (hold_mode::inter_segment) keep Tangram's candidates.
  constexpr bool relaxed_candidates(bool prospecting_policy) const noexcept {
    return candidates == candidate_set::relaxed ||
           (candidates == candidate_set::automatic && prospecting_policy && holds != hold_mode::inter_segment);
  }
  /// Whether the E3 post-pass runs (holds across segments).
  constexpr bool cross_segment_holds() const noexcept { return holds != hold_mode::intra_segment; }
  friend bool operator==(const prospector_settings&, const prospector_settings&) = default;
};

}  // namespace bp
