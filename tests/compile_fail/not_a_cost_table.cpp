// This file must FAIL to compile: a cost table without noc_hop() does not satisfy bp::cost_table.
#include <bufferprospector/arch/spec.hpp>

struct my_costs {
  double mac_op() const { return 1; }
  double mem_hier(bp::mem_level) const { return 1; }
  double idle_unit() const { return 0; }
};

bp::spec<bp::pe_array<>, bp::node_mesh<>, bp::memory_hierarchy<>, my_costs> s{
    bp::pe_array<>{8, 8}, bp::node_mesh<>{2, 2}, bp::memory_hierarchy<>{{.regf_words = 32, .gbuf_words = 16384}}};
int main() { return 0; }
