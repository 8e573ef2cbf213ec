// lac._compiler: lac-compile as a Python call (compiler/pipeline/compile_checkpoint.h).
//
// A separate extension from lac._runtime: it links MLIR and LLVM, which a
// program that only runs .lac artifacts never loads. Llama.build imports it
// only when given a checkpoint; a package built with LAC_BUILD_COMPILER=OFF
// has no lac._compiler and says so.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <string>
#include <vector>

#include "compiler/pipeline/compile_checkpoint.h"
#include "python/src/errors.h"

namespace nb = nanobind;

namespace lac::python {
namespace {

// Compiles `checkpoint` into the artifact `output` and returns the readers'
// warnings (what was read but not understood). progress(done, total) is
// called (with the GIL) as weight bytes are packed.
std::vector<std::string> compile(const std::string& checkpoint, const std::string& output, const std::string& target,
             const std::string& weight_format, uint32_t max_seq_len, uint32_t max_batch, const std::string& kv_dtype,
             const std::string& chat_format, int threads, uint32_t tensor_parallel, nb::object progress) {
  pipeline::CheckpointCompileOptions o;
  o.compile.tensor_parallel = tensor_parallel;
  o.compile.target = target;
  o.compile.weight_format = weight_format;
  o.compile.max_seq_len = max_seq_len;
  o.compile.max_batch = max_batch;
  o.compile.kv_dtype = kv_dtype;
  o.compile.print_memory_plan = false;
  o.chat_format = chat_format;
  o.threads = threads;
  o.output = output;
  std::vector<std::string> warnings;
  o.on_warning = [&warnings](const std::string& w) { warnings.push_back(w); };
  if (!progress.is_none())
    o.progress = [&progress](uint64_t done, uint64_t total) {
      nb::gil_scoped_acquire gil;
      try {
        progress(done, total);
      } catch (nb::python_error& e) {
        e.discard_as_unraisable("lac.compile progress callback");
      }
    };
  Result<std::string> r = makeError(Error::Internal, "not run");
  {
    nb::gil_scoped_release nogil;
    r = pipeline::compileCheckpoint(checkpoint, o);
  }
  unwrap(std::move(r));
  return warnings;
}

}  // namespace
}  // namespace lac::python

NB_MODULE(_compiler, m) {
  using namespace lac::python;
  m.doc() = "LAC's compiler: a checkpoint (.gguf, Meta or Hugging Face folder) into a .lac artifact";
  useErrorsOf(nb::module_::import_("lac._runtime"));
  m.def("compile", &compile, nb::arg("checkpoint"), nb::arg("output"), nb::arg("target") = "cpu",
        nb::arg("weight_format") = "auto", nb::arg("max_seq_len") = 0, nb::arg("max_batch") = 1,
        nb::arg("kv_dtype") = "auto", nb::arg("chat_format") = "auto", nb::arg("threads") = 0,
        nb::arg("tensor_parallel") = 1, nb::arg("progress").none() = nb::none(),
        "Compiles CHECKPOINT into OUTPUT (.lac), as lac-compile does; max_seq_len 0 = the model's context, at "
        "most 4096. Returns the readers' warnings.");
}
