#include "compiler/import/reader.h"
namespace lac::import {
Result<ModelSpec> readHuggingFace(const std::string& path, const ReadOptions&) {
  LAC_FAIL(Error::Unsupported, "%s: Hugging Face reader not written yet", path.c_str());
}
}  // namespace lac::import
