#include "runtime/tokenizer/tokenizer.h"
#include "runtime/tokenizer/utf8.h"

namespace lac {

// Emits every complete character; keeps a trailing proper prefix of a
// character in `pending_`; replaces bytes that can never complete at once.
Result<std::string> StreamDecoder::push(uint32_t id) {
  LAC_ASSIGN_OR_RETURN(std::string_view bytes, tok_.tokenToBytes(id));
  pending_.append(bytes);
  std::string out;
  const std::string_view s = pending_;
  size_t i = 0;
  while (i < s.size()) {
    uint32_t cp;
    const int r = utf8::step(s.substr(i), &cp);
    if (r == 0) break;  // incomplete: wait for more bytes
    if (r > 0) {
      out.append(s.substr(i, static_cast<size_t>(r)));
      i += static_cast<size_t>(r);
    } else {
      out.append(utf8::kReplacement);
      i += static_cast<size_t>(-r);
    }
  }
  pending_.erase(0, i);
  return out;
}

std::string StreamDecoder::flush() {
  std::string out;
  if (!pending_.empty()) out.append(utf8::kReplacement);  // a truncated character is one U+FFFD
  pending_.clear();
  return out;
}

}  // namespace lac
