// bufferprospector/prospector/relaxed_dram.hpp -- the Relaxed-DRAM ablation (docs/
// bufferprospector-model.md sections 5.3, 5.5): the relaxed segment is kept, but every held edge
// goes through DRAM (producer typed with a memory destination, consumer with a memory source).
// It isolates what the relaxed segmentation gains from what holding data on chip gains.
//
//   bp::allocation_result r = bp::relaxed_dram{}.allocate(problem);   // r.totals.via_dram_edges == edges
#pragma once

#include <string_view>  // std::string_view

#include <bufferprospector/prospector/allocator.hpp>  // bp::allocation_session, bp::buffer_allocation_policy

namespace bp {

struct relaxed_dram {
  static constexpr std::string_view name = "relaxed_dram";

  allocation_result allocate(const allocation_problem& prob) const {
    allocation_session s(prob);
    for (std::size_t e = 0; e < s.num_edges(); ++e) s.route_via_dram(e);
    return std::move(s).finish();
  }
};

static_assert(buffer_allocation_policy<relaxed_dram>);

}  // namespace bp
