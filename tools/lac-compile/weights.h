// The weight provider lac-compile hands the emitter: checkpoint bytes as they
// are when the chosen format is the stored one, packed/converted otherwise.
#pragma once

#include "compiler/emit/emit.h"
#include "compiler/import/model_spec.h"

namespace lac::tools {

emit::WeightProvider packingWeightProvider(const import::ModelSpec& spec);

}  // namespace lac::tools
