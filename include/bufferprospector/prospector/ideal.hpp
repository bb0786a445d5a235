// bufferprospector/prospector/ideal.hpp -- the upper bound (docs/bufferprospector-model.md
// section 5.5): unlimited spare buffer on every node. Every piece stays on its producer node, no
// edge ever fails, nothing is copied or moved. It is the only policy whose map may end above
// capacity (spare < 0, utilization > 1): that overcommitment is what the bound assumes.
//
//   bp::allocation_result r = bp::ideal{}.allocate(problem);   // r.feasible() always
#pragma once

#include <string_view>  // std::string_view

#include <bufferprospector/prospector/allocator.hpp>  // bp::allocation_session, bp::buffer_allocation_policy

namespace bp {

struct ideal {
  static constexpr std::string_view name = "ideal";

  allocation_result allocate(const allocation_problem& prob) const {
    allocation_session s(prob);
    for (std::size_t e = 0; e < s.num_edges(); ++e) {
      const auto& pieces = s.edge(e).pieces;
      for (std::size_t p = 0; p < pieces.size(); ++p)
        s.place_unbounded(e, p, s.spare_map().id_of(pieces[p].producer_node), pieces[p].words);
      s.commit(e);
    }
    return std::move(s).finish();
  }
};

static_assert(buffer_allocation_policy<ideal>);

}  // namespace bp
