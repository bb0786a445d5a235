// bufferprospector/report/svg.hpp -- small self-contained SVG charts for the experiment reports:
// a mesh heatmap (per-core buffer utilization), grouped bars (speedup, energy gain per workload)
// and lines over a categorical axis (design-space curves). Each function returns the whole
// document as text; the caller writes it where it wants.
//
//   std::string s = bp::svg::heatmap("resnet50: GBUF use", {{"before", 8, 8, before}, {"after", 8, 8, after}});
//   std::string b = bp::svg::bar_chart("Speedup vs tangram", "speedup", nets, {{"bp_intra", values}}, 1.0);
//   std::string l = bp::svg::line_chart("GBUF size", "gbuf", "energy / tangram", {"32k", "64k"}, series);
//
// Missing values (std::nullopt) are left out: no bar, a gap in the line. No scripts, no external
// fonts or styles: the files open in any browser.
#pragma once

#include <algorithm>    // std::max, std::min
#include <cmath>        // std::floor, std::log10, std::pow, std::ceil, std::isfinite
#include <cstddef>      // std::size_t
#include <cstdint>      // std::int64_t
#include <cstdio>       // std::snprintf
#include <optional>     // std::optional
#include <tuple>        // std::tie
#include <utility>      // std::pair
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

namespace bp::svg {

/// One mesh of values in [0, 1], row-major (rows x cols).
struct heatmap_panel {
  std::string title;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<double> values;
};

/// One bar per group for a named series (method).
struct bar_series {
  std::string name;
  std::vector<std::optional<double>> values;  ///< one per group
};

/// One line: a y value per x label.
struct line_series {
  std::string name;
  std::vector<std::optional<double>> values;  ///< one per x label
};

namespace detail {

/// Distinguishable colours (Okabe-Ito, then greys), by series index.
inline std::string_view colour(std::size_t i) {
  constexpr std::string_view palette[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00",
                                          "#56B4E9", "#F0E442", "#000000", "#999999", "#666666"};
  return palette[i % (sizeof palette / sizeof palette[0])];
}

inline std::string num(double v, int precision = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", precision, v);
  return buf;
}

inline std::string escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

/// An SVG document under construction.
class document {
 public:
  document(double width, double height) {
    out_ = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width, 0) + "\" height=\"" + num(height, 0) +
           "\" viewBox=\"0 0 " + num(width, 0) + " " + num(height, 0) +
           "\" font-family=\"sans-serif\" font-size=\"12\">\n";
    rect(0, 0, width, height, "#ffffff");
  }
  void rect(double x, double y, double w, double h, std::string_view fill, std::string_view stroke = {}) {
    out_ += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" + num(h) +
            "\" fill=\"" + std::string(fill) + "\"";
    if (!stroke.empty()) out_ += " stroke=\"" + std::string(stroke) + "\"";
    out_ += "/>\n";
  }
  void line(double x1, double y1, double x2, double y2, std::string_view stroke, double width = 1,
            bool dashed = false) {
    out_ += "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) +
            "\" stroke=\"" + std::string(stroke) + "\" stroke-width=\"" + num(width) + "\"" +
            (dashed ? " stroke-dasharray=\"4 3\"" : "") + "/>\n";
  }
  /// Text at (x, y), turned `degrees` counter-clockwise around that point.
  void text(double x, double y, std::string_view s, std::string_view anchor = "start", int size = 12,
            int degrees = 0) {
    out_ += "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + std::string(anchor) + "\"";
    if (size != 12) out_ += " font-size=\"" + std::to_string(size) + "\"";
    if (degrees != 0) out_ += " transform=\"rotate(" + std::to_string(-degrees) + " " + num(x) + " " + num(y) + ")\"";
    out_ += ">" + escape(s) + "</text>\n";
  }
  void polyline(const std::vector<std::pair<double, double>>& pts, std::string_view stroke) {
    if (pts.size() < 2) return;
    out_ += "<polyline fill=\"none\" stroke=\"" + std::string(stroke) + "\" stroke-width=\"2\" points=\"";
    for (const auto& [x, y] : pts) out_ += num(x) + "," + num(y) + " ";
    out_ += "\"/>\n";
  }
  void circle(double x, double y, double r, std::string_view fill) {
    out_ += "<circle cx=\"" + num(x) + "\" cy=\"" + num(y) + "\" r=\"" + num(r) + "\" fill=\"" + std::string(fill) +
            "\"/>\n";
  }
  std::string finish() { return out_ + "</svg>\n"; }

