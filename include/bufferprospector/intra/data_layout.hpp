// bufferprospector/intra/data_layout.hpp -- where the pieces of a batched fmap are stored
// (Tangram's DataLayout, nn_dataflow/core/data_layout.py).
//
// A layout is a list of pieces, consecutive along the channel dimension n: each piece is an fmap
// range spread over a node region by a partition scheme (which may only use BATP, OUTP and OFMP,
// the parallelisms that split an fmap). It answers how many word-hops it takes to bring a range
// of the fmap to a set of destination nodes, with or without access forwarding.
//
//   bp::data_layout in({{frng, dram_region, part.projection(dram_region, true)}});
//   std::int64_t hops = in.nhops_to(needed_range, consumers, /*forwarding=*/false);
//
// The node that stores each sub-range ("atom") is computed once at construction, so nhops_to
// walks a flat array.
#pragma once

#include <algorithm>  // std::min, std::sort, std::binary_search
#include <cstddef>    // std::size_t
#include <cstdint>    // std::int64_t
#include <functional>  // std::hash
#include <limits>     // std::numeric_limits
#include <memory>     // std::shared_ptr, std::make_shared
#include <span>       // std::span
#include <utility>    // std::move
#include <vector>     // std::vector

#include <bufferprospector/arch/node_region.hpp>              // bp::node_region
#include <bufferprospector/config.hpp>                        // BP_ASSERT
#include <bufferprospector/core/error.hpp>                    // bp::invalid_spec
#include <bufferprospector/core/fmap_range.hpp>               // bp::fmap_range
#include <bufferprospector/core/phy_dim2.hpp>                 // bp::phy_dim2
#include <bufferprospector/intra/detail/forwarding_tree.hpp>  // detail::spanning_tree_hops
#include <bufferprospector/intra/partition_scheme.hpp>        // bp::partition_scheme

namespace bp {

class data_layout {
 public:
  struct piece {
    fmap_range frng;
    node_region region;
    partition_scheme part;
    friend bool operator==(const piece&, const piece&) = default;
  };

  /// Per-destination hop counts of one fmap range, summarised: their sum (no forwarding) and
  /// their minimum (the destination that fetches first under forwarding).
  struct hop_summary {
    std::int64_t sum = 0;
    std::int64_t min = 0;
  };

  /// Validates as DataLayout does; throws bp::invalid_spec with Tangram's message.
  explicit data_layout(std::vector<piece> pieces) {
    auto s = std::make_shared<storage>();
    s->pieces = std::move(pieces);
    validate(s->pieces);
    index_atoms(*s);
    s->hash = compute_hash(s->pieces);
    s_ = std::move(s);
  }

  const std::vector<piece>& pieces() const noexcept { return s_->pieces; }

  /// The whole fmap: from the origin to the end of the last piece.
  fmap_range complete_fmap_range() const noexcept {
    return {s_->pieces.front().frng.beg, s_->pieces.back().frng.end};
  }

  /// Word-hops to move `frng` to every destination (DataLayout.nhops_to). Without forwarding each
  /// destination fetches its own copy from the storing nodes; with forwarding the destination
  /// that is cheapest to reach fetches it, then it is passed along a greedy min-distance tree.
  std::int64_t nhops_to(const fmap_range& frng, std::span<const phy_dim2> dests, bool forwarding) const {
    if (dests.empty()) return 0;
    const hop_summary s = summarize_hops(frng, dests);
    if (!forwarding) return s.sum;
    return s.min + complete_fmap_range().overlap_size(frng) * detail::spanning_tree_hops(dests);
  }

  /// Word-hops to move `frng` to one destination.
  std::int64_t nhops_to(const fmap_range& frng, phy_dim2 dest) const {
    return summarize_hops(frng, std::span<const phy_dim2>(&dest, 1)).sum;
  }

  /// The sum and minimum over `dests` (non-empty) of the hops to bring `frng` to each one.
  hop_summary summarize_hops(const fmap_range& frng, std::span<const phy_dim2> dests) const {
    BP_ASSERT(!dests.empty());
    hop_summary s{0, std::numeric_limits<std::int64_t>::max()};
    // Gather the atoms that overlap once, then charge every destination.
    auto& overlapping = overlap_scratch();
    const storage& st = *s_;
    for (std::size_t i = 0; i < st.pieces.size(); ++i) {
      if (frng.overlap_size(st.pieces[i].frng) == 0) continue;
      for (std::size_t a = st.atom_begin[i]; a < st.atom_begin[i + 1]; ++a) {
        const std::int64_t size = frng.overlap_size(st.atoms[a].frng);
        if (size > 0) overlapping.push_back({st.atoms[a].node, size});
      }
    }
    for (const phy_dim2& d : dests) {
      std::int64_t hops = 0;
      for (const auto& o : overlapping) hops += o.size * d.hop_dist(o.node);
      s.sum += hops;
      s.min = std::min(s.min, hops);
    }
    return s;
  }

  /// Whether every node of the layout lies in one of `regions` of the same type
  /// (DataLayout.is_in).
  bool is_in(std::span<const node_region> regions) const {
    std::vector<phy_dim2> allowed[2];  // by region type
    for (const node_region& r : regions) r.for_each_node([&](phy_dim2 c) { allowed[type_index(r)].push_back(c); });
    for (auto& a : allowed) std::sort(a.begin(), a.end());
    for (const piece& p : s_->pieces) {
      const auto& a = allowed[type_index(p.region)];
      bool inside = true;
      p.region.for_each_node([&](phy_dim2 c) { inside = inside && std::binary_search(a.begin(), a.end(), c); });
      if (!inside) return false;
    }
    return true;
  }

