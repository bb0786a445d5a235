// bufferprospector/core/enums.hpp -- the fixed vocabularies of the model and arrays indexed by them.
//
// The numeric values are Tangram's (DataCategoryEnum, MemHierEnum, LoopEnum, ParallelEnum), since
// every array in its reports is ordered by them: [FIL, IFM, OFM], [DRAM, GBUF, ITCN, REGF],
// [IFM, OFM, BAT], [OUTP, OFMP, BATP, INPP].
#pragma once

#include <array>    // std::array
#include <cstddef>  // std::size_t
#include <cstdint>  // std::uint8_t

namespace bp {

/// Data categories: filters (weights), input fmaps, output fmaps.
enum class data_category : std::uint8_t { fil = 0, ifm = 1, ofm = 2 };
/// Memory levels from outermost to innermost; itcn is the array interconnect gbuf <-> PEs.
enum class mem_level : std::uint8_t { dram = 0, gbuf = 1, itcn = 2, regf = 3 };
/// The three loops of the nested loop: input channels, output channels, batch.
enum class loop_dim : std::uint8_t { ifm = 0, ofm = 1, bat = 2 };
/// Intra-layer parallelism: output channels, ofmap tiles, batch, input channels.
enum class parallel_dim : std::uint8_t { outp = 0, ofmp = 1, batp = 2, inpp = 3 };

template <class E>
inline constexpr std::size_t enum_count = 0;
template <>
inline constexpr std::size_t enum_count<data_category> = 3;
template <>
inline constexpr std::size_t enum_count<mem_level> = 4;
template <>
inline constexpr std::size_t enum_count<loop_dim> = 3;
template <>
inline constexpr std::size_t enum_count<parallel_dim> = 4;

/// All values of an enum, in Tangram's order: `for (auto d : all<data_category>)`.
template <class E>
inline constexpr auto all = [] {
  std::array<E, enum_count<E>> values{};
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<E>(i);
  return values;
}();

template <class E>
constexpr std::size_t idx(E e) noexcept {
  return static_cast<std::size_t>(e);
}

/// A fixed-size array indexed by an enum (and, for loops over raw indices, by size_t).
template <class E, class T>
struct per : std::array<T, enum_count<E>> {
  using base = std::array<T, enum_count<E>>;
  using base::operator[];
  constexpr T& operator[](E e) noexcept { return base::operator[](idx(e)); }
  constexpr const T& operator[](E e) const noexcept { return base::operator[](idx(e)); }
  friend constexpr bool operator==(const per&, const per&) = default;
};

template <class T>
using per_data = per<data_category, T>;
template <class T>
using per_level = per<mem_level, T>;
template <class T>
using per_loop = per<loop_dim, T>;
template <class T>
using per_parallel = per<parallel_dim, T>;

}  // namespace bp
