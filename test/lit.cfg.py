# lit configuration for LAC: FileCheck tests of everything the tools print.
import os

import lit.formats

config.name = "LAC"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.lac_binary_dir, "test")

path = os.pathsep.join([config.lac_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", os.environ["PATH"])])
config.environment["PATH"] = path
for var in ("HOME", "LAC_TINY_MODELS", "LAC_MODEL_CACHE", "LAC_CHAT_TEMPLATES_DIR"):
    if var in os.environ:
        config.environment[var] = os.environ[var]

config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%lac_src", config.lac_source_dir))
# Tiny models are generated once per build tree by scripts/make-tiny-models.
config.substitutions.append(("%tiny", os.path.join(config.lac_binary_dir, "tiny-models")))
config.substitutions.append(("%smollm2", os.path.join(os.environ.get("LAC_MODEL_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "lac")), "SmolLM2-135M-Instruct.Q4_1.gguf")))

# The 70 real chat templates (test data shared beside the repository, never copied into it).
_templates = os.environ.get("LAC_CHAT_TEMPLATES_DIR",
                            os.path.join(config.lac_source_dir, "..", "shared", "data", "chat-templates"))
config.substitutions.append(("%chat_templates", _templates))
if os.path.isdir(_templates):
    config.available_features.add("chat-templates")

if config.lac_build_compiler:
    config.available_features.add("compiler")
# lac-run can generate only when the tree has the CPU engine (runtime/engine).
if getattr(config, "lac_have_cpu_engine", False):
    config.available_features.add("cpu-engine")

# The real default model, when scripts/fetch-model.sh has put it in the cache.
_smollm2 = [s for k, s in config.substitutions if k == "%smollm2"][0]
if os.path.isfile(_smollm2):
    config.available_features.add("smollm2")
