// This file must compile: it is the control for the compile-fail tests next to it.
#include <bufferprospector/arch/spec.hpp>

constexpr bp::pe_array<> good{16, 16};
constexpr bp::memory_hierarchy<> mem{{.regf_words = 256, .gbuf_words = 65536}};
static_assert(bp::cost_table<bp::tangram_costs>);
constexpr bp::spec<bp::pe_array<16, 16>, bp::node_mesh<4, 4>, bp::memory_hierarchy<256, 65536>, bp::tangram_costs>
    chip{{}, {}, bp::memory_hierarchy<256, 65536>{{}}};
int main() { return good.h() == 16 && chip.array().w() == 16 && mem.gbuf_words() > 0 ? 0 : 1; }
