// tests/report/test_json.cpp -- bp::json prints exactly what Python's json module prints, and
// reads back what it (and Tangram) wrote.
//
// Expected texts were printed with Python 3.11:
//   python3 -c 'import json; v = <value>; print(json.dumps(v, indent=2)); print(json.dumps(v))'
// for the values written next to each check.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include <bufferprospector/report/json.hpp>

#include "test_data.hpp"

namespace json = bp::json;

namespace {
json::value list(std::initializer_list<json::value> items) { return json::value::array(items); }
}  // namespace

TEST_CASE("json: floats print as Python's repr, ints as ints", "[report]") {
  // v = [0.1, 1e16, 1e15, 1.5e-05, 0.0001, 5046666240.000001, -2.5, 123456789012345678.0, 1e-7,
  //      0.0, -0.0]
  const json::value v = list({0.1, 1e16, 1e15, 1.5e-05, 0.0001, 5046666240.000001, -2.5,
                              123456789012345678.0, 1e-7, 0.0, -0.0});
  CHECK(json::dump(v, -1) ==
        "[0.1, 1e+16, 1000000000000000.0, 1.5e-05, 0.0001, 5046666240.000001, -2.5, "
        "1.2345678901234568e+17, 1e-07, 0.0, -0.0]");
  CHECK(json::dump(list({std::int64_t{0}, 0.0, std::int64_t{86016}, 86016.0})) ==
        "[\n  0,\n  0.0,\n  86016,\n  86016.0\n]");
}

TEST_CASE("json: Infinity, -Infinity and NaN as Python writes them", "[report]") {
  const double inf = std::numeric_limits<double>::infinity();
  const json::value v = list({inf, -inf, std::numeric_limits<double>::quiet_NaN()});
  CHECK(json::dump(v, 2) == "[\n  Infinity,\n  -Infinity,\n  NaN\n]");
  CHECK(json::dump(v, -1) == "[Infinity, -Infinity, NaN]");
}

TEST_CASE("json: nesting, empty containers and separators with and without indent", "[report]") {
  // v = {"a": [1, {}], "b": [], "c": {"d": None, "e": True, "f": False}}
  json::value c = json::value::object();
  c.set("d", nullptr);
  c.set("e", true);
  c.set("f", false);
  json::value v = json::value::object();
  v.set("a", list({1, json::value::object()}));
  v.set("b", json::value::array());
  v.set("c", c);
  CHECK(json::dump(v) ==
        "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": [],\n  \"c\": {\n    \"d\": null,\n"
        "    \"e\": true,\n    \"f\": false\n  }\n}");
  CHECK(json::dump(v, -1) == "{\"a\": [1, {}], \"b\": [], \"c\": {\"d\": null, \"e\": true, \"f\": false}}");
  // Objects keep insertion order; set() on an existing key replaces in place.
  v.set("a", 7);
  CHECK(v.keys() == std::vector<std::string>{"a", "b", "c"});
  CHECK(v["a"].as_int() == 7);
}

TEST_CASE("json: strings are escaped like ensure_ascii=True", "[report]") {
  // v = ["quote\" back\\ slash/", "tab\t nl\n cr\r bs\b ff\f", "\x01\x1f\x7f",
  //      "caf\u00e9 \u20ac \U0001F600"]
  const json::value v = list({"quote\" back\\ slash/", "tab\t nl\n cr\r bs\b ff\f", "\x01\x1f\x7f",
                              "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"});
  CHECK(json::dump(v, -1) ==
        "[\"quote\\\" back\\\\ slash/\", \"tab\\t nl\\n cr\\r bs\\b ff\\f\", \"\\u0001\\u001f\\u007f\", "
        "\"caf\\u00e9 \\u20ac \\ud83d\\ude00\"]");
  // And back: escapes (including a surrogate pair) decode to the same UTF-8.
  CHECK(json::parse(json::dump(v)) == v);
}

