// bufferprospector/report/json.hpp -- a small JSON value, a writer that prints byte for byte what
// Python's json.dump prints, and a tolerant parser.
//
//   bp::json::value v = bp::json::value::object();
//   v.set("total_cost", 114188288.0);          // a float: printed as Python's repr, "114188288.0"
//   v.set("total_time", std::int64_t{86016});   // an int: printed as "86016"
//   v.set("dram_bandwidth", bp::inf);           // printed as "Infinity", as Python does
//   std::string text = bp::json::dump(v);       // json.dump(v, indent=2)
//   bp::json::value back = bp::json::parse(text);
//
// Why not a library: the reports must equal Tangram's output text (key order, Python's int/float
// distinction, float repr, Infinity/NaN, ensure_ascii escapes), and the library takes no
// dependencies. Objects keep insertion order (Python's OrderedDict / dict).
#pragma once

#include <charconv>     // std::from_chars
#include <cmath>        // std::isnan, std::isinf
#include <cstdint>      // std::int64_t
#include <limits>       // std::numeric_limits
#include <string>       // std::string
#include <system_error>  // std::errc
#include <string_view>  // std::string_view
#include <type_traits>  // std::is_integral_v
#include <utility>      // std::move
#include <vector>       // std::vector

#include <bufferprospector/core/error.hpp>   // bp::error
#include <bufferprospector/core/format.hpp>  // bp::python_repr

namespace bp::json {

/// Malformed JSON text, or a value used as the wrong kind (message names the position or key).
class parse_error : public error {
 public:
  using error::error;
};

enum class kind : std::uint8_t { null, boolean, integer, number, string, array, object };

/// One JSON value. Arrays and objects own their elements; objects keep insertion order.
class value {
 public:
  value() noexcept = default;
  value(std::nullptr_t) noexcept {}                                    // NOLINT: implicit by design
  value(bool b) noexcept : kind_(kind::boolean), int_(b ? 1 : 0) {}    // NOLINT
  template <class I>
    requires(std::is_integral_v<I> && !std::is_same_v<I, bool> && !std::is_same_v<I, char>)
  value(I i) noexcept : kind_(kind::integer), int_(static_cast<std::int64_t>(i)) {}  // NOLINT
  value(double d) noexcept : kind_(kind::number), num_(d) {}           // NOLINT
  value(const char* s) : kind_(kind::string), str_(s) {}               // NOLINT
  value(std::string_view s) : kind_(kind::string), str_(s) {}          // NOLINT
  value(std::string s) noexcept : kind_(kind::string), str_(std::move(s)) {}  // NOLINT

  static value array() {
    value v;
    v.kind_ = kind::array;
    return v;
  }
  static value array(std::vector<value> elems) {
    value v = array();
    v.elems_ = std::move(elems);
    return v;
  }
  static value object() {
    value v;
    v.kind_ = kind::object;
    return v;
  }

  // -- kind ---------------------------------------------------------------------------------
  kind type() const noexcept { return kind_; }
  bool is_null() const noexcept { return kind_ == kind::null; }
  bool is_bool() const noexcept { return kind_ == kind::boolean; }
  bool is_int() const noexcept { return kind_ == kind::integer; }
  bool is_double() const noexcept { return kind_ == kind::number; }
  bool is_number() const noexcept { return is_int() || is_double(); }
  bool is_string() const noexcept { return kind_ == kind::string; }
  bool is_array() const noexcept { return kind_ == kind::array; }
  bool is_object() const noexcept { return kind_ == kind::object; }

  // -- scalars --------------------------------------------------------------------------------
  bool as_bool() const {
    expect(kind::boolean, "a bool");
    return int_ != 0;
  }
  std::int64_t as_int() const {
    expect(kind::integer, "an int");
    return int_;
  }
  /// Any number as a double (an int converts, as Python's float(x)).
  double as_double() const {
    if (kind_ == kind::integer) return static_cast<double>(int_);
    expect(kind::number, "a number");
    return num_;
  }
  const std::string& as_string() const {
    expect(kind::string, "a string");
    return str_;
  }

  // -- arrays and objects ---------------------------------------------------------------------
  /// Number of elements (array) or members (object); 0 for scalars.
  std::size_t size() const noexcept { return elems_.size(); }

  void push_back(value v) {
    expect(kind::array, "an array");
    elems_.push_back(std::move(v));
  }
  const value& operator[](std::size_t i) const {
    if (kind_ != kind::array && kind_ != kind::object) expect(kind::array, "an array");
    if (i >= elems_.size())
      throw parse_error("JSON: index " + std::to_string(i) + " out of range (size " +
                        std::to_string(elems_.size()) + ")");
    return elems_[i];
  }
  /// Elements of an array, or member values of an object (in order).
  const std::vector<value>& elements() const noexcept { return elems_; }
  /// Member names of an object, in order.
  const std::vector<std::string>& keys() const noexcept { return keys_; }

