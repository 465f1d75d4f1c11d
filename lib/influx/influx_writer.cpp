// SPDX-License-Identifier: Apache-2.0
// The InfluxDB backend: the v1/v2/v3 write URLs and their authentication, the classification of
// InfluxDB's answers, and the version probe. HTTP itself is detail/curl_http.
#include <dial_analytics/influx/influx_writer.hpp>

#include <algorithm>
#include <charconv>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include <dial_analytics/error.hpp>

#include "detail/curl_http.hpp"
#include "detail/redact.hpp"
#include "influx/refusals.hpp"

namespace dial_analytics::influx {
using detail::trim_slash;
using detail::url_escape;
using output::count_lines;
using output::write_outcome;
using output::write_result;

namespace {

// The write URL of `config` (its version resolved), with its query parameters.
std::string write_url(const influx_config& config) {
  if (config.url.empty()) throw config_error("InfluxDB URL is empty");
  const std::string base = trim_slash(config.url);
  switch (config.version) {
    case api_version::v1: {
      if (config.database.empty()) throw config_error("InfluxDB v1 needs a database");
      std::string url = base + "/write?db=" + url_escape(config.database) + "&precision=ns";
      if (!config.retention_policy.empty()) url += "&rp=" + url_escape(config.retention_policy);
      return url;
    }
    case api_version::v2:
      if (config.bucket.empty() || config.org.empty())
        throw config_error("InfluxDB v2 needs an org and a bucket");
      return base + "/api/v2/write?org=" + url_escape(config.org) +
             "&bucket=" + url_escape(config.bucket) + "&precision=ns";
    case api_version::v3:
      if (config.database.empty()) throw config_error("InfluxDB v3 needs a database");
      return base + "/api/v3/write_lp?db=" + url_escape(config.database) + "&precision=nanosecond";
    case api_version::v3_compat:
      if (config.database.empty()) throw config_error("InfluxDB v3 needs a database");
      return base + "/api/v2/write?org=ignored&bucket=" + url_escape(config.database) +
             "&precision=ns";
    case api_version::automatic:
      break;
  }
  throw config_error("resolve the InfluxDB API version before creating a writer");
}

// v1: Basic auth (user:password, the token being the password); v2: Token; v3: Bearer.
detail::http_client_options client_options(const influx_config& config) {
  detail::http_client_options o;
  o.timeout = config.timeout;
  o.connect_timeout = config.connect_timeout;
  if (config.version == api_version::v1 && (!config.username.empty() || !config.token.empty()))
    o.basic_auth = config.username + ":" + config.token.reveal();
  return o;
}

std::vector<std::string> request_headers(const influx_config& config) {
  std::vector<std::string> headers;
  if (!config.token.empty()) {
    if (config.version == api_version::v2 || config.version == api_version::v3_compat)
      headers.push_back("Authorization: Token " + config.token.reveal());
    if (config.version == api_version::v3)
      headers.push_back("Authorization: Bearer " + config.token.reveal());
  }
  headers.emplace_back("Content-Type: text/plain; charset=utf-8");
  headers.emplace_back("Accept: application/json");
  return headers;
}

class influx_writer final : public output::batch_writer {
 public:
  explicit influx_writer(const influx_config& config)
      : url_(write_url(config)),
        headers_(request_headers(config)),
        gzip_(config.gzip),
        http_(client_options(config)) {}

  [[nodiscard]] std::string_view name() const noexcept override { return "InfluxDB"; }
  [[nodiscard]] output::line_noun noun() const noexcept override { return {"point", "points"}; }
  [[nodiscard]] std::string remedy(std::string_view message) const override {
    return refusal_remedy(message);
  }

  write_result write(std::string_view lines) override {
    const detail::http_response answer = http_.post(url_, lines, headers_, gzip_);
    if (answer.status == 0)
      return {write_outcome::retry, 0, 0, {}, "network: " + detail::redact(answer.error)};
    return classify_response(answer.status, answer.body, answer.header("retry-after"),
                             count_lines(lines));
  }

 private:
  std::string url_;
  std::vector<std::string> headers_;
  bool gzip_;
  detail::http_client http_;
};

// How many of `lines` a 400/422 answer refused: v1 partial writes end in "dropped=N", v3 lists
// one "line_number" per refused line; anything else refused the whole batch.
std::size_t rejected_lines(std::string_view body, std::size_t lines) {
  constexpr std::string_view dropped_key = "dropped=";
  constexpr std::string_view line_key = "\"line_number\"";
  if (const auto dropped = body.rfind(dropped_key); dropped != std::string_view::npos) {
    std::size_t n = 0;
    const char* first = body.data() + dropped + dropped_key.size();
    if (std::from_chars(first, body.data() + body.size(), n).ec == std::errc())
      return std::min(n, lines);
    return lines;
  }
  std::size_t n = 0;
  for (auto p = body.find(line_key); p != std::string_view::npos; p = body.find(line_key, p + 1))
    ++n;
  return n > 0 ? std::min(n, lines) : lines;
}

// The API of an InfluxDB that did not answer at start: the first answer decides, for every lane.
class shared_resolution {
 public:
  shared_resolution(influx_config config, log_callback log)
      : config_(std::move(config)), log_(std::move(log)) {}

