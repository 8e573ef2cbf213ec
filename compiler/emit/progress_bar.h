// A progress bar on stderr for long writes (lac-compile writing weights).
//
//   ProgressBar bar("writing weights");
//   opts.progress = [&](uint64_t done, uint64_t total) { bar.update(done, total); };
//   ... ; bar.finish();
//
// On a terminal it redraws one line in place (at most ~20 times a second);
// otherwise (a pipe, a log file, CI) it prints nothing until finish(), which
// prints one final line. The bar writes to any FILE* (tests pass a tmpfile).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace lac::emit {

class ProgressBar {
 public:
  // `interactive`: draw as it goes; by default, whether `out` is a terminal.
  explicit ProgressBar(std::string label, FILE* out = stderr);
  ProgressBar(std::string label, FILE* out, bool interactive);

  void update(uint64_t done, uint64_t total);
  // Prints the final line ("label: 12.3 MiB in 0.4 s") once.
  void finish();

  // "[#####.....]  50%  6.2/12.3 MiB" for `width` bar cells.
  static std::string render(uint64_t done, uint64_t total, int width);

 private:
  std::string label_;
  FILE* out_;
  bool interactive_;
  bool finished_ = false;
  uint64_t done_ = 0, total_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_{};
};

}  // namespace lac::emit
