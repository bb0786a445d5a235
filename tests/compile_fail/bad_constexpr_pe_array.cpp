// This file must FAIL to compile: a constexpr PE array with zero rows.
#include <bufferprospector/arch/grid.hpp>

constexpr bp::pe_array<> bad{0, 16};
int main() { return static_cast<int>(bad.h()); }
