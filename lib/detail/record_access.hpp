// SPDX-License-Identifier: Apache-2.0
// Library-internal access to the simdjson element behind a log_record.
#pragma once

#include <simdjson.h>

#include <cstring>
#include <type_traits>

#include <dial_analytics/input/log_parser.hpp>

namespace dial_analytics::detail {

struct record_access {
  static_assert(std::is_trivially_copyable_v<simdjson::dom::element>);
  static_assert(sizeof(simdjson::dom::element) <= sizeof(log_record::storage_));

  static void set(log_record& r, simdjson::dom::element e, std::string_view text) noexcept {
    std::memcpy(r.storage_, &e, sizeof e);
    r.text_ = text;
    r.valid_ = true;
  }
  static simdjson::dom::element get(const log_record& r) noexcept {
    simdjson::dom::element e;
    std::memcpy(&e, r.storage_, sizeof e);
    return e;
  }
};

}  // namespace dial_analytics::detail
