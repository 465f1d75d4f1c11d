// SPDX-License-Identifier: Apache-2.0
// dial-analytics-server: Vector in, InfluxDB out (see --help).
#include <malloc.h>

#include <cstdio>
#include <string>
#include <vector>

#include <dial_analytics/error.hpp>

#include "app.hpp"
#include "http_server.hpp"
#include "server_config.hpp"

int main(int argc, char** argv) {
  namespace ds = dial_analytics::server;
  using dial_analytics::log_level;
  ds::command_line command;
  try {
    command = ds::load_config(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const dial_analytics::config_error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  switch (command.what) {
    case ds::command_line::action::help:
      std::fputs(ds::help_text().c_str(), stdout);
      return 0;
    case ds::command_line::action::version:
      std::puts(ds::version_line().c_str());
      return 0;
    case ds::command_line::action::serve:
      break;
  }
  const ds::server_config& config = command.config;
  // Request bodies are MB-sized: keep freed buffers in the heap instead of mmap/munmap per
  // request (page faults dominated the intake profile otherwise).
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
  ds::logger log(config.level);
  log(log_level::info, ds::version_line() + " starting");
  if (!config.topic_embeddings_model.empty()) {
    log(log_level::warning,
        "TOPIC_EMBEDDINGS_MODEL is ignored: fastText topic models carry their own word vectors "
        "(docs/topics.md)");
  }
  try {
    ds::app application(config, log);
    for (const std::string& note : application.startup_notes()) log(log_level::info, note);
    const int rc = ds::serve(config, application, log);
    application.shutdown();
    log(log_level::info, "stopped");
    return rc;
  } catch (const dial_analytics::config_error& e) {
    log(log_level::error, std::string("configuration: ") + e.what());
    return 2;
  } catch (const std::exception& e) {
    log(log_level::error, std::string("fatal: ") + e.what());
    return 1;
  }
}
