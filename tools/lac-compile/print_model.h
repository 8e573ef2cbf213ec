// `lac-compile --print-model`: a human-readable summary of a ModelSpec.
#pragma once

#include <ostream>

#include "compiler/import/model_spec.h"

namespace lac::tools {

void printModel(const import::ModelSpec& spec, std::ostream& os);

}  // namespace lac::tools
