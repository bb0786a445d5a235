// bufferprospector/arch/spec.hpp -- a whole accelerator: PE array, node mesh, memory, costs.
//
// Static and dynamic parameters live in one type (each part is static or dynamic on its own):
//
//   // A named chip, fixed at compile time (static):
//   using chip = bp::spec<bp::pe_array<16, 16>, bp::node_mesh<4, 4>, bp::memory_hierarchy<256, 65536>,
//                         bp::tangram_costs>;
//   constexpr chip c{{}, {}, bp::memory_hierarchy<256, 65536>{{}}};
//
//   // A design-space sweep, chosen at run time (dynamic):
//   bp::runtime_spec r{bp::pe_array<>{16, 16}, bp::node_mesh<>{8, 8},
//                      bp::memory_hierarchy<>{{.regf_words = 256, .gbuf_words = gbuf}}};
//
// This header is light: it pulls in nothing of the scheduler.
#pragma once

#include <bufferprospector/arch/cost_table.hpp>  // bp::cost_table, bp::cost_values
#include <bufferprospector/arch/grid.hpp>        // bp::pe_array, bp::node_mesh
#include <bufferprospector/arch/memory.hpp>      // bp::memory_hierarchy

namespace bp {

template <pe_array_type PeArray = pe_array<>, node_mesh_type Mesh = node_mesh<>,
          memory_hierarchy_type Memory = memory_hierarchy<>, cost_table Costs = cost_values>
class spec {
 public:
  using pe_array_type = PeArray;
  using mesh_type = Mesh;
  using memory_type = Memory;
  using costs_type = Costs;

  constexpr spec(const PeArray& array, const Mesh& mesh, const Memory& memory, const Costs& costs = Costs{})
      : array_(array), mesh_(mesh), memory_(memory), costs_(costs) {}

  /// Conversion from a spec with more static parts (implicit when every part converts implicitly).
  template <class P2, class M2, class Mem2, class C2>
  constexpr spec(const spec<P2, M2, Mem2, C2>& o)  // NOLINT: static -> dynamic is implicit
      : spec(PeArray(o.array()), Mesh(o.mesh()), Memory(o.memory()), Costs(o.costs())) {}

  constexpr const PeArray& array() const noexcept { return array_; }
  constexpr const Mesh& mesh() const noexcept { return mesh_; }
  constexpr const Memory& memory() const noexcept { return memory_; }
  constexpr const Costs& costs() const noexcept { return costs_; }

  friend constexpr bool operator==(const spec&, const spec&) = default;

 private:
  [[no_unique_address]] PeArray array_;
  [[no_unique_address]] Mesh mesh_;
  [[no_unique_address]] Memory memory_;
  [[no_unique_address]] Costs costs_;
};

/// Everything chosen at run time: the type the CLI and the type-erased entry point use.
using runtime_spec = spec<>;

/// Any spec as a runtime_spec.
template <class P, class M, class Mem, class C>
constexpr runtime_spec to_runtime(const spec<P, M, Mem, C>& s) {
  return runtime_spec(s);
}

/// The chip of Tangram's "medium" golden configuration and of the model note's default point:
/// 16x16 PEs, 512 B regf per PE, 128 KiB gbuf per core, 16-bit words (all in words here).
template <std::int64_t MeshH = dynamic, std::int64_t MeshW = dynamic>
using tangram_chip = spec<pe_array<16, 16>, node_mesh<MeshH, MeshW>, memory_hierarchy<256, 65536>>;

}  // namespace bp
