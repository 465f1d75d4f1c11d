// SPDX-License-Identifier: Apache-2.0
// fastText topic classification and training (issue #4). fastText's headers stay in this file.
#include <dial_analytics/analytics/fasttext_topic_classifier.hpp>

#include <fasttext/fasttext.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

#include "detail/utf8.hpp"

namespace dial_analytics {
namespace {

constexpr std::string_view label_prefix = "__label__";
constexpr const char* docs_hint =
    "TOPIC_MODEL must be the path of a fastText supervised model (.bin or .ftz), e.g. one made "
    "by `dial-analytics topics train`; see docs/topics.md";

bool is_ascii_separator(unsigned char c) {
  return c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
}

}  // namespace

void normalize_topic_text(std::string_view text, std::string& out) {
  out.clear();
  out.reserve(text.size());
  bool pending_space = false;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_ascii_separator(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : ch);
  }
}

// fastText's FNV-1a variant (Dictionary::hash): bytes are sign-extended first.
constexpr std::uint32_t fasttext_hash_start = 2166136261u;
constexpr std::uint32_t fasttext_hash_add(std::uint32_t h, char c) {
  return (h ^ static_cast<std::uint32_t>(static_cast<std::int8_t>(c))) * 16777619u;
}
std::uint32_t fasttext_hash(std::string_view s) {
  std::uint32_t h = fasttext_hash_start;
  for (char c : s) h = fasttext_hash_add(h, c);
  return h;
}

struct fasttext_topic_classifier::impl {
  fasttext::FastText model;
  std::shared_ptr<const fasttext::Dictionary> dict;
  fasttext::Args args;
  std::int32_t nwords = 0;
  bool pruned = false;  // quantised with a cutoff: ids need fastText's private prune map
  // Dense softmax models are scored here (fastText's per-element row adds through a
  // non-inlined accessor cost 30 ns a row); others go through FastText::predict.
  std::shared_ptr<const fasttext::DenseMatrix> input, output;
  std::vector<std::string> labels;  // without the prefix, by label id

  // The model's words in a small open-addressing table (fastText's own lookup probes a 30M-slot
  // array: a cache miss per word). Slots hold word id + 1 (0: empty), found by fastText's hash.
  std::vector<std::string> words;
  std::vector<std::uint32_t> word_hashes;
  std::vector<std::int32_t> slots;

  void build_word_table() {
    words.resize(static_cast<std::size_t>(nwords));
    word_hashes.resize(words.size());
    std::size_t size = 16;
    while (size < 2 * words.size()) size *= 2;
    slots.assign(size, 0);
    for (std::int32_t id = 0; id < nwords; ++id) {
      const auto i = static_cast<std::size_t>(id);
      words[i] = dict->getWord(id);
      word_hashes[i] = fasttext_hash(words[i]);
      std::size_t slot = word_hashes[i] & (size - 1);
      while (slots[slot] != 0) slot = (slot + 1) & (size - 1);
      slots[slot] = id + 1;
    }
  }

  // The id of a word of the model, or -1 (labels and unknown words).
  std::int32_t word_id(std::string_view token, std::uint32_t h) const {
    const std::size_t mask = slots.size() - 1;
    for (std::size_t slot = h & mask; slots[slot] != 0; slot = (slot + 1) & mask) {
      const auto i = static_cast<std::size_t>(slots[slot] - 1);
      if (word_hashes[i] == h && words[i] == token) return slots[slot] - 1;
    }
    return -1;
  }

  // Per-thread buffers of one prediction (no allocation once warm).
  struct scratch {
    std::string line, word;
    std::vector<std::int32_t> ids, hashes;
    std::vector<float> hidden, out;
    std::vector<std::pair<float, std::int32_t>> best;
  };

