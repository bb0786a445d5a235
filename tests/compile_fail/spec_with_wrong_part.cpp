// This file must FAIL to compile: a node mesh passed where the PE array belongs.
#include <bufferprospector/arch/spec.hpp>

bp::spec<bp::node_mesh<>, bp::node_mesh<>> s{bp::node_mesh<>{8, 8}, bp::node_mesh<>{2, 2},
                                             bp::memory_hierarchy<>{{.regf_words = 32, .gbuf_words = 16384}}};
int main() { return 0; }
