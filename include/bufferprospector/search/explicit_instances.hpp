// bufferprospector/search/explicit_instances.hpp -- compile the built-in searches once per program.
//
// The segment searches are templates over the loop-blocking search and the buffer-allocation
// policy; a translation unit that runs one instantiates the whole scheduler stack under it
// (per-layer search, pipelining, prospector), which costs tens of seconds of compile time. A
// program with many translation units (a test suite, a compiler linking the library in several
// places) can compile the built-in combinations once:
//
//   // every translation unit: compile with -DBP_EXTERN_SEARCHES (beam_search.hpp and
//   // dp_search.hpp then include this header, which declares the combinations extern), or
//   // include this header after them;
//
//   // exactly one translation unit per search (two, so that they compile in parallel):
//   #include <bufferprospector/search/explicit_instances.hpp>
//   BP_INSTANTIATE_BEAM_SEARCHES()
//   BP_INSTANTIATE_DP_SEARCHES()
//
// The combinations: {beam_search, dp_search} x tangram_loop_blocking x the built-in policies
// (prospector/policies.hpp). Anything else (another loop-blocking search, a user's policy) is
// instantiated where it is used, as usual. Results do not depend on where a search was compiled.
#pragma once

#include <tuple>        // std::tuple
#include <type_traits>  // std::is_same_v

#include <bufferprospector/intra/loop_blocking.hpp>    // bp::tangram_loop_blocking
#include <bufferprospector/prospector/policies.hpp>    // bp::builtin_buffer_policies
#include <bufferprospector/search/beam_search.hpp>     // bp::beam_search
#include <bufferprospector/search/dp_search.hpp>       // bp::dp_search

/// X-macro over the built-in allocation policies (the order of bp::builtin_buffer_policies).
#define BP_BUILTIN_POLICIES(X) X(no_prospecting) X(nf_lrf) X(best_fit) X(producer_only) X(ideal) X(relaxed_dram)

#define BP_DETAIL_EXTERN_BEAM(P) extern template struct beam_search<tangram_loop_blocking, P>;
#define BP_DETAIL_EXTERN_DP(P) extern template struct dp_search<tangram_loop_blocking, P>;
#define BP_DETAIL_DEFINE_BEAM(P) template struct bp::beam_search<bp::tangram_loop_blocking, bp::P>;
#define BP_DETAIL_DEFINE_DP(P) template struct bp::dp_search<bp::tangram_loop_blocking, bp::P>;
#define BP_DETAIL_TYPE_COMMA(P) P,

/// Explicit instantiation definitions: in exactly one translation unit of the program each.
#define BP_INSTANTIATE_BEAM_SEARCHES() BP_BUILTIN_POLICIES(BP_DETAIL_DEFINE_BEAM)
#define BP_INSTANTIATE_DP_SEARCHES() BP_BUILTIN_POLICIES(BP_DETAIL_DEFINE_DP)

namespace bp {

namespace detail {
template <class Tuple>
struct with_void_tail;
template <class... T>
struct with_void_tail<std::tuple<T...>> {
  using type = std::tuple<T..., void>;
};
}  // namespace detail

// The X-macro and the policy tuple list the same policies in the same order.
static_assert(std::is_same_v<std::tuple<BP_BUILTIN_POLICIES(BP_DETAIL_TYPE_COMMA) void>,
                             detail::with_void_tail<builtin_buffer_policies>::type>);

BP_BUILTIN_POLICIES(BP_DETAIL_EXTERN_BEAM)
BP_BUILTIN_POLICIES(BP_DETAIL_EXTERN_DP)

}  // namespace bp
