// bufferprospector/core/math.hpp -- integer helpers shared by the whole model.
//
// Each mirrors a helper of nn_dataflow/util.py with the same results *and the same enumeration
// order*, because Tangram breaks ties by generation order.
#pragma once

#include <algorithm>  // std::max
#include <array>      // std::array
#include <cmath>      // std::isinf, std::abs, std::floor
#include <cstdint>    // std::int64_t
#include <limits>     // std::numeric_limits
#include <numeric>    // std::gcd
#include <optional>   // std::optional
#include <utility>    // std::pair
#include <vector>     // std::vector

#include <bufferprospector/config.hpp>  // BP_ASSERT

namespace bp {

inline constexpr double inf = std::numeric_limits<double>::infinity();

/// Ceiling of x / y for positive y.
constexpr std::int64_t idivc(std::int64_t x, std::int64_t y) noexcept { return (x + y - 1) / y; }

/// Ceiling of x / y where y may be infinite (then 0), as util.idivc does on floats.
inline double idivc(double x, double y) noexcept {
  if (std::isinf(y)) return std::isinf(x) ? std::numeric_limits<double>::quiet_NaN() : 0.0;
  // Python's (x + y - 1) // y on floats: floor division.
  return std::floor((x + y - 1) / y);
}

/// Python's math.isclose with util.isclose's defaults.
inline bool isclose(double a, double b, double rel_tol = 1e-9, double abs_tol = 0.0) noexcept {
  return std::abs(a - b) <= std::max(rel_tol * std::max(std::abs(a), std::abs(b)), abs_tol);
}

/// Whether `total` can reasonably be split into `num` parts (padding within 10% or 1 unit).
inline bool approx_dividable(std::int64_t total, std::int64_t num, double rel_overhead = 0.1,
                             double abs_overhead = 1.0) noexcept {
  return total >= num && isclose(static_cast<double>(idivc(total, num) * num),
                                 static_cast<double>(total), rel_overhead, abs_overhead);
}

/// Divisors of `value` (> 0) in ascending order.
inline std::vector<std::int64_t> divisors(std::int64_t value) {
  BP_ASSERT(value > 0);
  std::vector<std::int64_t> low, high;
  for (std::int64_t f = 1; f * f <= value; ++f) {
    if (value % f != 0) continue;
    low.push_back(f);
    if (f != value / f) high.push_back(value / f);
  }
  low.insert(low.end(), high.rbegin(), high.rend());
  return low;
}

/// The divisors of `value` (> 0) in ascending order, like divisors(), for hot loops: stored
/// inline (no heap allocation) unless there are more than `inline_capacity` of them.
class divisor_list {
 public:
  static constexpr std::size_t inline_capacity = 128;  // every value below 2^31 but few has fewer

  explicit divisor_list(std::int64_t value) {
    BP_ASSERT(value > 0);
    // Low divisors ascending, then their cofactors (the high divisors) from the end backwards.
    std::size_t n_low = 0;
    for (std::int64_t f = 1; f * f <= value; ++f)
      if (value % f == 0) push(f), ++n_low;
    const bool square = at(n_low - 1) * at(n_low - 1) == value;
    for (std::size_t i = n_low - (square ? 1 : 0); i-- > 0;) push(value / at(i));
  }

  const std::int64_t* begin() const noexcept { return data(); }
  const std::int64_t* end() const noexcept { return data() + size_; }
  std::size_t size() const noexcept { return size_; }
  std::int64_t operator[](std::size_t i) const noexcept { return data()[i]; }

 private:
  const std::int64_t* data() const noexcept { return heap_.empty() ? inline_.data() : heap_.data(); }
  std::int64_t at(std::size_t i) const noexcept { return data()[i]; }
  void push(std::int64_t f) {
    if (size_ == inline_capacity) heap_.assign(inline_.begin(), inline_.end());
    if (size_ < inline_capacity)
      inline_[size_] = f;
    else
      heap_.push_back(f);
    ++size_;
  }