  /// The layouts stacked along the channel dimension, in order (DataLayout.concat). Tangram
  /// shifts each piece by the summed channel counts of all pieces before it, which is right for
  /// single-piece layouts (the only ones it concatenates); a layout that already has several
  /// pieces is shifted as a whole here, where Tangram would build a discontinuous layout and fail.
  static data_layout concat(std::span<const data_layout> layouts) {
    std::vector<piece> out;
    std::int64_t n_offset = 0;
    for (const data_layout& dl : layouts) {
      for (piece p : dl.pieces()) {
        p.frng.beg.n += n_offset;
        p.frng.end.n += n_offset;
        out.push_back(std::move(p));
      }
      n_offset += dl.complete_fmap_range().n().size();
    }
    return data_layout(std::move(out));
  }

  friend bool operator==(const data_layout& a, const data_layout& b) noexcept {
    return a.s_ == b.s_ || (a.s_->hash == b.s_->hash && a.s_->pieces == b.s_->pieces);
  }

  /// A hash of the pieces, for memoising on layouts.
  std::size_t hash() const noexcept { return s_->hash; }

 private:
  // A sub-range of a piece and the node that stores it.
  struct atom {
    fmap_range frng;
    phy_dim2 node;
  };
  struct overlap {
    phy_dim2 node;
    std::int64_t size;
  };

  static std::size_t type_index(const node_region& r) noexcept { return r.type() == region_type::dram ? 1 : 0; }

  static std::vector<overlap>& overlap_scratch() {
    thread_local std::vector<overlap> scratch;
    scratch.clear();
    return scratch;
  }

  [[noreturn]] static void fail(const char* msg) { throw invalid_spec(std::string("DataLayout: ") + msg); }

  // A layout never changes once built: copies share one storage (layouts are copied into
  // every schedule, memo key and scheme; their atoms can be hundreds of nodes).
  struct storage {
    std::vector<piece> pieces;
    std::vector<atom> atoms;
    std::vector<std::size_t> atom_begin;  // atoms of pieces[i]: [atom_begin[i], atom_begin[i + 1])
    std::size_t hash = 0;
  };

  // DataLayout._validate_frngs and _validate_parts.
  static void validate(const std::vector<piece>& pieces) {
    if (pieces.empty()) fail("no frngs.");
    const fmap_range& first = pieces.front().frng;
    if (first.beg != fmap_position{0, 0, 0, 0}) fail("frngs must begin at 0.");
    std::int64_t n_end = first.end.n;
    for (std::size_t i = 1; i < pieces.size(); ++i) {
      const fmap_range& f = pieces[i].frng;
      if (f.b() != first.b() || f.h() != first.h() || f.w() != first.w())
        fail("frng dim b, h, w mismatch.");
      if (f.beg.n != n_end) fail("frng dim n is discontinuous.");
      n_end = f.end.n;
    }
    for (const piece& p : pieces) {
      if (!p.part.is_applicable_to_fmap_range()) fail("invalid partitioning scheme for fmap range.");
      const phy_dim2 pd = p.part.dim(), rd = p.region.dim();
      if (pd.h > rd.h || pd.w > rd.w) fail("partitioning scheme does not fit in node region.");
    }
  }

  // Which node holds which sub-range (DataLayout.fmap_range_map, flattened).
  static void index_atoms(storage& s) {
    s.atom_begin.push_back(0);
    for (const piece& p : s.pieces) {
      p.part.for_each_pidx([&](const partition_index& pidx) {
        s.atoms.push_back({p.part.fmap_range_of(p.frng, pidx), p.part.coordinate(p.region, pidx)});
      });
      s.atom_begin.push_back(s.atoms.size());
    }
  }

  static std::size_t compute_hash(const std::vector<piece>& pieces) noexcept {
    std::size_t h = pieces.size();
    const auto mix = [&h](std::int64_t v) {
      h ^= std::hash<std::int64_t>{}(v) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    };
    const auto mix_dim = [&mix](phy_dim2 d) {
      mix(d.h);
      mix(d.w);
    };
    for (const piece& p : pieces) {
      for (const fmap_position& fp : {p.frng.beg, p.frng.end}) {
        mix(fp.b);
        mix(fp.n);
        mix(fp.h);
        mix(fp.w);
      }
      const node_region& r = p.region;
      mix_dim(r.dim());
      mix_dim(r.origin());
      mix_dim(r.dist());
      mix(static_cast<std::int64_t>(r.type()));
      mix(r.wtot());
      mix(r.wbeg());
      for (auto pe : p.part.order()) mix(static_cast<std::int64_t>(pe));
      for (const phy_dim2& d : p.part.pdims()) mix_dim(d);
    }
    return h;
  }

  std::shared_ptr<const storage> s_;
};

}  // namespace bp

/// So that layouts can key unordered containers directly.
template <>
struct std::hash<bp::data_layout> {
  std::size_t operator()(const bp::data_layout& l) const noexcept { return l.hash(); }
};
