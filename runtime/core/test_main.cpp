// main() of every LAC GoogleTest binary (lac_unit_test in CMakeLists.txt).
//
// Tests find the source tree, the build tree and the generated tiny models
// through environment variables, so a test can be pointed elsewhere by hand;
// when they are unset (ctest, or running the binary directly) the paths the
// build was configured with are used.
#include <gtest/gtest.h>

#include <cstdlib>

int main(int argc, char** argv) {
  ::setenv("LAC_SOURCE_DIR", LAC_SOURCE_DIR, /*overwrite=*/0);
  ::setenv("LAC_BINARY_DIR", LAC_BINARY_DIR, 0);
  ::setenv("LAC_TINY_MODELS", LAC_TINY_MODELS_DIR, 0);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
