// SPDX-License-Identifier: Apache-2.0
// A lean HTTP loader for the end-to-end benchmark, standing in for Vector: N keep-alive
// connections POST the given files (preloaded in memory), each file once, in parallel.
//   dial_analytics_load --url URL [--concurrency N] [--content-type T] FILE...
// Prints `requests=… failed=… elapsed_ms=…`; exits 1 if any request did not answer 2xx.
#include <curl/curl.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {
size_t discard(char*, size_t size, size_t n, void*) { return size * n; }
}  // namespace

int main(int argc, char** argv) {
  std::string url, content_type = "application/json";
  int concurrency = 4;
  std::vector<std::string> bodies;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--url") == 0 && i + 1 < argc) {
      url = argv[++i];
    } else if (std::strcmp(argv[i], "--concurrency") == 0 && i + 1 < argc) {
      concurrency = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--content-type") == 0 && i + 1 < argc) {
      content_type = argv[++i];
    } else {
      std::ifstream in(argv[i], std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      bodies.push_back(ss.str());
    }
  }
  if (url.empty() || bodies.empty()) {
    std::fprintf(
        stderr,
        "usage: dial_analytics_load --url URL [--concurrency N] [--content-type T] FILE...\n");
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  // When sending starts (files are loaded by now), for the caller's timings.
  std::printf("start_ms=%lld\n",
              static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count()));
  std::fflush(stdout);
  std::atomic<std::size_t> next{0};
  std::atomic<int> failed{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&] {
      CURL* h = curl_easy_init();
      curl_slist* headers = curl_slist_append(nullptr, ("Content-Type: " + content_type).c_str());
      headers = curl_slist_append(headers, "Expect:");
      for (std::size_t i = next++; i < bodies.size(); i = next++) {
        curl_easy_setopt(h, CURLOPT_URL, url.c_str());
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, bodies[i].data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(bodies[i].size()));
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
        long status = 0;
        // Vector retries 5xx and 429 forever; so does the loader (bounded: 1000 tries).
        for (int attempt = 0; attempt < 1000; ++attempt) {
          if (curl_easy_perform(h) != CURLE_OK) {
            status = 0;
          } else {
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
          }
          if (status != 0 && status != 429 && status < 500) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        if (status < 200 || status >= 300) ++failed;
      }
      curl_slist_free_all(headers);
      curl_easy_cleanup(h);
    });
  }
  for (auto& t : threads) t.join();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  std::printf("requests=%zu failed=%d elapsed_ms=%lld\n", bodies.size(), failed.load(),
              static_cast<long long>(ms));
  return failed ? 1 : 0;
}
