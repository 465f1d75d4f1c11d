// SPDX-License-Identifier: Apache-2.0
// The server's option table: documented, in --help, read from the environment and the flags.
#include "server_config.hpp"

#include <catch2/catch.hpp>

#include <dial_analytics/error.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace ds = dial_analytics::server;

namespace {

std::string configuration_doc() {
  std::ifstream in(DIAL_ANALYTICS_CONFIGURATION_DOC);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// An environment holding exactly `vars`.
ds::env_lookup environment(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

ds::server_config load(const std::vector<std::string>& args,
                       std::map<std::string, std::string> vars = {}) {
  const ds::command_line c = ds::load_config(args, environment(std::move(vars)));
  REQUIRE(c.what == ds::command_line::action::serve);
  return c.config;
}

}  // namespace

TEST_CASE("every server option is documented in docs/configuration.md by variable and flag",
          "[server][config]") {
  const std::string doc = configuration_doc();
  for (const ds::server_option& o : ds::server_options()) {
    INFO(o.env << " " << o.flag);
    CHECK(doc.find("| `" + std::string(o.env) + "` | `" + std::string(o.flag) + "` |") !=
          std::string::npos);
  }
}

TEST_CASE("the help lists every option with its variable and a default server_config's value",
          "[server][config]") {
  const std::string help = ds::help_text();
  const ds::server_config defaults;
  for (const ds::server_option& o : ds::server_options()) {
    INFO(o.env << " " << o.flag);
    CHECK(help.find(std::string(o.flag) + " ") != std::string::npos);
    CHECK(help.find(std::string(o.env)) != std::string::npos);
    CHECK(!o.help.empty());
  }
  CHECK(help.find("--port PORT") != std::string::npos);
  CHECK(help.find("(default: " + std::to_string(defaults.port) + ")") != std::string::npos);
  CHECK(help.find("(default: ./data)") != std::string::npos);
  CHECK(help.find("--version") != std::string::npos);
}

TEST_CASE("variables and flags and both flag spellings set the same setting, flags winning",
          "[server][config]") {
  CHECK(load({}).port == 5000);
  CHECK(load({}, {{"PORT", "6000"}}).port == 6000);
  CHECK(load({"--port=7000"}, {{"PORT", "6000"}}).port == 7000);
  CHECK(load({"--port", "7001"}, {{"PORT", "6000"}}).port == 7001);
  CHECK(load({"--port", "7001", "--port=7002"}).port == 7002);
  const ds::server_config c = load({"--influx-url", "http://influx:8086", "--log-level=debug"},
                                   {{"SPOOL_FSYNC", "off"}, {"INFLUX_CONNECTIONS", "99"}});
  CHECK(c.has_influx);
  CHECK(c.influx.url == "http://influx:8086");
  CHECK(c.level == dial_analytics::log_level::debug);
  CHECK_FALSE(c.spool_sync);
  CHECK(c.influx_connections == 16);  // kept within 1-16
  CHECK(load({"--shutdown-requests", "5"}).in_flight_timeout == std::chrono::seconds(5));
}

TEST_CASE("every option of the table can be set by its variable and by its flag",
          "[server][config]") {
  // A value each option accepts; the table must give every option one of these forms.
  const auto valid = [](std::string_view value_name) -> std::string {
    if (value_name == "BOOL") return "true";
    if (value_name == "LEVEL") return "INFO";
    if (value_name == "MODE") return "cld2";
    if (value_name == "P") return "0.5";
    if (value_name == "auto|1|2|3") return "2";
    if (value_name == "SOURCE") return "execution_path";
    if (value_name == "TYPES") return "email,iban";
    if (value_name == "drop|refuse") return "refuse";
    if (value_name == "blueprint|nat_compat") return "nat_compat";
    if (value_name == "reference|compact") return "compact";
    if (value_name == "N" || value_name == "BYTES" || value_name == "SECONDS" ||
        value_name == "MS" || value_name == "PORT")
      return "5";
    return "text";
  };
  for (const ds::server_option& o : ds::server_options()) {
    INFO(o.env << " " << o.flag);
    const std::string v = valid(o.value_name);
    CHECK_NOTHROW(load({}, {{std::string(o.env), v}}));
    CHECK_NOTHROW(load({std::string(o.flag), v}));
  }
}

TEST_CASE("a wrong value names its variable or flag and points at --help", "[server][config]") {
  const auto fails = [](const std::vector<std::string>& args,
                        std::map<std::string, std::string> vars) {
    try {
      (void)ds::load_config(args, environment(std::move(vars)));
    } catch (const dial_analytics::config_error& e) {
      return std::string(e.what());
    }
    FAIL("no error");
    return std::string();
  };
  const std::string help = "(see dial-analytics-server --help)";
  std::string e = fails({}, {{"PORT", "x"}});
  CHECK(e.find("dial-analytics-server: PORT ") == 0);
  CHECK(e.find("'x'") != std::string::npos);
  CHECK(e.find(help) != std::string::npos);
  e = fails({"--port=70000"}, {});
  CHECK(e.find("--port") != std::string::npos);
  CHECK(e.find("65535") != std::string::npos);
  CHECK(fails({"--bogus"}, {}).find("unknown option '--bogus'") != std::string::npos);
  CHECK(fails({"--port"}, {}).find("--port needs a value") != std::string::npos);
  CHECK(fails({}, {{"SPOOL_FSYNC", "maybe"}}).find("SPOOL_FSYNC takes true or false") !=
        std::string::npos);
  CHECK(fails({}, {{"LOG_LEVEL", "loud"}}).find("LOG_LEVEL takes DEBUG") != std::string::npos);
  CHECK(fails({"--influx-api-version", "4"}, {}).find("--influx-api-version takes auto") !=
        std::string::npos);
  CHECK(fails({}, {{"TOPIC_MIN_CONFIDENCE", "2"}}).find("TOPIC_MIN_CONFIDENCE") !=
        std::string::npos);
  e = fails({"--model-rates", "rates.json"}, {{"MODEL_RATES", "{}"}});
  CHECK(e.find("not both") != std::string::npos);
  CHECK(e.find(help) != std::string::npos);
}

TEST_CASE("--help and --version are answered without reading the environment", "[server][config]") {
  const auto broken = environment({{"PORT", "x"}});
  CHECK(ds::load_config({"--help"}, broken).what == ds::command_line::action::help);
  CHECK(ds::load_config({"-h"}, broken).what == ds::command_line::action::help);
  CHECK(ds::load_config({"--version"}, broken).what == ds::command_line::action::version);
  CHECK(ds::version_line().rfind("dial-analytics-server ", 0) == 0);
}
