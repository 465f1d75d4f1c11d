// SPDX-License-Identifier: Apache-2.0
// Small POSIX helpers shared by the library's file writers (spool, built-in model extraction).
#pragma once

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace dial_analytics::detail {

/// A test seam: a full or failing disk without a full disk. While `error` is not 0, write_all
/// writes at most `budget` more bytes (then 0) and fails with `errno = error`.
/// Thread-safety: atomics; set it while no other thread writes.
struct write_fault {
  std::atomic<int> error{0};
  std::atomic<std::uint64_t> budget{0};
};
[[nodiscard]] inline write_fault& injected_write_fault() noexcept {
  static write_fault fault;
  return fault;
}

/// Writes all of `data` to `fd` as write_all does, without the test seam.
[[nodiscard]] inline bool write_all_unchecked(int fd, std::string_view data) noexcept {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) {
      errno = EIO;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

/// Writes all of `data` to `fd`, resuming after short writes and signals (EINTR).
/// @return false on an error, with `errno` set (EIO when the file accepts no more bytes).
/// Thread-safety: as ::write on `fd`.
[[nodiscard]] inline bool write_all(int fd, std::string_view data) noexcept {
  write_fault& fault = injected_write_fault();
  if (const int error = fault.error.load(std::memory_order_relaxed); error != 0) {
    const std::uint64_t budget = fault.budget.load(std::memory_order_relaxed);
    if (budget < data.size()) {
      const std::uint64_t left = budget;
      fault.budget = 0;
      if (left > 0 && !write_all_unchecked(fd, data.substr(0, left))) return false;
      errno = error;
      return false;
    }
    fault.budget = budget - data.size();
  }
  return write_all_unchecked(fd, data);
}

}  // namespace dial_analytics::detail
