// bufferprospector/prospector/nf_lrf.hpp -- the default buffer allocator: Nearest-First,
// Largest-Requirement-First (docs/bufferprospector-model.md section 5.2).
//
// Edges by R_e descending (or density first, per options.order), ties by producer order; within
// an edge, pieces by words descending, then producer node id; each piece fills the hosts in the
// order (kappa, -spare, id) -- its producer node first (kappa = 0), then the hosts that bring the
// data closest to its consumers -- splitting at multiples of the quantum. An edge with a piece
// left over is undone and rejected (failed, or through DRAM per options.fallback).
//
//   bp::allocation_result r = bp::nf_lrf{}.allocate(problem);
#pragma once

#include <algorithm>    // std::make_heap, std::pop_heap, std::partition
#include <string_view>  // std::string_view

#include <bufferprospector/prospector/allocator.hpp>  // bp::allocation_session, bp::buffer_allocation_policy

namespace bp {

struct nf_lrf {
  static constexpr std::string_view name = "nf_lrf";

  allocation_result allocate(const allocation_problem& prob) const {
    allocation_session s(prob);
    for (const std::size_t e : s.edges_in_order()) {
      bool fits = true;
      for (const std::size_t p : s.pieces_in_order(e)) {
        if (!fill_nearest_first(s, e, p)) {
          fits = false;
          break;
        }
      }
      fits ? s.commit(e) : s.reject(e);
    }
    return std::move(s).finish();
  }

  /// Fills piece p of edge e from the hosts in nearest_first order. Only hosts with spare words
  /// can take any, and a piece larger than all of them together cannot be placed at all; the
  /// others are drawn lazily from a heap, since most pieces are done after their first host or
  /// two: O(M + k log M) instead of sorting the M cores. Returns whether the piece is placed.
  static bool fill_nearest_first(allocation_session& s, std::size_t e, std::size_t p) {
    const std::span<host_candidate> all = s.hosts(e, p);
    const auto useful_end = std::partition(all.begin(), all.end(), [](const host_candidate& h) { return h.spare > 0; });
    std::int64_t need = s.unplaced_words(e, p), total = 0;
    for (auto h = all.begin(); h != useful_end; ++h) total += h->spare;
    if (total < need) return false;
    const auto later = [](const host_candidate& a, const host_candidate& b) { return nearest_first(b, a); };
    std::make_heap(all.begin(), useful_end, later);
    for (auto end = useful_end; need > 0 && end != all.begin(); --end) {
      std::pop_heap(all.begin(), end, later);
      need -= s.take(e, p, (end - 1)->id);
    }
    return need == 0;
  }

  /// The host order: cheapest per word, then most spare, then lowest core id.
  static bool nearest_first(const host_candidate& a, const host_candidate& b) noexcept {
    if (a.kappa != b.kappa) return a.kappa < b.kappa;
    if (a.spare != b.spare) return a.spare > b.spare;
    return a.id < b.id;
  }
};

static_assert(buffer_allocation_policy<nf_lrf>);

}  // namespace bp
