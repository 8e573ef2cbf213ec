#include "compiler/emit/progress_bar.h"

#include <unistd.h>

#include <algorithm>

namespace lac::emit {

namespace {

std::string mib(uint64_t bytes) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", double(bytes) / (1024.0 * 1024.0));
  return b;
}

}  // namespace

ProgressBar::ProgressBar(std::string label, FILE* out)
    : ProgressBar(std::move(label), out, out != nullptr && ::isatty(::fileno(out)) == 1) {}

ProgressBar::ProgressBar(std::string label, FILE* out, bool interactive)
    : label_(std::move(label)), out_(out), interactive_(interactive), start_(std::chrono::steady_clock::now()) {}

std::string ProgressBar::render(uint64_t done, uint64_t total, int width) {
  const double frac = total == 0 ? 1.0 : std::min(1.0, double(done) / double(total));
  const int filled = static_cast<int>(frac * width + 1e-9);
  std::string s = "[" + std::string(filled, '#') + std::string(width - filled, '.') + "]";
  char tail[64];
  std::snprintf(tail, sizeof tail, " %3d%%  %s/%s MiB", static_cast<int>(frac * 100 + 1e-9), mib(done).c_str(),
                mib(total).c_str());
  return s + tail;
}

void ProgressBar::update(uint64_t done, uint64_t total) {
  done_ = done;
  total_ = total;
  if (!interactive_ || out_ == nullptr || finished_) return;
  auto now = std::chrono::steady_clock::now();
  if (done < total && now - last_draw_ < std::chrono::milliseconds(50)) return;
  last_draw_ = now;
  std::fprintf(out_, "\r%s %s", label_.c_str(), render(done, total, 30).c_str());
  std::fflush(out_);
}

void ProgressBar::finish() {
  if (finished_ || out_ == nullptr) return;
  finished_ = true;
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (interactive_) std::fprintf(out_, "\r\033[K");  // clear the bar
  std::fprintf(out_, "%s: %s MiB in %.1f s\n", label_.c_str(), mib(done_).c_str(), secs);
  std::fflush(out_);
}

}  // namespace lac::emit
