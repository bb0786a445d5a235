// tests/fuzz/replay_main.cpp -- the fuzz corpus as a regression test (fast suite, both compilers).
//
//   replay_fuzz_corpus DIR...   feeds every file of each DIR (sorted by name) to bp_fuzz::run_one
//
// A corpus file that once crashed, hung or broke an invariant must now run through: run_one
// aborts on a bug, so the test fails with the file's name as the last line printed. Exit status
// 0 when every file ran; 1 when a directory is missing or empty.
#include <algorithm>   // std::sort
#include <array>       // std::array
#include <chrono>      // std::chrono::steady_clock
#include <cstdint>     // std::uint8_t
#include <cstdio>      // std::printf
#include <filesystem>  // std::filesystem
#include <fstream>     // std::ifstream
#include <iterator>    // std::istreambuf_iterator
#include <string>      // std::string
#include <vector>      // std::vector

#include "fuzz_target.hpp"  // bp_fuzz::run_one

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(argv[i], ec))
      if (e.is_regular_file()) files.push_back(e.path());
    if (ec) {
      std::printf("cannot read corpus directory %s: %s\n", argv[i], ec.message().c_str());
      return 1;
    }
  }
  if (files.empty()) {
    std::printf("no corpus files given\n");
    return 1;
  }
  std::sort(files.begin(), files.end());
  std::array<std::size_t, bp_fuzz::outcome_names.size()> counts{};
  const auto start = std::chrono::steady_clock::now();
  for (const fs::path& f : files) {
    std::printf("%s\n", f.filename().c_str());
    std::fflush(stdout);  // the last name printed is the culprit if run_one aborts
    std::ifstream s(f, std::ios::binary);
    const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(s), std::istreambuf_iterator<char>()};
    ++counts[static_cast<std::size_t>(bp_fuzz::run_one(bytes.data(), bytes.size()))];
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("replayed %zu corpus inputs in %.1f s:\n", files.size(), seconds);
  for (std::size_t i = 0; i < counts.size(); ++i)
    if (counts[i] > 0) std::printf("  %6zu  %s\n", counts[i], std::string(bp_fuzz::outcome_names[i]).c_str());
  return 0;
}