TEST_CASE("json: the parser keeps Python's int/float distinction and accepts Infinity/NaN", "[report]") {
  const json::value v = json::parse(" [1, -2, 1.0, 1e3, 2E-2, Infinity, -Infinity, NaN, 9223372036854775807] ");
  REQUIRE(v.size() == 9);
  CHECK(v[0].is_int());
  CHECK(v[0].as_int() == 1);
  CHECK(v[1].as_int() == -2);
  CHECK(v[2].is_double());
  CHECK(v[3].is_double());
  CHECK(v[3].as_double() == 1000.0);
  CHECK(v[4].as_double() == 0.02);
  CHECK(v[5].as_double() == std::numeric_limits<double>::infinity());
  CHECK(v[6].as_double() == -std::numeric_limits<double>::infinity());
  CHECK(std::isnan(v[7].as_double()));
  CHECK(v[8].as_int() == std::numeric_limits<std::int64_t>::max());
  // Beyond int64 an integer becomes the nearest double (Python would keep a big int).
  CHECK(json::parse("18446744073709551616").as_double() == 18446744073709551616.0);
  // An int is not equal to the same value as a float: the distinction is what reports show.
  CHECK_FALSE(json::parse("1") == json::parse("1.0"));
}

TEST_CASE("json: malformed text throws parse_error naming the position", "[report]") {
  using Catch::Matchers::Contains;
  CHECK_THROWS_AS(json::parse("[1, 2"), json::parse_error);
  CHECK_THROWS_WITH(json::parse("[1, 2"), Contains("offset 5"));
  CHECK_THROWS_WITH(json::parse("{\"a\" 1}"), Contains("expected ':'"));
  CHECK_THROWS_WITH(json::parse("[1] x"), Contains("trailing characters"));
  CHECK_THROWS_WITH(json::parse("[01x]"), Contains("expected ',' or ']'"));
  CHECK_THROWS_WITH(json::parse("\"abc"), Contains("unterminated string"));
  CHECK_THROWS_WITH(json::parse("tru"), Contains("unexpected character"));
  CHECK_THROWS_AS(json::parse("[1]")["key"], json::parse_error);
  CHECK_THROWS_WITH(json::parse("{}")["cost"], Contains("missing key \"cost\""));
  CHECK_THROWS_AS(json::parse("\"x\"").as_int(), json::parse_error);
  CHECK_THROWS_AS(json::parse(std::string(600, '[') + std::string(600, ']')), json::parse_error);
}

TEST_CASE("json: golden files round-trip to the same text", "[report]") {
  // Each golden was written by Python's json.dump(obj, f, indent=1) plus a newline
  // (shared/reference/golden/README.md); parsing and dumping must give the same bytes.
  const char* files[] = {
      "golden/layers/conv_c16_m32_o28_f3__n2x2_a8x8_r64_g32k__exh-bufshr_b4_ge.json",
      "golden/layers/conv_c512_m512_o14_f3__n4x4_a16x16_r512_g128k__perlayer_b16_ge_top3.json",
      "golden/layers/conv_c64_m192_o28_f3__n4x4_a16x16_r512_g128k__accfwd_b16_ge_mem3D.json",
      "golden/layers/pool_m48_o27_r3_s2__n2x2_a8x8_r64_g32k__perlayer_b16_ge.json",
      "golden/layers/eltwise_m512_o1_n2__n2x2_a8x8_r64_g32k__accfwd_b64_ge.json",
  };
  for (const char* f : files) {
    INFO(f);
    const std::string text = bp_test::read_data(f);
    const json::value v = json::parse(text);
    REQUIRE(v.is_object());
    CHECK(json::dump(v, 1) + "\n" == text);
  }
  // And a value from one of them, to be sure the parse is not vacuous.
  const json::value v = json::parse(bp_test::read_data(files[0]));
  CHECK(v["result"]["total_time"].as_int() == 86016);
  CHECK(v["result"]["total_cost"].as_double() == 114188288.0);
  CHECK(v["result"]["resource"]["array_bus_width"].as_double() == std::numeric_limits<double>::infinity());
}
