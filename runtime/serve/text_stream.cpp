#include "runtime/serve/text_stream.h"

#include <algorithm>
#include <utility>

namespace lac::serve {

size_t heldBackLength(const std::string& text, const std::vector<std::string>& stops) {
  size_t best = 0;
  for (const std::string& s : stops)
    for (size_t n = std::min(text.size(), s.size() - 1); n > best; --n)
      if (text.compare(text.size() - n, n, s, 0, n) == 0) {
        best = n;
        break;
      }
  return best;
}

TextStream::TextStream(const Tokenizer& tok, std::vector<std::string> stop_strings)
    : decoder_(tok), stops_(std::move(stop_strings)) {
  std::erase_if(stops_, [](const std::string& s) { return s.empty(); });
}

Result<TextStream::Piece> TextStream::push(int32_t id) {
  Piece out;
  if (stopped_) {
    out.stopped = true;
    return out;
  }
  LAC_CHECK_OR_RETURN(id >= 0, Error::InvalidArgument, "token id %d is negative", id);
  LAC_ASSIGN_OR_RETURN(std::string piece, decoder_.push(static_cast<uint32_t>(id)));
  // Only a stop string that ends inside the new piece can be new; search from
  // where it could start.
  const size_t old = held_.size();
  held_ += piece;
  size_t cut = std::string::npos;
  for (const std::string& s : stops_) {
    const size_t from = old >= s.size() ? old - s.size() + 1 : 0;
    const size_t at = held_.find(s, from);
    if (at != std::string::npos) cut = std::min(cut, at);
  }
  if (cut != std::string::npos) {
    out.text = held_.substr(0, cut);
    out.stopped = stopped_ = true;
    held_.clear();
    return out;
  }
  const size_t keep = heldBackLength(held_, stops_);
  out.text = held_.substr(0, held_.size() - keep);
  held_.erase(0, held_.size() - keep);
  return out;
}

std::string TextStream::finish() {
  if (stopped_) return {};
  std::string rest = std::move(held_) + decoder_.flush();
  held_.clear();
  return rest;
}

}  // namespace lac::serve
