// bufferprospector/workload/data_loops.hpp -- which loops index each data category (DataDimLoops).
#pragma once

#include <cstdint>  // std::uint8_t
#include <initializer_list>

#include <bufferprospector/core/enums.hpp>  // bp::loop_dim, bp::per_data

namespace bp {

/// A set of loop dimensions, e.g. {IFM, BAT} for the ifmaps of a CONV layer.
class data_dim_loops {
 public:
  constexpr data_dim_loops() = default;
  constexpr data_dim_loops(std::initializer_list<loop_dim> loops) {
    for (auto l : loops) mask_ = static_cast<std::uint8_t>(mask_ | bit(l));
  }
  constexpr bool contains(loop_dim l) const noexcept { return (mask_ & bit(l)) != 0; }
  constexpr bool empty() const noexcept { return mask_ == 0; }
  /// Product of the entries of `per_loop_values` that index this data (DataDimLoops.take).
  template <class T>
  constexpr T take_product(const per_loop<T>& v) const noexcept {
    T p = 1;
    for (auto l : all<loop_dim>)
      if (contains(l)) p *= v[l];
    return p;
  }
  /// Product of the entries that do not index this data (DataDimLoops.drop).
  template <class T>
  constexpr T drop_product(const per_loop<T>& v) const noexcept {
    T p = 1;
    for (auto l : all<loop_dim>)
      if (!contains(l)) p *= v[l];
    return p;
  }
  friend constexpr bool operator==(data_dim_loops, data_dim_loops) = default;

 private:
  static constexpr std::uint8_t bit(loop_dim l) noexcept {
    return static_cast<std::uint8_t>(1u << static_cast<unsigned>(l));
  }
  std::uint8_t mask_ = 0;
};

/// The data loops of the three layer families.
namespace data_loops {
inline constexpr per_data<data_dim_loops> conv{
    {data_dim_loops{loop_dim::ifm, loop_dim::ofm}, data_dim_loops{loop_dim::ifm, loop_dim::bat},
     data_dim_loops{loop_dim::ofm, loop_dim::bat}}};
inline constexpr per_data<data_dim_loops> local_region{
    {data_dim_loops{}, data_dim_loops{loop_dim::ofm, loop_dim::bat},
     data_dim_loops{loop_dim::ofm, loop_dim::bat}}};
/// Activation x activation matmul: the "filter" operand is a producer's output, so it varies
/// with the batch too.
inline constexpr per_data<data_dim_loops> matmul{
    {data_dim_loops{loop_dim::ifm, loop_dim::ofm, loop_dim::bat},
     data_dim_loops{loop_dim::ifm, loop_dim::bat}, data_dim_loops{loop_dim::ofm, loop_dim::bat}}};
inline constexpr per_data<data_dim_loops> input{
    {data_dim_loops{}, data_dim_loops{}, data_dim_loops{loop_dim::ofm, loop_dim::bat}}};
}  // namespace data_loops

}  // namespace bp