  // The configuration with its version once InfluxDB answered; nothing (and why) until then.
  std::optional<influx_config> resolve(std::string& why) {
    std::lock_guard lock(mutex_);
    if (resolved_) return resolved_;
    const version_probe probe = probe_version(config_);
    if (!probe.answered) {
      why = probe.note.substr(0, probe.note.find(';'));
      return std::nullopt;
    }
    resolved_ = config_;
    resolved_->version = probe.version;
    if (log_) {
      log_(log_level::info, "InfluxDB answered at " + detail::redact(trim_slash(config_.url)) +
                                ": API " + to_string(probe.version) + " (" + probe.note + ")");
    }
    return resolved_;
  }

 private:
  std::mutex mutex_;
  influx_config config_;  // version automatic
  log_callback log_;
  std::optional<influx_config> resolved_;
};

// Asks GET /ping before each write until InfluxDB answers, then writes through its API.
class probing_writer final : public output::batch_writer {
 public:
  explicit probing_writer(std::shared_ptr<shared_resolution> shared) : shared_(std::move(shared)) {}

  [[nodiscard]] std::string_view name() const noexcept override { return "InfluxDB"; }
  [[nodiscard]] output::line_noun noun() const noexcept override { return {"point", "points"}; }
  [[nodiscard]] std::string remedy(std::string_view message) const override {
    return refusal_remedy(message);
  }

  write_result write(std::string_view lines) override {
    if (!inner_) {
      std::string why;
      const std::optional<influx_config> config = shared_->resolve(why);
      if (!config) {
        return {write_outcome::retry,
                0,
                0,
                {},
                "no answer yet, the API is chosen once InfluxDB answers (" + why + ")"};
      }
      try {
        inner_ = make_influx_writer(*config);
      } catch (const config_error& e) {
        return {write_outcome::unavailable, 0, 0, {}, e.what()};
      }
    }
    return inner_->write(lines);
  }

 private:
  std::shared_ptr<shared_resolution> shared_;
  std::unique_ptr<output::batch_writer> inner_;
};

}  // namespace

std::function<std::unique_ptr<output::batch_writer>()> make_writer_factory(
    const influx_config& config, const version_probe& start, log_callback log) {
  if (config.version != api_version::automatic || start.answered) {
    influx_config resolved = config;
    resolved.version = start.version;
    return [resolved] { return make_influx_writer(resolved); };
  }
  auto shared = std::make_shared<shared_resolution>(config, std::move(log));
  return [shared] { return std::make_unique<probing_writer>(shared); };
}

std::unique_ptr<output::batch_writer> make_influx_writer(const influx_config& config) {
  return std::make_unique<influx_writer>(config);
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
  out += " at " + detail::redact(trim_slash(c.url));
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
  r.message = detail::redact(body.substr(0, 2000));
  r.retry_after = detail::parse_retry_after(retry_after);
  if (status >= 200 && status < 300) {
    r.outcome = write_outcome::written;
  } else if (status == 400 || status == 422) {
    r.outcome = write_outcome::rejected;
    r.rejected_lines = rejected_lines(body, lines);
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

version_probe probe_version(const influx_config& config) {
  version_probe probe;
  if (config.version != api_version::automatic) {
    probe = {config.version, true, "configured"};
    return probe;
  }
  detail::http_client_options options;
  options.timeout = config.connect_timeout;
  options.connect_timeout = config.connect_timeout;
  detail::http_client http(options);
  const detail::http_response answer = http.get(trim_slash(config.url) + "/ping");
  probe.answered = answer.status != 0;
  const std::string_view v = answer.header("x-influxdb-version");
  if (probe.answered && !v.empty()) {
    const char major = v[0] == 'v' && v.size() > 1 ? v[1] : v[0];
    probe.note = "GET /ping answered X-Influxdb-Version: " + std::string(v);
    if (major == '1' || major == '2' || major == '3') {
      probe.version = major == '1'   ? api_version::v1
                      : major == '2' ? api_version::v2
                                     : api_version::v3;
      return probe;
    }
  }
  std::string why = probe.answered ? "GET /ping gave no X-Influxdb-Version"
                                   : "GET /ping failed: " + detail::redact(answer.error);
  probe.version = api_version::v1;
  if (!config.bucket.empty()) {
    probe.version = api_version::v2;
    why += "; INFLUX_BUCKET is set → v2";
  } else if (!config.database.empty() && !config.token.empty()) {
    probe.version = api_version::v3_compat;
    why += "; INFLUX_DATABASE and a token are set → v3 through the v2-compatible API";
  } else {
    why += "; → v1";
  }
  probe.note = std::move(why);
  return probe;
}

api_version resolve_version(const influx_config& config, std::string* note) {
  version_probe probe = probe_version(config);
  if (note) *note = std::move(probe.note);
  return probe.version;
}

}  // namespace dial_analytics::influx
