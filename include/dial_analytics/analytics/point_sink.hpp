// SPDX-License-Identifier: Apache-2.0
// Where points go: an interface plus an in-memory line-protocol buffer.
//
// Contract: write() must not keep `p` or any view into it after returning (serialize or copy).
// Thread-safety: as documented by each implementation; line_buffer_sink is single-threaded.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include <dial_analytics/analytics/point.hpp>

namespace dial_analytics {

/// Consumer of points.
class point_sink {
 public:
  virtual ~point_sink() = default;
  /// Receives one point; must not keep views into it.
  virtual void write(const point& p) = 0;
  /// Pushes out whatever is buffered. Default: nothing to do.
  virtual void flush() {}
};

/// Appends every point as a line-protocol line to an in-memory buffer. Not thread-safe.
class line_buffer_sink final : public point_sink {
 public:
  void write(const point& p) override;
  /// The lines written so far, each ending in '\n'.
  [[nodiscard]] const std::string& lines() const noexcept { return buffer_; }
  /// Empties the buffer, keeping its capacity.
  void clear() noexcept { buffer_.clear(); }
  /// Points that could not be encoded (no finite field left).
  [[nodiscard]] std::size_t rejected() const noexcept { return rejected_; }

 private:
  std::string buffer_;
  std::size_t rejected_ = 0;
};

/// Calls a function for every point (handy for hosts and tests).
class callback_sink final : public point_sink {
 public:
  explicit callback_sink(std::function<void(const point&)> fn) : fn_(std::move(fn)) {}
  void write(const point& p) override { fn_(p); }

 private:
  std::function<void(const point&)> fn_;
};

}  // namespace dial_analytics
