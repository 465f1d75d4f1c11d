// SPDX-License-Identifier: Apache-2.0
// The libcurl plumbing behind detail/curl_http.hpp: one easy handle per client (reset before each
// request, which keeps its connection cache), a header list per request, and callbacks that
// capture the answer.
#include "detail/curl_http.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <mutex>

#include <dial_analytics/error.hpp>

#include "detail/ascii.hpp"
#include "detail/zlib.hpp"

namespace dial_analytics::detail {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct header_list {
  curl_slist* list = nullptr;
  explicit header_list(std::span<const std::string> lines) {
    for (const std::string& line : lines) add(line.c_str());
  }
  ~header_list() { curl_slist_free_all(list); }
  header_list(const header_list&) = delete;
  header_list& operator=(const header_list&) = delete;
  void add(const char* line) { list = curl_slist_append(list, line); }
};

struct capture {
  http_response* response;
  std::size_t max_body_bytes;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* c = static_cast<capture*>(user);
  const std::size_t bytes = size * n;
  std::string& body = c->response->body;
  if (body.size() < c->max_body_bytes)
    body.append(data, std::min(bytes, c->max_body_bytes - body.size()));
  return bytes;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* c = static_cast<capture*>(user);
  const std::size_t bytes = size * n;
  const std::string_view line(data, bytes);
  if (line.starts_with("HTTP/")) c->response->headers.clear();  // a new (final) response
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    c->response->headers.emplace_back(ascii_lowercase(line.substr(0, colon)),
                                      trim(line.substr(colon + 1), " \t\r\n"));
  }
  return bytes;
}

}  // namespace

std::string_view http_response::header(std::string_view lower_case_name) const noexcept {
  for (const auto& [name, value] : headers) {
    if (name == lower_case_name) return value;
  }
  return {};
}

struct http_client::impl {
  http_client_options options;
  CURL* handle = nullptr;
  std::string compressed;  // reused gzip buffer

  ~impl() { curl_easy_cleanup(handle); }

  // Everything but the method and the body.
  void prepare(const std::string& url, const header_list& headers, capture& sink) {
    CURL* h = handle;
    curl_easy_reset(h);  // keeps the connection cache
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.list);
    if (!options.basic_auth.empty())
      curl_easy_setopt(h, CURLOPT_USERPWD, options.basic_auth.c_str());
    if (!options.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options.ca_file.c_str());
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink);
  }

  // One request: the common options, then `method` sets the method and the body.
  template <typename Method>
  http_response send(const std::string& url, const header_list& headers, Method method) {
    http_response response;
    capture sink{&response, options.max_body_bytes};
    prepare(url, headers, sink);
    method(handle);
    perform(response);
    return response;
  }

  void perform(http_response& response) {
    const CURLcode rc = curl_easy_perform(handle);
    if (rc != CURLE_OK) {
      response.status = 0;
      response.error = curl_easy_strerror(rc);
      return;
    }
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
  }
};

http_client::http_client(http_client_options options) : impl_(std::make_unique<impl>()) {
  global_init();
  impl_->options = std::move(options);
  impl_->handle = curl_easy_init();
  if (!impl_->handle) throw config_error("libcurl could not create a handle (out of memory?)");
}

http_client::~http_client() = default;

http_response http_client::post(const std::string& url, std::string_view body,
                                std::span<const std::string> headers, bool gzip) {
  if (gzip) {
    if (!gzip_compress(body, impl_->compressed)) {
      http_response response;
      response.error = "gzip compression failed";
      return response;
    }
    body = impl_->compressed;
  }
  header_list list(headers);
  if (gzip) list.add("Content-Encoding: gzip");
  return impl_->send(url, list, [body](CURL* h) {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  });
}

http_response http_client::get(const std::string& url, std::span<const std::string> headers) {
  return impl_->send(url, header_list(headers),
                     [](CURL* h) { curl_easy_setopt(h, CURLOPT_HTTPGET, 1L); });
}

http_response http_client::head(const std::string& url, std::span<const std::string> headers) {
  return impl_->send(url, header_list(headers),
                     [](CURL* h) { curl_easy_setopt(h, CURLOPT_NOBODY, 1L); });
}

http_response http_client::put(const std::string& url, std::string_view body,
                               std::span<const std::string> headers) {
  return send_body(url, body, headers, "PUT");
}

http_response http_client::send_body(const std::string& url, std::string_view body,
                                     std::span<const std::string> headers, const char* method) {
  return impl_->send(url, header_list(headers), [body, method](CURL* h) {
    // libcurl would read a null POSTFIELDS from a read callback: give an empty body a real pointer.
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.empty() ? "" : body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
  });
}

std::chrono::milliseconds parse_retry_after(std::string_view value) noexcept {
  if (value.empty()) return std::chrono::milliseconds(0);
  long long seconds = 0;
  const auto parsed = std::from_chars(value.data(), value.data() + value.size(), seconds);
  constexpr std::chrono::seconds unparsable{10};
  constexpr long long longest = 365LL * 24 * 3600;  // keeps the conversion to ms in range
  if (parsed.ec != std::errc() || seconds < 0) return unparsable;
  return std::chrono::seconds(std::min(seconds, longest));
}

std::string trim_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::string url_escape(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xF]);
    }
  }
  return out;
}

}  // namespace dial_analytics::detail
