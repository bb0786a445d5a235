// bufferprospector/prospector/policies.hpp -- every built-in buffer-allocation policy, and the
// choice of one by its name at run time (the CLI, JSON and res.csv names: none, nf_lrf, best_fit,
// producer_only, ideal, relaxed_dram).
//
//   bp::allocation_result r = bp::allocate_with("nf_lrf", problem);   // throws bp::unknown_name
#pragma once

#include <array>        // std::array
#include <optional>     // std::optional
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <tuple>        // std::tuple, std::apply
#include <utility>      // std::move

#include <bufferprospector/core/error.hpp>                 // bp::unknown_name
#include <bufferprospector/prospector/allocator.hpp>       // bp::allocation_problem, bp::allocation_result
#include <bufferprospector/prospector/best_fit.hpp>        // bp::best_fit
#include <bufferprospector/prospector/ideal.hpp>           // bp::ideal
#include <bufferprospector/prospector/nf_lrf.hpp>          // bp::nf_lrf
#include <bufferprospector/prospector/no_prospecting.hpp>  // bp::no_prospecting
#include <bufferprospector/prospector/producer_only.hpp>   // bp::producer_only
#include <bufferprospector/prospector/relaxed_dram.hpp>    // bp::relaxed_dram

namespace bp {

/// The built-in models, Tangram's first.
using builtin_buffer_policies = std::tuple<no_prospecting, nf_lrf, best_fit, producer_only, ideal, relaxed_dram>;

/// Their names, in the same order.
inline constexpr auto buffer_policy_names = std::apply(
    [](auto... p) { return std::array<std::string_view, sizeof...(p)>{decltype(p)::name...}; },
    builtin_buffer_policies{});

/// Runs the built-in policy called `policy`; throws bp::unknown_name listing the valid names.
inline allocation_result allocate_with(std::string_view policy, const allocation_problem& prob) {
  std::optional<allocation_result> result;
  std::apply(
      [&](auto... p) {
        (void)((decltype(p)::name == policy ? (result.emplace(p.allocate(prob)), true) : false) || ...);
      },
      builtin_buffer_policies{});
  if (!result) {
    std::string known;
    for (const std::string_view n : buffer_policy_names) known += (known.empty() ? "" : ", ") + std::string(n);
    throw unknown_name("buffer allocation policy = " + std::string(policy) + ": must be one of " + known);
  }
  return std::move(*result);
}

}  // namespace bp
