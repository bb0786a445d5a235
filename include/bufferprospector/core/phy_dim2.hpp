// bufferprospector/core/phy_dim2.hpp -- a 2D physical dimension or coordinate (Tangram's PhyDim2).
#pragma once

#include <compare>  // operator<=>
#include <cstdint>  // std::int64_t

namespace bp {

/// Height x width, used both as a size (mesh, PE array) and as a node coordinate.
/// Ordered lexicographically (h, then w), as Python compares the namedtuple.
struct phy_dim2 {
  std::int64_t h = 0;
  std::int64_t w = 0;

  constexpr std::int64_t size() const noexcept { return h * w; }
  /// Manhattan distance between two coordinates: the NoC hop count.
  constexpr std::int64_t hop_dist(const phy_dim2& o) const noexcept {
    return (h > o.h ? h - o.h : o.h - h) + (w > o.w ? w - o.w : o.w - w);
  }

  friend constexpr phy_dim2 operator+(phy_dim2 a, phy_dim2 b) noexcept { return {a.h + b.h, a.w + b.w}; }
  friend constexpr phy_dim2 operator-(phy_dim2 a, phy_dim2 b) noexcept { return {a.h - b.h, a.w - b.w}; }
  friend constexpr phy_dim2 operator*(phy_dim2 a, phy_dim2 b) noexcept { return {a.h * b.h, a.w * b.w}; }
  friend constexpr phy_dim2 operator*(phy_dim2 a, std::int64_t s) noexcept { return {a.h * s, a.w * s}; }
  friend constexpr auto operator<=>(const phy_dim2&, const phy_dim2&) = default;
};

}  // namespace bp
