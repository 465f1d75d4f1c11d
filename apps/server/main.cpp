// SPDX-License-Identifier: Apache-2.0
// dial-analytics-server: Vector in, InfluxDB out (see --help).
#include <malloc.h>

#include <cstdio>
#include <string>
#include <vector>

#include <dial_analytics/error.hpp>
#include <dial_analytics/version.hpp>

#include "app.hpp"
#include "http_server.hpp"
#include "server_config.hpp"

int main(int argc, char** argv) {
  namespace ds = dial_analytics::server;
  ds::server_config config;
  try {
    bool help = false;
    config = ds::load_config(std::vector<std::string>(argv + 1, argv + argc), help);
    if (help) {
      std::fputs(ds::usage(), stdout);
      return 0;
    }
  } catch (const dial_analytics::config_error& e) {
    std::fprintf(stderr, "dial-analytics-server: %s\nTry 'dial-analytics-server --help'.\n",
                 e.what());
    return 2;
  }
  // Request bodies are MB-sized: keep freed buffers in the heap instead of mmap/munmap per
  // request (page faults dominated the intake profile otherwise).
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
  ds::logger log(config.level);
  log(dial_analytics::log_level::info,
      std::string("dial-analytics-server ") + dial_analytics::version_string + " starting");
  if (!config.topic_embeddings_model.empty()) {
    log(dial_analytics::log_level::warning,
        "TOPIC_EMBEDDINGS_MODEL is ignored: fastText topic models carry their own word vectors "
        "(docs/topics.md)");
  }
  try {
    ds::app application(config, log);
    for (const std::string& note : application.startup_notes())
      log(dial_analytics::log_level::info, note);
    const int rc = ds::serve(config, application, log);
    application.shutdown();
    log(dial_analytics::log_level::info, "stopped");
    return rc;
  } catch (const dial_analytics::config_error& e) {
    log(dial_analytics::log_level::error, std::string("configuration: ") + e.what());
    return 2;
  } catch (const std::exception& e) {
    log(dial_analytics::log_level::error, std::string("fatal: ") + e.what());
    return 1;
  }
}