  // The input ids of one normalised line, exactly as Dictionary::getLine computes them for a
  // supervised model (word ids and sub-word / word n-gram buckets, then the end-of-line token),
  // without its per-word string copies and stream reads.
  void line_ids(std::string_view line, std::vector<std::int32_t>& ids, scratch& s) const {
    ids.clear();
    auto& hashes = s.hashes;  // int32, as fastText keeps them (sign matters below)
    hashes.clear();
    auto add_word = [&](std::string_view token) {
      const std::uint32_t h = fasttext_hash(token);
      const std::int32_t wid = word_id(token, h);
      if (wid >= 0) {
        if (args.maxn <= 0) {
          ids.push_back(wid);
        } else {
          const auto& sub = dict->getSubwords(wid);
          ids.insert(ids.end(), sub.begin(), sub.end());
        }
      } else {
        if (token.starts_with(args.label)) return;  // an unknown label
        if (token != fasttext::Dictionary::EOS) add_char_ngrams(token, ids, s.word);
      }
      hashes.push_back(static_cast<std::int32_t>(h));
    };
    for (std::size_t b = 0; b < line.size();) {
      const std::size_t e = std::min(line.find(' ', b), line.size());
      if (e > b) add_word(line.substr(b, e - b));
      b = e + 1;
    }
    add_word(fasttext::Dictionary::EOS);
    for (std::size_t i = 0; i < hashes.size(); ++i) {  // Dictionary::addWordNgrams
      auto h = static_cast<std::uint64_t>(static_cast<std::int64_t>(hashes[i]));
      for (std::size_t j = i + 1;
           j < hashes.size() && j < i + static_cast<std::size_t>(args.wordNgrams); ++j) {
        h = h * 116049371 + static_cast<std::uint64_t>(static_cast<std::int64_t>(hashes[j]));
        ids.push_back(nwords +
                      static_cast<std::int32_t>(h % static_cast<std::uint64_t>(args.bucket)));
      }
    }
  }

  // Model::computeHidden + SoftmaxLoss::computeOutput + Loss::findKBest, in the same float
  // operations and order as fastText, so the probabilities are the same.
  void softmax_predict(const std::vector<std::int32_t>& ids, int k,
                       std::vector<std::pair<float, std::int32_t>>& best, scratch& s) const {
    const auto dim = static_cast<std::size_t>(input->cols());
    auto& hidden = s.hidden;
    hidden.assign(dim, 0.0F);
    for (const std::int32_t id : ids) {
      const float* row = input->data() + static_cast<std::size_t>(id) * dim;
      for (std::size_t j = 0; j < dim; ++j) hidden[j] += row[j];
    }
    const float scale = 1.0F / static_cast<float>(ids.size());
    for (float& h : hidden) h *= scale;
    const auto labels_n = static_cast<std::size_t>(output->rows());
    auto& out = s.out;
    out.resize(labels_n);
    for (std::size_t i = 0; i < labels_n; ++i) {
      const float* row = output->data() + i * dim;
      float d = 0.0F;
      for (std::size_t j = 0; j < dim; ++j) d += row[j] * hidden[j];
      out[i] = d;
    }
    float max = out[0], z = 0.0F;
    for (float o : out) max = std::max(o, max);
    for (float& o : out) {
      o = std::exp(o - max);
      z += o;
    }
    // Ranked by probability; the log (fastText's score) only for the k kept (log is monotonic).
    best.clear();
    for (std::size_t i = 0; i < labels_n; ++i)
      best.emplace_back(out[i] / z + 1e-5F, static_cast<std::int32_t>(i));
    const auto n = std::min(best.size(), static_cast<std::size_t>(k));
    std::partial_sort(best.begin(), best.begin() + static_cast<std::ptrdiff_t>(n), best.end(),
                      [](const auto& a, const auto& b) {
                        return a.first > b.first || (a.first == b.first && a.second < b.second);
                      });
    best.resize(n);
    for (auto& b : best) b.first = std::log(b.first);
  }

