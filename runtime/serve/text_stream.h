// A request's generated text as it streams: token ids -> UTF-8 pieces that
// never split a character, with stop strings cut out.
//
//   TextStream text(tokenizer, {"\nUser:"});
//   LAC_ASSIGN_OR_RETURN(TextStream::Piece p, text.push(id));
//   send(p.text); if (p.stopped) finish();   // the stop string is not in p.text
//   send(text.finish());                      // what was held back, at the end
//
// Text that could be the start of a stop string is held back until it can
// no longer become one (or the stream ends).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/core/result.h"
#include "runtime/tokenizer/tokenizer.h"

namespace lac::serve {

class TextStream {
 public:
  TextStream(const Tokenizer& tok, std::vector<std::string> stop_strings);

  struct Piece {
    std::string text;      // final text added by this token
    bool stopped = false;  // a stop string completed: the stream is over
  };
  // InvalidArgument for an id outside the vocabulary.
  Result<Piece> push(int32_t id);
  // The held-back text (and any incomplete character as U+FFFD); empty after
  // a stop string.
  std::string finish();

 private:
  StreamDecoder decoder_;
  std::vector<std::string> stops_;
  std::string held_;  // decoded text not yet released
  bool stopped_ = false;
};

// The length of the longest tail of `text` that is a proper prefix of one
// of `stops` (what must be held back).
size_t heldBackLength(const std::string& text, const std::vector<std::string>& stops);

}  // namespace lac::serve
