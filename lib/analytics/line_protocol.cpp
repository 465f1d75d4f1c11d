// SPDX-License-Identifier: Apache-2.0
// Line-protocol encoder matching influxdb-client's Point.to_line_protocol.
#include <dial_analytics/analytics/line_protocol.hpp>

#include "detail/py_format.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

#include <dial_analytics/error.hpp>

namespace dial_analytics {
namespace {

// Characters the reference escapes in measurement names, tag keys/values and field keys.
constexpr std::string_view tag_specials = ",= \n\t\r";
constexpr std::string_view measurement_specials = ", \n\t\r";

void append_escaped(std::string& out, std::string_view text, std::string_view specials) {
  // Fast path (Telegraf's escape.go): nothing to escape, append the whole span.
  std::size_t start = 0;
  for (std::size_t pos = text.find_first_of(specials); pos != std::string_view::npos;
       pos = text.find_first_of(specials, start)) {
    out.append(text.data() + start, pos - start);
    out.push_back('\\');
    switch (text[pos]) {
      case '\n':
        out.push_back('n');
        break;
      case '\t':
        out.push_back('t');
        break;
      case '\r':
        out.push_back('r');
        break;
      default:
        out.push_back(text[pos]);
    }
    start = pos + 1;
  }
  out.append(text.data() + start, text.size() - start);
}

template <typename Integer>
void append_integer(std::string& out, Integer v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out.append(buf, end);
}

// Sorts small arrays of pointers by key without allocating (points have ~20 members).
template <typename T>
const T** sorted_by_key(const std::vector<T>& items, std::array<const T*, 64>& stack,
                        std::vector<const T*>& heap) {
  const T** first;
  if (items.size() <= stack.size()) {
    first = stack.data();
  } else {
    heap.resize(items.size());
    first = heap.data();
  }
  for (std::size_t i = 0; i < items.size(); ++i) first[i] = &items[i];
  std::sort(first, first + items.size(), [](const T* a, const T* b) { return a->key < b->key; });
  return first;
}

bool append_field_value(std::string& out, const field_value& v) {
  switch (v.type) {
    case field_value::kind::integer:
      append_integer(out, v.i);
      out.push_back('i');
      return true;
    case field_value::kind::unsigned_integer:
      append_integer(out, v.u);
      out.push_back('i');
      return true;
    case field_value::kind::floating:
      if (!std::isfinite(v.d)) return false;
      append_field_float(out, v.d);
      return true;
    case field_value::kind::boolean:
      out.append(v.b ? "true" : "false");
      return true;
    case field_value::kind::string:
      out.push_back('"');
      append_escaped_string(out, v.text);
      out.push_back('"');
      return true;
    case field_value::kind::raw:
      out.append(v.text);
      return true;
  }
  return false;
}

}  // namespace

void append_escaped_tag(std::string& out, std::string_view text) {
  append_escaped(out, text, tag_specials);
}

void append_escaped_string(std::string& out, std::string_view text) {
  std::size_t start = 0;
  for (std::size_t pos = text.find_first_of("\"\\"); pos != std::string_view::npos;
       pos = text.find_first_of("\"\\", start)) {
    out.append(text.data() + start, pos - start);
    out.push_back('\\');
    out.push_back(text[pos]);
    start = pos + 1;
  }
  out.append(text.data() + start, text.size() - start);
}

void append_field_float(std::string& out, double value) {
  const std::size_t before = out.size();
  detail::append_python_float_repr(out, value);
  // influxdb-client: `s = str(value); if s.endswith('.0'): s = s[:-2]`
  if (out.size() - before >= 2 && out.compare(out.size() - 2, 2, ".0") == 0) {
    out.resize(out.size() - 2);
  }
}

std::error_code append_line(std::string& out, const point& p) {
  const std::size_t start = out.size();
  append_escaped(out, p.measurement, measurement_specials);

  std::array<const tag*, 64> tag_stack;
  std::vector<const tag*> tag_heap;
  const tag** tags = sorted_by_key(p.tags, tag_stack, tag_heap);
  for (std::size_t i = 0; i < p.tags.size(); ++i) {
    const tag& t = *tags[i];
    if (t.key.empty() || t.value.empty()) continue;
    out.push_back(',');
    append_escaped(out, t.key, tag_specials);
    out.push_back('=');
    append_escaped(out, t.value, tag_specials);
    // influxdb-client appends a space when an escaped tag value ends with a backslash.
    if (out.back() == '\\') out.push_back(' ');
  }

  std::array<const field*, 64> field_stack;
  std::vector<const field*> field_heap;
  const field** fields = sorted_by_key(p.fields, field_stack, field_heap);
  char separator = ' ';
  bool any_field = false;
  for (std::size_t i = 0; i < p.fields.size(); ++i) {
    const field& f = *fields[i];
    const std::size_t mark = out.size();
    out.push_back(separator);
    append_escaped(out, f.key, tag_specials);
    out.push_back('=');
    if (!append_field_value(out, f.value)) {
      out.resize(mark);
      continue;
    }
    separator = ',';
    any_field = true;
  }
  if (!any_field) {
    out.resize(start);
    return errc::no_fields;
  }
  out.push_back(' ');
  append_integer(out, p.timestamp_ns);
  out.push_back('\n');
  return {};
}

}  // namespace dial_analytics
