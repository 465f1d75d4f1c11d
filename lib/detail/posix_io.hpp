// SPDX-License-Identifier: Apache-2.0
// Small POSIX helpers shared by the library's file writers (spool, built-in model extraction).
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <string_view>

namespace dial_analytics::detail {

/// Writes all of `data` to `fd`, resuming after short writes and signals (EINTR).
/// @return false on an error, with `errno` set (EIO when the file accepts no more bytes).
/// Thread-safety: as ::write on `fd`.
[[nodiscard]] inline bool write_all(int fd, std::string_view data) noexcept {
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

}  // namespace dial_analytics::detail
