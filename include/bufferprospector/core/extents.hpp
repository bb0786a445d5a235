// bufferprospector/core/extents.hpp -- a list of positive integers, each fixed at compile time or
// chosen at run time, storing only the run-time ones (after mdspan's extents).
//
//   extents<16, 16>             both static: an empty type
//   extents<dynamic, dynamic>   both stored
//   extents<4, dynamic>         one stored
//
// Used by the PE array, the node mesh and the memory sizes, so that a named chip is a type and a
// design-space sweep is a loop over values, with one code path.
#pragma once

#include <array>        // std::array
#include <cstddef>      // std::size_t
#include <cstdint>      // std::int64_t
#include <string_view>  // std::string_view
#include <type_traits>  // std::conditional_t

#include <bufferprospector/core/error.hpp>  // bp::detail::throw_invalid_spec

namespace bp {

/// Marks a value chosen at run time.
inline constexpr std::int64_t dynamic = -1;

namespace detail {
struct no_dynamic_values {
  friend constexpr bool operator==(no_dynamic_values, no_dynamic_values) noexcept { return true; }
};
}  // namespace detail

template <std::int64_t... Values>
class extents {
 public:
  static constexpr std::size_t rank = sizeof...(Values);
  static constexpr std::size_t rank_dynamic = ((Values == dynamic ? 1u : 0u) + ... + 0u);
  static constexpr std::array<std::int64_t, rank> static_values{Values...};

  static_assert(((Values == dynamic || Values > 0) && ...),
                "bp::extents: a static value must be > 0 (or bp::dynamic)");

  /// Only the run-time values, in order (none when all are static).
  template <class... Ds>
    requires(sizeof...(Ds) == rank_dynamic)
  constexpr explicit extents(Ds... dyn) : dyn_{static_cast<std::int64_t>(dyn)...} {}

  constexpr extents()
    requires(rank_dynamic == 0)
  = default;

  static constexpr bool is_static(std::size_t r) noexcept { return static_values[r] != dynamic; }
  static constexpr bool all_static() noexcept { return rank_dynamic == 0; }

  constexpr std::int64_t value(std::size_t r) const noexcept {
    if (is_static(r)) return static_values[r];
    if constexpr (rank_dynamic > 0) return dyn_[dynamic_index(r)];
    return 0;
  }

  /// Throws bp::invalid_spec (or fails a constant evaluation) unless every value is > 0.
  constexpr void validate(const std::array<std::string_view, rank>& names) const {
    for (std::size_t r = 0; r < rank; ++r)
      if (value(r) <= 0)
        detail::throw_invalid_spec(names[r], static_cast<long long>(value(r)), "must be > 0");
  }

  friend constexpr bool operator==(const extents&, const extents&) = default;

 private:
  static constexpr std::size_t dynamic_index(std::size_t r) noexcept {
    std::size_t k = 0;
    for (std::size_t i = 0; i < r; ++i) k += static_values[i] == dynamic ? 1 : 0;
    return k;
  }
  using storage =
      std::conditional_t<rank_dynamic == 0, detail::no_dynamic_values, std::array<std::int64_t, rank_dynamic>>;
  [[no_unique_address]] storage dyn_{};
};

}  // namespace bp
