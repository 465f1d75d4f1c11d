// SPDX-License-Identifier: Apache-2.0
// The Elasticsearch connection settings (URL, credentials, content types) and the index
// preparation: wait for a yellow or green cluster, then create the index with the Data Flywheel
// blueprint's mapping when it is missing. One attempt per call; the writers call it again until it
// succeeds, so an unreachable cluster never holds up the caller.
#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <dial_analytics/elasticsearch/es_writer.hpp>
#include <dial_analytics/error.hpp>

#include "detail/curl_http.hpp"
#include "detail/redact.hpp"
#include "elasticsearch/es_http.hpp"

namespace dial_analytics::elasticsearch {
namespace {
using dial_analytics::detail::http_client;
using dial_analytics::detail::http_response;

// Answers of up to this size are kept whole: a bulk answer has one item (~200 bytes) per line.
constexpr std::size_t max_answer_bytes = 64u << 20;

// The blueprint's creation body, compact and in its key order; `extra` goes after `response`.
std::string make_index_body(std::string_view extra) {
  return fmt::format(R"({{"settings":{{"mapping":{{"total_fields":{{"limit":1000}}}},)"
                     R"("index":{{"mapping":{{"ignore_malformed":true}}}}}},)"
                     R"("mappings":{{"dynamic":"strict","properties":{{)"
                     R"("workload_id":{{"type":"keyword"}},"client_id":{{"type":"keyword"}},)"
                     R"("timestamp":{{"type":"date"}},)"
                     R"("request":{{"type":"object","dynamic":false,"properties":{{}}}},)"
                     R"("response":{{"type":"object","dynamic":false,"properties":{{}}}}{}}}}}}})",
                     extra);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// User-info in a URL is percent-encoded (a password with '@' or ':' must be).
std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Splits `url` into the URL without user-info (and without trailing slashes) and the user-info.
std::pair<std::string, std::string> split_user_info(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos)
    return {dial_analytics::detail::trim_slash(std::string(url)), {}};
  const std::size_t host = scheme + 3;
  const std::size_t end = std::min(url.find_first_of("/?#", host), url.size());
  const std::size_t at = url.rfind('@', end == url.size() ? std::string_view::npos : end - 1);
  if (at == std::string_view::npos || at < host)
    return {dial_analytics::detail::trim_slash(std::string(url)), {}};
  std::string base(url.substr(0, host));
  base += url.substr(at + 1);
  return {dial_analytics::detail::trim_slash(std::move(base)),
          std::string(url.substr(host, at - host))};
}

std::string cluster_status(std::string_view body) {
  // A tiny read of `"status":"<colour>"`: the health answer is flat and small.
  constexpr std::string_view key = "\"status\":\"";
  const std::size_t at = body.find(key);
  if (at == std::string_view::npos) return {};
  const std::size_t from = at + key.size();
  const std::size_t to = body.find('"', from);
  return to == std::string_view::npos ? std::string() : std::string(body.substr(from, to - from));
}

struct session {
  const es_config& cfg;
  wire::endpoint at;
  std::vector<std::string> headers;
  http_client http;
};

std::string unreachable(const session& s, const http_response& a) {
  return fmt::format("cannot reach {}: {}", s.at.base, dial_analytics::detail::redact(a.error));
}

std::string credentials_refused(const http_response& a) {
  return fmt::format(
      "Elasticsearch refuses the credentials (HTTP {}): {}; check the user and "
      "password, API key or bearer token",
      a.status, wire::error_text(a.body));
}

// GET /_cluster/health, waiting up to health_wait for yellow: true when writes may go ahead.
bool wait_for_health(session& s, prepare_result& out) {
  const long long wait = s.cfg.health_wait.count();
  const http_response a = s.http.get(
      fmt::format("{}/_cluster/health?wait_for_status=yellow&timeout={}s", s.at.base, wait),
      s.headers);
  const std::string status = cluster_status(a.body);
  out.http_status = a.status;
  if (a.status == 0) {
    out.note = unreachable(s, a);
  } else if (a.status == 200 && (status == "green" || status == "yellow")) {
    out.note = "cluster " + status;
    out.http_status = 0;
    return true;
  } else if (a.status == 200 || a.status == 408) {
    out.note = fmt::format("cluster health is {} after waiting {} s for yellow",
                           status.empty() ? "unknown" : status, wait);
  } else if (a.status == 401) {
    out.note = credentials_refused(a);
  } else if (a.status == 403 || a.status == 404 || a.status == 410) {
    // A user without the `monitor` privilege, or a service without the API: go on, the index
    // requests and the writes tell whether the cluster takes documents.
    out.note = fmt::format("cluster health not available (HTTP {}), not waited for", a.status);
    out.http_status = 0;
    return true;
  } else {
    out.note =
        fmt::format("cluster health answered HTTP {}: {}", a.status, wire::error_text(a.body));
  }
  return false;
}

// PUT /<index> with the mapping; an index created by someone else meanwhile is as good.
void put_index(session& s, const std::string& url, prepare_result& out) {
  const http_response a = s.http.put(url, index_body(s.cfg.mapping), s.headers);
  const std::string why = wire::error_text(a.body);
  out.http_status = a.status;
  if (a.status >= 200 && a.status < 300) {
    out.ready = out.created = true;
    out.http_status = 0;
    out.note += fmt::format(
        "; created index {} with the {} mapping", s.cfg.index,
        s.cfg.mapping == index_mapping::blueprint ? "blueprint's strict" : "NAT-compatible strict");
  } else if (a.status == 400 &&
             why.find("resource_already_exists_exception") != std::string::npos) {
    out.ready = true;
    out.http_status = 0;
    out.note += fmt::format("; index {} was created meanwhile by another client", s.cfg.index);
  } else if (a.status == 0) {
    out.note = unreachable(s, a);
  } else if (a.status == 401) {
    out.note = credentials_refused(a);
  } else {
    out.note = fmt::format("cannot create index {} (HTTP {}): {}", s.cfg.index, a.status, why);
  }
}

}  // namespace

namespace wire {

endpoint resolve_endpoint(const es_config& cfg) {
  auto [base, user_info] = split_user_info(cfg.url);
  endpoint e{std::move(base), {}, {}};
  int kinds = 0;
  if (!user_info.empty()) {
    ++kinds;
    const std::size_t colon = user_info.find(':');
    const std::string user = percent_decode(user_info.substr(0, colon));
    const std::string password =
        colon == std::string::npos ? std::string() : percent_decode(user_info.substr(colon + 1));
    e.authorization = "Authorization: Basic " + base64(user + ":" + password);
    e.auth_kind = "basic auth";
  }
  if (cfg.username.empty() != cfg.password.empty())
    throw config_error("Elasticsearch basic auth needs both a username and a password");
  if (!cfg.username.empty()) {
    ++kinds;
    e.authorization = "Authorization: Basic " + base64(cfg.username + ":" + cfg.password.reveal());
    e.auth_kind = "basic auth";
  }
  if (!cfg.api_key.empty()) {
    ++kinds;
    const std::string& key = cfg.api_key.reveal();
    // "id:key" is what Kibana shows as two fields; the "encoded" form is already base64.
    e.authorization =
        "Authorization: ApiKey " + (key.find(':') != std::string::npos ? base64(key) : key);
    e.auth_kind = "API key";
  }
  if (!cfg.bearer_token.empty()) {
    ++kinds;
    e.authorization = "Authorization: Bearer " + cfg.bearer_token.reveal();
    e.auth_kind = "bearer token";
  }
  if (kinds > 1) {
    throw config_error(
        "Elasticsearch credentials: set only one of user-info in the URL, username and "
        "password, an API key or a bearer token");
  }
  return e;
}

std::vector<std::string> request_headers(const es_config& cfg, const endpoint& at, bool ndjson) {
  std::vector<std::string> headers;
  if (!at.authorization.empty()) headers.push_back(at.authorization);
  if (cfg.compat_header) {
    headers.push_back(
        ndjson ? "Content-Type: application/vnd.elasticsearch+x-ndjson; compatible-with=8"
               : "Content-Type: application/vnd.elasticsearch+json; compatible-with=8");
    headers.emplace_back("Accept: application/vnd.elasticsearch+json; compatible-with=8");
  } else {
    headers.push_back(ndjson ? "Content-Type: application/x-ndjson"
                             : "Content-Type: application/json");
    headers.emplace_back("Accept: application/json");
  }
  headers.emplace_back("Expect:");
  return headers;
}

dial_analytics::detail::http_client_options client_options(const es_config& cfg,
                                                           std::chrono::milliseconds at_least) {
  dial_analytics::detail::http_client_options o;
  o.timeout = std::max(cfg.timeout, at_least);
  o.connect_timeout = cfg.connect_timeout;
  o.ca_file = cfg.ca_file;
  o.max_body_bytes = max_answer_bytes;
  return o;
}

std::string base64(std::string_view bytes) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const auto n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16 |
                   static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                   static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 2]));
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(alphabet[(n >> shift) & 63]);
  }
  if (const std::size_t rest = bytes.size() - i; rest > 0) {
    unsigned n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) n |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out.push_back(alphabet[(n >> 18) & 63]);
    out.push_back(alphabet[(n >> 12) & 63]);
    out.push_back(rest == 2 ? alphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

}  // namespace wire

