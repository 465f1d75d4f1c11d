// SPDX-License-Identifier: Apache-2.0
// The rule that combines CLD2's and the fastText model's opinions (docs/language.md), private to
// the library; tests reach it through lib/ on their include path.
#pragma once

#include <string_view>

namespace dial_analytics {
namespace detail {
/// The decision between the two opinions . `cld2` is CLD2's answer when it is
/// sure by its own rule (else empty); `model` is the model's answer when it is sure (else empty);
/// `cld2_guess` is CLD2's best guess whether sure or not (empty: none); `known` tells whether the
/// model knows a language.
template <typename Known>
std::string_view combine_language_opinions(std::string_view cld2, std::string_view model,
                                           std::string_view cld2_guess, Known known) {
  if (!cld2.empty() && !known(cld2)) return cld2;  // a language the model cannot judge
  if (model.empty()) return cld2;                  // CLD2 sure on its own (or none)
  if (!cld2.empty()) return cld2 == model ? model : std::string_view();  // they disagree: none
  // The model alone is sure: not when CLD2 sees a language the model does not know.
  if (!cld2_guess.empty() && !known(cld2_guess)) return {};
  return model;
}
}  // namespace detail

}  // namespace dial_analytics
