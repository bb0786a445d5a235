// tests/test_data.hpp -- where the test data files are (tests/data, set by meson).
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#ifndef BP_TEST_DATA_DIR
#error "BP_TEST_DATA_DIR must be defined by the build (tests/meson.build)"
#endif

namespace bp_test {

inline std::string data_path(const std::string& relative) {
  return std::string(BP_TEST_DATA_DIR) + "/" + relative;
}

/// Whole file as a string; throws when it is missing so that a test cannot pass vacuously.
inline std::string read_data(const std::string& relative) {
  std::ifstream in(data_path(relative), std::ios::binary);
  if (!in) throw std::runtime_error("missing test data file: " + data_path(relative));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace bp_test
