#include "runtime/core/mapped_file.h"

#include <gtest/gtest.h>

#include "runtime/core/test_temp.h"

#include <cstdio>
#include <fstream>

namespace lac {
namespace {

TEST(MappedFile, MapsBytes) {
  std::string path = lac::testing::tempPath("mapped_file_test.bin");
  { std::ofstream(path, std::ios::binary) << "abcdef"; }
  auto f = MappedFile::open(path);
  ASSERT_TRUE(f.ok()) << f.message();
  ASSERT_EQ((*f)->size(), 6u);
  EXPECT_EQ((*f)->data()[2], 'c');
  std::remove(path.c_str());
}

TEST(MappedFile, MissingFileIsNotFound) {
  auto f = MappedFile::open("/nonexistent/lac/file.bin");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error(), Error::NotFound);
  EXPECT_NE(f.message().find("/nonexistent/lac/file.bin"), std::string::npos);
}

TEST(ByteReader, RefusesToRunPastTheEnd) {
  uint8_t buf[6] = {1, 0, 0, 0, 2, 0};
  ByteReader r(std::span<const uint8_t>(buf, sizeof buf));
  uint32_t a = 0;
  ASSERT_TRUE(r.read(a));
  EXPECT_EQ(a, 1u);
  uint32_t b = 0;
  EXPECT_FALSE(r.read(b));
  EXPECT_EQ(r.offset(), 4u);
  uint16_t c = 0;
  ASSERT_TRUE(r.read(c));
  EXPECT_EQ(c, 2u);
  EXPECT_EQ(r.remaining(), 0u);
  std::span<const uint8_t> s;
  EXPECT_FALSE(r.readBytes(1, s));
}

}  // namespace
}  // namespace lac
