// bufferprospector/arch/node_region.hpp -- a region of the node mesh (Tangram's NodeRegion).
//
// A region is dim.h x dim.w nodes at `origin`, spaced `dist` apart, of type proc (cores) or dram
// (memory channels). It may be folded along w in a zig-zag (wtot nodes between two turns, wbeg
// nodes before the first turn, the sign of wbeg giving the direction): that is how allocate()
// hands out stripes to the stages of a layer pipeline.
#pragma once

#include <cstdint>   // std::int64_t
#include <numeric>   // std::gcd
#include <optional>  // std::optional
#include <vector>    // std::vector

#include <bufferprospector/config.hpp>         // BP_ASSERT
#include <bufferprospector/core/error.hpp>     // bp::invalid_spec
#include <bufferprospector/core/phy_dim2.hpp>  // bp::phy_dim2

namespace bp {

enum class region_type : std::uint8_t { proc = 0, dram = 1 };

class node_region {
 public:
  /// An unfolded region (wtot = dim.w, wbeg = wtot).
  constexpr node_region(phy_dim2 dim, phy_dim2 origin, region_type type, phy_dim2 dist = {1, 1})
      : node_region(dim, origin, dist, type, dim.w, dim.w) {}

  /// A possibly folded region; |wbeg| must be in (0, wtot] unless the region is empty.
  constexpr node_region(phy_dim2 dim, phy_dim2 origin, phy_dim2 dist, region_type type,
                        std::int64_t wtot, std::int64_t wbeg)
      : dim_(dim), origin_(origin), dist_(dist), type_(type), wtot_(wtot), wbeg_(wbeg) {
    const std::int64_t awbeg = wbeg < 0 ? -wbeg : wbeg;
    if (!(0 < awbeg && awbeg <= wtot) && dim.size() > 0)
      throw invalid_spec("NodeRegion: |wbeg| must be in (0, wtot].");
  }

  constexpr phy_dim2 dim() const noexcept { return dim_; }
  constexpr phy_dim2 origin() const noexcept { return origin_; }
  constexpr phy_dim2 dist() const noexcept { return dist_; }
  constexpr region_type type() const noexcept { return type_; }
  constexpr std::int64_t wtot() const noexcept { return wtot_; }
  constexpr std::int64_t wbeg() const noexcept { return wbeg_; }
  constexpr std::int64_t size() const noexcept { return dim_.size(); }

  /// Absolute coordinate of the node at a relative coordinate (h, w) < dim.
  constexpr phy_dim2 rel2abs(phy_dim2 rel) const noexcept {
    BP_ASSERT(0 <= rel.h && rel.h < dim_.h && 0 <= rel.w && rel.w < dim_.w);
    const std::int64_t awbeg = wbeg_ < 0 ? -wbeg_ : wbeg_;
    const std::int64_t t = rel.w + wtot_ - awbeg;  // offset from the boundary before node 0
    const std::int64_t fold = t / wtot_;
    std::int64_t w = t % wtot_;
    const int direction = (wbeg_ < 0 ? -1 : 1) * (fold % 2 != 0 ? -1 : 1);
    if (direction < 0) w = wtot_ - 1 - w;
    const std::int64_t shift = wbeg_ > 0 ? wtot_ - wbeg_ : -wbeg_ - 1;
    return origin_ + phy_dim2{fold * dim_.h + rel.h, w - shift} * dist_;
  }

  /// Calls fn(phy_dim2 absolute) for every node, h-major over relative coordinates (iter_node).
  template <class Fn>
  constexpr void for_each_node(Fn&& fn) const {
    for (std::int64_t h = 0; h < dim_.h; ++h)
      for (std::int64_t w = 0; w < dim_.w; ++w) fn(rel2abs({h, w}));
  }

  std::vector<phy_dim2> nodes() const {
    std::vector<phy_dim2> out;
    out.reserve(static_cast<std::size_t>(size()));
    for_each_node([&](phy_dim2 c) { out.push_back(c); });
    return out;
  }

  constexpr bool contains_node(phy_dim2 c) const noexcept {
    bool found = false;
    for_each_node([&](phy_dim2 n) { found = found || n == c; });
    return found;
  }

  /// Splits the region into stripes of the requested node counts (NodeRegion.allocate): the
  /// stripe height is gcd(dim.h, requests...); requests fill stripes left to right, then right
  /// to left, folding into the next stripe when a row runs out. Empty when the requests do not
  /// fit (or one is not positive).
  std::vector<node_region> allocate(const std::vector<std::int64_t>& requests) const {
    std::int64_t total = 0;
    std::int64_t hstrp = dim_.h;
    for (auto r : requests) {
      if (r <= 0) return {};
      total += r;
      hstrp = std::gcd(hstrp, r);
    }
    if (total > dim_.size() || requests.empty()) return {};

    std::vector<node_region> out;
    const std::int64_t wtot = dim_.w;
    std::int64_t ofs_h = 0, ofs_w = 0;
    bool move_right = true;
    for (auto req : requests) {
      const std::int64_t width = req / hstrp;
      phy_dim2 origin;
      std::int64_t wbeg = 0;
      const std::int64_t room = wtot - ofs_w < width ? wtot - ofs_w : width;
      if (move_right) {
        origin = {ofs_h, ofs_w};
        wbeg = room;
      } else {
        origin = {ofs_h, dim_.w - ofs_w - 1};
        wbeg = -room;
      }
      out.emplace_back(phy_dim2{hstrp, width}, origin_ + origin * dist_, dist_, type_, wtot, wbeg);
      ofs_w += width;
      while (ofs_w >= dim_.w) {
        ofs_w -= dim_.w;
        ofs_h += hstrp;
        move_right = !move_right;
      }
    }
    return out;
  }

  friend constexpr bool operator==(const node_region&, const node_region&) = default;

 private:
  phy_dim2 dim_;
  phy_dim2 origin_;
  phy_dim2 dist_;
  region_type type_;
  std::int64_t wtot_;
  std::int64_t wbeg_;
};

}  // namespace bp
