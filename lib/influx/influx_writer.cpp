// SPDX-License-Identifier: Apache-2.0
// libcurl writer for the InfluxDB v1/v2/v3 write APIs (protocols.md §A.8–§A.10) and the version
// probe. One CURL easy handle per writer: the connection is kept alive between writes.
#include <dial_analytics/influx/influx_writer.hpp>

#include <curl/curl.h>
#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <mutex>

#include <dial_analytics/error.hpp>

namespace dial_analytics::influx {
using output::count_lines;
using output::write_outcome;
using output::write_result;

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct curl_handle {
  CURL* h = curl_easy_init();
  ~curl_handle() { curl_easy_cleanup(h); }
};

struct header_list {
  curl_slist* list = nullptr;
  ~header_list() { curl_slist_free_all(list); }
  void add(const std::string& h) { list = curl_slist_append(list, h.c_str()); }
};

std::string escape(CURL* h, const std::string& s) {
  char* e = curl_easy_escape(h, s.c_str(), static_cast<int>(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

std::string trim_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

struct response_capture {
  std::string body;
  std::string retry_after;
  std::string version;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<response_capture*>(user);
  const size_t bytes = size * n;
  if (r->body.size() < 65536) r->body.append(data, std::min(bytes, 65536 - r->body.size()));
  return bytes;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<response_capture*>(user);
  const size_t bytes = size * n;
  std::string_view line(data, bytes);
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string key(line.substr(0, colon));
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() &&
           (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    if (key == "retry-after") r->retry_after = value;
    if (key == "x-influxdb-version") r->version = value;
  }
  return bytes;
}

bool gzip_compress(std::string_view in, std::string& out) {
  z_stream zs{};
  if (deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return false;
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

class curl_writer final : public output::batch_writer {
 public:
  explicit curl_writer(const influx_config& config) : config_(config) {
    global_init();
    if (!curl_.h) throw config_error("libcurl could not create a handle");
    if (config.url.empty()) throw config_error("InfluxDB URL is empty");
    const std::string base = trim_slash(config.url);
    CURL* h = curl_.h;
    switch (config.version) {
      case api_version::v1:
        if (config.database.empty()) throw config_error("InfluxDB v1 needs a database");
        url_ = base + "/write?db=" + escape(h, config.database) + "&precision=ns";
        if (!config.retention_policy.empty()) url_ += "&rp=" + escape(h, config.retention_policy);
        if (!config.username.empty() || !config.token.empty()) {
          userpwd_ = config.username + ":" + config.token.reveal();
        }
        break;
      case api_version::v2:
        if (config.bucket.empty() || config.org.empty()) {
          throw config_error("InfluxDB v2 needs an org and a bucket");
        }
        url_ = base + "/api/v2/write?org=" + escape(h, config.org) +
               "&bucket=" + escape(h, config.bucket) + "&precision=ns";
        if (!config.token.empty()) headers_.add("Authorization: Token " + config.token.reveal());
        break;
      case api_version::v3:
        if (config.database.empty()) throw config_error("InfluxDB v3 needs a database");
        url_ = base + "/api/v3/write_lp?db=" + escape(h, config.database) + "&precision=nanosecond";
        if (!config.token.empty()) headers_.add("Authorization: Bearer " + config.token.reveal());
        break;
      case api_version::v3_compat:
        if (config.database.empty()) throw config_error("InfluxDB v3 needs a database");
        url_ = base + "/api/v2/write?org=ignored&bucket=" + escape(h, config.database) +
               "&precision=ns";
        if (!config.token.empty()) headers_.add("Authorization: Token " + config.token.reveal());
        break;
      case api_version::automatic:
        throw config_error("resolve the InfluxDB API version before creating a writer");
    }
    headers_.add("Content-Type: text/plain; charset=utf-8");
    headers_.add("Accept: application/json");
    if (config.gzip) headers_.add("Content-Encoding: gzip");
  }

  [[nodiscard]] std::string_view name() const noexcept override { return "InfluxDB"; }

  write_result write(std::string_view lines) override {
    CURL* h = curl_.h;
    curl_easy_reset(h);  // keeps the connection cache
    response_capture response;
    std::string_view body = lines;
    if (config_.gzip) {
      if (!gzip_compress(lines, compressed_)) {
        return {write_outcome::retry, 0, 0, {}, "gzip compression failed"};
      }
      body = compressed_;
    }
    curl_easy_setopt(h, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers_.list);
    if (!userpwd_.empty()) curl_easy_setopt(h, CURLOPT_USERPWD, userpwd_.c_str());
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout.count()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(config_.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &response);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &response);
    const CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
      return {write_outcome::retry, 0, 0, {}, std::string("network: ") + curl_easy_strerror(rc)};
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    return classify_response(static_cast<int>(status), response.body, response.retry_after,
                             count_lines(lines));
  }

 private:
  influx_config config_;
  curl_handle curl_;
  header_list headers_;
  std::string url_;
  std::string userpwd_;
  std::string compressed_;
};

}  // namespace

std::unique_ptr<output::batch_writer> make_curl_writer(const influx_config& config) {
  return std::make_unique<curl_writer>(config);
}

const char* to_string(api_version v) noexcept {
  switch (v) {
    case api_version::automatic:
      return "automatic";
    case api_version::v1:
      return "v1";
    case api_version::v2:
      return "v2";
    case api_version::v3:
      return "v3";
    case api_version::v3_compat:
      return "v3 (v2-compatible API)";
  }
  return "?";
}

std::string describe(const influx_config& c) {
  std::string out = "InfluxDB ";
  out += to_string(c.version);
  out += " at " + trim_slash(c.url);
  switch (c.version) {
    case api_version::v2:
      out += ", org " + c.org + ", bucket " + c.bucket;
      break;
    case api_version::v1:
      out += ", database " + c.database;
      if (!c.retention_policy.empty()) out += ", retention policy " + c.retention_policy;
      break;
    default:
      out += ", database " + c.database;
      break;
  }
  out += c.token.empty() ? ", no token" : ", token set";
  if (c.gzip) out += ", gzip";
  return out;
}

write_result classify_response(int status, std::string_view body, std::string_view retry_after,
                               std::size_t lines) {
  write_result r;
  r.http_status = status;
  r.message = std::string(body.substr(0, 2000));
  if (!retry_after.empty()) {
    long long seconds = 0;
    const auto [end, ec] =
        std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds);
    // An unparsable value (an HTTP date) counts as 10 s, as Telegraf does.
    r.retry_after = std::chrono::seconds(ec == std::errc() && seconds >= 0 ? seconds : 10);
    (void)end;
  }
  if (status >= 200 && status < 300) {
    r.outcome = write_outcome::written;
  } else if (status == 400 || status == 422) {
    r.outcome = write_outcome::rejected;
    r.rejected_lines = lines;
    // v1 partial write: "... dropped=N"; v3: one entry per rejected line in "data".
    const auto dropped = body.rfind("dropped=");
    if (dropped != std::string_view::npos) {
      std::size_t n = 0;
      const char* first = body.data() + dropped + 8;
      if (std::from_chars(first, body.data() + body.size(), n).ec == std::errc())
        r.rejected_lines = std::min(n, lines);
    } else if (body.find("\"line_number\"") != std::string_view::npos) {
      std::size_t n = 0;
      for (auto p = body.find("\"line_number\""); p != std::string_view::npos;
           p = body.find("\"line_number\"", p + 1)) {
        ++n;
      }
      r.rejected_lines = std::min(n, lines);
    }
  } else if (status == 413) {
    r.outcome = write_outcome::too_large;
  } else if (status == 408 || status == 429 ||
             (status >= 500 && body.find("retention policy not found") == std::string_view::npos)) {
    r.outcome = write_outcome::retry;
  } else if (status == 401 || status == 403 || status == 404 || status >= 500) {
    r.outcome = write_outcome::unavailable;  // incl. v1's 500 "retention policy not found"
  } else {
    r.outcome = write_outcome::rejected;  // other 4xx: the request itself is wrong
    r.rejected_lines = lines;
  }
  return r;
}

api_version resolve_version(const influx_config& config, std::string* note) {
  if (config.version != api_version::automatic) {
    if (note) *note = "configured";
    return config.version;
  }
  global_init();
  curl_handle curl;
  response_capture response;
  const std::string url = trim_slash(config.url) + "/ping";
  curl_easy_setopt(curl.h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.h, CURLOPT_TIMEOUT_MS, static_cast<long>(config.connect_timeout.count()));
  curl_easy_setopt(curl.h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl.h, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl.h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl.h, CURLOPT_HEADERDATA, &response);
  const CURLcode rc = curl_easy_perform(curl.h);
  const std::string& v = response.version;
  if (rc == CURLE_OK && !v.empty()) {
    const char major = v[0] == 'v' && v.size() > 1 ? v[1] : v[0];
    if (note) *note = "GET /ping answered X-Influxdb-Version: " + v;
    if (major == '1') return api_version::v1;
    if (major == '2') return api_version::v2;
    if (major == '3') return api_version::v3;
  }
  std::string why = rc == CURLE_OK ? "GET /ping gave no X-Influxdb-Version"
                                   : std::string("GET /ping failed: ") + curl_easy_strerror(rc);
  api_version chosen = api_version::v1;
  if (!config.bucket.empty()) {
    chosen = api_version::v2;
    why += "; INFLUX_BUCKET is set → v2";
  } else if (!config.database.empty() && !config.token.empty()) {
    chosen = api_version::v3_compat;
    why += "; INFLUX_DATABASE and a token are set → v3 through the v2-compatible API";
  } else {
    why += "; → v1";
  }
  if (note) *note = why;
  return chosen;
}

}  // namespace dial_analytics::influx
