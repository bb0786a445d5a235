// bufferprospector/search/scheduler.hpp -- the facade that ties a chip, a segment search, a buffer
// allocation policy and a loop-blocking search together, and the one type-erased entry point for
// choices made at run time (docs/architecture.md, "Where the templates are").
//
//   // Fixed at compile time: the chip type and the policies.
//   bp::scheduler<bp::tangram_chip<8, 8>, bp::dp, bp::nf_lrf> s(chip, opt);
//   bp::search_result r = s.run(net, /*batch=*/4);
//
//   // Chosen at run time (the CLI, a compiler that links the library): names.
//   bp::search_result o = bp::schedule(spec, net, opt, {.batch = 4, .segment_search = "dp", .policy = "nf_lrf"});
//
// Tangram mode is not a separate program: scheduler<Spec, beam, no_prospecting> with the default
// options is Tangram's search (nn_dataflow v2.1) number for number; every comparison swaps one
// policy. The segment search is named by a tag (beam, dp) so that the facade can instantiate it
// with the allocation policy and the loop-blocking search.
//
// Run-time settings that are not types live in options: the prospector's (options.prospector:
// fallback, reserve, quantum, order, interval packing, candidates, rule 3, hold mode, DP mode).
// The type-erased entry instantiates a small fixed set: {beam, dp} x the built-in policies
// (none, nf_lrf, best_fit, producer_only, ideal, relaxed_dram), with Tangram's loop-blocking
// dispatch (options.sw_solve_loopblocking chooses the solver or the exhaustive sweep).
#pragma once

#include <concepts>     // std::same_as
#include <cstdint>      // std::int64_t
#include <memory>       // std::shared_ptr
#include <optional>     // std::optional
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <tuple>        // std::apply
#include <utility>      // std::move

#include <bufferprospector/arch/cost_table.hpp>           // bp::cost_values
#include <bufferprospector/arch/resource.hpp>             // bp::resource, bp::make_resource
#include <bufferprospector/arch/spec.hpp>                 // bp::spec, bp::runtime_spec
#include <bufferprospector/core/error.hpp>                // bp::unknown_name
#include <bufferprospector/intra/layer_scheduler.hpp>     // bp::layer_schedule_cache
#include <bufferprospector/intra/loop_blocking.hpp>       // bp::loop_blocking_search, bp::tangram_loop_blocking
#include <bufferprospector/options.hpp>                   // bp::options
#include <bufferprospector/prospector/allocator.hpp>      // bp::buffer_allocation_policy
#include <bufferprospector/prospector/policies.hpp>       // bp::builtin_buffer_policies, bp::buffer_policy_names
#include <bufferprospector/search/beam_search.hpp>        // bp::beam_search
#include <bufferprospector/search/dp_search.hpp>          // bp::dp_search, bp::search_log
#include <bufferprospector/search/segment_search.hpp>     // bp::search_problem, bp::search_result
#include <bufferprospector/workload/network.hpp>          // bp::network

namespace bp {

//
// Segment-search tags
//

/// Tangram's beam search (search/beam_search.hpp).
struct beam {
  static constexpr std::string_view name = "beam";
  template <loop_blocking_search LBS, buffer_allocation_policy Alloc>
  using search_type = beam_search<LBS, Alloc>;
};

/// The DP segment search (search/dp_search.hpp).
struct dp {
  static constexpr std::string_view name = "dp";
  template <loop_blocking_search LBS, buffer_allocation_policy Alloc>
  using search_type = dp_search<LBS, Alloc>;
};

/// A tag naming a segment_search model for any loop-blocking search and allocation policy.
template <class T>
concept segment_search_tag = requires {
  { T::name } -> std::convertible_to<std::string_view>;
  typename T::template search_type<tangram_loop_blocking, no_prospecting>;
} && segment_search<typename T::template search_type<tangram_loop_blocking, no_prospecting>>;

/// A chip description the facade can schedule on (a bp::spec).
template <class S>
concept chip_spec = requires(const S& s) {
  { make_resource(s) } -> std::same_as<resource>;
  { cost_values(s.costs()) };
};

/// What a run may be given besides the network: a shared schedule cache, progress lines, a DP
/// log sink (ignored by the beam search), and _alloc_proc's max_util_drop.
struct run_hooks {
  std::shared_ptr<layer_schedule_cache> cache = nullptr;
  search_progress progress = nullptr;
  search_log* log = nullptr;
  double max_util_drop = 0.05;
};

namespace detail {

template <class Search>
Search make_search(search_log* log) {
  if constexpr (requires(Search s) { s.log = log; }) {
    Search s;
    s.log = log;
    return s;
  } else {
    (void)log;
    return Search{};
  }
}

}  // namespace detail

//
// The facade
//

/// A scheduler for one chip with fixed policies. `Spec` is a bp::spec (static or dynamic parts);
/// the chip is the whole mesh, data in DRAM (make_resource).
template <chip_spec Spec, segment_search_tag SegmentSearch = beam, buffer_allocation_policy AllocPolicy = no_prospecting,
          loop_blocking_search LoopBlockingSearch = tangram_loop_blocking>
class scheduler {
 public:
  using spec_type = Spec;
  using search_type = typename SegmentSearch::template search_type<LoopBlockingSearch, AllocPolicy>;
  static_assert(segment_search<search_type>);

