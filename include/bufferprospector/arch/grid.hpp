// bufferprospector/arch/grid.hpp -- 2D grids with static or dynamic extents: the PE array of a
// core and the mesh of cores (nodes).
//
//   bp::pe_array<16, 16> a;          // static: an empty type, sizeof == 1
//   bp::pe_array<> b{12, 14};        // dynamic: validated at run time
//   bp::node_mesh<4, bp::dynamic> m{4, cols};
//   constexpr bp::pe_array<> bad{0, 4};   // does not compile: "pe_array.h = 0: must be > 0"
//
// Static-to-dynamic conversion is implicit; dynamic-to-static is explicit and checked.
#pragma once

#include <cstdint>      // std::int64_t
#include <string_view>  // std::string_view
#include <type_traits>  // std::false_type, std::true_type

#include <bufferprospector/core/error.hpp>     // bp::detail::throw_invalid_spec
#include <bufferprospector/core/extents.hpp>   // bp::extents, bp::dynamic
#include <bufferprospector/core/phy_dim2.hpp>  // bp::phy_dim2

namespace bp {

/// Field names used in error messages, one tag per grid role.
struct pe_array_tag {
  static constexpr std::string_view h_name = "pe_array.h";
  static constexpr std::string_view w_name = "pe_array.w";
};
struct node_mesh_tag {
  static constexpr std::string_view h_name = "node_mesh.h";
  static constexpr std::string_view w_name = "node_mesh.w";
};

template <class Tag, std::int64_t H = dynamic, std::int64_t W = dynamic>
class grid2d {
 public:
  using tag_type = Tag;
  using extents_type = extents<H, W>;
  static constexpr std::int64_t static_h = H;
  static constexpr std::int64_t static_w = W;
  static constexpr bool is_static = H != dynamic && W != dynamic;

  constexpr grid2d()
    requires is_static
  = default;

  /// Both values, also for static extents (they must then agree).
  constexpr grid2d(std::int64_t h, std::int64_t w) : ext_(make(h, w)) {
    ext_.validate({Tag::h_name, Tag::w_name});
  }

  /// Static -> dynamic (or any -> wider) is implicit; narrowing to a static value is explicit.
  template <std::int64_t H2, std::int64_t W2>
  constexpr explicit(!((H == dynamic || H == H2) && (W == dynamic || W == W2)))
      grid2d(const grid2d<Tag, H2, W2>& other)
      : grid2d(other.h(), other.w()) {}

  constexpr std::int64_t h() const noexcept { return ext_.value(0); }
  constexpr std::int64_t w() const noexcept { return ext_.value(1); }
  constexpr std::int64_t size() const noexcept { return h() * w(); }
  constexpr phy_dim2 dim() const noexcept { return {h(), w()}; }

  friend constexpr bool operator==(const grid2d&, const grid2d&) = default;

 private:
  static constexpr extents_type make(std::int64_t h, std::int64_t w) {
    if (H != dynamic && h != H)
      detail::throw_invalid_spec(Tag::h_name, static_cast<long long>(h), "differs from the static extent");
    if (W != dynamic && w != W)
      detail::throw_invalid_spec(Tag::w_name, static_cast<long long>(w), "differs from the static extent");
    if constexpr (H == dynamic && W == dynamic) return extents_type(h, w);
    else if constexpr (H == dynamic) return extents_type(h);
    else if constexpr (W == dynamic) return extents_type(w);
    else return extents_type();
  }
  [[no_unique_address]] extents_type ext_;
};

/// The PE array of one core (Eyeriss-style rows x columns).
template <std::int64_t H = dynamic, std::int64_t W = dynamic>
using pe_array = grid2d<pe_array_tag, H, W>;

/// The mesh of cores (Tangram's nodes).
template <std::int64_t H = dynamic, std::int64_t W = dynamic>
using node_mesh = grid2d<node_mesh_tag, H, W>;

template <class T>
struct is_grid2d : std::false_type {};
template <class Tag, std::int64_t H, std::int64_t W>
struct is_grid2d<grid2d<Tag, H, W>> : std::true_type {};

template <class T>
concept pe_array_type = is_grid2d<T>::value && std::is_same_v<typename T::tag_type, pe_array_tag>;
template <class T>
concept node_mesh_type = is_grid2d<T>::value && std::is_same_v<typename T::tag_type, node_mesh_tag>;

}  // namespace bp
