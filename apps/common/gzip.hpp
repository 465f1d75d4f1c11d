// SPDX-License-Identifier: Apache-2.0
// gunzip for the server's request bodies and the command line tool's input files: every member
// of a multi-member gzip stream (RFC 1952 allows concatenated members; zcat and Python read them
// all), or one zlib stream. Data after the last member that is not another member is an error.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

namespace dial_analytics::apps {

/// True when `data` starts with the gzip magic bytes 1f 8b.
[[nodiscard]] bool has_gzip_magic(std::string_view data) noexcept;

/// An incremental gunzip: feed compressed bytes in any slices, take the text as it comes.
/// Thread-safety: one thread at a time.
class gunzip_stream {
 public:
  enum class status {
    ok,       ///< went as far as the input or the output limit allowed
    corrupt,  ///< not gzip/zlib data, a bad member, or trailing data after the last member
  };
  gunzip_stream();
  ~gunzip_stream();
  gunzip_stream(const gunzip_stream&) = delete;
  gunzip_stream& operator=(const gunzip_stream&) = delete;

  /// Inflates from the front of `in` (the consumed bytes are removed from it), appending at most
  /// `limit` bytes to `out`. Bytes it cannot use yet (half a gzip magic) stay in `in`.
  status inflate(std::string_view& in, std::string& out, std::size_t limit);
  /// True when the input so far ends exactly after a whole member (the end of a valid stream).
  [[nodiscard]] bool finished() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// What gunzip_all() made of its input.
enum class gunzip_result {
  ok,         ///< `out` holds the whole decompressed text (every member)
  corrupt,    ///< not gzip or zlib data, truncated, or trailing garbage
  too_large,  ///< the text would exceed the cap
};

/// Decompresses every gzip member (or one zlib stream) of `in` into `out` (replacing it),
/// stopping once more than `cap` bytes come out. Thread-safety: pure.
[[nodiscard]] gunzip_result gunzip_all(std::string_view in, std::string& out,
                                       std::uint64_t cap = UINT64_MAX);

/// A file or standard input ("-") read in blocks, gunzipped on the fly when it starts with the
/// gzip magic bytes (multi-member too). Thread-safety: one thread at a time.
class input_file {
 public:
  explicit input_file(const std::string& path);
  ~input_file();
  input_file(const input_file&) = delete;
  input_file& operator=(const input_file&) = delete;

  /// Appends up to `bytes` of text to `out`; false at the end of the input or on an error.
  bool read(std::string& out, std::size_t bytes);
  /// The next line without its '\n' into `line`; false at the end of the input or on an error.
  bool read_line(std::string& line);
  /// Why the input could not be opened or read; empty while all is well.
  [[nodiscard]] const std::string& error() const { return error_; }
  /// Whether the input is gzip data (known after the first read).
  [[nodiscard]] bool gzip() const noexcept { return gzip_; }

 private:
  void start();
  void read_raw(std::string& out, std::size_t bytes);
  void inflate_into(std::string& out, std::size_t bytes);

  std::string path_;
  std::FILE* file_ = nullptr;
  bool started_ = false;
  bool eof_ = false;
  bool gzip_ = false;
  std::string raw_;    // read but not yet used
  std::string lines_;  // text of read_line(), returned up to line_start_
  std::size_t line_start_ = 0;
  std::unique_ptr<gunzip_stream> inflater_;
  std::string error_;
};

}  // namespace dial_analytics::apps
