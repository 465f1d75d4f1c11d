// SPDX-License-Identifier: Apache-2.0
// Where and how to store Data Flywheel documents in Elasticsearch (or OpenSearch): the cluster,
// the index, the credentials and the index's mapping. docs/outputs.md describes the delivery.
//
// Thread-safety: plain values; the free functions are pure.
#pragma once

#include <chrono>
#include <string>

#include <dial_analytics/output/secret_string.hpp>

namespace dial_analytics::elasticsearch {

/// The mapping the index is created with when it is missing.
enum class index_mapping {
  blueprint,   ///< the Data Flywheel blueprint's strict mapping: exactly its five top-level keys
  nat_compat,  ///< the same, plus the NeMo Agent Toolkit's `contract_version` and `error_details`
};

/// One Elasticsearch output. At most one kind of credentials may be set: user-info in `url`,
/// `username` + `password`, `api_key` or `bearer_token`.
struct es_config {
  std::string url = "http://localhost:9200";  ///< user-info in the URL is Basic auth
  std::string index = "flywheel";
  std::string username;            ///< Basic auth, with `password` (both needed)
  output::secret_string password;  ///< Basic auth, with `username`
  output::secret_string api_key;   ///< "id:key" (base64-encoded for you) or an encoded key
  output::secret_string bearer_token;
  std::string ca_file;  ///< CA bundle (PEM) for https; empty: the system's
  index_mapping mapping = index_mapping::blueprint;
  /// Send `application/vnd.elasticsearch+json; compatible-with=8` (and its ndjson form) instead
  /// of the plain types; OpenSearch answers 406 to it, so it is off by default.
  bool compat_header = false;
  std::chrono::milliseconds timeout{30000};         ///< whole request
  std::chrono::milliseconds connect_timeout{5000};  ///< TCP (and TLS) connect
  /// How long one health check waits for a yellow or green cluster (`wait_for_status=yellow`).
  std::chrono::seconds health_wait{10};
};

/// "Elasticsearch at http://host:9200 (index flywheel)", plus the kind of credentials and a
/// non-default mapping; never a secret (user-info is left out of the URL).
[[nodiscard]] std::string describe(const es_config& cfg);

/// The exact body the index is created with (compact JSON, keys in the blueprint's order).
[[nodiscard]] std::string index_body(index_mapping m);

}  // namespace dial_analytics::elasticsearch
