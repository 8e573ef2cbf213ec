#include "runtime/kernels/cuda/lt_api.h"

#include <dlfcn.h>

#include <string>

namespace lac::kernels::cuda {

namespace {

#define LAC_STR2(x) #x
#define LAC_STR(x) LAC_STR2(x)
// The soname of the cuBLAS major version the headers are from.
constexpr const char* kLtSoname = "libcublasLt.so." LAC_STR(CUBLAS_VER_MAJOR);

struct Loaded {
  LtApi api{};
  bool ok = false;
  std::string error;
};

template <typename F>
bool bind(void* lib, const char* name, F& f, std::string& error) {
  f = reinterpret_cast<F>(dlsym(lib, name));
  if (!f) error = std::string(kLtSoname) + ": no symbol " + name;
  return f != nullptr;
}

Loaded load() {
  Loaded l;
  void* lib = dlopen(kLtSoname, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* e = dlerror();
    l.error = e ? e : kLtSoname;
    return l;
  }
  LtApi& a = l.api;
  l.ok = bind(lib, "cublasLtCreate", a.create, l.error) && bind(lib, "cublasLtDestroy", a.destroy, l.error) &&
         bind(lib, "cublasLtMatmulDescCreate", a.descCreate, l.error) &&
         bind(lib, "cublasLtMatmulDescDestroy", a.descDestroy, l.error) &&
         bind(lib, "cublasLtMatmulDescSetAttribute", a.descSetAttribute, l.error) &&
         bind(lib, "cublasLtMatrixLayoutCreate", a.layoutCreate, l.error) &&
         bind(lib, "cublasLtMatrixLayoutDestroy", a.layoutDestroy, l.error) &&
         bind(lib, "cublasLtMatmulPreferenceCreate", a.prefCreate, l.error) &&
         bind(lib, "cublasLtMatmulPreferenceDestroy", a.prefDestroy, l.error) &&
         bind(lib, "cublasLtMatmulPreferenceSetAttribute", a.prefSetAttribute, l.error) &&
         bind(lib, "cublasLtMatmulAlgoGetHeuristic", a.algoGetHeuristic, l.error) &&
         bind(lib, "cublasLtMatmul", a.matmul, l.error);
  // The library stays loaded for the life of the process.
  return l;
}

const Loaded& loaded() {
  static const Loaded l = load();
  return l;
}

}  // namespace

const LtApi* ltApi() { return loaded().ok ? &loaded().api : nullptr; }
const char* ltApiError() { return loaded().ok ? "" : loaded().error.c_str(); }

}  // namespace lac::kernels::cuda