 private:
  std::string out_;
};

/// White (0) to dark blue (1); values above 1 (an overcommitted "ideal" core) in red.
inline std::string heat_colour(double v) {
  if (!(v <= 1.0)) return "#d62728";
  v = std::max(0.0, v);
  const auto mix = [v](int lo, int hi) { return static_cast<int>(lo + (hi - lo) * v + 0.5); };
  char buf[16];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", mix(255, 8), mix(255, 48), mix(255, 107));
  return buf;
}

/// A "nice" axis maximum and step (1, 2 or 5 times a power of ten) covering [0, top].
inline std::pair<double, double> axis(double top) {
  if (!(top > 0) || !std::isfinite(top)) top = 1;
  const double raw = top / 5;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (const double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  return {std::ceil(top / step) * step, step};
}

inline std::string tick_text(double v, double step) { return num(v, step >= 1 ? 0 : step >= 0.1 ? 1 : 2); }

// The frame, y grid and y labels of a chart; returns the y of a value.
struct plot_area {
  double left = 70, top = 40, width = 0, height = 260;
  double y_max = 1, y_step = 0.2;
  double y_of(double v) const { return top + height - height * std::min(v, y_max) / y_max; }
  void draw_axes(document& d, std::string_view y_label) const {
    for (double v = 0; v <= y_max + y_step / 2; v += y_step) {
      d.line(left, y_of(v), left + width, y_of(v), "#dddddd");
      d.text(left - 6, y_of(v) + 4, tick_text(v, y_step), "end", 11);
    }
    d.line(left, top, left, top + height, "#000000");
    d.line(left, top + height, left + width, top + height, "#000000");
    d.text(18, top + height / 2, y_label, "middle", 12, /*degrees=*/90);
  }
};

inline double max_of(const std::vector<std::optional<double>>& values, double start) {
  for (const auto& v : values)
    if (v && std::isfinite(*v)) start = std::max(start, *v);
  return start;
}

inline void legend(document& d, double x, double y, const std::vector<std::string>& names) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    d.rect(x, y + 18.0 * static_cast<double>(i) - 10, 12, 12, colour(i));
    d.text(x + 18, y + 18.0 * static_cast<double>(i), names[i]);
  }
}

}  // namespace detail

/// Side-by-side meshes of per-core values in [0, 1], each cell labelled with its percentage.
inline std::string heatmap(std::string_view title, const std::vector<heatmap_panel>& panels) {
  constexpr double margin = 30, gap = 40, title_h = 50;
  double cell = 36;
  std::int64_t max_rows = 1, total_cols = 0;
  for (const auto& p : panels) {
    max_rows = std::max(max_rows, p.rows);
    total_cols += p.cols;
  }
  if (total_cols * cell > 900) cell = std::max(10.0, 900.0 / static_cast<double>(total_cols));
  // Wide enough for the title too (about 7.5 px per character at 14 px).
  const double width = std::max(2 * margin + cell * static_cast<double>(total_cols) +
                                    gap * static_cast<double>(panels.empty() ? 0 : panels.size() - 1),
                                2 * margin + 7.5 * static_cast<double>(title.size()));
  const double height = title_h + cell * static_cast<double>(max_rows) + 60;
  detail::document d(std::max(width, 360.0), height);
  d.text(margin, 24, title, "start", 14);
  double x0 = margin;
  for (const auto& p : panels) {
    d.text(x0, title_h - 8, p.title);
    for (std::int64_t r = 0; r < p.rows; ++r)
      for (std::int64_t c = 0; c < p.cols; ++c) {
        const auto i = static_cast<std::size_t>(r * p.cols + c);
        const double v = i < p.values.size() ? p.values[i] : 0;
        const double x = x0 + cell * static_cast<double>(c), y = title_h + cell * static_cast<double>(r);
        d.rect(x, y, cell, cell, detail::heat_colour(v), "#888888");
        if (cell >= 24) d.text(x + cell / 2, y + cell / 2 + 4, detail::num(100 * v, 0), "middle", 10);
      }
    x0 += cell * static_cast<double>(p.cols) + gap;
  }
  // Colour scale.
  const double sy = title_h + cell * static_cast<double>(max_rows) + 20;
  for (int k = 0; k <= 10; ++k) d.rect(margin + 20.0 * k, sy, 20, 12, detail::heat_colour(k / 10.0), "#888888");
  d.text(margin, sy + 28, "0%");
  d.text(margin + 220, sy + 28, "100% of the core's GBUF", "end");
  return d.finish();
}

