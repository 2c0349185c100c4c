# Cross-builds miocpp for 64-bit Windows with Debian's mingw-w64 (g++-mingw-w64-x86-64-posix) and
# runs the tests under wine:
#   cmake -S . -B build/windows --toolchain cmake/toolchains/mingw-w64.cmake
# The -posix compilers are the ones with std::thread and std::mutex (the -win32 ones have none).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(_miocpp_mingw_prefix x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${_miocpp_mingw_prefix}-gcc-posix)
set(CMAKE_CXX_COMPILER ${_miocpp_mingw_prefix}-g++-posix)
set(CMAKE_RC_COMPILER ${_miocpp_mingw_prefix}-windres)

set(CMAKE_FIND_ROOT_PATH /usr/${_miocpp_mingw_prefix})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Static libgcc, libstdc++ and winpthread: wine does not find the toolchain's DLLs (a dynamically
# linked test exits with status 53 and no output).
set(CMAKE_EXE_LINKER_FLAGS_INIT -static)

find_program(MIOCPP_WINE NAMES wine wine64)
if(MIOCPP_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${MIOCPP_WINE})
endif()
