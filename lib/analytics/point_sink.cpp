// SPDX-License-Identifier: Apache-2.0
// The in-memory line-protocol sink.
#include <dial_analytics/analytics/point_sink.hpp>

#include <dial_analytics/analytics/line_protocol.hpp>

namespace dial_analytics {

void line_buffer_sink::write(const point& p) {
  if (append_line(buffer_, p)) ++rejected_;
}

}  // namespace dial_analytics
