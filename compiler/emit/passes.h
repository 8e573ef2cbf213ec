// The emission passes (test entry points for lit): one registration call.
#pragma once

namespace lac {

// --lac-emit-plan-json{model=PATH dump-tokenizer}
void registerEmitPasses();

}  // namespace lac
