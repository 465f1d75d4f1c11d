// SPDX-License-Identifier: Apache-2.0
// The built-in language model (lib/models/language.bin, made by scripts/train_language_model.sh)
// is linked into the library with the assembler's .incbin, so a host program needs no data file
// at run time. fastText loads models from files only: the bytes are handed to it through an
// anonymous in-memory file (memfd), or a temporary file where memfd is not available.
#include <dial_analytics/analytics/cld2_language_detector.hpp>
#include <dial_analytics/analytics/fasttext_topic_classifier.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "detail/language_model.hpp"
#include "detail/posix_io.hpp"

#ifndef DIAL_ANALYTICS_LANGUAGE_MODEL_FILE
#error "DIAL_ANALYTICS_LANGUAGE_MODEL_FILE must name the model to embed"
#endif

__asm__(
    ".section .rodata\n"
    ".balign 16\n"
    ".globl dial_analytics_language_model_begin\n"
    ".hidden dial_analytics_language_model_begin\n"
    "dial_analytics_language_model_begin:\n"
    ".incbin \"" DIAL_ANALYTICS_LANGUAGE_MODEL_FILE
    "\"\n"
    ".globl dial_analytics_language_model_end\n"
    ".hidden dial_analytics_language_model_end\n"
    "dial_analytics_language_model_end:\n"
    ".previous\n");

extern "C" const unsigned char dial_analytics_language_model_begin[];
extern "C" const unsigned char dial_analytics_language_model_end[];

namespace dial_analytics {
namespace {

struct file_descriptor {
  int fd = -1;
  std::string unlink_path;  // a temporary file to remove
  ~file_descriptor() {
    if (fd >= 0) ::close(fd);
    if (!unlink_path.empty()) ::unlink(unlink_path.c_str());
  }
};

std::shared_ptr<const fasttext_topic_classifier> load_builtin() {
  const auto* data = dial_analytics_language_model_begin;
  const auto size = static_cast<std::size_t>(dial_analytics_language_model_end - data);
  file_descriptor file;
  file.fd = ::memfd_create("dial-analytics-language-model", MFD_CLOEXEC);
  std::string path;
  if (file.fd >= 0) {
    path = fmt::format("/proc/self/fd/{}", file.fd);
  } else {
    const char* tmp = std::getenv("TMPDIR");
    path = fmt::format("{}/dial-analytics-language-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    file.fd = ::mkostemp(path.data(), O_CLOEXEC);
    if (file.fd < 0)
      throw topic_model_error(fmt::format(
          "cannot create a file for the built-in language model: {}", std::strerror(errno)));
    file.unlink_path = path;
  }
  if (!detail::write_all(file.fd, std::string_view(reinterpret_cast<const char*>(data), size))) {
    throw topic_model_error(
        fmt::format("cannot write the built-in language model: {}", std::strerror(errno)));
  }
  return detail::load_language_model(path);
}

}  // namespace

std::shared_ptr<const fasttext_topic_classifier> detail::load_language_model(
    const std::string& path) {
  fasttext_topic_options options;
  options.min_confidence = 0;
  options.max_bytes = std::size_t{1} << 20;  // the detector cuts its own prefix
  return std::make_shared<const fasttext_topic_classifier>(path, options);
}

std::shared_ptr<const fasttext_topic_classifier> builtin_language_model() {
  static const std::shared_ptr<const fasttext_topic_classifier> model = load_builtin();
  return model;
}

}  // namespace dial_analytics
