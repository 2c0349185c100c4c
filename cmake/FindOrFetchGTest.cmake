# Makes the targets GTest::gtest and GTest::gtest_main available, from the first of:
#   1. an installed GoogleTest package: find_package(GTest CONFIG) (Debian's libgtest-dev),
#   2. CMake's FindGTest module,
#   3. GoogleTest sources on this machine (Debian's googletest package, /usr/src/googletest),
#      built here with the project's compiler and flags,
#   4. a pinned GoogleTest release fetched with FetchContent.
# Configure with -DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON to skip 1 and 2, e.g. to build GoogleTest
# with the same flags as the tests (-fno-exceptions, sanitizers).
include_guard(GLOBAL)

set(MIOCPP_GOOGLETEST_SOURCE_DIR
    "/usr/src/googletest"
    CACHE PATH "GoogleTest sources to build when no GoogleTest package is found")

set(_miocpp_gtest_url "https://github.com/google/googletest/archive/refs/tags/v1.14.0.tar.gz")
set(_miocpp_gtest_sha256 "8ad598c73ad796e0d8280b082cebd82a630d73e73cd3c70057938a6501bba5d7")

find_package(GTest CONFIG QUIET)
if(NOT GTest_FOUND)
  find_package(GTest QUIET)
endif()

if(GTest_FOUND)
  message(STATUS "miocpp: GoogleTest ${GTest_VERSION} (installed package)")
else()
  # GoogleTest's own options, set as normal variables; its old cmake_minimum_required would
  # otherwise let option() override them (policy CMP0077).
  set(CMAKE_POLICY_DEFAULT_CMP0077 NEW)
  set(BUILD_GMOCK OFF)
  set(INSTALL_GTEST OFF)
  set(gtest_force_shared_crt ON)
  # WASI has no threads.
  if(CMAKE_SYSTEM_NAME STREQUAL "WASI")
    set(gtest_disable_pthreads ON)
  endif()

  if(EXISTS "${MIOCPP_GOOGLETEST_SOURCE_DIR}/CMakeLists.txt")
    message(STATUS "miocpp: GoogleTest built from ${MIOCPP_GOOGLETEST_SOURCE_DIR}")
    add_subdirectory("${MIOCPP_GOOGLETEST_SOURCE_DIR}" "${CMAKE_BINARY_DIR}/_deps/googletest-build"
                     EXCLUDE_FROM_ALL SYSTEM)
  else()
    include("${CMAKE_CURRENT_LIST_DIR}/miocppFetchArchive.cmake")
    miocpp_fetch_declare(googletest URL "${_miocpp_gtest_url}" SHA256 "${_miocpp_gtest_sha256}"
                         RESULT _miocpp_gtest_fetched)
    if(NOT _miocpp_gtest_fetched)
      message(
        FATAL_ERROR
          "miocpp: GoogleTest is needed for the tests and was neither found nor downloaded. "
          "Install it (Debian: libgtest-dev or googletest), point MIOCPP_GOOGLETEST_SOURCE_DIR at "
          "its sources, or configure with -DMIOCPP_BUILD_TESTS=OFF.")
    endif()
    message(STATUS "miocpp: GoogleTest from FetchContent")
    FetchContent_MakeAvailable(googletest)
    # Their headers are someone else's: keep our warning flags off them.
    set_target_properties(gtest gtest_main PROPERTIES SYSTEM TRUE)
  endif()
endif()

# WASI has no dup/dup2, with which GoogleTest captures output, and no exceptions, which
# GoogleTest's own build turns on (-fexceptions) for its libraries.
if(CMAKE_SYSTEM_NAME STREQUAL "WASI")
  foreach(_miocpp_gtest_lib IN ITEMS gtest gtest_main)
    if(TARGET ${_miocpp_gtest_lib})
      target_compile_options(${_miocpp_gtest_lib} PRIVATE -fno-exceptions)
    endif()
  endforeach()
  if(TARGET gtest)
    target_compile_definitions(gtest PUBLIC GTEST_HAS_STREAM_REDIRECTION=0)
  endif()
endif()

foreach(_miocpp_gtest_lib IN ITEMS gtest gtest_main)
  if(NOT TARGET GTest::${_miocpp_gtest_lib})
    add_library(GTest::${_miocpp_gtest_lib} ALIAS ${_miocpp_gtest_lib})
  endif()
endforeach()
