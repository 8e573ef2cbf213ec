#include "compiler/import/reader.h"
namespace lac::import {
Result<ModelSpec> readMeta(const std::string& path, const ReadOptions&) {
  LAC_FAIL(Error::Unsupported, "%s: Meta reader not written yet", path.c_str());
}
}  // namespace lac::import