std::string index_body(index_mapping m) {
  if (m == index_mapping::nat_compat) {
    return make_index_body(
        R"(,"contract_version":{"type":"keyword"},"error_details":{"type":"text","index":false})");
  }
  return make_index_body({});
}

std::string describe(const es_config& cfg) {
  std::string out =
      fmt::format("Elasticsearch at {} (index {}", split_user_info(cfg.url).first, cfg.index);
  if (!split_user_info(cfg.url).second.empty() || !cfg.username.empty()) out += ", basic auth";
  if (!cfg.api_key.empty()) out += ", API key";
  if (!cfg.bearer_token.empty()) out += ", bearer token";
  if (cfg.mapping == index_mapping::nat_compat) out += ", NAT-compatible mapping";
  if (!cfg.ca_file.empty()) out += ", CA file " + cfg.ca_file;
  if (cfg.compat_header) out += ", compatible-with=8 headers";
  return dial_analytics::detail::redact(out + ")");
}

prepare_result prepare_index(const es_config& cfg) {
  const wire::endpoint at = wire::resolve_endpoint(cfg);
  // The health request itself waits up to health_wait: give it that long plus a margin.
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(cfg.health_wait);
  session s{cfg, at, wire::request_headers(cfg, at, false),
            http_client(wire::client_options(cfg, wait + cfg.connect_timeout))};
  prepare_result out;
  if (!wait_for_health(s, out)) return out;
  const std::string url = s.at.base + "/" + dial_analytics::detail::url_escape(cfg.index);
  const http_response a = s.http.head(url, s.headers);
  if (a.status == 200) {
    out.ready = true;
    out.note += fmt::format("; index {} exists", cfg.index);
  } else if (a.status == 404) {
    put_index(s, url, out);
  } else if (a.status == 403) {
    // A user allowed to write documents but not to look at indices: the writes will tell.
    out.ready = true;
    out.note += fmt::format("; cannot check index {} (HTTP 403), writing anyway", cfg.index);
  } else if (a.status == 401) {
    out.note = credentials_refused(a);
  } else if (a.status == 0) {
    out.note = unreachable(s, a);
  } else {
    out.note = fmt::format("HEAD {} answered HTTP {}", cfg.index, a.status);
  }
  if (!out.ready) out.http_status = a.status;
  return out;
}

prepare_result create_index(const es_config& cfg) {
  const wire::endpoint at = wire::resolve_endpoint(cfg);
  session s{cfg, at, wire::request_headers(cfg, at, false), http_client(wire::client_options(cfg))};
  prepare_result out;
  put_index(s, s.at.base + "/" + dial_analytics::detail::url_escape(cfg.index), out);
  return out;
}

}  // namespace dial_analytics::elasticsearch
