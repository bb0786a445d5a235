// tests/core/test_format.cpp -- python_repr matches Python's repr(float) (values printed by
// python3 -c "print(repr(x))").
#include <catch2/catch.hpp>

#include <bufferprospector/core/format.hpp>

#include <cmath>
#include <limits>

TEST_CASE("python_repr prints floats as Python does", "[core]") {
  CHECK(bp::python_repr(1.0) == "1.0");
  CHECK(bp::python_repr(0.1) == "0.1");
  CHECK(bp::python_repr(1e16) == "1e+16");
  CHECK(bp::python_repr(1e15) == "1000000000000000.0");
  CHECK(bp::python_repr(123456789.123) == "123456789.123");
  CHECK(bp::python_repr(1.5e-5) == "1.5e-05");
  CHECK(bp::python_repr(0.0001) == "0.0001");
  CHECK(bp::python_repr(5046666240.000001) == "5046666240.000001");
  CHECK(bp::python_repr(std::ldexp(1.0, 60)) == "1.152921504606847e+18");
  CHECK(bp::python_repr(1.0 / 3) == "0.3333333333333333");
  CHECK(bp::python_repr(62.5) == "62.5");
  CHECK(bp::python_repr(1e22) == "1e+22");
  CHECK(bp::python_repr(-2.5) == "-2.5");
  CHECK(bp::python_repr(0.0) == "0.0");
  CHECK(bp::python_repr(std::numeric_limits<double>::infinity()) == "inf");
  CHECK(bp::python_repr(std::nan("")) == "nan");
}

TEST_CASE("fixed and pad_right follow Python's {:12.2f} and {:30s}", "[core]") {
  CHECK(bp::fixed(3.14159, 12, 2) == "        3.14");
  CHECK(bp::fixed(std::nan(""), 12, 2) == "         nan");
  CHECK(bp::fixed(0.125, 6, 2) == "  0.12");  // round-half-even on the exact binary value
  CHECK(bp::pad_right("conv1", 8) == "conv1   ");
  CHECK(bp::pad_right("a_very_long_layer_name", 4) == "a_very_long_layer_name");
}
