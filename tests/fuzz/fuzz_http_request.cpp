// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the server's request path with body decoding (media type, Content-Encoding,
// gunzip of every member, the pipeline, the spool, the reply) must never crash, whatever arrives.
// Input: one byte choosing method, target, Content-Type and Content-Encoding, then the body; for
// the gzip choices the body is compressed here (one or two members, so inflate runs to its end)
// or passed as it is (raw bytes announced as gzip). The output is the spool files (no InfluxDB).
#include <unistd.h>
#include <zlib.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "app.hpp"
#include "temp_folder.hpp"

namespace fs = std::filesystem;
namespace ds = dial_analytics::server;

namespace {

using fuzz_support::temp_folder;

// `in` compressed with a gzip (window 15 + 16) or zlib (15) wrapper.
std::string compress(std::string_view in, int window) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, window, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    std::abort();
  std::string out(deflateBound(&zs, static_cast<uLong>(in.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

constexpr int gzip_window = 15 + 16;
constexpr int zlib_window = 15;

// The app over a fresh spool directory; renewed now and then so the spool never fills up.
class fixture {
 public:
  ds::app& app() {
    if (!app_ || ++uses_ % 2000 == 0) {
      app_.reset();
      std::error_code ec;
      fs::remove_all(folder_.path / "data", ec);
      app_ = std::make_unique<ds::app>(config(), log_);
    }
    return *app_;
  }

 private:
  ds::server_config config() const {
    ds::server_config c;
    c.data_dir = (folder_.path / "data").string();
    c.spool_sync = false;
    c.max_body_bytes = 1u << 20;
    c.max_events = 2000;
    c.max_logged_errors = 3;
    c.analysis.language = dial_analytics::apps::language_mode::none;
    return c;
  }

  temp_folder folder_{"http-fuzz"};
  ds::logger log_{dial_analytics::log_level::error, nullptr};
  std::unique_ptr<ds::app> app_;
  unsigned uses_ = 0;
};

ds::http_request make_request(std::uint8_t choice, std::string_view body) {
  static constexpr std::array<const char*, 4> methods = {"POST", "POST", "POST", "HEAD"};
  static constexpr std::array<const char*, 4> types = {
      "application/json", "application/x-ndjson", "Application/JSON; charset=utf-8", "text/plain"};
  ds::http_request r;
  r.method = methods[choice & 3];
  r.target = (choice & 0x80) ? "/data?source=fuzz" : "/data";
  r.content_type = types[(choice >> 2) & 3];
  const std::size_t half = body.size() / 2;
  switch ((choice >> 4) & 7) {
    case 0:
      r.body = body;
      break;
    case 1:
      r.content_encoding = "identity";
      r.body = body;
      break;
    case 2:
      r.content_encoding = "gzip";
      r.body = compress(body, gzip_window);
      break;
    case 3:
      r.content_encoding = "gzip";  // two members
      r.body =
          compress(body.substr(0, half), gzip_window) + compress(body.substr(half), gzip_window);
      break;
    case 4:
      r.content_encoding = "x-gzip";  // raw bytes announced as gzip
      r.body = body;
      break;
    case 5:
      r.content_encoding = "deflate";
      r.body = compress(body, zlib_window);
      break;
    case 6:
      r.content_encoding = "GZIP";  // a member, then the rest of the input as it is
      r.body = compress(body.substr(0, half), gzip_window);
      r.body += body.substr(half);
      break;
    default:
      r.content_encoding = "zstd";
      r.body = body;
      break;
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static fixture f;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const ds::http_response r = f.app().handle(make_request(data[0], body));
  if (r.status < 200 || r.status > 599) std::abort();
  return 0;
}
