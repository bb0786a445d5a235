// tests/fuzz/fuzz_main.cpp -- the libFuzzer target (clang only; built when -fsanitize=fuzzer
// links, run by .ci/fuzz.sh):
//
//   fuzz_schedule -max_total_time=60 -timeout=20 CORPUS_DIR tests/data/fuzz_corpus
//
// Inputs that find a bug are written as crash-*/timeout-* files; after the fix, copy them into
// tests/data/fuzz_corpus/ so that replay_fuzz_corpus keeps them as regression tests.
#include <cstddef>  // std::size_t
#include <cstdint>  // std::uint8_t

#include "fuzz_target.hpp"  // bp_fuzz::run_one

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  bp_fuzz::run_one(data, size);
  return 0;
}
