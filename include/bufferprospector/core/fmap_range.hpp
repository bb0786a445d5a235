// bufferprospector/core/fmap_range.hpp -- integer ranges and ranges of batched fmaps.
//
// Tangram's IntRange, FmapPosition and FmapRange: a half-open box over (batch, channel, height,
// width). Data layouts and NoC hop counts are sums of overlaps of such boxes.
#pragma once

#include <algorithm>  // std::max, std::min
#include <array>      // std::array
#include <compare>    // operator<=>
#include <cstdint>    // std::int64_t

namespace bp {

/// Half-open [beg, end).
struct int_range {
  std::int64_t beg = 0;
  std::int64_t end = 0;

  constexpr std::int64_t size() const noexcept { return end - beg; }
  constexpr bool empty() const noexcept { return beg == end; }
  /// The overlap, or [0, 0) when disjoint (as IntRange.overlap).
  constexpr int_range overlap(const int_range& o) const noexcept {
    const int_range r{std::max(beg, o.beg), std::min(end, o.end)};
    return r.beg > r.end ? int_range{0, 0} : r;
  }
  constexpr int_range offset(std::int64_t v) const noexcept { return {beg + v, end + v}; }
  friend constexpr auto operator<=>(const int_range&, const int_range&) = default;
};

/// A point in a batched fmap: (b, n, h, w).
struct fmap_position {
  std::int64_t b = 0;
  std::int64_t n = 0;
  std::int64_t h = 0;
  std::int64_t w = 0;
  friend constexpr auto operator<=>(const fmap_position&, const fmap_position&) = default;
};

/// A half-open box of a batched fmap.
struct fmap_range {
  fmap_position beg;
  fmap_position end;

  constexpr int_range b() const noexcept { return {beg.b, end.b}; }
  constexpr int_range n() const noexcept { return {beg.n, end.n}; }
  constexpr int_range h() const noexcept { return {beg.h, end.h}; }
  constexpr int_range w() const noexcept { return {beg.w, end.w}; }

  constexpr std::int64_t size() const noexcept {
    return (end.b - beg.b) * (end.n - beg.n) * (end.h - beg.h) * (end.w - beg.w);
  }

  /// Size of the intersection (FmapRange.overlap_size).
  constexpr std::int64_t overlap_size(const fmap_range& o) const noexcept {
    const std::array<std::int64_t, 4> b1{beg.b, beg.n, beg.h, beg.w}, e1{end.b, end.n, end.h, end.w};
    const std::array<std::int64_t, 4> b2{o.beg.b, o.beg.n, o.beg.h, o.beg.w},
        e2{o.end.b, o.end.n, o.end.h, o.end.w};
    std::int64_t sz = 1;
    for (std::size_t i = 0; i < 4; ++i) {
      const std::int64_t lo = std::max(b1[i], b2[i]);
      const std::int64_t hi = std::min(e1[i], e2[i]);
      if (lo >= hi) return 0;
      sz *= hi - lo;
    }
    return sz;
  }

  /// The intersection, or the empty range at the origin when disjoint.
  constexpr fmap_range overlap(const fmap_range& o) const noexcept {
    if (overlap_size(o) == 0) return {};
    return {{std::max(beg.b, o.beg.b), std::max(beg.n, o.beg.n), std::max(beg.h, o.beg.h),
             std::max(beg.w, o.beg.w)},
            {std::min(end.b, o.end.b), std::min(end.n, o.end.n), std::min(end.h, o.end.h),
             std::min(end.w, o.end.w)}};
  }

  constexpr bool contains(const fmap_position& p) const noexcept {
    return beg.b <= p.b && p.b < end.b && beg.n <= p.n && p.n < end.n && beg.h <= p.h &&
           p.h < end.h && beg.w <= p.w && p.w < end.w;
  }

  friend constexpr bool operator==(const fmap_range&, const fmap_range&) = default;
};

}  // namespace bp
