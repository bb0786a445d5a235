// bufferprospector/prospector/producer_only.hpp -- the simplest baseline (docs/
// bufferprospector-model.md section 5.5): a piece may only stay on the node that produced it
// (kappa = 0 always: no copy, no extra hop). An edge fits iff every producer node has room for
// its own piece; edges are served in nf_lrf's order, since earlier edges take room from later ones.
//
//   bp::allocation_result r = bp::producer_only{}.allocate(problem);
#pragma once

#include <string_view>  // std::string_view

#include <bufferprospector/prospector/allocator.hpp>  // bp::allocation_session, bp::buffer_allocation_policy

namespace bp {

struct producer_only {
  static constexpr std::string_view name = "producer_only";

  allocation_result allocate(const allocation_problem& prob) const {
    allocation_session s(prob);
    for (const std::size_t e : s.edges_in_order()) {
      bool fits = true;
      for (const std::size_t p : s.pieces_in_order(e)) {
        const auto id = s.spare_map().id_of(s.edge(e).pieces[p].producer_node);
        if (s.spare(e, id) < s.unplaced_words(e, p)) {
          fits = false;
          break;
        }
        s.place(e, p, id, s.unplaced_words(e, p));
      }
      fits ? s.commit(e) : s.reject(e);
    }
    return std::move(s).finish();
  }
};

static_assert(buffer_allocation_policy<producer_only>);

}  // namespace bp
