// This file must FAIL to compile: a static extent of zero.
#include <bufferprospector/arch/grid.hpp>

bp::node_mesh<0, 4> bad;
int main() { return static_cast<int>(bad.w()); }
