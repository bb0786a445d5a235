// tests/experiments/test_csv_svg.cpp -- report/csv.hpp (RFC 4180 quoting, exact numbers, reading
// back) and report/svg.hpp (well-formed documents with what the plots must show).
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <bufferprospector/core/math.hpp>
#include <bufferprospector/report/csv.hpp>
#include <bufferprospector/report/svg.hpp>

namespace {

using Catch::Matchers::Contains;

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("csv: cells are quoted only when needed and read back unchanged", "[experiments]") {
  bp::csv_table t({"name", "value", "note"});
  t.add_row({"plain", bp::csv_table::cell(std::int64_t{-42}), ""});
  t.add_row({"a,b", bp::csv_table::cell(0.1), "say \"hi\""});
  t.add_row({"two\nlines", bp::csv_table::cell(bp::inf), bp::csv_table::cell(std::optional<double>{})});
  t.add_row({"big", bp::csv_table::cell(78348113984.0), bp::csv_table::cell(std::optional<double>{1.25})});
  const std::string text = t.str();
  CHECK(text ==
        "name,value,note\n"
        "plain,-42,\n"
        "\"a,b\",0.1,\"say \"\"hi\"\"\"\n"
        "\"two\nlines\",inf,\n"
        "big,78348113984.0,1.25\n");
  const bp::csv_table back = bp::csv_table::parse(text);
  CHECK(back.header() == t.header());
  CHECK(back.rows() == t.rows());
  CHECK(back.at(1, "note") == "say \"hi\"");
  CHECK(std::stod(back.at(1, "value")) == 0.1);  // shortest repr reads back exactly
  CHECK(bp::csv_table::parse("a,b\r\n1,2\r\n").rows() == std::vector<bp::csv_table::row>{{"1", "2"}});
}

TEST_CASE("csv: ragged rows, unknown columns and broken quotes are errors", "[experiments]") {
  bp::csv_table t({"a", "b"});
  CHECK_THROWS_AS(t.add_row({"1"}), bp::invalid_option);
  CHECK_THROWS_WITH(t.add_row({"1", "2", "3"}), Contains("row 1 has 3 cells, the header 2"));
  CHECK_THROWS_WITH(t.column("c"), Contains("no column 'c'"));
  CHECK_THROWS_WITH(bp::csv_table::parse("a,b\n\"1,2\n"), Contains("unterminated"));
  CHECK_THROWS_AS(bp::csv_table::parse("a,b\n1\n"), bp::invalid_option);
}

TEST_CASE("svg: a heatmap has one cell per core and panel, labelled in percent", "[experiments]") {
  std::vector<double> before(4 * 4, 0.25), after(4 * 4, 0.5);
  after[5] = 1.2;  // an overcommitted core (the "ideal" bound) is drawn red
  const std::string s = bp::svg::heatmap("net <a&b>", {{"before", 4, 4, before}, {"after", 4, 4, after}});
  CHECK(s.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
  CHECK(s.find("</svg>\n") == s.size() - 7);
  CHECK_THAT(s, Contains("net &lt;a&amp;b&gt;"));  // escaped
  CHECK(count(s, "stroke=\"#888888\"") == 2 * 16 + 11);  // cells + the 11-step colour scale
  CHECK(count(s, ">25</text>") == 16);
  CHECK(count(s, ">50</text>") == 15);
  CHECK(count(s, "fill=\"#d62728\"") == 1);
}

TEST_CASE("svg: bars skip missing values and draw the reference line; lines break at gaps", "[experiments]") {
  const std::string b = bp::svg::bar_chart("Speedup", "speedup", {"n1", "n2", "n3"},
                                           {{"m1", {1.0, 2.0, std::nullopt}}, {"m2", {1.5, std::nullopt, 0.5}}}, 1.0);
  CHECK(count(b, "<rect") == 1 + 4 + 2);  // background, 4 bars, 2 legend swatches
  CHECK(count(b, "stroke-dasharray") == 1);
  CHECK_THAT(b, Contains(">n3</text>"));
  const std::string l = bp::svg::line_chart("DSE", "gbuf", "energy", {"32k", "64k", "128k", "256k"},
                                            {{"a", {1.0, 0.9, std::nullopt, 0.8}}, {"b", {1.0, 1.0, 1.0, 1.0}}});
  CHECK(count(l, "<circle") == 7);
  CHECK(count(l, "<polyline") == 2);  // a: one run of two points (the lone last point has no line), b: one
  CHECK_THAT(l, Contains(">128k</text>"));
}
