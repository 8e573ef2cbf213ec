# MLIR 19 for the compiler targets (dialects/, tools/lac-opt, compiler passes).
#
# Included from the top level after add_subdirectory(runtime), only when
# LAC_BUILD_COMPILER is ON. It deliberately does NOT include HandleLLVMOptions:
# that would change global flags (-fno-exceptions, -Wall..., -fPIC) for every
# later target, including the plain C++ import library. Instead the include
# paths, definitions and the link to libMLIR.so travel on one INTERFACE target,
# `lac_mlir`, that MLIR-using targets link.
#
# Debian's packages ship libMLIR.so and static component libraries; we link
# only the monolithic libMLIR.so (never both in one binary).

find_package(MLIR REQUIRED CONFIG
  HINTS /usr/lib/llvm-19/lib/cmake/mlir)
message(STATUS "LAC: MLIR ${LLVM_PACKAGE_VERSION} from ${MLIR_DIR}")

list(APPEND CMAKE_MODULE_PATH "${MLIR_CMAKE_DIR}" "${LLVM_CMAKE_DIR}")

# Under Ninja, TableGen steps stay dirty forever with CMP0116 NEW (depfile
# paths doubled). A function runs with the policies in effect where it was
# DEFINED, so this must precede include(TableGen); include() gives this file
# its own policy scope, so the setting does not leak to the rest of the build.
cmake_policy(SET CMP0116 OLD)
include(AddLLVM)    # function definitions only (get_subproject_title, ...)
include(TableGen)   # tablegen(), add_public_tablegen_target()
include(AddMLIR)    # mlir_tablegen()

# Debian ships no llvm-lit; point LLVM's helpers at the packaged lit.py.
if(NOT LLVM_EXTERNAL_LIT AND EXISTS /usr/lib/llvm-19/build/utils/lit/lit.py)
  set(LLVM_EXTERNAL_LIT /usr/lib/llvm-19/build/utils/lit/lit.py)
endif()

add_library(lac_mlir INTERFACE)
target_include_directories(lac_mlir SYSTEM INTERFACE ${LLVM_INCLUDE_DIRS} ${MLIR_INCLUDE_DIRS})
target_include_directories(lac_mlir INTERFACE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
separate_arguments(_lac_llvm_defs NATIVE_COMMAND "${LLVM_DEFINITIONS}")
target_compile_definitions(lac_mlir INTERFACE ${_lac_llvm_defs})
target_link_libraries(lac_mlir INTERFACE MLIR LLVM)
if(NOT LLVM_ENABLE_RTTI)
  target_compile_options(lac_mlir INTERFACE -fno-rtti)
endif()
