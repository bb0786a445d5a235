// bufferprospector/core/format.hpp -- small text formatting without <format>.
//
// python_repr(double) prints a double exactly as Python's repr() does (shortest round-trip
// digits; fixed notation for decimal exponents in [-4, 16), scientific otherwise), because the
// reports must be byte-compatible with Tangram's Python output. fixed(x, width, prec) is printf's
// "%*.*f" (the same correctly rounded result as Python's "{:W.Pf}").
#pragma once

#include <array>         // std::array
#include <charconv>      // std::to_chars
#include <cmath>         // std::isnan, std::isinf
#include <cstdint>       // std::int64_t
#include <cstdio>        // std::snprintf
#include <string>        // std::string
#include <string_view>   // std::string_view
#include <system_error>  // std::errc

namespace bp {

/// Python's repr() of a float: "1.0", "0.1", "1e+16", "1.5e-05", "inf", "nan".
inline std::string python_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  std::array<char, 64> buf{};
  auto res = std::to_chars(buf.data(), buf.data() + buf.size(), value,
                           std::chars_format::scientific);
  std::string_view sci(buf.data(), static_cast<std::size_t>(res.ptr - buf.data()));
  // sci is "[-]d[.ddd]e[+-]XX": split into sign, digits and decimal exponent.
  std::string out;
  if (!sci.empty() && sci.front() == '-') {
    out.push_back('-');
    sci.remove_prefix(1);
  }
  const auto epos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, epos))
    if (c != '.') digits.push_back(c);
  int exp10 = 0;
  std::from_chars(sci.data() + epos + 1 + (sci[epos + 1] == '+' ? 1 : 0), sci.data() + sci.size(),
                  exp10);
  const int decpt = exp10 + 1;  // value = 0.DIGITS * 10^decpt
  const int ndigits = static_cast<int>(digits.size());
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) {
      out += "0.";
      out.append(static_cast<std::size_t>(-decpt), '0');
      out += digits;
    } else if (decpt >= ndigits) {
      out += digits;
      out.append(static_cast<std::size_t>(decpt - ndigits), '0');
      out += ".0";
    } else {
      out += digits.substr(0, static_cast<std::size_t>(decpt));
      out += '.';
      out += digits.substr(static_cast<std::size_t>(decpt));
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (ndigits > 1) {
    out += '.';
    out += digits.substr(1);
  }
  const int e = decpt - 1;
  out += e < 0 ? "e-" : "e+";
  const int ae = e < 0 ? -e : e;
  if (ae < 10) out += '0';
  out += std::to_string(ae);
  return out;
}

/// printf("%*.*f"): right-aligned fixed-point, "nan"/"inf" as C and Python print them.
inline std::string fixed(double value, int width, int precision) {
  std::array<char, 512> buf{};
  const int n = std::snprintf(buf.data(), buf.size(), "%*.*f", width, precision, value);
  return std::string(buf.data(), n > 0 ? static_cast<std::size_t>(n) : 0);
}

/// Python's repr of a pair of ints, "(h, w)". Built by appending: GCC 12 reports a false
/// -Wrestrict for `"(" + std::to_string(...)` at -O3.
inline std::string tuple_repr(std::int64_t a, std::int64_t b) {
  std::string out("(");
  out += std::to_string(a);
  out += ", ";
  out += std::to_string(b);
  out += ')';
  return out;
}

/// Left-aligned text padded with spaces to `width` (never truncated), as Python's "{:Ws}".
inline std::string pad_right(std::string_view text, std::size_t width) {
  std::string out(text);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out;
}

}  // namespace bp