  explicit scheduler(const Spec& chip, options opt = {})
      : res_(make_resource(chip)), costs_(chip.costs()), opt_(std::move(opt)) {
    opt_.validate();
  }

  const resource& chip_resource() const noexcept { return res_; }
  const cost_values& costs() const noexcept { return costs_; }
  const options& opts() const noexcept { return opt_; }

  /// Schedules `net` at `batch`: the top schemes, best first (empty when nothing fits; then
  /// failed_layer names the first layer no candidate could schedule).
  search_result run(const network& net, std::int64_t batch, const run_hooks& hooks = {}) const {
    const search_problem p{net, batch, res_, costs_, opt_, hooks.cache, hooks.progress, hooks.max_util_drop};
    return detail::make_search<search_type>(hooks.log).search(p);
  }

 private:
  resource res_;
  cost_values costs_;
  options opt_;
};

//
// The type-erased entry point
//

/// The run-time choices of bp::schedule.
struct schedule_request {
  std::int64_t batch = 1;
  std::string_view segment_search = "beam";  ///< beam or dp
  std::string_view policy = "none";          ///< a built-in allocation policy (buffer_policy_names)
  run_hooks hooks{};
};

/// The names bp::schedule accepts for schedule_request::segment_search.
inline constexpr std::string_view segment_search_names[] = {beam::name, dp::name};

/// Schedules `net` on the whole chip `res` (Tangram's Resource) with `costs`; the segment search
/// and the policy are chosen by name. Throws bp::unknown_name for an unknown name (listing the
/// valid ones) and whatever the search throws for bad options or inputs.
inline search_result schedule(const resource& res, const cost_values& costs, const network& net, const options& opt,
                              const schedule_request& req = {}) {
  const search_problem p{net, req.batch, res, costs, opt, req.hooks.cache, req.hooks.progress, req.hooks.max_util_drop};
  std::optional<search_result> result;
  const auto with_search = [&]<class Tag>(Tag) {
    std::apply(
        [&](auto... pol) {
          (void)((decltype(pol)::name == req.policy
                      ? (result.emplace(detail::make_search<typename Tag::template search_type<tangram_loop_blocking,
                                                                                               decltype(pol)>>(
                                            req.hooks.log)
                                            .search(p)),
                         true)
                      : false) ||
                 ...);
        },
        builtin_buffer_policies{});
    if (!result) {
      std::string known;
      for (const std::string_view n : buffer_policy_names) known += (known.empty() ? "" : ", ") + std::string(n);
      throw unknown_name("buffer allocation policy = " + std::string(req.policy) + ": must be one of " + known);
    }
  };
  if (req.segment_search == beam::name) with_search(beam{});
  else if (req.segment_search == dp::name) with_search(dp{});
  else
    throw unknown_name("segment search = " + std::string(req.segment_search) + ": must be one of beam, dp");
  return std::move(*result);
}

/// The same on a chip description chosen at run time (docs/architecture.md's entry point).
inline search_result schedule(const runtime_spec& chip, const network& net, const options& opt,
                              const schedule_request& req = {}) {
  return schedule(make_resource(chip), cost_values(chip.costs()), net, opt, req);
}

static_assert(segment_search_tag<beam>);
static_assert(segment_search_tag<dp>);

}  // namespace bp
