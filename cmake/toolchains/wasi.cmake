# Cross-builds miocpp for WASI preview1 with clang-19 and Debian's wasi-libc and wasm32 libc++,
# and runs the tests under Node's node:wasi (cmake/wasi/run.mjs):
#   cmake -S . -B build/wasi --toolchain cmake/toolchains/wasi.cmake
# Debian packages: clang-19 lld-19 libc++-19-dev-wasm32 libc++abi-19-dev-wasm32
# libclang-rt-19-dev-wasm32 wasi-libc nodejs (Node 20 or later) googletest.
#
# There are neither exceptions (Debian's wasm libc++abi has no __cxa_throw) nor threads: the
# library's std::error_code overloads are the whole API there.
set(CMAKE_SYSTEM_NAME WASI)
set(CMAKE_SYSTEM_VERSION 1)
set(CMAKE_SYSTEM_PROCESSOR wasm32)

# CMake 3.25 ships no Platform/WASI.cmake; ours is in cmake/Platform.
list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}/..")

# The triple is wasm32-wasi, not wasm32-wasip1: Debian's wasi-libc predates the new name.
set(_miocpp_wasi_target wasm32-wasi)
set(CMAKE_C_COMPILER clang-19)
set(CMAKE_CXX_COMPILER clang++-19)
set(CMAKE_C_COMPILER_TARGET ${_miocpp_wasi_target})
set(CMAKE_CXX_COMPILER_TARGET ${_miocpp_wasi_target})
find_program(MIOCPP_WASI_AR NAMES llvm-ar-19 llvm-ar)
if(MIOCPP_WASI_AR)
  set(CMAKE_AR "${MIOCPP_WASI_AR}" CACHE FILEPATH "Archiver for wasm objects")
endif()

set(CMAKE_C_FLAGS_INIT -fno-exceptions)
set(CMAKE_CXX_FLAGS_INIT -fno-exceptions)
# wasm-ld's default stack is 64 KiB; GoogleTest's failure messages alone need more.
set(CMAKE_EXE_LINKER_FLAGS_INIT -Wl,-z,stack-size=1048576)

# Only the wasm32 sysroot counts for libraries and packages: the host's GoogleTest must not be
# found (FindOrFetchGTest then builds /usr/src/googletest for WASI).
set(CMAKE_FIND_ROOT_PATH /usr/lib/wasm32-wasi /usr/include/wasm32-wasi)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(MIOCPP_NODE NAMES node nodejs)
if(MIOCPP_NODE)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${MIOCPP_NODE};--no-warnings;${CMAKE_CURRENT_LIST_DIR}/../wasi/run.mjs")
endif()
