// SPDX-License-Identifier: Apache-2.0
// The dial_analytics error category.
#include <dial_analytics/error.hpp>

#include <string>

namespace dial_analytics {
namespace {

class category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "dial_analytics"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::success:
        return "success";
      case errc::malformed_json:
        return "malformed JSON";
      case errc::invalid_event:
        return "invalid request message";
      case errc::record_rejected:
        return "record rejected";
      case errc::invalid_timestamp:
        return "invalid timestamp";
      case errc::timestamp_out_of_range:
        return "timestamp out of range";
      case errc::no_fields:
        return "point has no fields";
      case errc::unreadable_input:
        return "input is neither a JSON array nor NDJSON";
      case errc::unsupported_json:
        return "unsupported JSON";
      case errc::body_not_json:
        return "the body is not valid JSON";
      case errc::body_not_a_list:
        return "the body is not a JSON array";
      case errc::too_many_events:
        return "the body holds more events than the limit";
    }
    return "unknown dial_analytics error";
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const category_impl instance;
  return instance;
}

}  // namespace dial_analytics
