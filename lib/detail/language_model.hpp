// SPDX-License-Identifier: Apache-2.0
// Loading a fastText language model for cld2_language_detector (lib/builtin_language_model.cpp).
#pragma once

#include <memory>
#include <string>

namespace dial_analytics {
class fasttext_topic_classifier;
}

namespace dial_analytics::detail {

/// A language model at `path`, set up for the detector: no confidence floor and no prefix cut
/// (the detector applies its own). Throws topic_model_error when it is not a supervised model.
std::shared_ptr<const fasttext_topic_classifier> load_language_model(const std::string& path);

}  // namespace dial_analytics::detail