  // Dictionary::computeSubwords on "<token>": character n-grams of minn..maxn UTF-8 characters.
  void add_char_ngrams(std::string_view token, std::vector<std::int32_t>& ids,
                       std::string& w) const {
    w.clear();
    w.append(fasttext::Dictionary::BOW).append(token).append(fasttext::Dictionary::EOW);
    const auto is_continuation = [&](std::size_t k) {
      return (static_cast<unsigned char>(w[k]) & 0xC0) == 0x80;
    };
    for (std::size_t i = 0; i < w.size(); ++i) {
      if (is_continuation(i)) continue;
      std::uint32_t h = fasttext_hash_start;  // fasttext_hash of w[i, j), extended byte by byte
      for (std::size_t j = i, n = 1; j < w.size() && n <= static_cast<std::size_t>(args.maxn);
           ++n) {
        do {
          h = fasttext_hash_add(h, w[j]);
          ++j;
        } while (j < w.size() && is_continuation(j));
        if (n >= static_cast<std::size_t>(args.minn) && !(n == 1 && (i == 0 || j == w.size())))
          ids.push_back(nwords +
                        static_cast<std::int32_t>(h % static_cast<std::uint32_t>(args.bucket)));
      }
    }
  }
};

fasttext_topic_classifier::fasttext_topic_classifier(const std::string& path,
                                                     fasttext_topic_options opts)
    : impl_(std::make_unique<impl>()), options_(opts) {
  std::error_code ec;
  if (path.empty()) throw topic_model_error(fmt::format("no topic model given; {}", docs_hint));
  if (!std::filesystem::is_regular_file(path, ec))
    throw topic_model_error(fmt::format("topic model '{}' is not a file ({}); {}", path,
                                        ec ? ec.message() : "no such file", docs_hint));
  try {
    impl_->model.loadModel(path);
  } catch (const std::exception& e) {
    throw topic_model_error(fmt::format("topic model '{}' is not a fastText model ({}); {}", path,
                                        e.what(), docs_hint));
  }
  if (impl_->model.getArgs().model != fasttext::model_name::sup)
    throw topic_model_error(fmt::format(
        "topic model '{}' is a fastText word-vector model, not a supervised classifier; {}", path,
        docs_hint));
  impl_->dict = impl_->model.getDictionary();
  impl_->args = impl_->model.getArgs();
  impl_->nwords = impl_->dict->nwords();
  impl_->pruned = const_cast<fasttext::Dictionary&>(*impl_->dict).isPruned();  // a pure read
  impl_->build_word_table();
  if (!impl_->model.isQuant() && impl_->args.loss == fasttext::loss_name::softmax) {
    impl_->input = impl_->model.getInputMatrix();
    impl_->output = impl_->model.getOutputMatrix();
  }
  const auto& dict = impl_->dict;
  for (std::int32_t i = 0; i < dict->nlabels(); ++i) {
    std::string label = dict->getLabel(i);
    if (std::string_view(label).starts_with(label_prefix)) label.erase(0, label_prefix.size());
    impl_->labels.push_back(std::move(label));
  }
  if (impl_->labels.empty())
    throw topic_model_error(fmt::format("topic model '{}' has no labels; {}", path, docs_hint));
}

fasttext_topic_classifier::~fasttext_topic_classifier() = default;

const std::vector<std::string>& fasttext_topic_classifier::labels() const noexcept {
  return impl_->labels;
}

