// This file must FAIL to compile: a constexpr memory hierarchy with a negative DRAM bandwidth.
#include <bufferprospector/arch/memory.hpp>

constexpr bp::memory_hierarchy<> bad{{.regf_words = 256, .gbuf_words = 65536, .dram_bandwidth = -1.0}};
int main() { return static_cast<int>(bad.gbuf_words()); }