  /// Sets a member: replaces the value of an existing key in place, else appends.
  value& set(std::string_view key, value v) {
    expect(kind::object, "an object");
    for (std::size_t i = 0; i < keys_.size(); ++i)
      if (keys_[i] == key) return elems_[i] = std::move(v);
    keys_.emplace_back(key);
    elems_.push_back(std::move(v));
    return elems_.back();
  }
  /// The member `key`, or nullptr.
  const value* find(std::string_view key) const noexcept {
    if (kind_ != kind::object) return nullptr;
    for (std::size_t i = 0; i < keys_.size(); ++i)
      if (keys_[i] == key) return &elems_[i];
    return nullptr;
  }
  bool contains(std::string_view key) const noexcept { return find(key) != nullptr; }
  /// The member `key`; throws parse_error naming the key when it is missing.
  const value& operator[](std::string_view key) const {
    expect(kind::object, "an object");
    const value* v = find(key);
    if (!v) throw parse_error("JSON: missing key \"" + std::string(key) + "\"");
    return *v;
  }

  /// Structural equality; an int never equals a double (the distinction is what we test).
  friend bool operator==(const value& a, const value& b) {
    if (a.kind_ != b.kind_) return false;
    switch (a.kind_) {
      case kind::null: return true;
      case kind::boolean:
      case kind::integer: return a.int_ == b.int_;
      case kind::number:
        return a.num_ == b.num_ || (std::isnan(a.num_) && std::isnan(b.num_));
      case kind::string: return a.str_ == b.str_;
      case kind::array:
      case kind::object: return a.keys_ == b.keys_ && a.elems_ == b.elems_;
    }
    return false;
  }

 private:
  void expect(kind k, const char* what) const {
    if (kind_ != k) throw parse_error(std::string("JSON: value is not ") + what);
  }

  kind kind_ = kind::null;
  std::int64_t int_ = 0;
  double num_ = 0;
  std::string str_;
  std::vector<value> elems_;      // array elements or object member values
  std::vector<std::string> keys_;  // object member names, parallel to elems_
};

//
// Writer
//

namespace detail {

inline void append_hex4(std::string& out, unsigned v) {
  constexpr char digits[] = "0123456789abcdef";
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out.push_back(digits[(v >> shift) & 0xf]);
}

/// Python's json string encoding with ensure_ascii=True: UTF-8 input, non-ASCII as \uXXXX
/// (surrogate pairs above the BMP). Invalid UTF-8 bytes are written as U+FFFD.
inline void append_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20 || c == 0x7f) append_hex4(out, c);
          else out.push_back(static_cast<char>(c));
      }
      ++i;
      continue;
    }
    // Decode one UTF-8 sequence.
    const int len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    unsigned cp = 0xfffd;
    std::size_t used = 1;
    if (len > 0 && i + static_cast<std::size_t>(len) <= s.size()) {
      unsigned v = c & (0x7fu >> len);
      bool ok = true;
      for (int k = 1; k < len; ++k) {
        const auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
        ok = ok && (cc & 0xc0) == 0x80;
        v = (v << 6) | (cc & 0x3f);
      }
      if (ok) {
        cp = v;
        used = static_cast<std::size_t>(len);
      }
    }
    if (cp >= 0x10000) {
      const unsigned u = cp - 0x10000;
      append_hex4(out, 0xd800 + (u >> 10));
      append_hex4(out, 0xdc00 + (u & 0x3ff));
    } else {
      append_hex4(out, cp);
    }
    i += used;
  }
  out.push_back('"');
}

/// A float as Python's json module prints it.
inline std::string number_text(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  return python_repr(d);
}

inline void newline(std::string& out, int indent, int depth) {
  out.push_back('\n');
  out.append(static_cast<std::size_t>(indent) * static_cast<std::size_t>(depth), ' ');
}

inline void write(std::string& out, const value& v, int indent, int depth) {
  switch (v.type()) {
    case kind::null: out += "null"; return;
    case kind::boolean: out += v.as_bool() ? "true" : "false"; return;
    case kind::integer: out += std::to_string(v.as_int()); return;
    case kind::number: out += number_text(v.as_double()); return;
    case kind::string: append_string(out, v.as_string()); return;
    case kind::array:
    case kind::object: break;
  }
  const bool is_obj = v.is_object();
  const auto& elems = v.elements();
  if (elems.empty()) {
    out += is_obj ? "{}" : "[]";
    return;
  }
  out.push_back(is_obj ? '{' : '[');
  for (std::size_t i = 0; i < elems.size(); ++i) {
    // Python: item separator "," with an indent (newline follows), ", " without.
    if (i > 0) out += indent >= 0 ? "," : ", ";
    if (indent >= 0) newline(out, indent, depth + 1);
    if (is_obj) {
      append_string(out, v.keys()[i]);
      out += ": ";
    }
    write(out, elems[i], indent, depth + 1);
  }
  if (indent >= 0) newline(out, indent, depth);
  out.push_back(is_obj ? '}' : ']');
}

}  // namespace detail