std::vector<topic_prediction> fasttext_topic_classifier::predict(std::string_view text,
                                                                 int k) const {
  thread_local impl::scratch s;
  std::string& line = s.line;
  normalize_topic_text(detail::prefix_at_char_boundary(text, options_.max_bytes), line);
  if (line.empty()) return {};  // fastText would still "predict" from the end-of-line token
  std::vector<std::int32_t>& words = s.ids;
  if (impl_->pruned) {
    std::vector<std::int32_t> labels;
    std::istringstream in(line + '\n');
    impl_->dict->getLine(in, words, labels);
  } else {
    impl_->line_ids(line, words, s);
  }
  fasttext::Predictions& found = s.best;  // (log probability, label id), best first
  if (words.empty()) return {};
  if (impl_->input)
    impl_->softmax_predict(words, k, found, s);
  else
    impl_->model.predict(k, words, found, 0.0F);
  std::vector<topic_prediction> out;
  out.reserve(found.size());
  for (const auto& [log_probability, id] : found)
    out.push_back({impl_->labels[static_cast<std::size_t>(id)], std::exp(double{log_probability})});
  return out;
}

std::string_view fasttext_topic_classifier::classify(std::string_view text) {
  const auto best = predict(text, 1);
  if (best.empty() || best.front().confidence < options_.min_confidence) return {};
  return best.front().label;
}

topic_training_result train_topic_model(const topic_training_options& o) {
  std::ifstream in(o.input);
  if (!in) throw topic_model_error(fmt::format("cannot read training file '{}'", o.input));
  // Normalise the text of every line into a temporary file fastText trains from.
  const std::string normalized_path = o.output + ".training-text.tmp";
  std::ofstream normalized(normalized_path, std::ios::trunc);
  if (!normalized)
    throw topic_model_error(fmt::format("cannot write next to the output '{}'", o.output));
  struct remove_on_exit {
    std::string path;
    ~remove_on_exit() { std::remove(path.c_str()); }
  } cleanup{normalized_path};

  topic_training_result result;
  std::set<std::string, std::less<>> labels, words;
  std::string line, text;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    std::string_view rest = line;
    while (!rest.empty() && (rest.back() == '\r' || rest.back() == ' ')) rest.remove_suffix(1);
    if (rest.empty() || rest.starts_with('#')) continue;  // blank lines and comments
    std::string prefix;                                   // the line's labels, as written
    while (rest.starts_with(label_prefix)) {
      const auto end = rest.find_first_of(" \t");
      const auto label = rest.substr(0, end);
      labels.emplace(label.substr(label_prefix.size()));
      prefix.append(label).push_back(' ');
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    }
    if (prefix.empty())
      throw topic_model_error(
          fmt::format("{}:{}: a line must start with __label__<topic>", o.input, number));
    normalize_topic_text(rest, text);
    if (text.empty())
      throw topic_model_error(
          fmt::format("{}:{}: the line has a label but no text", o.input, number));
    for (std::size_t b = 0; b < text.size();) {
      const auto e = std::min(text.find(' ', b), text.size());
      words.emplace(text.substr(b, e - b));
      b = e + 1;
    }
    normalized << prefix << text << '\n';
    ++result.lines;
  }
  normalized.close();
  result.labels = labels.size();
  result.words = words.size();
  if (result.labels < 2)
    throw topic_model_error(
        fmt::format("{}: a topic model needs at least two different labels", o.input));

  fasttext::Args args;
  args.input = normalized_path;
  args.output = o.output;
  args.model = fasttext::model_name::sup;
  args.loss = fasttext::loss_name::softmax;
  args.epoch = o.epoch;
  args.lr = o.learning_rate;
  args.wordNgrams = o.word_ngrams;
  args.dim = o.dim;
  args.minCount = o.min_count;
  args.minn = o.minn;
  args.maxn = o.maxn;
  args.bucket = o.bucket;
  args.thread = o.threads;
  args.seed = o.seed;
  args.verbose = 0;
  try {
    fasttext::FastText model;
    model.train(args);
    if (o.quantize) {
      fasttext::Args q = args;
      q.qnorm = true;
      q.cutoff = 0;
      q.retrain = false;
      model.quantize(q);
    }
    model.saveModel(o.output);
  } catch (const std::exception& e) {
    throw topic_model_error(fmt::format("training failed: {}", e.what()));
  }
  return result;
}

}  // namespace dial_analytics
