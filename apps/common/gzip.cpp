// SPDX-License-Identifier: Apache-2.0
#include "gzip.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

namespace dial_analytics::apps {

bool has_gzip_magic(std::string_view data) noexcept {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

struct gunzip_stream::impl {
  impl() {
    constexpr int auto_window = 15 + 32;  // 32 KiB window, gzip or zlib wrapper
    ok = inflateInit2(&zs, auto_window) == Z_OK;
  }
  ~impl() {
    if (ok) inflateEnd(&zs);
  }
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;

  // Between members (or before the first): checks what comes next. False: corrupt.
  bool start_member(std::string_view in) {
    if (members > 0 && !gzip) return false;  // one zlib stream, then nothing
    if (members > 0 && !has_gzip_magic(in)) return false;
    if (members == 0) gzip = has_gzip_magic(in);
    between = false;
    return inflateReset(&zs) == Z_OK;
  }

  z_stream zs{};
  bool ok = false;
  bool between = true;  // before the first member or after a whole one
  bool gzip = false;
  std::size_t members = 0;
  char buf[1 << 16];
};

gunzip_stream::gunzip_stream() : impl_(std::make_unique<impl>()) {}
gunzip_stream::~gunzip_stream() = default;

bool gunzip_stream::finished() const noexcept { return impl_->between && impl_->members > 0; }

gunzip_stream::status gunzip_stream::inflate(std::string_view& in, std::string& out,
                                             std::size_t limit) {
  impl& s = *impl_;
  if (!s.ok) return status::corrupt;
  std::size_t produced = 0;
  while (produced < limit) {
    if (s.between) {
      if (in.empty()) break;
      // A member starts with 2 magic bytes: wait for the second unless the first is already off.
      const bool partial_magic = in.size() < 2 && (s.members == 0 || in[0] == '\x1f');
      if (partial_magic) break;
      if (!s.start_member(in)) return status::corrupt;
    }
    const auto avail_in = static_cast<uInt>(std::min<std::size_t>(in.size(), UINT_MAX));
    s.zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    s.zs.avail_in = avail_in;
    s.zs.next_out = reinterpret_cast<Bytef*>(s.buf);
    s.zs.avail_out = static_cast<uInt>(std::min(sizeof s.buf, limit - produced));
    const uInt room = s.zs.avail_out;
    const int rc = ::inflate(&s.zs, Z_NO_FLUSH);
    const std::size_t used = avail_in - s.zs.avail_in;
    const std::size_t made = room - s.zs.avail_out;
    in.remove_prefix(used);
    out.append(s.buf, made);
    produced += made;
    if (rc == Z_STREAM_END) {
      s.between = true;
      ++s.members;
      continue;
    }
    if (rc == Z_BUF_ERROR) break;  // no progress possible: needs more input
    if (rc != Z_OK) return status::corrupt;
    if (in.empty() && s.zs.avail_out != 0) break;  // all input used, all output given
  }
  return status::ok;
}

gunzip_result gunzip_all(std::string_view in, std::string& out, std::uint64_t cap) {
  out.clear();
  gunzip_stream stream;
  for (;;) {
    const std::size_t before = out.size();
    const std::size_t rest = in.size();
    // Room for one byte over the cap, so that "too large" shows.
    const std::uint64_t room = std::min<std::uint64_t>(cap - out.size(), 1u << 30) + 1;
    if (stream.inflate(in, out, static_cast<std::size_t>(room)) == gunzip_stream::status::corrupt) {
      return gunzip_result::corrupt;
    }
    if (out.size() > cap) return gunzip_result::too_large;
    if (out.size() == before && in.size() == rest) break;
  }
  return in.empty() && stream.finished() ? gunzip_result::ok : gunzip_result::corrupt;
}

input_file::input_file(const std::string& path) : path_(path) {
  file_ = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!file_) error_ = fmt::format("cannot open '{}': {}", path, std::strerror(errno));
}

input_file::~input_file() {
  if (file_ && file_ != stdin) std::fclose(file_);
}

void input_file::read_raw(std::string& out, std::size_t bytes) {
  if (eof_ || !error_.empty()) return;
  const std::size_t old = out.size();
  out.resize(old + bytes);
  const std::size_t n = std::fread(out.data() + old, 1, bytes, file_);
  out.resize(old + n);
  if (n < bytes) {
    eof_ = true;
    if (std::ferror(file_)) error_ = fmt::format("cannot read '{}'", path_);
  }
}

void input_file::start() {
  started_ = true;
  while (raw_.size() < 2 && !eof_) read_raw(raw_, 2 - raw_.size());
  gzip_ = has_gzip_magic(raw_);
  if (gzip_) inflater_ = std::make_unique<gunzip_stream>();
}

void input_file::inflate_into(std::string& out, std::size_t bytes) {
  std::size_t produced = 0;
  while (produced < bytes && error_.empty()) {
    if (raw_.empty()) read_raw(raw_, 1u << 16);
    std::string_view in = raw_;
    const std::size_t before = out.size();
    if (inflater_->inflate(in, out, bytes - produced) == gunzip_stream::status::corrupt) {
      error_ = fmt::format("'{}' is not valid gzip data", path_);
      break;
    }
    const std::size_t used = raw_.size() - in.size();
    raw_.erase(0, used);
    produced += out.size() - before;
    if (used > 0 || out.size() > before) continue;
    if (eof_) {  // no progress and nothing more to read
      if (error_.empty() && (!raw_.empty() || !inflater_->finished()))
        error_ = fmt::format("'{}' is not valid gzip data (truncated)", path_);
      break;
    }
    read_raw(raw_, 1u << 16);  // half a gzip magic: needs more
  }
}

bool input_file::read(std::string& out, std::size_t bytes) {
  if (!file_ || !error_.empty()) return false;
  if (!started_) start();
  const std::size_t old = out.size();
  if (gzip_) {
    inflate_into(out, bytes);
  } else {
    const std::size_t take = std::min(bytes, raw_.size());
    out.append(raw_, 0, take);
    raw_.erase(0, take);
    read_raw(out, bytes - take);
  }
  return out.size() > old && error_.empty();
}

bool input_file::read_line(std::string& line) {
  std::size_t newline = lines_.find('\n', line_start_);
  while (newline == std::string::npos) {
    lines_.erase(0, line_start_);  // keep only the line being read
    line_start_ = 0;
    const std::size_t old = lines_.size();
    if (!read(lines_, 1u << 16)) break;
    newline = lines_.find('\n', old);
  }
  if (!error_.empty()) return false;
  if (newline == std::string::npos) newline = lines_.size();  // the last line, without '\n'
  if (line_start_ >= lines_.size()) return false;
  line.assign(lines_, line_start_, newline - line_start_);
  line_start_ = newline + 1;
  return true;
}

}  // namespace dial_analytics::apps
