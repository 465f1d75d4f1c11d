// SPDX-License-Identifier: Apache-2.0
// An in-memory batch_writer for delivery tests: answers from a shared script (then `written`)
// and records every body it was sent, with the number of the writer (lane) that sent it.
#pragma once

#include <dial_analytics/output/batch_writer.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace test_support {

class scripted_writer final : public dial_analytics::output::batch_writer {
 public:
  /// What every writer made from one `shared` answers and records; lock `mutex` to read it
  /// while senders run.
  struct shared {
    std::mutex mutex;
    std::deque<dial_analytics::output::write_result> script;  ///< next answers; then `written`
    /// When set (and the script is empty), answers every write; e.g. always `retry`.
    std::function<dial_analytics::output::write_result(std::string_view)> answer;
    std::vector<std::string> bodies;         ///< every write, in order
    std::vector<int> writers;                ///< which writer sent bodies[i]
    int made = 0;                            ///< writers made by factory()
    dial_analytics::output::line_noun noun;  ///< what the writers call their lines
    std::string remedy;                      ///< what remedy() says of any message

    /// The bodies writer `id` was sent, concatenated.
    std::string sent_by(int id) {
      std::lock_guard lock(mutex);
      std::string all;
      for (std::size_t i = 0; i < bodies.size(); ++i) {
        if (writers[i] == id) all += bodies[i];
      }
      return all;
    }
  };

  scripted_writer(shared& s, int id) : s_(s), id_(id) {}

  /// A writer factory numbering its writers 0, 1, … (one per lane, in lane order).
  static std::function<std::unique_ptr<dial_analytics::output::batch_writer>()> factory(shared& s) {
    return [&s] {
      std::lock_guard lock(s.mutex);
      return std::make_unique<scripted_writer>(s, s.made++);
    };
  }

  dial_analytics::output::write_result write(std::string_view lines) override {
    std::lock_guard lock(s_.mutex);
    s_.bodies.emplace_back(lines);
    s_.writers.push_back(id_);
    if (!s_.script.empty()) {
      auto r = s_.script.front();
      s_.script.pop_front();
      return r;
    }
    return s_.answer ? s_.answer(lines) : dial_analytics::output::write_result{};
  }
  [[nodiscard]] std::string_view name() const noexcept override { return "scripted backend"; }
  [[nodiscard]] dial_analytics::output::line_noun noun() const noexcept override { return s_.noun; }
  [[nodiscard]] std::string remedy(std::string_view) const override { return s_.remedy; }

 private:
  shared& s_;
  int id_;
};

}  // namespace test_support