/// Grouped bars: one group per label, one bar per series; a dashed line at `reference` (e.g. 1.0
/// = tangram) when given.
inline std::string bar_chart(std::string_view title, std::string_view y_label, const std::vector<std::string>& groups,
                             const std::vector<bar_series>& series, std::optional<double> reference = std::nullopt) {
  double top = reference.value_or(0);
  for (const auto& s : series) top = detail::max_of(s.values, top);
  detail::plot_area a;
  std::tie(a.y_max, a.y_step) = detail::axis(top * 1.05);
  const double bar_w = 14, group_gap = 24;
  const double group_w =
      std::max(48.0, bar_w * static_cast<double>(std::max<std::size_t>(series.size(), 1)) + group_gap);
  a.width = std::max(200.0, group_w * static_cast<double>(groups.size()));
  const double legend_x = a.left + a.width + 20;
  std::size_t longest = 0;  // group labels are turned 45 degrees below the axis
  for (const auto& g : groups) longest = std::max(longest, g.size());
  detail::document d(legend_x + 200, a.top + a.height + 30 + 5.5 * static_cast<double>(longest));
  d.text(a.left, 24, title, "start", 14);
  a.draw_axes(d, y_label);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const double gx = a.left + group_gap / 2 + group_w * static_cast<double>(g);
    for (std::size_t s = 0; s < series.size(); ++s) {
      if (g >= series[s].values.size() || !series[s].values[g] || !std::isfinite(*series[s].values[g])) continue;
      const double v = *series[s].values[g];
      const double y = a.y_of(v);
      d.rect(gx + bar_w * static_cast<double>(s), y, bar_w - 2, a.top + a.height - y, detail::colour(s));
    }
    const double cx = gx + bar_w * static_cast<double>(series.size()) / 2;
    d.text(cx, a.top + a.height + 14, groups[g], "end", 11, /*degrees=*/45);
  }
  if (reference) d.line(a.left, a.y_of(*reference), a.left + a.width, a.y_of(*reference), "#333333", 1, true);
  std::vector<std::string> names;
  for (const auto& s : series) names.push_back(s.name);
  detail::legend(d, legend_x, a.top + 10, names);
  return d.finish();
}

/// Lines over categorical x labels, with a dot per value; a dashed line at `reference`.
inline std::string line_chart(std::string_view title, std::string_view x_label, std::string_view y_label,
                              const std::vector<std::string>& x_labels, const std::vector<line_series>& series,
                              std::optional<double> reference = std::nullopt) {
  double top = reference.value_or(0);
  for (const auto& s : series) top = detail::max_of(s.values, top);
  detail::plot_area a;
  std::tie(a.y_max, a.y_step) = detail::axis(top * 1.05);
  const double step_x = 80;
  a.width = std::max(240.0, step_x * static_cast<double>(x_labels.size()));
  const double legend_x = a.left + a.width + 20;
  detail::document d(legend_x + 260, a.top + a.height + 70);
  d.text(a.left, 24, title, "start", 14);
  a.draw_axes(d, y_label);
  const auto x_of = [&](std::size_t i) { return a.left + step_x / 2 + step_x * static_cast<double>(i); };
  for (std::size_t i = 0; i < x_labels.size(); ++i) d.text(x_of(i), a.top + a.height + 16, x_labels[i], "middle", 11);
  d.text(a.left + a.width / 2, a.top + a.height + 40, x_label, "middle");
  if (reference) d.line(a.left, a.y_of(*reference), a.left + a.width, a.y_of(*reference), "#333333", 1, true);
  for (std::size_t s = 0; s < series.size(); ++s) {
    std::vector<std::pair<double, double>> run;  // consecutive present values form one polyline
    for (std::size_t i = 0; i <= x_labels.size(); ++i) {
      const bool present = i < x_labels.size() && i < series[s].values.size() && series[s].values[i] &&
                           std::isfinite(*series[s].values[i]);
      if (present) {
        const std::pair<double, double> p{x_of(i), a.y_of(*series[s].values[i])};
        run.push_back(p);
        d.circle(p.first, p.second, 3, detail::colour(s));
      } else {
        d.polyline(run, detail::colour(s));
        run.clear();
      }
    }
  }
  std::vector<std::string> names;
  for (const auto& s : series) names.push_back(s.name);
  detail::legend(d, legend_x, a.top + 10, names);
  return d.finish();
}

}  // namespace bp::svg
