// SPDX-License-Identifier: Apache-2.0
// A private folder for one fuzz target's files, on tmpfs when there is one (the targets do many
// small file operations), removed at exit.
#pragma once

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace fuzz_support {

struct temp_folder {
  std::filesystem::path path;
  explicit temp_folder(std::string_view prefix) {
    namespace fs = std::filesystem;
    const fs::path base =
        fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    std::string tmpl = (base / (std::string(prefix) + "-XXXXXX")).string();
    if (!::mkdtemp(tmpl.data())) std::abort();
    path = tmpl;
  }
  ~temp_folder() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  temp_folder(const temp_folder&) = delete;
  temp_folder& operator=(const temp_folder&) = delete;
};

}  // namespace fuzz_support