  std::array<std::int64_t, inline_capacity> inline_;  // not value-initialised: only [0, size_) is read
  std::vector<std::int64_t> heap_;
  std::size_t size_ = 0;
};

namespace detail {
template <std::size_t N, class Fn>
void factorize_rec(std::int64_t rest, std::size_t level, std::array<std::int64_t, N>& factors,
                   const std::array<std::int64_t, N>& limits, Fn& fn) {
  if (level + 1 == N) {
    factors[level] = rest;
    fn(static_cast<const std::array<std::int64_t, N>&>(factors));
    return;
  }
  for (std::int64_t f : divisor_list(rest)) {
    if (f > limits[level]) break;
    factors[level] = f;
    factorize_rec(rest / f, level + 1, factors, limits, fn);
  }
}
}  // namespace detail

/// Calls fn(std::array<int64,N>) for every way to write `value` as an ordered product of N
/// factors, the first N-1 bounded by `limits`, in util.factorize's order (lexicographic).
template <std::size_t N, class Fn>
void for_each_factorization(std::int64_t value, Fn&& fn,
                            std::array<std::int64_t, N> limits = [] {
                              std::array<std::int64_t, N> l{};
                              l.fill(std::numeric_limits<std::int64_t>::max());
                              return l;
                            }()) {
  static_assert(N >= 1);
  limits[N - 1] = std::numeric_limits<std::int64_t>::max();
  std::array<std::int64_t, N> factors{};
  detail::factorize_rec<N>(value, 0, factors, limits, fn);
}

/// All factorizations of `value` into N factors, in util.factorize's order.
template <std::size_t N>
std::vector<std::array<std::int64_t, N>> factorizations(std::int64_t value) {
  std::vector<std::array<std::int64_t, N>> out;
  for_each_factorization<N>(value, [&](const std::array<std::int64_t, N>& f) { out.push_back(f); });
  return out;
}

/// The largest factor of `value` that is <= `factor` and the smallest that is >= `factor`
/// (util.closest_factor); either may be absent.
struct closest_factors {
  std::optional<std::int64_t> below;  // max factor <= factor (absent when factor < 1)
  std::optional<std::int64_t> above;  // min factor >= factor (absent when factor > value)
};

inline closest_factors closest_factor(std::int64_t value, double factor) {
  BP_ASSERT(value >= 0 && factor >= 0);
  closest_factors res;
  if (value > 0 && factor >= static_cast<double>(value)) {
    res.below = value;  // every factor is <= value: do not count down from a huge `factor`
  } else if (factor >= 1) {
    auto f = static_cast<std::int64_t>(factor) + 1;
    while (static_cast<double>(f) > factor) --f;
    while (!(f != 0 && value % f == 0)) --f;
    res.below = f;
  }
  if (factor <= static_cast<double>(value)) {
    auto f = static_cast<std::int64_t>(factor) - 1;
    while (static_cast<double>(f) < factor) ++f;
    while (!(f != 0 && value % f == 0)) ++f;
    res.above = f;
  }
  return res;
}

/// The idx-th of `num` near-equal parts of [beg, end) (util.get_ith_range).
constexpr std::pair<std::int64_t, std::int64_t> ith_range(std::int64_t beg, std::int64_t end,
                                                          std::int64_t idx,
                                                          std::int64_t num) noexcept {
  const std::int64_t length = end - beg;
  return {beg + idx * length / num, beg + (idx + 1) * length / num};
}

/// gcd of one or more positive values.
template <class... Ts>
constexpr std::int64_t gcd_of(std::int64_t first, Ts... rest) noexcept {
  std::int64_t g = first;
  ((g = std::gcd(g, static_cast<std::int64_t>(rest))), ...);
  return g;
}

/// Overflow-checked product; nullopt when it exceeds int64.
constexpr std::optional<std::int64_t> checked_mul(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out)) return std::nullopt;
  return out;
}

}  // namespace bp