/// Python's json.dumps(v, indent=indent); a negative indent is Python's indent=None (one line,
/// ", " and ": " separators). No trailing newline.
inline std::string dump(const value& v, int indent = 2) {
  std::string out;
  detail::write(out, v, indent, 0);
  return out;
}

//
// Parser
//

namespace detail {

class parser {
 public:
  explicit parser(std::string_view text) : s_(text) {}

  value parse_document() {
    value v = parse_value(0);
    skip_ws();
    if (pos_ != s_.size()) fail("trailing characters");
    return v;
  }

 private:
  static constexpr int max_depth = 512;

  [[noreturn]] void fail(const std::string& what) const {
    throw parse_error("JSON: " + what + " at offset " + std::to_string(pos_));
  }

  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t'))
      ++pos_;
  }

  bool consume(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  value parse_value(int depth) {
    if (depth > max_depth) fail("nesting too deep");
    skip_ws();
    if (pos_ >= s_.size()) fail("unexpected end of text");
    const char c = s_[pos_];
    if (c == '{') return parse_object(depth);
    if (c == '[') return parse_array(depth);
    if (c == '"') return value(parse_string());
    if (consume("null")) return value();
    if (consume("true")) return value(true);
    if (consume("false")) return value(false);
    if (consume("NaN")) return value(std::numeric_limits<double>::quiet_NaN());
    if (consume("Infinity")) return value(std::numeric_limits<double>::infinity());
    if (consume("-Infinity")) return value(-std::numeric_limits<double>::infinity());
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number();
    fail(std::string("unexpected character '") + c + "'");
  }

  value parse_object(int depth) {
    ++pos_;  // '{'
    value obj = value::object();
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return obj;
    }
    for (;;) {
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != '"') fail("expected a member name");
      std::string key = parse_string();
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ':') fail("expected ':'");
      ++pos_;
      obj.set(key, parse_value(depth + 1));  // a repeated key keeps the last value, as Python
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        return obj;
      }
      fail("expected ',' or '}'");
    }
  }

  value parse_array(int depth) {
    ++pos_;  // '['
    value arr = value::array();
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return arr;
    }
    for (;;) {
      arr.push_back(parse_value(depth + 1));
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return arr;
      }
      fail("expected ',' or ']'");
    }
  }

  unsigned parse_hex4() {
    if (pos_ + 4 > s_.size()) fail("truncated \\u escape");
    unsigned v = 0;
    for (int k = 0; k < 4; ++k) {
      const char h = s_[pos_++];
      v <<= 4;
      if (h >= '0' && h <= '9') v |= static_cast<unsigned>(h - '0');
      else if (h >= 'a' && h <= 'f') v |= static_cast<unsigned>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') v |= static_cast<unsigned>(h - 'A' + 10);
      else fail("bad \\u escape");
    }
    return v;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  std::string parse_string() {
    ++pos_;  // '"'
    std::string out;
    for (;;) {
      if (pos_ >= s_.size()) fail("unterminated string");
      const char c = s_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= s_.size()) fail("unterminated escape");
      const char e = s_[pos_++];
      switch (e) {
        case '"': out.push_back('"'); break;
        case '\\': out.push_back('\\'); break;
        case '/': out.push_back('/'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          unsigned cp = parse_hex4();
          if (cp >= 0xd800 && cp < 0xdc00 && s_.substr(pos_, 2) == "\\u") {
            const std::size_t save = pos_;
            pos_ += 2;
            const unsigned lo = parse_hex4();
            if (lo >= 0xdc00 && lo < 0xe000) cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            else pos_ = save;
          }
          append_utf8(out, cp);
          break;
        }
        default: fail(std::string("bad escape '\\") + e + "'");
      }
    }
  }

  value parse_number() {
    const std::size_t begin = pos_;
    bool is_float = false;
    if (s_[pos_] == '-') ++pos_;
    const auto digits = [&] {
      const std::size_t from = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      if (pos_ == from) fail("expected a digit");
    };
    digits();
    if (pos_ < s_.size() && s_[pos_] == '.') {
      is_float = true;
      ++pos_;
      digits();
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      is_float = true;
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      digits();
    }
    const char* first = s_.data() + begin;
    const char* last = s_.data() + pos_;
    if (!is_float) {
      // Python keeps integers exact; beyond int64 we fall back to the nearest double.
      std::int64_t i = 0;
      const auto res = std::from_chars(first, last, i);
      if (res.ec == std::errc() && res.ptr == last) return value(i);
    }
    double d = 0;
    const auto res = std::from_chars(first, last, d);  // locale-independent, correctly rounded
    if (res.ec == std::errc::result_out_of_range)
      return value(first[0] == '-' ? -std::numeric_limits<double>::infinity()
                                   : std::numeric_limits<double>::infinity());
    if (res.ec != std::errc()) fail("bad number");
    return value(d);
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace detail

/// Parses JSON text (plus Python's NaN, Infinity, -Infinity). Integers without a fraction or
/// exponent become ints, others doubles, as Python's json.loads. Throws parse_error.
inline value parse(std::string_view text) { return detail::parser(text).parse_document(); }

}  // namespace bp::json
