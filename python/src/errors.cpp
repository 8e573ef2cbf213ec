#include "python/src/errors.h"

namespace nb = nanobind;

namespace lac::python {

namespace {

struct Classes {
  PyObject* invalid_checkpoint = nullptr;
  PyObject* invalid_artifact = nullptr;
  PyObject* unsupported = nullptr;
  PyObject* cancelled = nullptr;
};
Classes g_classes;  // one copy per extension module; owned by the module's attributes

PyObject* make(nb::module_& m, const char* name, PyObject* base, const char* doc) {
  const std::string qualified = std::string("lac.") + name;
  PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, base, nullptr);
  if (!cls) throw nb::python_error();
  m.attr(name) = nb::handle(cls);  // the module keeps a reference
  Py_DECREF(cls);
  return cls;
}

}  // namespace

void registerErrors(nb::module_& m) {
  g_classes.invalid_checkpoint =
      make(m, "InvalidCheckpointError", PyExc_ValueError, "A checkpoint that is truncated, corrupt or inconsistent.");
  g_classes.invalid_artifact =
      make(m, "InvalidArtifactError", PyExc_ValueError, "A .lac file that is truncated, corrupt or of another version.");
  g_classes.unsupported =
      make(m, "UnsupportedError", PyExc_ValueError, "Well-formed input that this build of LAC cannot run.");
  g_classes.cancelled = make(m, "CancelledError", PyExc_RuntimeError, "A generation stopped by its caller.");
}

void useErrorsOf(nb::module_ runtime) {
  // The module object outlives these borrowed pointers (it stays in sys.modules).
  g_classes.invalid_checkpoint = runtime.attr("InvalidCheckpointError").ptr();
  g_classes.invalid_artifact = runtime.attr("InvalidArtifactError").ptr();
  g_classes.unsupported = runtime.attr("UnsupportedError").ptr();
  g_classes.cancelled = runtime.attr("CancelledError").ptr();
}

void raise(const Status& s) {
  PyObject* cls = PyExc_RuntimeError;
  switch (s.kind) {
    case Error::InvalidArgument: cls = PyExc_ValueError; break;
    case Error::NotFound: cls = PyExc_FileNotFoundError; break;
    case Error::IoError: cls = PyExc_OSError; break;
    case Error::InvalidCheckpoint: cls = g_classes.invalid_checkpoint; break;
    case Error::InvalidArtifact: cls = g_classes.invalid_artifact; break;
    case Error::Unsupported: cls = g_classes.unsupported; break;
    case Error::Cancelled: cls = g_classes.cancelled; break;
    case Error::Ok:
    case Error::Internal:
    case Error::Busy: cls = PyExc_RuntimeError; break;
  }
  if (!cls) cls = PyExc_RuntimeError;
  PyErr_SetString(cls, s.message.c_str());
  throw nb::python_error();
}

}  // namespace lac::python
