// bufferprospector/report/csv.hpp -- a small CSV table: build it, print it (RFC 4180), read it back.
//
//   bp::csv_table t({"net", "total_time", "energy"});
//   t.add_row({"resnet50", bp::csv_table::cell(std::int64_t{14165425}), bp::csv_table::cell(1.5e11)});
//   std::string text = t.str();    // "net,total_time,energy\nresnet50,14165425,150000000000.0\n"
//   bp::csv_table back = bp::csv_table::parse(text);  // the same header and cells
//   back.column("total_time");                        // its index; throws bp::invalid_option if absent
//
// Lines end with "\n" (what spreadsheet programs and Python's csv module read back unchanged). A
// cell is quoted only when it holds a comma, a quote or a line break; quotes are doubled. Numbers
// are written so that they read back exactly: ints in decimal, floats as Python's repr, an absent
// value as an empty cell.
#pragma once

#include <cstddef>      // std::size_t
#include <cstdint>      // std::int64_t
#include <optional>     // std::optional
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <utility>      // std::move
#include <vector>       // std::vector

#include <bufferprospector/core/error.hpp>   // bp::invalid_option
#include <bufferprospector/core/format.hpp>  // bp::python_repr

namespace bp {

class csv_table {
 public:
  using row = std::vector<std::string>;

  explicit csv_table(row header) : header_(std::move(header)) {}

  const row& header() const noexcept { return header_; }
  const std::vector<row>& rows() const noexcept { return rows_; }
  std::size_t size() const noexcept { return rows_.size(); }

  /// Appends a row; throws bp::invalid_option unless it has one cell per column.
  void add_row(row r) {
    if (r.size() != header_.size())
      throw invalid_option("csv_table: row " + std::to_string(rows_.size() + 1) + " has " + std::to_string(r.size()) +
                           " cells, the header " + std::to_string(header_.size()));
    rows_.push_back(std::move(r));
  }

  /// The index of a column; throws bp::invalid_option naming it when absent.
  std::size_t column(std::string_view name) const {
    for (std::size_t i = 0; i < header_.size(); ++i)
      if (header_[i] == name) return i;
    throw invalid_option("csv_table: no column '" + std::string(name) + "'");
  }
  /// The cell of row `r` in column `name`.
  const std::string& at(std::size_t r, std::string_view name) const { return rows_.at(r).at(column(name)); }

  // -- cells ------------------------------------------------------------------------------------
  static std::string cell(std::int64_t v) { return std::to_string(v); }
  static std::string cell(double v) { return python_repr(v); }
  static std::string cell(std::string_view s) { return std::string(s); }
  template <class T>
  static std::string cell(const std::optional<T>& v) {
    return v ? cell(*v) : std::string();
  }

  // -- text -------------------------------------------------------------------------------------
  std::string str() const {
    std::string out;
    append_line(out, header_);
    for (const row& r : rows_) append_line(out, r);
    return out;
  }

  /// Reads CSV text (quoted cells, doubled quotes, "\n" or "\r\n" line ends). The first record is
  /// the header. Throws bp::invalid_option for an unterminated quote or a ragged row.
  static csv_table parse(std::string_view text) {
    std::vector<row> records;
    row current;
    std::string cell_text;
    bool in_quotes = false, cell_started = false;
    const auto end_cell = [&] {
      current.push_back(std::move(cell_text));
      cell_text.clear();
      cell_started = false;
    };
    const auto end_record = [&] {
      end_cell();
      records.push_back(std::move(current));
      current.clear();
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (in_quotes) {
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
          cell_text += '"';
          ++i;
        } else if (c == '"') {
          in_quotes = false;
        } else {
          cell_text += c;
        }
      } else if (c == '"') {
        in_quotes = true;
        cell_started = true;
      } else if (c == ',') {
        end_cell();
        cell_started = true;  // a cell follows the comma, even an empty one
      } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
        continue;
      } else if (c == '\n') {
        end_record();
      } else {
        cell_text += c;
        cell_started = true;
      }
    }
    if (in_quotes) throw invalid_option("csv_table: unterminated quoted cell");
    if (cell_started || !cell_text.empty() || !current.empty()) end_record();
    if (records.empty()) throw invalid_option("csv_table: no header");
    csv_table t(std::move(records.front()));
    for (std::size_t r = 1; r < records.size(); ++r) t.add_row(std::move(records[r]));
    return t;
  }

 private:
  static void append_cell(std::string& out, const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) {
      out += s;
      return;
    }
    out += '"';
    for (char c : s) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  static void append_line(std::string& out, const row& r) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (i) out += ',';
      append_cell(out, r[i]);
    }
    out += '\n';
  }

  row header_;
  std::vector<row> rows_;
};

}  // namespace bp
