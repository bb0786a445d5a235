// bufferprospector/prospector/no_prospecting.hpp -- Tangram (docs/architecture.md: "Tangram mode"
// is this policy): nothing is held. Every held edge is rejected, so with the default fallback
// (reject) a segment that needs a hold is invalid -- Tangram never generates it -- and with
// fallback dram the edges go through DRAM. Cross-segment (E3) holds simply stay in DRAM. Its CLI
// name is "none".
//
//   bp::allocation_result r = bp::no_prospecting{}.allocate(problem);   // feasible iff no E1 edge
#pragma once

#include <string_view>  // std::string_view

#include <bufferprospector/prospector/allocator.hpp>  // bp::allocation_session, bp::buffer_allocation_policy

namespace bp {

struct no_prospecting {
  static constexpr std::string_view name = "none";

  allocation_result allocate(const allocation_problem& prob) const {
    allocation_session s(prob);
    for (std::size_t e = 0; e < s.num_edges(); ++e) s.reject(e);
    return std::move(s).finish();
  }
};

static_assert(buffer_allocation_policy<no_prospecting>);

}  // namespace bp
