// Strict numeric command-line options for every LAC tool.
//
// Boost.Program_options reads `po::value<uint32_t>()` with lexical_cast, which
// takes "-5" and wraps it to 4294967291, and silently accepts "1e3" for floats
// in some forms and "nan". Every numeric option of lac-compile and lac-run is
// declared through this header instead:
//
//   ("max-gen-len", cli::number<uint32_t>(), "...")                // any uint32
//   ("threads", cli::number<int>(0, 4096)->default_value(0), "...") // a range
//   ("top-p", cli::number<float>(), "...")                         // finite float
//   uint32_t n = cli::get<uint32_t>(vm, "max-gen-len");
//
// A value that is not a number of that type, a negative number for an
// unsigned option, or a value outside [min, max] makes po::store throw a
// po::error whose one-line message names the option, the value and the range
// (the tools print it and exit with 2).
#pragma once

#include <boost/program_options.hpp>

#include <charconv>
#include <cmath>
#include <istream>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace lac::cli {

namespace po = boost::program_options;

// The stored value of a strict numeric option; read it with get<T>().
template <class T>
struct Number {
  T value{};
};

template <class T>
std::ostream& operator<<(std::ostream& os, const Number<T>& n) {
  if constexpr (sizeof(T) == 1)
    return os << static_cast<int>(n.value);
  else
    return os << n.value;
}

// Never used for parsing (NumberValue::xparse does that), but Boost's default
// validator, which typed_value instantiates, needs it to exist.
template <class T>
std::istream& operator>>(std::istream& is, Number<T>&) {
  is.setstate(std::ios::failbit);
  return is;
}

// "an integer from 0 to 4294967295", "a finite number", "a number from 0 to 1".
template <class T>
std::string describe(T lo, T hi) {
  std::ostringstream s;
  if constexpr (std::is_integral_v<T>) {
    s << "an integer from " << Number<T>{lo} << " to " << Number<T>{hi};
  } else if (lo == std::numeric_limits<T>::lowest() && hi == std::numeric_limits<T>::max()) {
    s << "a finite number";
  } else if (hi == std::numeric_limits<T>::max()) {
    s << "a number >= " << lo;
  } else {
    s << "a number from " << lo << " to " << hi;
  }
  return s.str();
}

// Parses all of `text` as a T (no sign for unsigned T, no trailing bytes,
// finite for floating point). False on anything else, including overflow.
template <class T>
bool parseStrict(const std::string& text, T& out) {
  if (text.empty()) return false;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (*first == '+') ++first;  // "+3" is a number; from_chars refuses the sign
  if constexpr (std::is_unsigned_v<T>) {
    if (first < last && *first == '-') return false;
  }
  if (first == last) return false;
  std::from_chars_result r;
  if constexpr (std::is_floating_point_v<T>) {
    r = std::from_chars(first, last, out, std::chars_format::general);
    if (r.ec == std::errc() && !std::isfinite(out)) return false;
  } else {
    r = std::from_chars(first, last, out, 10);
  }
  return r.ec == std::errc() && r.ptr == last;
}

// A po::validation_error (so po::store names the option in it) whose text
// also says what the option takes.
class InvalidNumber : public po::validation_error {
 public:
  InvalidNumber(const std::string& value, const std::string& expected)
      : po::validation_error(po::validation_error::invalid_option_value) {
    m_error_template = "the argument '%value%' for option '%canonical_option%' is invalid: expected " + expected;
    set_substitute("value", value);
  }
};

// The semantic behind number<T>(): strict parse, then the range check.
template <class T>
class NumberValue : public po::typed_value<Number<T>> {
 public:
  NumberValue(T lo, T hi) : po::typed_value<Number<T>>(nullptr), lo_(lo), hi_(hi) {}

  void xparse(boost::any& store, const std::vector<std::string>& tokens) const override {
    po::validators::check_first_occurrence(store);
    const std::string& text = po::validators::get_single_string(tokens);
    T v{};
    if (!parseStrict(text, v) || v < lo_ || v > hi_) throw InvalidNumber(text, describe(lo_, hi_));
    store = Number<T>{v};
  }

  // Keeps the range when default_value() returns the base pointer.
  NumberValue* default_value(T v) {
    std::ostringstream s;
    s << Number<T>{v};
    po::typed_value<Number<T>>::default_value(Number<T>{v}, s.str());
    return this;
  }

 private:
  T lo_, hi_;
};

// A strict numeric option in [lo, hi] (default: the whole range of T; for
// floating point, every finite value).
template <class T>
NumberValue<T>* number(T lo = std::numeric_limits<T>::lowest(), T hi = std::numeric_limits<T>::max()) {
  static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>);
  return new NumberValue<T>(lo, hi);
}

// The value of a number<T>() option (it must be present or have a default).
template <class T>
T get(const po::variables_map& vm, const char* name) {
  return vm[name].as<Number<T>>().value;
}

}  // namespace lac::cli
