// bufferprospector/prospector/best_fit.hpp -- best-fit by capacity (docs/bufferprospector-model.md
// section 5.5): each piece goes whole to the host with the smallest spare that still holds it
// (ties by kappa, then core id); when no single host can, it fills the hosts with the most spare
// first (ties by kappa, then id), splitting at multiples of the quantum. This keeps large free
// blocks for large pieces (less fragmentation) and ignores distance except to break ties.
// Edges and pieces are served in the same order as nf_lrf.
//
//   bp::allocation_result r = bp::best_fit{}.allocate(problem);
#pragma once

#include <algorithm>    // std::make_heap, std::pop_heap, std::partition
#include <string_view>  // std::string_view

#include <bufferprospector/prospector/allocator.hpp>  // bp::allocation_session, bp::buffer_allocation_policy

namespace bp {

struct best_fit {
  static constexpr std::string_view name = "best_fit";

  allocation_result allocate(const allocation_problem& prob) const {
    allocation_session s(prob);
    for (const std::size_t e : s.edges_in_order()) {
      bool fits = true;
      for (const std::size_t p : s.pieces_in_order(e)) {
        if (!place_piece(s, e, p)) {
          fits = false;
          break;
        }
      }
      fits ? s.commit(e) : s.reject(e);
    }
    return std::move(s).finish();
  }

 private:
  static bool place_piece(allocation_session& s, std::size_t e, std::size_t p) {
    std::int64_t need = s.unplaced_words(e, p);
    const std::span<host_candidate> all = s.hosts(e, p);
    const host_candidate* tightest = nullptr;
    for (const host_candidate& h : all)
      if (h.spare >= need && (tightest == nullptr || tighter(h, *tightest))) tightest = &h;
    if (tightest != nullptr) {
      s.place(e, p, tightest->id, need);
      return true;
    }
    // No single host: largest spare first, drawn lazily from a heap of the hosts with room.
    const auto useful_end = std::partition(all.begin(), all.end(), [](const host_candidate& h) { return h.spare > 0; });
    std::int64_t total = 0;
    for (auto h = all.begin(); h != useful_end; ++h) total += h->spare;
    if (total < need) return false;
    const auto later = [](const host_candidate& a, const host_candidate& b) { return largest_spare_first(b, a); };
    std::make_heap(all.begin(), useful_end, later);
    for (auto end = useful_end; need > 0 && end != all.begin(); --end) {
      std::pop_heap(all.begin(), end, later);
      need -= s.take(e, p, (end - 1)->id);
    }
    return need == 0;
  }

  static bool tighter(const host_candidate& a, const host_candidate& b) noexcept {
    if (a.spare != b.spare) return a.spare < b.spare;
    if (a.kappa != b.kappa) return a.kappa < b.kappa;
    return a.id < b.id;
  }

  static bool largest_spare_first(const host_candidate& a, const host_candidate& b) noexcept {
    if (a.spare != b.spare) return a.spare > b.spare;
    if (a.kappa != b.kappa) return a.kappa < b.kappa;
    return a.id < b.id;
  }
};

static_assert(buffer_allocation_policy<best_fit>);

}  // namespace bp
