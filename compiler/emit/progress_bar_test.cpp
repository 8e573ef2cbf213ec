#include "compiler/emit/progress_bar.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace lac::emit {
namespace {

std::string contents(FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string s;
  char buf[256];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  return s;
}

TEST(ProgressBar, Renders) {
  EXPECT_EQ(ProgressBar::render(0, 100, 10), "[..........]   0%  0.0/0.0 MiB");
  EXPECT_EQ(ProgressBar::render(1 << 20, 2 << 20, 10), "[#####.....]  50%  1.0/2.0 MiB");
  EXPECT_EQ(ProgressBar::render(5, 0, 4), "[####] 100%  0.0/0.0 MiB");
}

TEST(ProgressBar, NotATerminalPrintsOneFinalLine) {
  FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  ProgressBar bar("writing weights", f);  // a file: not interactive
  for (uint64_t i = 0; i <= 10; ++i) bar.update(i << 20, 10 << 20);
  bar.finish();
  bar.finish();  // once only
  std::string s = contents(f);
  std::fclose(f);
  EXPECT_EQ(s.find('\r'), std::string::npos);
  EXPECT_EQ(s.rfind("writing weights: 10.0 MiB in ", 0), 0u) << s;
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 1);
}

TEST(ProgressBar, InteractiveRedrawsInPlace) {
  FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  ProgressBar bar("w", f, /*interactive=*/true);
  bar.update(0, 4);
  bar.update(4, 4);  // the last update always draws
  bar.finish();
  std::string s = contents(f);
  std::fclose(f);
  EXPECT_NE(s.find("\rw [##############################] 100%"), std::string::npos) << s;
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 1);
}

}  // namespace
}  // namespace lac::emit
