// SPDX-License-Identifier: Apache-2.0
// gzip with zlib, for request bodies (detail/curl_http) and for tests that read them back.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace dial_analytics::detail {

/// Compresses `in` into `out` (replacing it) as one gzip member, at the fastest level: request
/// bodies are compressed once per attempt, and line protocol or JSON shrinks well even so.
/// @return false only when zlib cannot allocate its state. Thread-safety: pure.
[[nodiscard]] inline bool gzip_compress(std::string_view in, std::string& out) {
  z_stream zs{};
  constexpr int gzip_window = 15 + 16;  // 32 KiB window, gzip wrapper
  if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, gzip_window, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return false;
  out.resize(deflateBound(&zs, static_cast<uLong>(in.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END;
}

/// What gunzip() made of its input.
enum class gunzip_result {
  ok,         ///< `out` holds the whole decompressed text
  corrupt,    ///< not gzip or zlib data, or a truncated stream
  too_large,  ///< the text would exceed the cap
};

/// Decompresses gzip or zlib data (detected from the header) into `out` (replacing it), stopping
/// once more than `cap` bytes come out. Thread-safety: pure.
[[nodiscard]] inline gunzip_result gunzip(std::string_view in, std::string& out,
                                          std::uint64_t cap = UINT64_MAX) {
  z_stream zs{};
  constexpr int auto_window = 15 + 32;  // 32 KiB window, gzip or zlib wrapper
  if (inflateInit2(&zs, auto_window) != Z_OK) return gunzip_result::corrupt;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  out.clear();
  char buf[1 << 16];
  gunzip_result result = gunzip_result::ok;
  for (int rc = Z_OK; rc != Z_STREAM_END;) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    const bool stuck = rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0;  // truncated
    if ((rc != Z_OK && rc != Z_STREAM_END) || stuck) {
      result = gunzip_result::corrupt;
      break;
    }
    out.append(buf, sizeof buf - zs.avail_out);
    if (out.size() > cap) {
      result = gunzip_result::too_large;
      break;
    }
  }
  inflateEnd(&zs);
  return result;
}

}  // namespace dial_analytics::detail
