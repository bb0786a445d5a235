// examples/bp_exp/gather.hpp -- `bp-exp data DIR`: gathers every finished run (a .dat exists) of
// DIR/01_overall and DIR/02_DSE into DIR/res.csv, writes the SVG plots beside it and returns the
// summary table (report/results_table.hpp).
#pragma once

#include <algorithm>   // std::sort
#include <filesystem>  // std::filesystem
#include <string>      // std::string
#include <vector>      // std::vector

#include <bufferprospector/report/json.hpp>           // bp::json::parse
#include <bufferprospector/report/results_table.hpp>  // bp::result_row, bp::results_csv, bp::summary_table

#include "runner.hpp"  // bp_exp::read_text, bp_exp::write_atomically

namespace bp_exp {

struct gathered {
  std::vector<bp::result_row> rows;
  std::vector<std::string> warnings;  ///< finished runs whose .json could not be read
  std::vector<std::string> files;     ///< written, relative to DIR
};

/// The finished runs of `dir`, sorted and compared with their tangram rows.
inline gathered gather_runs(const fs::path& dir) {
  gathered g;
  for (const char* sub : {"01_overall", "02_DSE"}) {
    const fs::path d = dir / sub;
    if (!fs::is_directory(d)) continue;
    std::vector<fs::path> dats;
    for (const auto& e : fs::directory_iterator(d))
      if (e.is_regular_file() && e.path().extension() == ".dat") dats.push_back(e.path());
    std::sort(dats.begin(), dats.end());
    for (const fs::path& dat : dats) {
      fs::path json = dat;
      json.replace_extension(".json");
      try {
        g.rows.push_back(bp::result_row_from_json(bp::json::parse(read_text(json))));
      } catch (const std::exception& e) {
        g.warnings.push_back(json.string() + ": " + e.what());
      }
    }
  }
  bp::compare_with_tangram(g.rows);
  return g;
}

/// Gathers `dir` and writes res.csv and the plots there.
inline gathered write_results(const fs::path& dir) {
  gathered g = gather_runs(dir);
  write_atomically(dir / "res.csv", bp::results_csv(g.rows).str());
  g.files.push_back("res.csv");
  for (const bp::chart_file& c : bp::result_charts(g.rows)) {
    write_atomically(dir / c.name, c.svg);
    g.files.push_back(c.name);
  }
  return g;
}

}  // namespace bp_exp
