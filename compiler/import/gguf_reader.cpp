#include "compiler/import/reader.h"
namespace lac::import {
Result<ModelSpec> readGguf(const std::string& path, const ReadOptions&) {
  LAC_FAIL(Error::Unsupported, "%s: GGUF reader not written yet", path.c_str());
}
}  // namespace lac::import
